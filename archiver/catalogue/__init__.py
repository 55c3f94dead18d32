"""The catalogue: SQLAlchemy models, column types, engine setup and Alembic migrations.

The bottom of the tree with ``archiver.errors``, ``clock`` and ``schedule``: it imports
nothing else of ours, so every stage can share one schema.
"""
