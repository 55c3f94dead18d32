"""Record integrity (issue 17): what the archive states about a record must be true.

Each test reproduces one way the archive used to state something untrue, through the CLI
with its exact message and exit code, and checks that nothing was changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import ORG, Cli, add_account
from hypothesis import given
from hypothesis import strategies as st

from archiver.capture import runs
from archiver.catalogue.models import Snapshot, SnapshotFile
from archiver.errors import ExitCode
from archiver.home import csvcells
from archiver.home.archive import open_archive
from archiver.home.audit import entry_hash
from archiver.home.config import Home
from archiver.home.store import record
from fixtures.exports import generate

REAL = {"ARCHIVE_NOW": ""}
"""The environment of an ordinary home's commands: no simulated time."""
REFUSED_NOW = ("Error: --now cannot set the time of a change on this archive home, which records "
               "the real time; run the command without --now (only a home made with archive init "
               "--simulated-clock takes a simulated time)\n")


@pytest.fixture
def real(cli_home: Cli) -> Cli:
    """An ordinary home: its records carry the real time."""
    cli_home.env = {**cli_home.env, **REAL}
    cli_home.ok("init", *ORG)
    return cli_home


def audit_rows(home: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(home / "catalogue.sqlite") as db:
        return db.execute("select seq, at, changes from audit_log order by seq").fetchall()


# ------------------------------------------------------------- 1. the real time


def test_write_with_now_is_refused_on_an_ordinary_home(real: Cli, tree) -> None:  # type: ignore[no-untyped-def]
    account = add_account(real)
    before = tree(real.home)
    for args in (("accounts", "edit", str(account), "--purpose", "X", "--now", "2020-01-01"),
                 ("capture", str(account), "--now", "2020-01-01T12:00"),
                 ("capture", "--due", "--now", "2027-01-01")):
        result = real(*args)
        assert (result.exit_code, result.stderr) == (ExitCode.bad_input, REFUSED_NOW), args
    env = real("accounts", "edit", str(account), "--purpose", "X", env={"ARCHIVE_NOW": "2020-01-01"})
    assert env.exit_code == ExitCode.bad_input
    assert env.stderr == REFUSED_NOW.replace("--now cannot", "ARCHIVE_NOW cannot").replace(
        "without --now", "without ARCHIVE_NOW")
    assert tree(real.home) == before
    # Read-only commands still take --now: it decides what is due and what is reported.
    assert real.json("due", "--now", "2027-01-02")[0]["boundary"] == "2027-01-01"
    assert real.json("accounts", "list", "--now", "2020-01-01")[0]["id"] == account
    # Recorded times are the real time, and say so nowhere as simulated.
    (seq, at, changes), *_ = audit_rows(real.home)[-1:]
    recorded = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
    assert abs(recorded - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert "simulated" not in changes


def test_init_with_now_needs_a_simulated_clock(cli_home: Cli) -> None:
    result = cli_home("init", *ORG, "--now", "2020-01-01")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == REFUSED_NOW
    assert not (cli_home.home / "archive.toml").exists()


def test_library_refuses_a_fabricated_time_on_an_ordinary_home(real: Cli) -> None:
    """The CLI's check has a backstop: Archive.audit compares its now with the real clock."""
    archive = open_archive(Home(real.home), now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), actor="t")
    try:
        with pytest.raises(Exception, match="cannot set the time"), archive.transaction() as s:
            archive.audit(s, "archive", {"x": 1})
    finally:
        archive.close()


def test_simulated_clock_home_says_so_in_every_audit_entry(arc: Cli) -> None:
    add_account(arc)
    assert "clock = " not in json.dumps(arc.json("accounts", "list"))
    assert "simulated = true" in (arc.home / "archive.toml").read_text()
    rows = audit_rows(arc.home)
    assert len(rows) == 2
    assert all(json.loads(changes)["clock"] == "simulated clock" for _, _, changes in rows)


def test_boundary_snapshot_only_after_its_boundary_by_the_real_clock(arc: Cli, tree) -> None:  # type: ignore[no-untyped-def]
    add_account(arc)
    before = tree(arc.home)
    result = arc("capture", "--due", "--now", "2099-07-01T08:00:00Z")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr.startswith("Error: the 2099-07-01 boundary has not passed by the real "
                                    "clock (")
    assert result.stderr.endswith("); a boundary snapshot can only be taken after its boundary, "
                                  "so run it then\n")
    assert {k: v for k, v in tree(arc.home).items() if not k.startswith("locks/")} == before


def test_audit_entry_older_than_the_previous_is_refused(arc: Cli, tree) -> None:  # type: ignore[no-untyped-def]
    account = add_account(arc)
    before = tree(arc.home)
    result = arc("accounts", "edit", str(account), "--purpose", "X", "--now", "2020-01-01")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == (
        "Error: this change is dated 2019-12-31T23:00:00Z, before the last audit entry (2, "
        "2026-07-01T08:00:00Z); the log never goes back in time, so nothing was changed "
        "(check --now and the system clock)\n")
    assert tree(arc.home) == before


def test_audit_verify_reports_an_entry_dated_before_the_previous(arc: Cli) -> None:
    """Rewritten with valid hashes, so only the dates give the tampering away."""
    add_account(arc)
    add_account(arc, "B", "x", "https://x.com/b")
    db = sqlite3.connect(arc.home / "catalogue.sqlite")
    rows = db.execute("select seq, at, actor, command, target, changes, prev_hash from audit_log "
                      "where seq >= 2 order by seq").fetchall()
    prev = rows[0][6]
    for seq, at, actor, command, target, changes, _ in rows:
        when = dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC) if seq == 3 else \
            dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
        h = entry_hash(seq, when, actor, command, target, changes, prev)
        db.execute("update audit_log set at = ?, prev_hash = ?, hash = ? where seq = ?",
                   (when.replace(tzinfo=None).isoformat(sep=" "), prev, h, seq))
        prev = h
    db.commit()
    db.close()
    result = arc("audit", "verify")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr.startswith("Error: audit log broken: entry 3 is dated 2026-06-01T08:00:00Z, "
                                    "before entry 2 (2026-07-01T08:00:00Z); entries 1 to 2 are intact; "
                                    "restore the catalogue from the last backup")


