"""The catalogue: SQLAlchemy models, engine setup and Alembic migrations."""
