"""Opening the catalogue: engine options per backend and migrations to head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from archiver.catalogue.textfold import register_sqlite
from archiver.errors import BusyError, ConfigError, OutputError


def one_line(error: object) -> str:
    """A driver's message on one line: PostgreSQL's spans several ("connection failed: …
    Is the server running…"), and an error must stay one line."""
    return "; ".join(part.strip() for part in str(error).splitlines() if part.strip())


def sqlite_file(url: str) -> str | None:
    """The file a SQLite URL names, or None (another database, or SQLite in memory)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def make_engine(url: str, *, must_exist: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    ``must_exist`` is for opening a catalogue: SQLite would silently create an empty
    file for a mistyped path and the archive would seem to hold nothing.
    """
    path = sqlite_file(url) if must_exist else None
    if path is not None and not Path(path).exists():
        raise ConfigError(f"no catalogue at {path} (from the database URL {url!r}); check --db or "
                          "database.url in archive.toml, or create a home with: archive init")
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError) as e:
        raise ConfigError(f"cannot use database URL {url!r}: {one_line(e)}") from e
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    register_sqlite(dbapi_conn)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("archiver.catalogue") / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the catalogue; Alembic runs each migration in a transaction."""
    cfg = alembic_config()
    refuse_newer(current_revision(engine))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def refuse_newer(current: str | None) -> None:
    """A revision this program has no migration for was written by a newer Bevara:
    migrating cannot help, and working on it could damage what that version stored."""
    if current is not None and current not in known_revisions():
        raise ConfigError(f"this catalogue was written by a newer Bevara (revision {current}); "
                          "upgrade Bevara")


def check_current(engine: Engine) -> None:
    """Refuse to work on a catalogue older or newer than this program."""
    try:
        current = current_revision(engine)
    except OperationalError as e:
        raise ConfigError(f"cannot open the catalogue: {one_line(e.orig)}; check that the database "
                          "server runs and the URL (--db or database.url in archive.toml)") from e
    refuse_newer(current)
    head = head_revision()
    if current != head:
        raise ConfigError(
            f"the catalogue is at schema revision {current or 'none'} but this program "
            f"needs {head}; run: archive db upgrade"
        )


_CANNOT_WRITE = (
    ("disk is full", "the disk is full; free space"),  # SQLite
    ("no space left on device", "the disk is full; free space"),  # PostgreSQL
    ("readonly database", "it is read-only; make the home writable"),
    ("read-only file system", "it is on a read-only file system; make the home writable"),
    ("disk i/o error", "the disk reported an I/O error; check the disk"),
)
"""Database errors that mean the machine, not the data, stopped the write (exit 73)."""


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except OperationalError as e:
        session.rollback()
        reason = str(e.orig).lower()
        if "locked" in reason:
            raise BusyError("the catalogue is locked by another process; try again") from e
        for words, what in _CANNOT_WRITE:
            if words in reason:
                raise OutputError(f"cannot write the catalogue: {what} and run the command again "
                                  "(nothing was changed)") from e
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