# ------------------------------------------------- 5. one capture per account


def test_an_account_being_captured_is_not_captured_again(arc: Cli, tree) -> None:  # type: ignore[no-untyped-def]
    account = add_account(arc)
    lock = arc.home / "locks" / f"capture-account-{account}.lock"
    before = tree(arc.home)
    with lock.open("a+") as fh:  # another process's capture of this account
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = arc("capture", str(account), str(account))
    assert result.exit_code == ExitCode.busy
    assert result.stderr == (f"Error: account {account} is being captured by another run ({lock}); "
                             "try again when it has finished\n")
    assert {k: v for k, v in tree(arc.home).items() if "locks" not in k} == \
        {k: v for k, v in before.items() if "locks" not in k}


def test_duplicate_ids_are_captured_once(arc: Cli) -> None:
    a = add_account(arc)
    b = add_account(arc, "B", "x", "https://x.com/b")
    archive = open_archive(Home(arc.home), now=dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC), actor="t")
    try:
        with archive.transaction() as s:
            jobs = runs.adhoc_jobs(s, [b, a, b, b], archive.now, archive.settings.tz, "ad hoc")
    finally:
        archive.close()
    assert [j.account_id for j in jobs] == [b, a]


# --------------------------------------------------- 6. closed is read-only


def test_closed_account_is_read_only_until_reopened(arc: Cli, tmp_path: Path, tree) -> None:  # type: ignore[no-untyped-def]
    account = add_account(arc)
    arc.ok("accounts", "close", str(account), "--reason", "Slut", "--decided-by", "Chef",
           "--no-final-snapshot")
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [{"name": "c", "value": "v"}], "origins": []}))
    export = generate.generate_facebook_export(tmp_path / "fb.zip", items=5, seed=1)
    before = tree(arc.home)
    message = (f"Error: account {account} was closed on 2026-07-01 and is read-only; reopen it "
               f"first with: archive accounts reopen {account} --reason TEXT --decided-by NAME\n")
    for args in (("accounts", "edit", str(account), "--unit", "Ny enhet"),
                 ("accounts", "login-state", str(account), str(state)),
                 ("import", str(account), str(export))):
        result = arc(*args)
        assert (result.exit_code, result.stderr) == (ExitCode.bad_input, message), args
    assert tree(arc.home) == before
    assert "Ny enhet" not in arc.ok("accounts", "register").stdout
    reopened = arc.json("accounts", "reopen", str(account), "--reason", "Åter i bruk",
                        "--decided-by", "Kommunikationschef")
    assert reopened["closed"] is None
    (_, _, changes), = audit_rows(arc.home)[-1:]
    assert json.loads(changes)["reopened"]["closed"] == "2026-07-01"
    assert json.loads(changes)["decided_by"] == "Kommunikationschef"
    arc.ok("accounts", "edit", str(account), "--unit", "Ny enhet")
    again = arc("accounts", "reopen", str(account), "--reason", "x", "--decided-by", "y")
    assert (again.exit_code, again.stderr) == (
        ExitCode.bad_input, f"Error: account {account} is open; only a closed account can be reopened\n")


