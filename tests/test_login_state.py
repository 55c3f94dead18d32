"""archive accounts login-state: a secret session for pages behind a login wall."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Cli, add_account
from sqlalchemy import create_engine, select

from archiver.catalogue.models import AuditEntry
from archiver.errors import ExitCode

HINT = ('expected {"cookies": [...], "origins": [...]} as written by '
        "playwright codegen --save-storage=FILE")


def state_file(path: Path, host: str = "127.0.0.1", value: str = "ok") -> Path:
    path.write_text(json.dumps({"cookies": [{
        "name": "fixture_session", "value": value, "domain": host, "path": "/", "expires": -1,
        "httpOnly": True, "secure": False, "sameSite": "Lax"}], "origins": []}))
    return path


def audit_changes(arc: Cli) -> str:
    engine = create_engine(f"sqlite:///{arc.home / 'catalogue.sqlite'}")
    try:
        with engine.connect() as conn:
            return "\n".join(conn.scalars(select(AuditEntry.changes)))
    finally:
        engine.dispose()


def test_set_keeps_a_private_copy_and_audits_only_the_fact(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    source = state_file(tmp_path / "state.json", value="hemlig-session-123")
    result = arc.ok("accounts", "login-state", str(account), str(source))
    assert result.stderr == f"Login state of account {account} set.\n"
    (stored,) = (arc.home / "secrets").iterdir()
    assert stored.name.startswith(f"storage-state-{account}-")
    assert stored.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE((arc.home / "secrets").stat().st_mode) == 0o700
    shown = arc.json("accounts", "show", str(account))
    assert shown["login_state"] == "set"
    assert "hemlig" not in json.dumps(shown) and "secrets" not in json.dumps(shown)
    assert "hemlig" not in arc.ok("accounts", "register", "--internal").stdout
    assert "hemlig" not in audit_changes(arc)
    assert '{"clock":"simulated clock","login_state":"set"}' in audit_changes(arc)
    # The same state again changes nothing on disk; a new one replaces the old file.
    arc.ok("accounts", "login-state", str(account), str(source))
    assert list((arc.home / "secrets").iterdir()) == [stored]
    newer = state_file(tmp_path / "newer.json", value="ny-session-456")
    arc.ok("accounts", "login-state", str(account), str(newer))
    (stored,) = (arc.home / "secrets").iterdir()
    assert stored.read_bytes() == newer.read_bytes() and stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert '{"clock":"simulated clock","login_state":"replaced"}' in audit_changes(arc)
    removed = arc.ok("accounts", "login-state", str(account), "--clear")
    assert removed.stderr == f"Login state of account {account} removed.\n"
    assert not stored.exists()
    assert arc.json("accounts", "show", str(account))["login_state"] is None


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "is not JSON; " + HINT),
    (b'{"cookies": {}}', "is not a Playwright storage state; " + HINT),
    (b'{"cookies": [], "origins": []}',
     "holds no cookies and no local storage: it would not log in; save it after logging in"),
])
def test_bad_state_files_change_nothing(arc: Cli, tmp_path: Path, content: bytes, message: str) -> None:
    account = add_account(arc)
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    before = arc.ok("audit", "verify").stdout
    result = arc("accounts", "login-state", str(account), str(bad))
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == f"Error: {bad} {message}\n"
    assert not list((arc.home / "secrets").iterdir())
    assert arc.ok("audit", "verify").stdout == before


def test_usage_and_missing_things(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    usage = arc("accounts", "login-state", str(account))
    assert usage.exit_code == 2 and "give either STATE_FILE or --clear" in usage.stderr
    missing = arc("accounts", "login-state", str(account), str(tmp_path / "nope.json"))
    assert missing.exit_code == ExitCode.not_found
    assert missing.stderr == f"Error: {tmp_path / 'nope.json'} does not exist; give the storage state file to use\n"
    nothing = arc("accounts", "login-state", str(account), "--clear")
    assert nothing.exit_code == ExitCode.bad_input
    assert nothing.stderr == f"Error: account {account} has no login state to remove\n"
    unknown = arc("accounts", "login-state", "99", str(state_file(tmp_path / "s.json")))
    assert unknown.exit_code == ExitCode.not_found


@pytest.mark.browser
def test_capture_behind_login_wall_with_state_and_refused_when_readable(arc: Cli, tmp_path: Path) -> None:
    import datetime as dt

    from fixtures.platform import FixturePlatform

    with FixturePlatform(seed=2026, now=dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)) as fp:
        url = fp.account_url("facebook", "login-wall")
        account = int(arc.json("accounts", "add", "--name", "Inloggad", "--platform", "facebook",
                               "--url", url, "--unit", "K", "--purpose", "P")["id"])
        refused = arc("capture", str(account), "--json")
        assert refused.exit_code == ExitCode.partial_failure
        assert json.loads(refused.stdout)[0]["reason"] == "login required"
        host = urlsplit(fp.base_url).hostname or ""
        arc.ok("accounts", "login-state", str(account), str(state_file(tmp_path / "s.json", host)))
        result = arc("capture", str(account), "--json")
        assert result.exit_code == 0, result.stderr[-2000:]
        (out,) = json.loads(result.stdout)
        assert out["status"] == "ok"
        for path in (arc.home / "store").rglob("*"):
            assert not path.is_file() or b"fixture_session" not in path.read_bytes()
        (stored,) = (arc.home / "secrets").iterdir()
        os.chmod(stored, 0o644)
        loose = arc("capture", str(account), "--json")
        assert loose.exit_code == ExitCode.partial_failure
        assert json.loads(loose.stdout)[0]["reason"] == (
            f"login state {stored} is readable by others (mode 0644); run: chmod 600 {stored}")
