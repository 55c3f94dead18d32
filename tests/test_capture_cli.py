"""archive capture / due / snapshots end to end against the fixture platform."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ADMINS, Cli

from archiver.capture import runs
from archiver.cli import cli
from archiver.errors import ExitCode
from archiver.pdf.pdfa import validate_pdfa
from archiver.pdf.xmp import read_snapshot_xmp
from fixtures.exports import generate
from fixtures.platform import FixturePlatform

NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def platform():  # type: ignore[no-untyped-def]
    with FixturePlatform(seed=2026, now=NOW) as fp:
        yield fp


def register(arc: Cli, url: str, platform: str = "facebook", opened: str = "2020-01-01") -> int:
    return int(arc.json("accounts", "add", "--name", f"Konto {platform}", "--platform", platform,
                        "--url", url, "--unit", "Kommunikation", "--purpose", "Information",
                        "--opened", opened, *ADMINS)["id"])


def set_timeouts(arc: Cli, step: int, total: int) -> None:
    cfg = arc.home / "archive.toml"
    text = cfg.read_text().replace("step_timeout = 45", f"step_timeout = {step}")
    cfg.write_text(text.replace("total_timeout = 300", f"total_timeout = {total}"))



@pytest.mark.browser
def test_due_capture_stores_valid_snapshot_once(arc: Cli, platform: FixturePlatform, tmp_path: Path,
                                                pdf_text: Callable[[str], str]) -> None:
    url = platform.account_url("facebook", "torsbykommun", posts=30)
    account = register(arc, url)
    env = {"ARCHIVE_NOW": "2026-07-01T09:00:00Z"}
    assert arc.json("due", env=env) == [
        {"account": account, "name": "Konto facebook", "boundary": "2026-07-01", "late_seconds": None}]
    result = arc("capture", "--due", "--json", env=env)
    assert result.exit_code == 0, result.stderr[-2000:]
    (out,) = json.loads(result.stdout)
    assert (out["account"], out["status"], out["boundary"]) == (account, "ok", "2026-07-01")
    roles = {f["role"]: f for f in out["files"]}
    assert {"visual-pdf", "print-pdf", "html", "items", "log"} <= set(roles)
    assert "account 1 (Konto facebook): scroll" in result.stderr  # progress on stderr
    for role in ("visual-pdf", "print-pdf"):
        assert validate_pdfa(Path(roles[role]["path"])) == []
    xmp = read_snapshot_xmp(Path(roles["visual-pdf"]["path"]))
    assert xmp["boundary"] == "2026-07-01" and xmp["periodStart"] == "2026-01-01"
    # A test home's clock is simulated, and its records say so (issue 17).
    assert xmp["clock"] == "simulated clock"
    assert xmp["createDate"].startswith("2026-07-01T09:00")
    expected = [p for p in platform.expected_posts("facebook", "torsbykommun", posts=30)
                if p.created >= dt.datetime(2025, 12, 31, 23, tzinfo=dt.UTC)]
    text = " ".join(pdf_text(roles["visual-pdf"]["path"]).split())
    assert " ".join(expected[0].text.split()) in text      # newest post
    assert " ".join(expected[-1].text.split()) in text     # last post of the period
    # Idempotent: a second run finds nothing due and stores nothing.
    again = arc("capture", "--due", "--json", env=env)
    assert again.exit_code == 0 and json.loads(again.stdout) == []
    assert again.stderr == "Nothing due.\n"
    snaps = arc.json("snapshots", "list")
    assert [s["boundary"] for s in snaps] == ["2026-07-01"]
    assert [s["clock"] for s in snaps] == ["simulated clock"]
    # Items from the page landed in the catalogue, linked to the snapshot.
    items = arc.json("items", "list", "--kind", "post", "--limit", "500")
    assert {i["platform_id"] for i in items} >= {p.id for p in expected}
    # Their images are files in the store, the same bytes the platform serves.
    with_media = next(p for p in expected if p.media_path)
    item_id = next(i["id"] for i in items if i["platform_id"] == with_media.id)
    (medium,) = arc.json("items", "show", str(item_id))["media"]
    with urllib.request.urlopen(platform.url(with_media.media_path)) as response:
        served = response.read()
    stored = arc.home / "store" / medium["sha256"][:2] / medium["sha256"]
    assert medium["media_type"] == "image/png" and stored.read_bytes() == served
    exported = arc.json("snapshots", "export", "1", "-o", str(tmp_path / "out"))
    assert {f["role"] for f in exported} == {f["role"] for f in snaps[0]["files"]} | {"media"}
    # The media of the items the capture saw travel with the snapshot.
    assert medium["sha256"] in {f["sha256"] for f in exported if f["role"] == "media"}
    assert (tmp_path / "out" / "snapshot.json").exists()


@pytest.mark.browser
def test_capture_and_export_of_the_same_account_are_one_item_each(
        arc: Cli, platform: FixturePlatform, tmp_path: Path) -> None:
    """A post seen by a capture and by the account's export is one item with two sources."""
    url = platform.account_url("facebook", "sammaposter", posts=12)
    account = register(arc, url)
    result = arc("capture", str(account), "--json")
    assert result.exit_code == 0, result.stderr[-2000:]
    captured = {i["platform_id"] for i in arc.json("items", "list", "--kind", "post", "--limit", "500")}
    posts = platform.expected_posts("facebook", "sammaposter", posts=12)
    assert captured and captured < {p.id for p in posts}  # the capture stops at its period's start
    export = generate.facebook_export_of_posts(tmp_path / "fb.zip", [(p.created, p.text) for p in posts])
    imported = arc.json("import", str(account), str(export))
    assert (imported["new"], imported["updated"], imported["unchanged"]) == (
        len(posts) - len(captured), 0, len(captured))
    items = arc.json("items", "list", "--account", str(account), "--kind", "post", "--limit", "500")
    assert len(items) == len(posts)
    for item in items:
        sources = arc.json("items", "show", str(item["id"]))["sources"]
        kinds = sorted(("snapshot", s["snapshot"]) if s["snapshot"] else ("import", s["import"])
                       for s in sources)
        both = item["platform_id"] in captured
        assert kinds == ([("import", 1), ("snapshot", 1)] if both else [("import", 1)])