# ------------------------------------------------------ 7. atomic exports


def stored_snapshot(arc: Cli, files: dict[str, tuple[str, bytes]]) -> tuple[int, dict[str, str]]:
    """A snapshot row with files in the store, as a capture leaves it (no browser needed)."""
    archive = open_archive(Home(arc.home), now=dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC), actor="t")
    digests = {}
    try:
        with archive.transaction() as s:
            snap = Snapshot(account_id=1, trigger="adhoc", boundary=None, period_start=None,
                            period_end=None, reason="ad hoc", url="https://www.facebook.com/t",
                            captured_at=archive.now, late_seconds=None, engine_version="t",
                            items_seen=0, followers=None, complete=True, captured_by="t",
                            clock=archive.clock_label)
            for role, (name, data) in files.items():
                ref = archive.store.put_bytes(data, "application/octet-stream")
                record(s, ref, archive.now)
                snap.files.append(SnapshotFile(role=role, name=name, sha256=ref.sha256))
                digests[role] = ref.sha256
            s.add(snap)
            s.flush()
            return snap.id, digests
    finally:
        archive.close()


def test_failed_export_leaves_no_partial_folder(arc: Cli, tmp_path: Path) -> None:
    add_account(arc)
    snap, digests = stored_snapshot(arc, {"html": ("page.html", b"<p>hej</p>"),
                                          "visual-pdf": ("snapshot-visual.pdf", b"%PDF-1.7 a"),
                                          "print-pdf": ("snapshot-print.pdf", b"%PDF-1.7 b")})
    broken = arc.home / "store" / digests["print-pdf"][:2] / digests["print-pdf"]
    broken.chmod(0o644)
    broken.write_bytes(b"%PDF-1.7 c")
    out = tmp_path / "exports" / "out"
    result = arc("snapshots", "export", str(snap), "-o", str(out))
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == (f"Error: stored file {digests['print-pdf']} (snapshot-print.pdf) is "
                             "corrupt; restore it from backup\n")
    assert list((tmp_path / "exports").iterdir()) == []
    verify = arc("snapshots", "verify", str(snap))
    assert verify.exit_code == ExitCode.bad_input
    assert verify.stdout.splitlines()[0] == f"snapshot {snap}: FAILED"
    assert verify.stderr == (f"Error: snapshot {snap} failed verification; restore the named "
                             "files from backup\n")


