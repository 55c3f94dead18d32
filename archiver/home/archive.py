"""An opened archive home: settings, catalogue, file store, clock and actor in one object.

The CLI builds one per command and passes it to library functions; nothing here
is global, so tests open as many archives as they like side by side.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from archiver.catalogue import db
from archiver.catalogue.models import StoredFile
from archiver.clock import SIMULATED, refuse_set_time
from archiver.errors import ConfigError, OutputError
from archiver.home import audit
from archiver.home.config import Home, Settings, create_home, write_config
from archiver.home.store import FileStore


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


CLOCK_TOLERANCE = dt.timedelta(minutes=2)
"""How far the command's "now" may sit from the real clock when it opens an ordinary home."""


@dataclass
class Archive:
    """Everything a command needs; ``now`` is fixed for the whole command.

    ``now`` is the time every record of the command carries. On an ordinary home it is
    the real time (`audit` refuses anything else, whatever a caller passed); only on a
    simulated-clock home may it be another, and then each audit entry says so.
    ``clock`` is the real clock, for rules that the simulated one must not bend (a
    boundary snapshot only after its boundary).
    """

    home: Home
    settings: Settings
    engine: Engine
    now: dt.datetime
    actor: str
    command: str = ""
    clock: Callable[[], dt.datetime] = system_clock
    sessions: sessionmaker[Session] = field(init=False)
    store: FileStore = field(init=False)
    opened_at: dt.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.store = FileStore(self.home.store_dir, catalogued=self._catalogued)
        self.opened_at = self.clock()

    @property
    def simulated_clock(self) -> bool:
        return self.settings.simulated_clock

    @property
    def clock_label(self) -> str:
        """What the records of this home say about their times."""
        return SIMULATED if self.simulated_clock else "real clock"

    def check_recorded_time(self) -> None:
        """Refuse to record a time that is not the real one on an ordinary home."""
        if not self.simulated_clock and abs(self.now - self.opened_at) > CLOCK_TOLERANCE:
            raise refuse_set_time("--now")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with db.transaction(self.sessions) as session:
            yield session

    def audit(self, session: Session, target: str, changes: Mapping[str, Any],
              command: str | None = None) -> None:
        self.check_recorded_time()
        if self.simulated_clock:
            changes = {**changes, "clock": SIMULATED}
        audit.append(session, now=self.now, actor=self.actor, command=command or self.command,
                     target=target, changes=changes)

    def _catalogued(self, digests: set[str]) -> set[str]:
        """For the store's clean-up of files a killed or refused run published but never committed."""
        found: set[str] = set()
        ordered = sorted(digests)
        with self.transaction() as session:
            for i in range(0, len(ordered), 500):
                found.update(session.scalars(select(StoredFile.sha256)
                                             .where(StoredFile.sha256.in_(ordered[i:i + 500]))))
        return found

    def close(self) -> None:
        self.store.close()
        self.engine.dispose()


def open_archive(home: Home, *, now: dt.datetime, actor: str, command: str = "",
                 db_url: str | None = None, check_schema: bool = True,
                 clock: Callable[[], dt.datetime] = system_clock) -> Archive:
    settings = home.load_settings()
    if not os.access(home.root, os.W_OK):
        # SQLite cannot even read a WAL-mode catalogue it may not write beside, and every
        # command keeps its audit entry, temp files or locks in the home.
        raise OutputError(f"the archive home {home.root} is read-only; make it writable "
                          "(remount or chmod) and run the command again")
    engine = db.make_engine(home.database_url(settings, db_url), must_exist=True)
    if check_schema:
        try:
            db.check_current(engine)
        except ConfigError:
            engine.dispose()
            raise
    return Archive(home=home, settings=settings, engine=engine, now=now, actor=actor,
                   command=command, clock=clock)


def init_archive(home: Home, *, org_name: str, org_id: str, timezone: str, now: dt.datetime,
                 actor: str, db_url: str | None = None, simulated_clock: bool = False,
                 clock: Callable[[], dt.datetime] = system_clock, policy_text: str | None = None,
                 force: bool = False) -> Archive:
    """Create a home, migrate its catalogue to head, and write archive.toml last.

    ``simulated_clock`` makes a home for demos and tests, whose commands may record a
    given time; an ordinary home must be created at the real time. ``policy_text`` is the
    retention stage's default policy; the home stage cannot import it, so the caller
    passes it in.
    """
    if not simulated_clock and abs(now - clock()) > CLOCK_TOLERANCE:
        raise refuse_set_time("--now")
    extra = {"policy_text": policy_text} if policy_text is not None else {}
    settings = create_home(home, org_name=org_name, org_id=org_id, timezone=timezone,
                           simulated_clock=simulated_clock, force=force, **extra)
    if db_url:
        settings = Settings(**{**settings.__dict__, "database_url": db_url})
    engine = db.make_engine(home.database_url(settings))
    db.upgrade(engine)
    archive = Archive(home=home, settings=settings, engine=engine, now=now, actor=actor,
                      command="init", clock=clock)
    with archive.transaction() as session:
        archive.audit(session, "archive", {"org": org_name, "org_id": org_id, "tz": timezone})
    write_config(home, settings)
    return archive