@pytest.mark.browser
def test_login_wall_is_a_failure_not_a_snapshot(arc: Cli, platform: FixturePlatform) -> None:
    account = register(arc, platform.account_url("facebook", "login-wall"))
    ok_account = register(arc, platform.account_url("x", "torsbykommun", posts=10), "x")
    result = arc("capture", str(account), str(ok_account), "--json", "--reason", "test")
    assert result.exit_code == ExitCode.partial_failure
    outcomes = {o["account"]: o for o in json.loads(result.stdout)}
    assert outcomes[account]["status"] == "failed"
    assert outcomes[account]["reason"] == "login required"
    assert outcomes[ok_account]["status"] == "ok"
    assert result.stderr.endswith("Error: 1 of 2 captures failed; the others are stored\n")
    assert [s["account"] for s in arc.json("snapshots", "list")] == [ok_account]
    # Closing needs a final snapshot; it fails here, so the account stays open.
    close = arc("accounts", "close", str(account), "--reason", "Nedlagt", "--decided-by", "Chef")
    assert close.exit_code == ExitCode.partial_failure
    assert close.stderr.endswith(
        f"Error: final snapshot of account {account} failed: login required; the account stays "
        "open (retry, or close with --no-final-snapshot)\n")
    assert arc.json("accounts", "show", str(account))["closed"] is None


