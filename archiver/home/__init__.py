"""The archive home: its folder and ``archive.toml``, the open archive, the store, the audit chain.

Everything else stands on this: ``config`` (the home's paths and settings), ``archive``
(an open home: settings, catalogue sessions, store, audit in one transaction), ``store``
(content-addressed, write-once files), ``files`` (atomic writes) and ``audit`` (the
hash chain). May import ``archiver.catalogue``, ``archiver.errors``, ``archiver.clock``
and ``archiver.schedule``; nothing from a stage above.
"""
