"""Retention: what may be culled, when and under which decision, and the record that it was.

``screen`` (with ``terms`` and ``finding``) is the sensitive-data screen that flags
personnummer, contact details and sensitive terms as items come in; it imports nothing of
ours, so the capture and item stages may use it.

The retention engine sits above the item stage, beside capture, and may import
``archiver.items``, ``archiver.pdf``, ``archiver.accounts``, ``archiver.home``,
``archiver.catalogue``, ``archiver.schedule`` and ``archiver.clock``:

* ``policy`` — the policy file (rules, frist, mandate), checked with line numbers; mandates
  written with tomlkit; ``default_policy.toml`` is what ``archive init`` writes;
* ``deadline`` — gallringsfrist arithmetic (year end, half-years) in the home's time zone;
* ``holds`` — gallringsstopp by item or criteria;
* ``classify`` — the one pass that decides candidates and exclusions;
* ``review`` — numbered reviews, decisions, CSV/HTML exports;
* ``culling`` — resumable, idempotent ``apply``; stubs;
* ``protocol`` — the gallringsprotokoll (PDF/A-2b, CSV, XML against schemas/);
  ``protocol_record(session, id)`` lists a protocol's files for the packages stage;
* ``status`` — open reviews, due and overdue items, holds.

Tables: ``archiver/catalogue/retention_tables.py``.
"""
