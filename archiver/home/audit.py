"""Hash-chained audit log of every state-changing command.

Each entry stores the hash of the previous entry and its own hash over
(seq, time, actor, command, target, changes, previous hash). Changing, removing
or reordering any stored entry breaks the chain from that entry on, which
``verify`` reports, as it does an entry dated before the one it follows (``append``
refuses to write one: a record states the real time, and time does not go back).
The entry is written in the same transaction as the change it describes, so a change
without its audit entry cannot be committed.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archiver.catalogue.models import AuditEntry
from archiver.errors import IntegrityError

GENESIS = "0" * 64


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(seq: int, at: dt.datetime, actor: str, command: str, target: str,
               changes: str, prev_hash: str) -> str:
    payload = canonical([seq, at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
                         actor, command, target, changes, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(session: Session, *, now: dt.datetime, actor: str, command: str, target: str,
           changes: Mapping[str, Any]) -> AuditEntry:
    """Add the next entry to the chain inside the caller's transaction."""
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    at = now.astimezone(dt.UTC)
    if last is not None and at < last.at:
        raise IntegrityError(
            f"this change is dated {stamp(at)}, before the last audit entry ({last.seq}, "
            f"{stamp(last.at)}); the log never goes back in time, so nothing was changed "
            "(check --now and the system clock)")
    body = canonical(dict(changes))
    entry = AuditEntry(seq=seq, at=at, actor=actor, command=command, target=target,
                       changes=body, prev_hash=prev,
                       hash=entry_hash(seq, at, actor, command, target, body, prev))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditReport:
    entries: int
    first_problem: str | None
    broken_seq: int | None

    @property
    def ok(self) -> bool:
        return self.first_problem is None

    @property
    def good(self) -> int:
        """Entries before the first broken one: the part of the log still to be trusted."""
        return self.entries if self.broken_seq is None else self.broken_seq - 1


def intact_phrase(report: AuditReport) -> str:
    """ "entries 1 to 4 are intact", for the message about a broken chain."""
    if report.good == 0:
        return "no entry before it is intact"
    return "entry 1 is intact" if report.good == 1 else f"entries 1 to {report.good} are intact"


BROKEN_FIX = ("restore the catalogue from the last backup made before that entry's date, keep "
              "this copy for investigation, and never edit the audit table by hand")
"""What to do about a broken audit chain: it cannot be repaired from within."""


def verify(session: Session) -> AuditReport:
    """Walk the chain from the start and report the first broken or missing entry."""
    prev = GENESIS
    prev_at: dt.datetime | None = None
    expected_seq = 1
    count = 0
    for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        count += 1
        if e.seq != expected_seq:
            return AuditReport(count, f"entry {expected_seq} is missing (next stored is {e.seq})",
                               expected_seq)
        if e.prev_hash != prev:
            return AuditReport(count, f"entry {e.seq} does not follow entry {e.seq - 1} "
                               "(previous-hash mismatch)", e.seq)
        if entry_hash(e.seq, e.at, e.actor, e.command, e.target, e.changes, e.prev_hash) != e.hash:
            return AuditReport(count, f"entry {e.seq} was altered (hash mismatch)", e.seq)
        if prev_at is not None and e.at < prev_at:
            return AuditReport(count, f"entry {e.seq} is dated {stamp(e.at)}, before entry "
                               f"{e.seq - 1} ({stamp(prev_at)})", e.seq)
        prev = e.hash
        prev_at = e.at
        expected_seq += 1
    return AuditReport(count, None, None)


def stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0
