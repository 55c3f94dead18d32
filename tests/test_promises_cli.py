"""Exit codes the README documents that no other test reaches: 1 (a bug), 69 (a program
missing), 78 (catalogue schema out of date) and `archive db upgrade` putting it right."""

from __future__ import annotations

import pytest
from conftest import Cli, add_account

from archiver import chromium
from archiver.catalogue import db
from archiver.errors import ExitCode
from archiver.items import report


def test_a_bug_is_exit_1_with_one_line_and_a_traceback_only_on_request(
        arc: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(report, "yearly", broken)
    result = arc("report", "--year", "2026")
    assert (result.exit_code, result.stdout) == (ExitCode.internal_error, "")
    assert result.stderr == ("Error: internal error: ZeroDivisionError: division by zero (set ARCHIVE_DEBUG=1 "
                             "for a traceback and report it)\n")
    debug = arc("report", "--year", "2026", env={"ARCHIVE_DEBUG": "1"})
    assert debug.exit_code == ExitCode.internal_error
    assert debug.stderr.startswith("Traceback (most recent call last):\n") and "def broken" not in debug.stdout
    assert debug.stderr.endswith("(set ARCHIVE_DEBUG=1 for a traceback and report it)\n")


def test_missing_chromium_is_exit_69_naming_the_fix(arc: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    account = add_account(arc)
    monkeypatch.setattr(chromium, "CHROMIUM_CANDIDATES", (tmp_path / "chromium",))
    result = arc("capture", str(account))
    assert result.exit_code == ExitCode.unavailable
    assert result.stderr.endswith(f"Error: Chromium not found at {tmp_path / 'chromium'}; install it with: "
                                  "apt-get install chromium\n")
    assert arc.json("snapshots", "list") == []


def test_an_old_catalogue_is_exit_78_until_db_upgrade(arc: Cli) -> None:
    catalogue = arc.home / "catalogue.sqlite"
    catalogue.unlink()
    old = db.make_engine(f"sqlite:///{catalogue}")
    db.upgrade(old, "0002")
    old.dispose()
    head = db.head_revision()
    assert head is not None and head != "0002"
    result = arc("accounts", "list")
    assert result.exit_code == ExitCode.config
    assert result.stderr == (f"Error: the catalogue is at schema revision 0002 but this program needs {head}; "
                             "run: archive db upgrade\n")
    upgraded = arc.ok("db", "upgrade")
    assert upgraded.stderr == f"Catalogue schema: 0002 -> {head}.\n"
    assert arc.json("accounts", "list") == []
    assert arc.ok("db", "upgrade").stderr == f"Catalogue schema: {head} -> {head}.\n"  # safe to repeat
    add_account(arc)
    assert [a["id"] for a in arc.json("accounts", "list")] == [1]
