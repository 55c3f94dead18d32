"""archive init, accounts, register and audit through the CLI, with exact messages and codes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import ADMINS, ORG, Cli, add_account

from archiver.errors import ExitCode


def test_init_creates_home(cli_home: Cli) -> None:
    result = cli_home.ok("init", *ORG, env={"ARCHIVE_NOW": ""})  # an ordinary home: the real clock
    home = cli_home.home
    assert result.stderr == f"Created archive home {home} for Torsby kommun (212000-1769).\n"
    assert (home / "archive.toml").read_text().count('name = "Torsby kommun"') == 1
    assert (home / "policy" / "policy.toml").exists()
    assert (home / "store").is_dir()
    assert (home / "catalogue.sqlite").exists()
    assert oct((home / "secrets").stat().st_mode & 0o777) == "0o700"


def test_second_init_refuses_and_changes_nothing(arc: Cli, tree) -> None:  # type: ignore[no-untyped-def]
    before = tree(arc.home)
    result = arc("init", "--org", "Annan kommun", "--org-id", "212000-0000", "--simulated-clock")
    assert result.exit_code == ExitCode.config
    assert result.stderr == (
        f"Error: {arc.home} is already an archive home (archive.toml exists); nothing was "
        "changed — choose another --home to start a new archive\n")
    assert tree(arc.home) == before


@pytest.mark.parametrize(("args", "message"), [
    (("--org", "Torsby", "--org-id", "12345"), "--org-id '12345' must look like 212000-1769"),
    (("--org", "Torsby", "--org-id", "212000-1769", "--tz", "Mars/Olympus"),
     "--tz 'Mars/Olympus' is not an IANA time zone such as Europe/Stockholm"),
])
def test_init_bad_input(cli_home: Cli, args: tuple[str, ...], message: str) -> None:
    result = cli_home("init", *args, "--simulated-clock")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == f"Error: {message}\n"
    assert not (cli_home.home / "archive.toml").exists()


def test_command_without_home(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archiver.cli import cli

    result = CliRunner().invoke(cli, ["accounts", "list"], env={"ARCHIVE_HOME": ""})
    assert result.exit_code == ExitCode.config
    assert result.stderr == "Error: no archive home given; pass --home DIR or set ARCHIVE_HOME=DIR\n"


def test_demo_takes_the_group_home_and_never_archive_home(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`archive --home X demo` is X, as for every other command (it used to be ./demo-home);
    $ARCHIVE_HOME is not, so a demo never lands in the production home. A folder that holds
    anything stops the demo before it starts, which is what lets this test stay quick."""
    from click.testing import CliRunner

    from archiver.cli import cli

    for name in ("given", "production"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "keep.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "given"), "demo"])
    assert result.exit_code == ExitCode.config
    assert result.stderr == (f"Error: {tmp_path / 'given'} is not empty; give a new folder or --fresh to "
                             "replace a previous demo\n")
    (tmp_path / "demo-home").mkdir()
    (tmp_path / "demo-home" / "keep.txt").write_text("x")
    result = CliRunner().invoke(cli, ["demo"], env={"ARCHIVE_HOME": str(tmp_path / "production")})
    assert result.stderr == ("Error: demo-home is not empty; give a new folder or --fresh to "
                             "replace a previous demo\n")


FIX = ("; restore the catalogue from the last backup made before that entry's date, keep this copy "
       "for investigation, and never edit the audit table by hand")


def test_uninitialised_home(cli_home: Cli) -> None:
    result = cli_home("accounts", "list")
    assert result.exit_code == ExitCode.config
    assert result.stderr == (f"Error: {cli_home.home} is not an archive home (no archive.toml); "
                             "create one with: archive init --org NAME --org-id NNNNNN-NNNN\n")


def test_add_prints_id_and_json(arc: Cli) -> None:
    first = arc.ok("accounts", "add", "--name", "Torsby kommun", "--platform", "facebook",
                   "--url", "https://www.facebook.com/torsbykommun", "--unit", "Kommunikation",
                   "--purpose", "Information", "--opened", "2019-03-01", *ADMINS)
    assert first.stdout == "1\n"
    assert first.stderr == ""
    assert arc.json("accounts", "add", "--name", "Torsby bibliotek", "--platform", "instagram",
                    "--url", "https://www.instagram.com/torsbybibliotek", "--unit", "Biblioteket",
                    "--purpose", "Evenemang", *ADMINS) == {"id": 2}


def test_add_warns_on_fewer_than_two_admins(arc: Cli) -> None:
    result = arc.ok("accounts", "add", "--name", "Torsby", "--platform", "x",
                    "--url", "https://x.com/torsby", "--unit", "Kommunikation", "--purpose", "Nyheter",
                    "--admin", "Anna Berg <anna.berg@torsby.se>", "--opened", "2020-05-01")
    assert result.stderr == ("Warning: account 1 has 1 administrator; the guidelines ask for at "
                             "least 2 (add one with: archive accounts edit 1 --add-admin \"Name <email>\")\n")


@pytest.mark.parametrize(("change", "message"), [
    (("--platform", "myspace"),
     "--platform 'myspace' is not supported; use one of: facebook, instagram, x, linkedin, youtube, tiktok, web"),
    (("--url", "ftp://example.se/x"),
     "--url 'ftp://example.se/x' must be an http(s) address such as https://www.facebook.com/torsbykommun"),
    (("--admin", "Anna Berg"),
     "--admin 'Anna Berg' is not of the form \"Name <email>\"; e.g. --admin \"Anna Berg <anna.berg@torsby.se>\""),
    (("--opened", "15/3/2021"), "--opened '15/3/2021' is not a date; use YYYY-MM-DD, e.g. 2021-03-15"),
])
def test_add_bad_input_changes_nothing(arc: Cli, change: tuple[str, str], message: str) -> None:
    args = {"--name": "Torsby", "--platform": "facebook", "--url": "https://facebook.com/t",
            "--unit": "K", "--purpose": "P", "--admin": "Anna Berg <anna.berg@torsby.se>"}
    args[change[0]] = change[1]
    flat = [x for kv in args.items() for x in kv]
    result = arc("accounts", "add", *flat)
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == f"Error: {message}\n"
    assert arc.json("accounts", "list", "--all") == []
    assert arc.ok("audit", "verify").stdout == "Audit log intact: 1 entries.\n"


def test_add_missing_fields(arc: Cli) -> None:
    result = arc("accounts", "add", "--name", "Torsby")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == ("Error: missing --platform, --url, --unit, --purpose; every account needs "
                             "a name, platform, url, unit and purpose\n")


def test_duplicate_account_refused(arc: Cli) -> None:
    add_account(arc)
    result = arc("accounts", "add", "--name", "Igen", "--platform", "facebook",
                 "--url", "https://www.facebook.com/torsbykommun", "--unit", "K", "--purpose", "P")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == ("Error: https://www.facebook.com/torsbykommun is already registered as "
                             "account 1; change that one with: archive accounts edit 1\n")


def test_list_show_edit_close(arc: Cli) -> None:
    account = add_account(arc, "Torsby kommun", "facebook", "https://www.facebook.com/torsbykommun",
                          "--opened", "2019-03-01")
    shown = arc.json("accounts", "show", str(account))
    assert shown["opened"] == "2019-03-01"
    assert shown["administrators"] == [
        {"name": "Anna Berg", "email": "anna.berg@torsby.se"},
        {"name": "Per Lind", "email": "per.lind@torsby.se"}]
    edited = arc.json("accounts", "edit", str(account), "--unit", "Kultur och fritid",
                      "--admin", "Eva Ek <eva.ek@torsby.se>", "--admin", "Olle Ås <olle.as@torsby.se>")
    assert edited["unit"] == "Kultur och fritid"
    assert [a["name"] for a in edited["administrators"]] == ["Eva Ek", "Olle Ås"]
    closed = arc.json("accounts", "close", str(account), "--reason", "Ersätts av ny sida",
                      "--decided-by", "Kommunikationschef Lisa Holm", "--no-final-snapshot")
    assert closed["closed"] == "2026-07-01"
    assert closed["close_reason"] == "Ersätts av ny sida"
    assert closed["closed_by"] == "Kommunikationschef Lisa Holm"
    assert arc.json("accounts", "list") == []
    assert [a["id"] for a in arc.json("accounts", "list", "--all")] == [account]
    again = arc("accounts", "close", str(account), "--reason", "x", "--decided-by", "y",
                "--no-final-snapshot")
    assert again.exit_code == ExitCode.bad_input
    assert again.stderr == "Error: account 1 was already closed on 2026-07-01\n"


def test_edit_nothing_and_missing_account(arc: Cli) -> None:
    account = add_account(arc)
    result = arc("accounts", "edit", str(account))
    assert result.exit_code == ExitCode.usage
    assert result.stderr.endswith("\nError: give at least one option to change, such as --unit\n")
    missing = arc("accounts", "show", "42")
    assert missing.exit_code == ExitCode.not_found
    assert missing.stderr == ("Error: account 42 does not exist; list accounts with: "
                              "archive accounts list --all\n")
    garbage = arc("accounts", "show", "abc")
    assert garbage.exit_code == ExitCode.usage


def test_register_public_formats_hide_admins(arc: Cli, tmp_path: Path) -> None:
    add_account(arc)
    add_account(arc, "Torsby bibliotek", "instagram", "https://www.instagram.com/torsbybibliotek")
    text = arc.ok("accounts", "register", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["Torsby kommun", "Torsby bibliotek"]
    assert list(rows[0]) == ["name", "platform", "url", "unit", "purpose", "opened", "closed"]
    assert "anna.berg" not in text
    data = json.loads(arc.ok("accounts", "register", "--format", "json").stdout)
    assert data["organisation"] == "Torsby kommun"
    assert "administrators" not in data["accounts"][0]
    html = arc.ok("accounts", "register").stdout
    assert '<html lang="sv">' in html and "anna.berg" not in html and "<script" not in html
    internal = arc.ok("accounts", "register", "--format", "csv", "--internal").stdout
    assert "Anna Berg <anna.berg@torsby.se>; Per Lind <per.lind@torsby.se>" in internal
    out = tmp_path / "register.html"
    result = arc.ok("accounts", "register", "-o", str(out))
    assert result.stdout == ""
    assert out.read_text() == html


def test_audit_records_changes_and_detects_tampering(arc: Cli) -> None:
    account = add_account(arc)
    arc.ok("accounts", "edit", str(account), "--purpose", "Dialog med invånare", "--by", "registrator")
    assert arc.json("audit", "verify") == {"entries": 3, "good_entries": 3, "ok": True, "problem": None,
                                           "broken_seq": None}
    db = sqlite3.connect(arc.home / "catalogue.sqlite")
    actor, command, changes = db.execute(
        "select actor, command, changes from audit_log where seq = 3").fetchone()
    assert (actor, command) == ("registrator", "accounts edit")
    assert json.loads(changes) == {"changed": {"purpose": ["Information till invånare", "Dialog med invånare"]},
                                   "clock": "simulated clock"}
    # Change one stored byte of entry 2.
    (raw,) = db.execute("select changes from audit_log where seq = 2").fetchone()
    db.execute("update audit_log set changes = ? where seq = 2", (raw.replace("Torsby", "Torsbz", 1),))
    db.commit()
    db.close()
    result = arc("audit", "verify")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == f"Error: audit log broken: entry 2 was altered (hash mismatch); entry 1 is intact{FIX}\n"


def test_audit_detects_missing_entry(arc: Cli) -> None:
    add_account(arc)
    add_account(arc, "B", "x", "https://x.com/b")
    db = sqlite3.connect(arc.home / "catalogue.sqlite")
    db.execute("delete from audit_log where seq = 2")
    db.commit()
    db.close()
    result = arc("audit", "verify")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == f"Error: audit log broken: entry 2 is missing (next stored is 3); entry 1 is intact{FIX}\n"


def test_now_option_and_env(arc: Cli) -> None:
    account = add_account(arc, "Torsby", "x", "https://x.com/torsby", "--now", "2026-12-31T23:30:00Z")
    # 23:30 UTC on New Year's Eve is already 1 January in Stockholm.
    assert arc.json("accounts", "show", str(account))["opened"] == "2027-01-01"
    bad = arc("accounts", "list", "--now", "igår")
    assert bad.exit_code == ExitCode.bad_input
    assert bad.stderr.startswith("Error: --now: ") and "'igår'" in bad.stderr
    env_bad = arc("accounts", "list", env={"ARCHIVE_NOW": "not-a-date"})
    assert env_bad.exit_code == ExitCode.bad_input
    assert env_bad.stderr.startswith("Error: ARCHIVE_NOW: ") and "'not-a-date'" in env_bad.stderr
