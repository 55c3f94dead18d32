"""Capturing account pages as snapshots: the browser engine, site profiles and capture runs.

The engine (``engine`` with ``feed``, ``items``, ``overlays``, ``network``, ``media``,
``segments``, ``artifacts``, ``steps``, ``page_scripts``) drives one page in Chromium
(launched by ``archiver.chromium``) as its site profile (``site``, data in ``profiles/*.toml``) says and
returns plain values (``model``). ``runs`` decides what is due, runs captures in
parallel, has the PDF/A records built in worker processes (``buildpool``) and stores
snapshots; ``snapshots`` lists and exports them. May import ``archiver.pdf``,
``archiver.accounts``, ``archiver.home``, ``archiver.catalogue``, ``retention.screen``,
and from the item stage only its ingest interface (``archiver.items.ingest``).
"""
