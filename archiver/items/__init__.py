"""Posts, comments and messages as catalogue items: ingest, marks, search, the yearly report.

``ingest`` is the one way items enter the catalogue (from captures and imports alike:
versions, sources, media, the sensitive-data screen); ``imports`` reads platform exports
into plain records (one module per platform) and ``importer`` runs an import; ``marks``
records what led to action, what is confidential and what moderators removed;
``search`` lists and finds items; ``report`` the yearly statistics. May import
``archiver.accounts``, ``archiver.home``, ``archiver.catalogue`` and ``retention.screen``.
"""
