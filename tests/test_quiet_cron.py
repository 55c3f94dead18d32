"""Issue 18, cron and the terminal: -q is quiet, the crontab line is silent on a day with
nothing due and appends JSON Lines otherwise, long work reports progress."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ADMINS, Cli, add_account

from archiver.capture.model import CaptureLog
from archiver.capture.steps import StepRunner
from archiver.cli.progress import Mode, Reporter, mode_for
from archiver.items.importer import counted
from fixtures.exports.generate import generate_facebook_export

REPO = Path(__file__).resolve().parents[1]


def crontab_capture_line() -> tuple[dict[str, str], str]:
    """The capture line of scripts/crontab.example: its environment lines and its command."""
    env: dict[str, str] = {}
    for line in (REPO / "scripts" / "crontab.example").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if "=" in line.split()[0]:
            key, value = line.split("=", 1)
            env[key] = value
        elif "capture --due" in line:
            fields = line.split(None, 6)
            assert fields[5] == "bevara"  # /etc/cron.d syntax: the user field, as its comment says
            return env, fields[6]
    raise AssertionError("no capture line in scripts/crontab.example")


def run_cron_line(home: Path, log: Path, now: str) -> subprocess.CompletedProcess[str]:
    """The crontab's command as cron runs it (sh -c), with our checkout and a test home."""
    env, command = crontab_capture_line()
    assert env == {"ARCHIVE_HOME": "/srv/bevara"}
    assert command == ("/opt/bevara/.venv/bin/archive -q capture --due --jsonl "
                       ">> /var/log/bevara/capture.jsonl")
    command = (command.replace("/opt/bevara/.venv/bin/archive", f"{shlex.quote(sys.executable)} -m archiver")
               .replace("/var/log/bevara/capture.jsonl", shlex.quote(str(log))))
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "ARCHIVE_HOME": str(home), "ARCHIVE_NOW": now,
                               "PYTHONPATH": str(REPO)})


def test_quiet_due_capture_prints_only_the_json(arc: Cli) -> None:
    add_account(arc, "Ny", "facebook", "https://www.facebook.com/ny", "--opened", "2026-07-01")
    env = {"ARCHIVE_NOW": "2026-06-30T12:00:00Z"}  # opened after the 1 January boundary: not due
    loud = arc("capture", "--due", "--json", env=env)
    assert (loud.exit_code, loud.stdout, loud.stderr) == (0, "[]\n", "Nothing due.\n")
    quiet = arc("-q", "capture", "--due", "--json", env=env)
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "[]\n", "")
    lines = arc("-q", "capture", "--due", "--jsonl", env=env)
    assert (lines.exit_code, lines.stdout, lines.stderr) == (0, "", "")
    both = arc("capture", "--due", "--json", "--jsonl", env=env)
    assert both.exit_code == 2
    assert both.stderr.endswith("Error: --json and --jsonl do not go together; give one of them\n")


def test_quiet_edit_and_notes_print_nothing(arc: Cli) -> None:
    account = add_account(arc, "Torsby", "facebook", "https://www.facebook.com/t", "--opened", "2020-01-01")
    loud = arc("accounts", "edit", str(account), "--unit", "Kultur")
    assert (loud.exit_code, loud.stdout, loud.stderr) == (0, "", "Account 1 updated.\n")
    quiet = arc("-q", "accounts", "edit", str(account), "--unit", "Kultur och fritid")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert arc.json("accounts", "show", str(account))["unit"] == "Kultur och fritid"
    listed = arc("-q", "items", "list", "--account", str(account))
    assert (listed.exit_code, listed.stdout, listed.stderr) == (0, "", "")  # no "0 items."
    # Warnings still reach stderr under -q: cron mails them.
    warned = arc("-q", "accounts", "edit", str(account), "--remove-admin", "per.lind@torsby.se")
    assert warned.stderr == ("Warning: account 1 has 1 administrator; the guidelines ask for at least 2 "
                             "(add one with: archive accounts edit 1 --add-admin \"Name <email>\")\n")


def test_crontab_line_is_silent_on_a_day_with_nothing_due(arc: Cli, tmp_path: Path) -> None:
    add_account(arc, "Ny", "facebook", "https://www.facebook.com/ny", "--opened", "2026-07-01")
    log = tmp_path / "capture.jsonl"
    done = run_cron_line(arc.home, log, "2026-06-30T12:00:00Z")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")  # cron mails nothing
    assert log.read_text() == ""


@pytest.fixture(scope="module")
def platform() -> Iterator[object]:
    from fixtures.platform import FixturePlatform

    with FixturePlatform(seed=2026, now=dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)) as fp:
        yield fp