def test_export_is_complete_when_it_appears(arc: Cli, tmp_path: Path) -> None:
    add_account(arc)
    snap, _ = stored_snapshot(arc, {"html": ("page.html", b"<p>hej</p>")})
    (tmp_path / "empty").mkdir()
    for dest in (tmp_path / "new", tmp_path / "empty"):
        files = arc.json("snapshots", "export", str(snap), "-o", str(dest))
        assert sorted(p.name for p in dest.iterdir()) == ["page.html", "snapshot.json"]
        assert files[0]["path"] == str(dest / "page.html")
        assert json.loads((dest / "snapshot.json").read_text())["clock"] == "simulated clock"
    assert arc.ok("snapshots", "list").stdout.rstrip().endswith("ad hoc [simulated clock]")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "home", "new"]


# ---------------------------------------------------------- 9. CSV formulas


@pytest.mark.parametrize("purpose", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_cannot_carry_formulas(arc: Cli, purpose: str) -> None:
    add_account(arc, "Torsby", "facebook", "https://www.facebook.com/t")
    arc.ok("accounts", "edit", "1", "--purpose", purpose)
    out = arc.ok("accounts", "register", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["purpose"] == "'" + purpose


@given(st.text())
def test_no_written_cell_starts_a_formula(text: str) -> None:
    buf = io.StringIO()
    csvcells.writer(buf).writerow([text, 42, -3, None])
    (row,) = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert not row[0].startswith(csvcells.TRIGGERS)
    assert row[0] == (("'" + text) if text.startswith(csvcells.TRIGGERS) else text)
    assert row[1:] == ["42", "-3", ""]  # numbers are data, never quoted


def test_yearly_report_csv_is_neutralised(arc: Cli) -> None:
    add_account(arc, "=cmd|' /C calc'!A0", "facebook", "https://www.facebook.com/t")
    out = arc.ok("report", "--year", "2026", "--format", "csv").stdout
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["name"] == "'=cmd|' /C calc'!A0"
    assert row["posts"] == "0"


# --------------------------------------------------- 10. a newer catalogue


def test_catalogue_newer_than_the_program(arc: Cli, tree) -> None:  # type: ignore[no-untyped-def]
    with sqlite3.connect(arc.home / "catalogue.sqlite") as db:
        db.execute("update alembic_version set version_num = '0009'")
    before = tree(arc.home)
    message = ("Error: this catalogue was written by a newer Bevara (revision 0009); "
               "upgrade Bevara\n")
    for args in (("accounts", "list"), ("db", "upgrade")):
        result = arc(*args)
        assert (result.exit_code, result.stderr) == (ExitCode.config, message), args
    assert tree(arc.home) == before


# ------------------------------------------------------- 11. failures seen


def test_failed_captures_are_listed_with_reasons(arc: Cli) -> None:
    a = add_account(arc)
    b = add_account(arc, "B", "x", "https://x.com/b")
    archive = open_archive(Home(arc.home), now=dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC), actor="t")
    try:
        with archive.transaction() as s:
            jobs = runs.due_jobs(s, archive.now, archive.settings.tz)
        runs._fail(archive, jobs[0], "logged out: the page asks to log in", {})
        runs._fail(archive, jobs[1], "blocked by platform", {})
    finally:
        archive.close()
    listed = arc.json("snapshots", "failures")
    assert [(f["account"], f["boundary"], f["reason"]) for f in listed] == [
        (a, "2026-07-01", "logged out: the page asks to log in"),
        (b, "2026-07-01", "blocked by platform")]
    assert [f["account"] for f in arc.json("snapshots", "failures", "--account", str(b))] == [b]
    text = arc.ok("snapshots", "failures").stdout.splitlines()
    assert text[1] == (f"    2  account {b:<4} 2026-07-01 10:00 CEST  due   2026-07-01  blocked by platform")
    missing = arc("snapshots", "failures", "--account", "9")
    assert missing.exit_code == ExitCode.not_found
