"""Issue 18, errors a new user meets: one line, the documented exit code, nothing changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ADMINS, ORG, Cli, add_account

from archiver.errors import BadInputError, ExitCode
from archiver.items.imports import open_export, read_export
from fixtures.exports.generate import generate_facebook_export, generate_linkedin_export

OPENED = ("--opened", "2020-01-01")


def error_line(result) -> str:  # type: ignore[no-untyped-def]
    """The last line of stderr: click puts its usage lines above a usage error's."""
    return result.stderr.splitlines()[-1]


def audit_count(arc: Cli) -> int:
    with sqlite3.connect(arc.home / "catalogue.sqlite") as db:
        return int(db.execute("select count(*) from audit_log").fetchone()[0])


# --------------------------------------------------------------- usage, exit 2


@pytest.mark.parametrize(("args", "message"), [
    (("capture", "abc"), "Error: 'abc' is not an account id (a whole number); see them with: "
                         "archive accounts list --all"),
    (("capture",), "Error: name the accounts to capture, or give --all or --due"),
    (("capture", "2", "--due"), "Error: ACCOUNT_IDS and --due do not go together; give account ids, "
                                "--all or --due (one of them)"),
    (("capture", "--all", "--due"), "Error: --all and --due do not go together; give account ids, "
                                    "--all or --due (one of them)"),
    (("accounts", "edit", "abc", "--unit", "X"), "Error: 'abc' is not an account id (a whole number); "
                                                 "see them with: archive accounts list --all"),
    (("snapshots", "show", "abc"), "Error: 'abc' is not a snapshot id (a whole number); see them with: "
                                   "archive snapshots list"),
    (("items", "show", "abc"), "Error: 'abc' is not an item id (a whole number); see them with: "
                               "archive items list"),
    (("items", "list", "--flag", "nosuchkind"),
     "Error: Invalid value for '--flag': 'nosuchkind' is not one of 'personnummer', 'samordningsnummer', "
     "'phone', 'email', 'address', 'term', 'any'."),
])
def test_usage_mistakes_are_exit_2(arc: Cli, args: tuple[str, ...], message: str) -> None:
    add_account(arc, "Torsby", "facebook", "https://www.facebook.com/t", *OPENED)
    before = audit_count(arc)
    result = arc(*args)
    assert (result.exit_code, result.stdout, error_line(result)) == (ExitCode.usage, "", message)
    assert result.stderr.startswith("Usage: ")
    if args[1:2] == ("show",):  # a snapshot or item id is not found among the accounts
        assert "accounts list" not in result.stderr
    assert audit_count(arc) == before


# ------------------------------------------------------------ not found / closed


