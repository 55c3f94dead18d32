"""The audit chain's promises: every entry is linked to the one before, forging one entry
(even with a correct hash of its own) or reordering entries is found, and the hash is
over a documented canonical form (recomputed here by hand, not with the code's functions).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3

import pytest
from conftest import Cli, add_account
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from archiver.catalogue.models import AuditEntry, Base
from archiver.errors import ExitCode
from archiver.home import audit

AT = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def session() -> Session:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_entry_hash_is_over_the_documented_canonical_form(session: Session) -> None:
    stockholm = dt.timezone(dt.timedelta(hours=2))
    e1 = audit.append(session, now=AT.astimezone(stockholm), actor="anna", command="accounts add",
                      target="account:1", changes={"ö": "Å", "a": 1, "day": dt.date(2026, 7, 1)})
    body = '{"a":1,"day":"2026-07-01","ö":"Å"}'
    assert (e1.seq, e1.at, e1.changes, e1.prev_hash) == (1, AT, body, "0" * 64)
    payload1 = ('[1,"2026-07-01T08:00:00.000000+00:00","anna","accounts add","account:1",'
                '"{\\"a\\":1,\\"day\\":\\"2026-07-01\\",\\"ö\\":\\"Å\\"}","' + "0" * 64 + '"]')
    assert e1.hash == sha(payload1)
    e2 = audit.append(session, now=AT + dt.timedelta(microseconds=5), actor="per", command="items mark",
                      target="item:7", changes={})
    assert (e2.seq, e2.prev_hash) == (2, e1.hash)
    assert e2.hash == sha(f'[2,"2026-07-01T08:00:00.000005+00:00","per","items mark","item:7","{{}}","{e1.hash}"]')
    assert audit.count(session) == 2
    assert audit.verify(session) == audit.AuditReport(2, None, None)
    assert audit.verify(session).ok is True


def test_empty_chain_is_intact(session: Session) -> None:
    assert audit.count(session) == 0
    report = audit.verify(session)
    assert (report.entries, report.first_problem, report.broken_seq, report.ok) == (0, None, None, True)


def _chain(session: Session, n: int) -> list[AuditEntry]:
    return [audit.append(session, now=AT + dt.timedelta(minutes=i), actor="anna", command="accounts edit",
                         target="account:1", changes={"n": i}) for i in range(n)]


def test_a_forged_entry_with_a_valid_hash_of_its_own_is_found(session: Session) -> None:
    """A forger who knows the algorithm rewrites entry 2 and rehashes it: entry 3 no longer follows."""
    _chain(session, 4)
    e2 = session.get(AuditEntry, 2)
    assert e2 is not None
    e2.changes = '{"n":99}'
    e2.hash = sha(f'[2,"2026-07-01T08:01:00.000000+00:00","anna","accounts edit","account:1",'
                  f'"{{\\"n\\":99}}","{e2.prev_hash}"]')
    session.flush()
    report = audit.verify(session)
    assert (report.entries, report.broken_seq, report.ok) == (3, 3, False)
    assert report.first_problem == "entry 3 does not follow entry 2 (previous-hash mismatch)"


def test_reordered_entries_are_found(session: Session) -> None:
    """Entries 2 and 3 swapped, each renumbered and rehashed so its own hash is right."""
    _chain(session, 3)
    rows = {e.seq: e for e in session.scalars(select(AuditEntry))}
    swapped = [(2, rows[3]), (3, rows[2])]
    for _, old in swapped:
        session.delete(old)
    session.flush()
    for seq, old in swapped:
        session.add(AuditEntry(seq=seq, at=old.at, actor=old.actor, command=old.command, target=old.target,
                               changes=old.changes, prev_hash=old.prev_hash,
                               hash=audit.entry_hash(seq, old.at, old.actor, old.command, old.target,
                                                     old.changes, old.prev_hash)))
    session.flush()
    report = audit.verify(session)
    assert report.first_problem == "entry 2 does not follow entry 1 (previous-hash mismatch)"
    assert (report.entries, report.broken_seq) == (2, 2)


def test_missing_first_entry_and_altered_entry_report_counts(session: Session) -> None:
    _chain(session, 3)
    e3 = session.get(AuditEntry, 3)
    assert e3 is not None
    e3.actor = "mallory"
    session.flush()
    assert audit.verify(session) == audit.AuditReport(3, "entry 3 was altered (hash mismatch)", 3)
    session.delete(session.get(AuditEntry, 1))
    session.flush()
    assert audit.verify(session) == audit.AuditReport(1, "entry 1 is missing (next stored is 2)", 1)


def test_cli_finds_a_rehashed_forgery(arc: Cli) -> None:
    """The README: `archive audit verify` names the first altered entry (exit 65)."""
    add_account(arc)
    add_account(arc, "B", "x", "https://x.com/b")
    db = sqlite3.connect(arc.home / "catalogue.sqlite")
    seq, at, actor, command, target, prev = db.execute(
        "select seq, at, actor, command, target, prev_hash from audit_log where seq = 2").fetchone()
    at_utc = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)  # stored as naive UTC
    forged = audit.entry_hash(seq, at_utc, actor, command, target, "{}", prev)
    db.execute("update audit_log set changes = '{}', hash = ? where seq = 2", (forged,))
    db.commit()
    db.close()
    result = arc("audit", "verify")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == ("Error: audit log broken: entry 3 does not follow entry 2 (previous-hash "
                             "mismatch); entries 1 to 2 are intact; restore the catalogue from the last "
                             "backup made before that entry's date, keep this copy for investigation, "
                             "and never edit the audit table by hand\n")
    # The broken entry's number and the count of good entries, apart (issue 18).
    assert json.loads(arc("audit", "verify", "--json").stdout) == {
        "entries": 3, "good_entries": 2, "ok": False, "broken_seq": 3,
        "problem": "entry 3 does not follow entry 2 (previous-hash mismatch)"}


def test_os_user_falls_back_to_the_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass
    import os

    def no_user() -> str:
        raise KeyError("no passwd entry")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert audit.os_user() == f"uid:{os.getuid()}"




def test_times_are_hashed_in_utc_whatever_the_machines_zone(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:
        entry = audit.append(session, now=AT, actor="anna", command="init", target="home", changes={})
        assert entry.hash == sha(f'[1,"2026-07-01T08:00:00.000000+00:00","anna","init","home","{{}}","{"0" * 64}"]')
        assert audit.verify(session).ok
    finally:
        monkeypatch.undo()
        time.tzset()
