"""Retention: what may be culled, when and under which decision, and the record that it was.

Today it holds ``screen``, the sensitive-data screen that flags personnummer, contact
details and sensitive terms as items come in; it imports nothing of ours, so the
capture and item stages may use it. The retention engine (policy, review, holds,
culling, protocol) sits above the item stage, beside capture: it may import
``archiver.items``, ``archiver.pdf``, ``archiver.accounts``, ``archiver.home`` and
``archiver.catalogue``.
"""