def test_an_unknown_account_in_a_listing_is_not_found(arc: Cli) -> None:
    for args in (("items", "list", "--account", "99"), ("snapshots", "list", "--account", "99"),
                 ("snapshots", "failures", "--account", "99")):
        result = arc(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (
            ExitCode.not_found, "",
            "Error: account 99 does not exist; list accounts with: archive accounts list --all\n"), args


def test_capturing_a_closed_account_is_bad_input_not_missing(arc: Cli) -> None:
    account = add_account(arc, "Torsby", "facebook", "https://www.facebook.com/t", *OPENED)
    arc.ok("accounts", "close", str(account), "--reason", "Slut", "--decided-by", "Chef", "--no-final-snapshot")
    result = arc("capture", str(account))
    assert (result.exit_code, result.stderr) == (
        ExitCode.bad_input,
        "Error: account 1 was closed on 2026-07-01; closed accounts are not captured (reopen it first "
        "with: archive accounts reopen 1 --reason TEXT --decided-by NAME)\n")


# ------------------------------------------------------------------ accounts edit


def test_edit_with_the_stored_value_changes_nothing_and_says_so(arc: Cli) -> None:
    account = add_account(arc, "Torsby", "facebook", "https://www.facebook.com/t", *OPENED)
    arc.ok("accounts", "edit", str(account), "--unit", "Kultur och fritid")
    before = audit_count(arc)
    same = arc("accounts", "edit", str(account), "--unit", "Kultur och fritid")
    assert (same.exit_code, same.stdout, same.stderr) == (
        0, "", "Account 1: nothing changed (the values given are the ones stored).\n")
    assert arc.json("accounts", "edit", str(account), "--unit", "Kultur och fritid")["changed"] is False
    assert audit_count(arc) == before


def test_add_and_remove_admin_keep_the_others(arc: Cli) -> None:
    account = add_account(arc, "Torsby", "facebook", "https://www.facebook.com/t", *OPENED)
    arc.ok("accounts", "edit", str(account), "--add-admin", "Eva Ek <eva.ek@torsby.se>")
    names = [a["name"] for a in arc.json("accounts", "show", str(account))["administrators"]]
    assert names == ["Anna Berg", "Per Lind", "Eva Ek"]
    arc.ok("accounts", "edit", str(account), "--remove-admin", "PER.LIND@torsby.se",
           "--remove-admin", "Anna Berg")
    assert arc.json("accounts", "show", str(account))["administrators"] == [
        {"name": "Eva Ek", "email": "eva.ek@torsby.se"}]
    missing = arc("accounts", "edit", str(account), "--remove-admin", "nobody@torsby.se")
    assert (missing.exit_code, missing.stderr) == (
        ExitCode.bad_input, "Error: --remove-admin 'nobody@torsby.se' is not an administrator of "
                            "account 1 (they are: Eva Ek <eva.ek@torsby.se>)\n")
    twice = arc("accounts", "edit", str(account), "--add-admin", "Eva Ek <Eva.Ek@torsby.se>")
    assert (twice.exit_code, twice.stderr) == (
        ExitCode.bad_input, "Error: administrator <Eva.Ek@torsby.se> is given twice (or is already on the "
                            "list); name each administrator once\n")
    both = arc("accounts", "edit", str(account), "--admin", "A B <a@b.se>", "--add-admin", "C D <c@d.se>")
    assert both.exit_code == ExitCode.usage
    assert error_line(both) == ("Error: --admin replaces the list; give it, or --add-admin/--remove-admin, "
                                "not both")


def test_the_s11_warning_offers_add_admin(arc: Cli) -> None:
    result = arc.ok("accounts", "add", "--name", "X", "--platform", "x", "--url", "https://x.com/t",
                    "--unit", "K", "--purpose", "P", "--admin", "Anna Berg <anna.berg@torsby.se>", *OPENED)
    assert result.stderr == ("Warning: account 1 has 1 administrator; the guidelines ask for at least 2 "
                             "(add one with: archive accounts edit 1 --add-admin \"Name <email>\")\n")


# ------------------------------------------------------------ accounts validation


BASE = {"--name": "Torsby", "--platform": "facebook", "--url": "https://www.facebook.com/torsby",
        "--unit": "K", "--purpose": "P", "--opened": "2020-01-01"}


@pytest.mark.parametrize(("change", "message"), [
    ({"--opened": "2026-07-02"},
     "--opened 2026-07-02 is in the future (today is 2026-07-01); give the date the account was opened"),
    ({"--profile": "myspace"},
     "--profile 'myspace' is not a site profile; use one of: facebook, generic, instagram, linkedin, x, youtube"),
    ({"--url": "https://WWW.Facebook.com/TorsbyKommun/"},
     "https://WWW.Facebook.com/TorsbyKommun/ is already registered as https://www.facebook.com/torsbykommun "
     "(the same page) as account 1; change that one with: archive accounts edit 1"),
    ({"--platform": "instagram"},
     "--url https://www.facebook.com/torsby is an address on Facebook but the platform is instagram; give "
     "--platform facebook, or the Instagram account's own address"),
    ({"--name": "Torsby\nkommun"}, "--name 'Torsby\\nkommun' holds a line break or tab; give it on one line"),
])
def test_add_checks_every_field(arc: Cli, change: dict[str, str], message: str) -> None:
    add_account(arc, "Torsby kommun", "facebook", "https://www.facebook.com/torsbykommun", *OPENED)
    before = audit_count(arc)
    args = [x for kv in {**BASE, **change}.items() for x in kv]
    result = arc("accounts", "add", *args, *ADMINS)
    assert (result.exit_code, result.stdout, result.stderr) == (ExitCode.bad_input, "", f"Error: {message}\n")
    assert audit_count(arc) == before
    assert len(arc.json("accounts", "list", "--all")) == 1


def test_add_collects_every_problem_and_refuses_an_admin_twice(arc: Cli) -> None:
    result = arc("accounts", "add", *[x for kv in BASE.items() for x in kv], "--opened", "2030-01-01",
                 "--admin", "Anna Berg <anna.berg@torsby.se>", "--admin", "Anna B <ANNA.BERG@torsby.se>")
    assert (result.exit_code, result.stderr) == (
        ExitCode.bad_input,
        "Error: --opened 2030-01-01 is in the future (today is 2026-07-01); give the date the account was "
        "opened; administrator <ANNA.BERG@torsby.se> is given twice (or is already on the list); name each "
        "administrator once\n")


def test_edit_checks_too(arc: Cli) -> None:
    first = add_account(arc, "A", "facebook", "https://www.facebook.com/a", *OPENED)
    add_account(arc, "B", "facebook", "https://www.facebook.com/b", *OPENED)
    clash = arc("accounts", "edit", str(first), "--url", "https://facebook.com/B/")
    assert (clash.exit_code, clash.stderr) == (
        ExitCode.bad_input, "Error: https://facebook.com/B/ is already registered as https://www.facebook.com/b "
                            "(the same page) as account 2; change that one with: archive accounts edit 2\n")
    wrong = arc("accounts", "edit", str(first), "--platform", "youtube")
    assert (wrong.exit_code, wrong.stderr) == (
        ExitCode.bad_input, "Error: --url https://www.facebook.com/a is an address on Facebook but the "
                            "platform is youtube; give --platform facebook, or the YouTube account's own "
                            "address\n")
    assert arc.ok("accounts", "edit", str(first), "--url", "https://www.facebook.com/a/").stderr == (
        "Account 1 updated.\n")  # its own page, written differently, is no clash


def test_add_without_opened_says_today_is_recorded(arc: Cli) -> None:
    result = arc.ok("accounts", "add", *[x for kv in BASE.items() if kv[0] != "--opened" for x in kv], *ADMINS)
    assert result.stderr == (
        "Warning: --opened not given, so account 1 is recorded as opened today (2026-07-01); if it is "
        "older, correct it with: archive accounts edit 1 --opened YYYY-MM-DD\n")


def test_a_fixture_or_own_host_fits_any_platform(arc: Cli) -> None:
    add_account(arc, "Test", "facebook", "http://127.0.0.1:8765/facebook/torsby", *OPENED)
    add_account(arc, "Webb", "web", "https://torsby.se/nyheter", *OPENED)


# --------------------------------------------------------------- init and config


def test_organisationsnummer_check_digit(cli_home: Cli) -> None:
    result = cli_home("init", "--org", "Torsby kommun", "--org-id", "212000-1768", "--simulated-clock")
    assert (result.exit_code, result.stderr) == (
        ExitCode.bad_input, "Error: --org-id '212000-1768' has a wrong check digit (the last digit); check "
                            "the organisationsnummer against the record creator's papers\n")
    assert not cli_home.home.exists()


def test_init_refuses_a_folder_with_other_files(cli_home: Cli) -> None:
    cli_home.home.mkdir()
    (cli_home.home / "mina-dokument.txt").write_text("viktigt")
    result = cli_home("init", *ORG, "--simulated-clock")
    assert (result.exit_code, result.stderr) == (
        ExitCode.cannot_write, f"Error: {cli_home.home} is not empty (it holds mina-dokument.txt); choose a "
                               "new or empty folder, or give --force to make the archive home there\n")
    assert sorted(p.name for p in cli_home.home.iterdir()) == ["mina-dokument.txt"]
    cli_home.ok("init", *ORG, "--simulated-clock", "--force")
    assert (cli_home.home / "mina-dokument.txt").read_text() == "viktigt"


def test_unknown_config_key_names_the_nearest(arc: Cli) -> None:
    cfg = arc.home / "archive.toml"
    cfg.write_text(cfg.read_text().replace("parallel = 3", "paralell = 3")
                   .replace("[clock]", "[klocka]\nx = 1\n[clock]"))
    result = arc("accounts", "list")
    assert (result.exit_code, result.stderr) == (
        ExitCode.config, f"Error: {cfg}: unknown key capture.paralell (did you mean capture.parallel?); "
                         "unknown key klocka (did you mean clock?)\n")
    cfg.write_text(cfg.read_text().replace('id = "212000-1769"', 'id = "212000-1768"')
                   .replace("paralell", "parallel").replace("[klocka]\nx = 1\n", ""))
    wrong = arc("accounts", "list")
    assert (wrong.exit_code, wrong.stderr) == (
        ExitCode.config, f"Error: {cfg}: organisation.id '212000-1768' has a wrong check digit (the last "
                         "digit); check the organisationsnummer against the record creator's papers\n")


def test_a_missing_sqlite_catalogue_is_not_created(arc: Cli, tmp_path: Path) -> None:
    nosuch = tmp_path / "path" / "nosuch.sqlite"
    result = arc("--db", f"sqlite:///{nosuch}", "accounts", "list")
    assert (result.exit_code, result.stderr) == (
        ExitCode.config, f"Error: no catalogue at {nosuch} (from the database URL 'sqlite:///{nosuch}'); "
                         "check --db or database.url in archive.toml, or create a home with: archive init\n")
    assert not nosuch.exists() and not nosuch.parent.exists()


def test_a_database_connection_error_is_one_line(arc: Cli) -> None:
    pytest.importorskip("psycopg")
    result = arc("--db", "postgresql+psycopg://nobody@127.0.0.1:1/bevara", "accounts", "list")
    assert result.exit_code == ExitCode.config
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: cannot open the catalogue: connection failed")
    assert result.stderr.endswith("; check that the database server runs and the URL (--db or database.url "
                                  "in archive.toml)\n")


# ----------------------------------------------------------------- output paths


def test_register_into_a_missing_folder_is_73_and_creates_nothing(arc: Cli, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "konton.html"
    result = arc("accounts", "register", "-o", str(target))
    assert (result.exit_code, result.stderr) == (
        ExitCode.cannot_write, f"Error: cannot write {target}: the folder {target.parent} does not exist; "
                               "create it first or choose another path\n")
    assert not (tmp_path / "nonexistent").exists()


def test_export_into_a_non_empty_folder_is_73(arc: Cli, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    result = arc("snapshots", "export", "1", "-o", str(tmp_path / "full"))
    assert (result.exit_code, result.stderr) == (
        ExitCode.cannot_write, f"Error: {tmp_path / 'full'} is not empty; export into a new or empty folder\n")


# ------------------------------------------------------------------------ items


@pytest.fixture
def item(arc: Cli, tmp_path: Path) -> Callable[[], int]:
    account = add_account(arc, "Torsby", "facebook", "https://www.facebook.com/t", *OPENED)
    arc.ok("import", str(account), str(generate_facebook_export(tmp_path / "fb.zip", items=5)))
    return lambda: int(arc.json("items", "list")[0]["id"])


def test_a_repeated_mark_is_not_added_twice(arc: Cli, item: Callable[[], int]) -> None:
    ident = item()
    first = arc.ok("items", "mark", str(ident), "--led-to-case", "KS 2026/123")
    assert first.stderr == f"Item {ident} marked: led-to-case.\n"
    before = audit_count(arc)
    again = arc.ok("items", "mark", str(ident), "--led-to-case", "KS 2026/123")
    assert again.stderr == f"Item {ident} already has the same led-to-case mark; not added again.\n"
    assert audit_count(arc) == before
    assert [m["kind"] for m in arc.json("items", "show", str(ident))["marks"]] == ["led-to-case"]
    other = arc.json("items", "mark", str(ident), "--led-to-case", "KS 2026/124")  # another case is a new mark
    assert (other["marks"], other["already_marked"]) == (["led-to-case"], [])


def test_police_report_number_is_checked(arc: Cli, item: Callable[[], int]) -> None:
    result = arc("items", "mark", str(item()), "--removed", "--category", "reklam", "--police-report", "bogus")
    assert (result.exit_code, result.stderr) == (
        ExitCode.bad_input, "Error: --police-report 'bogus' is not a police report number like "
                            "\"5000-K123456-26\"\n")


def test_wrong_format_message_reads_as_english(tmp_path: Path) -> None:
    with open_export(generate_linkedin_export(tmp_path / "li.zip", items=3)) as source, \
            pytest.raises(BadInputError) as caught:
        list(read_export(source, "instagram"))
    assert str(caught.value) == ("li.zip: does not contain the files of an instagram export; check the file "
                                 "or the --format given")


def test_a_misspelt_option_keeps_click_did_you_mean(arc: Cli) -> None:
    result = arc("capture", "--du")
    assert (result.exit_code, error_line(result)) == (
        ExitCode.usage, "Error: No such option '--du'. (Did you mean one of: '--db', '--due'?)")