@pytest.mark.browser
@pytest.mark.slow
def test_crontab_line_appends_one_json_object_per_line_when_due(arc: Cli, platform, tmp_path: Path) -> None:
    for style in ("facebook", "x"):
        arc.json("accounts", "add", "--name", f"Konto {style}", "--platform", style,
                 "--url", platform.account_url(style, "torsbykommun", posts=30), "--unit", "Kommunikation",
                 "--purpose", "Information", "--opened", "2020-01-01", *ADMINS)
    log = tmp_path / "capture.jsonl"
    log.write_text('{"earlier": "run"}\n')
    done = run_cron_line(arc.home, log, "2026-07-01T09:00:00Z")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    lines = log.read_text().splitlines()
    assert len(lines) == 3 and lines[0] == '{"earlier": "run"}'
    records = [json.loads(line) for line in lines[1:]]
    assert [(r["account"], r["status"], r["boundary"]) for r in records] == [
        (1, "ok", "2026-07-01"), (2, "ok", "2026-07-01")]
    again = run_cron_line(arc.home, log, "2026-07-02T09:00:00Z")  # the next day: nothing due
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert len(log.read_text().splitlines()) == 3


# ------------------------------------------------------------------- progress


class Ticks:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_counter_prints_plain_lines_at_most_every_interval_off_a_terminal() -> None:
    out, ticks = io.StringIO(), Ticks()
    with Reporter(Mode.lines, every=10, stream=out, clock=ticks).count("import fb.zip", "records read") as report:
        for n in range(1, 40_001):
            if n % 1000 == 0:
                ticks.t += 1  # a thousand records a second
                report(n)
    assert out.getvalue().splitlines() == [
        "import fb.zip: 10,000 records read", "import fb.zip: 20,000 records read",
        "import fb.zip: 30,000 records read", "import fb.zip: 40,000 records read",
        "import fb.zip: 40,000 records read done"]


def test_a_short_run_prints_no_progress_and_quiet_prints_none() -> None:
    out = io.StringIO()
    with Reporter(Mode.lines, every=10, stream=out, clock=Ticks()).count("import", "records read") as report:
        report(500)
    assert out.getvalue() == ""
    off = io.StringIO()
    reporter = Reporter(Mode.off, every=0, stream=off)
    with reporter.count("import", "records read") as report:
        report(10**6)
    with reporter.events("capture", 2, lambda m: True) as event:
        event("account 1 (Torsby): goto")
    assert off.getvalue() == ""
    assert mode_for(quiet=True, stream=sys.stderr) is Mode.off
    assert mode_for(quiet=False, stream=io.StringIO()) is Mode.lines


def test_a_terminal_gets_a_rich_bar() -> None:
    out = io.StringIO()
    reporter = Reporter(Mode.bar, stream=out)
    with reporter.events("capture", 2, lambda m: "finished: " in m) as event:
        event("account 1 (Torsby): goto")
        event("account 1 (Torsby): finished: snapshot 1")
    drawn = out.getvalue()
    assert "\x1b[" in drawn and "━" in drawn  # drawn with terminal escapes, a bar
    assert "1/2" in drawn and "finished: snapshot 1" in drawn
    events = io.StringIO()
    with Reporter(Mode.lines, stream=events).events("capture", 1, lambda m: True) as event:
        event("account 1 (Torsby): goto")
    assert events.getvalue() == "account 1 (Torsby): goto\n"


def test_an_import_reports_records_read(tmp_path: Path) -> None:
    seen: list[int] = []
    assert list(counted(range(2500), seen.append)) == list(range(2500))
    assert seen == [1000, 2000, 2500]


def test_a_slow_step_says_what_it_waits_for() -> None:
    said: list[str] = []
    steps = StepRunner(CaptureLog(), step_timeout=5, progress=said.append,
                       heartbeat=0.1)
    asyncio.run(steps.run("goto", lambda: asyncio.sleep(0.35)))
    assert said[0] == "goto"
    assert said[1:] and all(m.startswith("still waiting for the page to load (goto, ") for m in said[1:])
    assert said[1].endswith(" s of the 5 s limit)")
    quick: list[str] = []
    fast = StepRunner(CaptureLog(), step_timeout=5, progress=quick.append,
                      heartbeat=0.1)
    asyncio.run(fast.run("html", lambda: asyncio.sleep(0)))
    assert quick == ["html"]


def test_cli_import_still_reports_under_a_plain_stderr(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc, "Torsby", "facebook", "https://www.facebook.com/t", "--opened", "2020-01-01")
    export = generate_facebook_export(tmp_path / "fb.zip", items=50)
    quiet = arc("-q", "import", str(account), str(export))
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout.startswith("Imported fb.zip (facebook) into account 1: ")


@pytest.mark.parametrize("name", ["p.zip", "p.tar", "p"])
def test_writing_a_package_reports_files_written(tmp_path: Path, name: str) -> None:
    from archiver.packages.archivefile import write_package
    from archiver.packages.content import data_entry

    when = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
    entries = [data_entry(f"data/{i}.txt", b"x" * i, "text/plain", when) for i in range(3)]
    told: list[tuple[int, int]] = []
    write_package(entries, tmp_path / name, "root", when, lambda n, total: told.append((n, total)))
    assert told == [(1, 3), (2, 3), (3, 3)]


def test_a_counter_learns_its_total_as_it_goes() -> None:
    out, ticks = io.StringIO(), Ticks()
    with Reporter(Mode.lines, every=1, stream=out, clock=ticks).count("package p.zip", "files written") as report:
        ticks.t = 2
        report(40, 120)
    assert out.getvalue().splitlines() == ["package p.zip: 40 files written of 120",
                                           "package p.zip: 40 files written done"]
