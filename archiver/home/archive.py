"""An opened archive home: settings, catalogue, file store, clock and actor in one object.

The CLI builds one per command and passes it to library functions; nothing here
is global, so tests open as many archives as they like side by side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from archiver.catalogue import db
from archiver.errors import ConfigError
from archiver.home import audit
from archiver.home.config import Home, Settings, create_home, write_config
from archiver.home.store import FileStore


@dataclass
class Archive:
    """Everything a command needs; ``now`` is fixed for the whole command."""

    home: Home
    settings: Settings
    engine: Engine
    now: dt.datetime
    actor: str
    command: str = ""
    sessions: sessionmaker[Session] = field(init=False)
    store: FileStore = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.store = FileStore(self.home.store_dir)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with db.transaction(self.sessions) as session:
            yield session

    def audit(self, session: Session, target: str, changes: Mapping[str, Any],
              command: str | None = None) -> None:
        audit.append(session, now=self.now, actor=self.actor, command=command or self.command,
                     target=target, changes=changes)

    def close(self) -> None:
        self.engine.dispose()


def open_archive(home: Home, *, now: dt.datetime, actor: str, command: str = "",
                 db_url: str | None = None, check_schema: bool = True) -> Archive:
    settings = home.load_settings()
    engine = db.make_engine(home.database_url(settings, db_url))
    if check_schema:
        try:
            db.check_current(engine)
        except ConfigError:
            engine.dispose()
            raise
    return Archive(home=home, settings=settings, engine=engine, now=now, actor=actor,
                   command=command)


def init_archive(home: Home, *, org_name: str, org_id: str, timezone: str, now: dt.datetime,
                 actor: str, db_url: str | None = None, policy_text: str | None = None) -> Archive:
    """Create a home, migrate its catalogue to head, and write archive.toml last.

    ``policy_text`` is the retention stage's default policy; the home stage cannot
    import it, so the caller passes it in.
    """
    extra = {"policy_text": policy_text} if policy_text is not None else {}
    settings = create_home(home, org_name=org_name, org_id=org_id, timezone=timezone, **extra)
    if db_url:
        settings = Settings(**{**settings.__dict__, "database_url": db_url})
    engine = db.make_engine(home.database_url(settings))
    db.upgrade(engine)
    archive = Archive(home=home, settings=settings, engine=engine, now=now, actor=actor,
                      command="init")
    with archive.transaction() as session:
        archive.audit(session, "archive", {"org": org_name, "org_id": org_id, "tz": timezone})
    write_config(home, settings)
    return archive