@pytest.mark.browser
def test_a_bug_met_on_one_account_fails_that_account_only(arc: Cli, platform: FixturePlatform,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    broken = register(arc, platform.account_url("facebook", "trasig", posts=5))
    ok_account = register(arc, platform.account_url("x", "hel", posts=5), "x")
    store = runs._store
    writers: set[threading.Thread] = set()

    def store_unless_broken(archive: Any, job: runs.Job, *rest: Any) -> runs.Outcome:
        writers.add(threading.current_thread())
        if job.account_id == broken:
            raise RuntimeError("boom")
        return store(archive, job, *rest)

    monkeypatch.setattr(runs, "_store", store_unless_broken)
    result = arc("capture", str(broken), str(ok_account), "--json", env={"ARCHIVE_DEBUG": "1"})
    assert result.exit_code == ExitCode.partial_failure
    outcomes = {o["account"]: o for o in json.loads(result.stdout)}
    assert outcomes[broken]["reason"] == (
        "internal error: RuntimeError: boom (set ARCHIVE_DEBUG=1 for a traceback and report it)")
    assert outcomes[ok_account]["status"] == "ok"
    assert [s["account"] for s in arc.json("snapshots", "list")] == [ok_account]
    assert "Traceback" in result.stderr and 'raise RuntimeError("boom")' in result.stderr
    # Both stores ran in the run's one catalogue writer, not on the event loop's thread.
    assert len(writers) == 1 and threading.main_thread() not in writers


@pytest.mark.browser
def test_hanging_page_fails_in_bounded_time(arc: Cli, platform: FixturePlatform) -> None:
    set_timeouts(arc, step=4, total=20)
    account = register(arc, platform.account_url("facebook", "hangs"))
    started = time.monotonic()
    result = arc("capture", str(account), "--json")
    assert time.monotonic() - started < 40
    assert result.exit_code == ExitCode.partial_failure
    (out,) = json.loads(result.stdout)
    assert out["status"] == "failed" and "timed out" in out["reason"]


@pytest.mark.browser
@pytest.mark.slow
def test_three_concurrent_due_runs_give_one_snapshot_per_account(arc: Cli, platform: FixturePlatform) -> None:
    """While one --due run holds the lock (it has started capturing), two more exit 75 at once."""
    for i in range(3):
        register(arc, platform.account_url("x", f"konto{i}", posts=30), "x")  # long enough to overlap
    env = {**os.environ, "ARCHIVE_HOME": str(arc.home), "ARCHIVE_NOW": "2026-07-02T03:00:00Z"}
    command = [sys.executable, "-m", "archiver", "capture", "--due", "--json"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:  # wait until it holds the lock and is capturing
        if ": start " in line:
            break
    # Both at once: run one after the other, the second could start after the first run ended.
    started = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    others = [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate()) for p in started]
    lock = arc.home / "locks" / "capture-due.lock"
    assert [(o.returncode, o.stdout, o.stderr) for o in others] == [
        (ExitCode.busy, "", f"Error: another capture run holds {lock}; try again when it has finished\n")] * 2
    out, _ = first.communicate(timeout=300)
    assert first.returncode == 0
    assert [o["status"] for o in json.loads(out)] == ["ok", "ok", "ok"]
    snaps = arc.json("snapshots", "list")
    assert sorted(s["account"] for s in snaps) == [1, 2, 3]
    assert {s["boundary"] for s in snaps} == {"2026-07-01"}


def test_due_respects_boundaries_opening_and_closing(arc: Cli) -> None:
    a = register(arc, "https://www.facebook.com/a", opened="2025-12-01")
    b = register(arc, "https://www.facebook.com/b", opened="2026-07-01")
    later = {"ARCHIVE_NOW": "2026-07-02T08:00:00Z"}  # an account is registered once it is open
    c = arc.json("accounts", "add", "--name", "Konto c", "--platform", "facebook", "--url",
                 "https://www.facebook.com/c", "--unit", "Kommunikation", "--purpose", "Information",
                 "--opened", "2026-07-02", *ADMINS, env=later)["id"]
    # New Year's Eve 23:30 UTC is already 1 January in Stockholm.
    assert arc.json("due", "--now", "2026-12-31T22:59:59Z")[0]["boundary"] == "2026-07-01"
    assert [e["account"] for e in arc.json("due", "--now", "2026-12-31T23:30:00Z")] == [a, b, c]
    # Midsummer: 1 July starts at 22:00 UTC on 30 June (summer time).
    just_before = arc.json("due", "--now", "2026-06-30T21:59:59Z")
    assert [e["account"] for e in just_before] == [a]
    assert just_before[0]["boundary"] == "2026-01-01"
    assert just_before[0]["late_seconds"] is not None  # run months after 1 January
    on_time = arc.json("due", "--now", "2026-06-30T22:00:00Z")
    assert [(e["account"], e["boundary"], e["late_seconds"]) for e in on_time] == [
        (a, "2026-07-01", None), (b, "2026-07-01", None)]
    arc.ok("accounts", "close", str(a), "--reason", "Slut", "--decided-by", "Chef",
           "--no-final-snapshot", env=later)
    assert [e["account"] for e in arc.json("due", "--now", "2026-07-10")] == [b]
    late = arc.json("due", "--now", "2026-07-10T00:00:00+02:00")[0]
    assert late["late_seconds"] == 9 * 86400


def test_capture_usage_errors(arc: Cli) -> None:
    result = arc("capture")
    assert result.exit_code == ExitCode.usage
    assert result.stderr.endswith("\nError: name the accounts to capture, or give --all or --due\n")
    missing = arc("capture", "9")
    assert missing.exit_code == ExitCode.not_found
    assert missing.stderr == "Error: account 9 does not exist; list accounts with: archive accounts list --all\n"
    busy_lock = arc.home / "locks" / "capture-due.lock"
    import fcntl
    busy_lock.parent.mkdir(exist_ok=True)
    with busy_lock.open("a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        busy = arc("capture", "--due")
    assert busy.exit_code == ExitCode.busy
    assert busy.stderr == (f"Error: another capture run holds {busy_lock}; try again when it has "
                           "finished\n")


@pytest.mark.browser
def test_demo_runs_end_to_end_and_shows_flagged_items_masked(tmp_path: Path) -> None:
    """The README's first command: fixture accounts captured, an export imported, flags shown."""
    home = tmp_path / "demo-home"
    result = CliRunner().invoke(cli, ["demo", "--home", str(home), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert [c["status"] for c in out["captures"]] == ["ok", "ok", "ok"]
    assert (out["import"]["new"], out["import"]["flagged"]) == (60, 5)
    assert out["flagged"] and all(r["flags"] for r in out["flagged"])
    shown = json.dumps(out["flagged"], ensure_ascii=False)
    assert "****" in shown and "19121212-1212" not in shown
    assert Path(out["register"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # Issue 14: with no official schemas on the machine the demo still ends with a package,
    # checked by the rules and naming every schema it could not use.
    package = out["package"]
    assert package["valid"] is True and Path(package["path"]) == home / "packages" / "delivery-2026H1.zip"
    assert package["schemas_missing"] == ["mets.xsd", "xlink.xsd", "DILCISExtensionMETS.xsd",
                                          "DILCISExtensionSIPMETS.xsd", "ERMS.xsd", "premis.xsd"]
    assert {(f["rule"], f["where"]) for f in package["findings"] if "not checked against" in f["message"]} >= {
        ("METS", "METS.xml"), ("METS", "representations/rep1/METS.xml"),
        ("ERMS", "metadata/descriptive/erms.xml")}
    # Issue 17.2: images behind the platforms' lazy loaders are in every record.
    posts: dict[str, dict[str, object]] = {}
    for snapshot_id in (1, 2, 3):
        target = tmp_path / f"export-{snapshot_id}"
        exported = CliRunner().invoke(cli, ["--home", str(home), "snapshots", "export",
                                            str(snapshot_id), "-o", str(target)])
        assert exported.exit_code == 0, exported.stderr
        items = json.loads((target / "items.json").read_text(encoding="utf-8"))
        posts.update({i["platform_id"]: i for i in items if i["kind"] == "post"})
        html = (target / "page.html").read_text(encoding="utf-8")
        unloaded = [tag for tag in re.findall(r"<img[^>]*>", html) if not re.search(r"\ssrc=", tag)]
        assert unloaded == [], unloaded[:3]
    for post_id in ("fb-390068", "fb-390029", "x-907252"):
        assert posts[post_id]["media"], post_id
        assert posts[post_id]["media_problems"] == [], post_id
