"""The README's capture promises, end to end through the CLI against the fixture platform
(and a tiny local site for what the platform cannot show): what is stored, what is flagged,
what a failure leaves behind, and the limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import subprocess
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import ADMINS, Cli

from archiver.capture import media
from archiver.errors import ExitCode
from archiver.pdf.xmp import read_snapshot_xmp
from fixtures.exports import generate
from fixtures.platform import FixturePlatform

pytestmark = pytest.mark.browser
NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def platform() -> Iterator[FixturePlatform]:
    with FixturePlatform(seed=2026, now=NOW) as fp:
        yield fp


CANVAS = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Canvas</title></head>
<body style="margin:0"><canvas id="c" width="1280" height="900"></canvas><script>
const g = document.getElementById('c').getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 1280, 900);
g.fillStyle = '#000'; g.font = 'bold 96px sans-serif'; g.fillText('VINTERVÄGHÅLLNING', 40, 300);
g.fillText('BEVARA 2026', 40, 500);
</script></body></html>"""


PUSHY = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Påflugen</title></head>
<body><p>Kommunens sida</p><a id="dl" href="/file.zip" download>Ladda ner</a><script>
addEventListener('load', () => { window.open('/canvas', '_blank'); document.getElementById('dl').click(); });
</script></body></html>"""


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/hop":  # to the same server under another host name
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_address[1]}/canvas")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/file.zip":
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Disposition", 'attachment; filename="file.zip"')
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"PK\x05\x06")
            return
        pages = {"/canvas": CANVAS, "/pushy": PUSHY}
        body = pages.get(self.path, "<h1>Sidan hittades inte</h1>").encode()
        self.send_response(200 if self.path in pages else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def register(arc: Cli, url: str, platform: str = "facebook", name: str = "Torsby kommun") -> int:
    return int(arc.json("accounts", "add", "--name", name, "--platform", platform, "--url", url,
                        "--unit", "Kommunikation", "--purpose", "Information", "--opened", "2020-01-01",
                        *ADMINS)["id"])


def set_parallel(arc: Cli, n: int) -> None:
    cfg = arc.home / "archive.toml"
    cfg.write_text(re.sub(r"(?m)^parallel = \d+$", f"parallel = {n}", cfg.read_text()))


def db_rows(arc: Cli, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(arc.home / "catalogue.sqlite") as db:
        return db.execute(sql, args).fetchall()


def last_audit(arc: Cli) -> tuple[str, str, dict[str, Any]]:
    ((command, target, changes),) = db_rows(
        arc, "select command, target, changes from audit_log order by seq desc limit 1")
    return command, target, json.loads(changes)


def stored(arc: Cli, sha: str) -> Path:
    return arc.home / "store" / sha[:2] / sha


def test_late_catch_up_snapshot(arc: Cli, platform: FixturePlatform, tmp_path: Path) -> None:
    """A run nine days after 1 July: labelled with the boundary, flagged late, XMP carrying the
    HTML's real digest, a post the platform no longer shows marked removed."""
    url = platform.account_url("facebook", "sentkonto", posts=12)
    account = register(arc, url)
    other = register(arc, "https://www.facebook.com/annat", name="Annat konto")
    arc.ok("accounts", "close", str(other), "--reason", "Slut", "--decided-by", "Chef", "--no-final-snapshot")
    posts = platform.expected_posts("facebook", "sentkonto", posts=12)
    gone_post = (dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), "Ett inlägg som kommunen har tagit bort")
    export = generate.facebook_export_of_posts(tmp_path / "fb.zip", [*((p.created, p.text) for p in posts), gone_post])
    arc.ok("import", str(account), str(export))
    env = {"ARCHIVE_NOW": "2026-07-10T03:00:00Z"}
    result = arc("capture", "--due", "--json", env=env)
    assert result.exit_code == 0, result.stderr[-2000:]
    (out,) = json.loads(result.stdout)
    # 1 July 00:00 in Stockholm is 30 June 22:00 UTC; to 10 July 03:00 UTC: 9 days 5 hours.
    late = 9 * 86400 + 5 * 3600
    assert (out["account"], out["status"], out["boundary"], out["late_seconds"]) == (
        account, "ok", "2026-07-01", late)
    (snap,) = arc.json("snapshots", "list", "--account", str(account))
    assert (snap["boundary"], snap["late_seconds"], snap["trigger"], snap["complete"]) == (
        "2026-07-01", late, "due", True)
    assert snap["period"] == ["2026-01-01", "2026-07-01"]  # the half-year before the boundary
    assert arc.json("snapshots", "list", "--account", str(other)) == []
    listing = arc.ok("snapshots", "list").stdout
    # Local time with its zone: 03:00 UTC is 05:00 summer time in Stockholm.
    assert listing == (f"{snap['id']:>5}  account {account:<4} 2026-07-10 05:00 CEST  due   2026-07-01 late  "
                       "halvårsskifte [simulated clock]\n")
    shown = arc.ok("snapshots", "show", str(snap["id"])).stdout.splitlines()
    assert f"late_seconds: {late}" in shown and "boundary:     2026-07-01" in shown
    files = {f["role"]: f for f in snap["files"]}
    assert [line.split()[1] for line in shown if line.startswith("file:")] == [f["role"] for f in snap["files"]]
    html_sha = hashlib.sha256(stored(arc, files["html"]["sha256"]).read_bytes()).hexdigest()
    assert files["html"]["sha256"] == html_sha
    for role in ("visual-pdf", "print-pdf"):
        xmp = read_snapshot_xmp(stored(arc, files[role]["sha256"]))
        assert xmp["htmlSha256"] == html_sha, role
        assert (xmp["boundary"], xmp["periodStart"]) == ("2026-07-01", "2026-01-01")
        # The caption page a person reads, in the text layer of both records.
        caption = " ".join(subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(stored(arc, files[role]["sha256"])), "-"],
            capture_output=True, text=True, check=True).stdout.split())
        for expected in ("Ögonblicksbild av ett konto i sociala medier",
                         "Torsby kommun (organisationsnummer 212000-1769)", f"{account} Torsby kommun",
                         "Plattform Facebook", url, "2026-07-10 kl. 05:00:00 CEST (Europe/Stockholm)",
                         "2026-07-01 (halvårsskifte)", "2026-01-01 – 2026-06-30",
                         "Anledning halvårsskifte", "bevara/", html_sha,
                         "simulerad (demo- eller testarkiv)"):
            assert expected in caption, (role, expected)
    gone = arc.json("items", "list", "--removed-from-platform")
    assert [i["text"] for i in gone] == ["Ett inlägg som kommunen har tagit bort"]
    assert last_audit(arc)[2]["removed_from_platform"] == 1 and last_audit(arc)[2]["late_seconds"] == late
    # Export checks every digest: a stored file changed on disk is refused, nothing half-written.
    victim = stored(arc, files["html"]["sha256"])
    victim.chmod(0o644)
    victim.write_bytes(victim.read_bytes() + b"<!-- changed -->")
    dest = tmp_path / "till-arkivarien"
    bad = arc("snapshots", "export", str(snap["id"]), "-o", str(dest))
    assert bad.exit_code == ExitCode.bad_input
    assert bad.stderr == (f"Error: stored file {html_sha} ({files['html']['name']}) is corrupt; restore it "
                          "from backup\n")
    assert not (dest / files["html"]["name"]).exists() and not (dest / "snapshot.json").exists()
    assert not [p for p in dest.glob("*") if p.name.startswith(".")]  # no temp files left


def test_block_page_is_exit_3_with_a_failure_row_and_audit_entry(arc: Cli, platform: FixturePlatform) -> None:
    account = register(arc, platform.account_url("facebook", "blocked"))
    result = arc("capture", str(account), "--reason", "ny profilbild")
    assert result.exit_code == ExitCode.partial_failure
    assert result.stdout == f"account {account}: FAILED: blocked by platform\n"
    assert result.stderr.endswith("Error: 1 capture failed\n")
    assert db_rows(arc, "select account_id, trigger, boundary, at, reason from capture_failures") == [
        (account, "adhoc", None, "2026-07-01 08:00:00.000000", "blocked by platform")]
    assert last_audit(arc) == ("capture", f"account:{account}",
                               {"capture_failed": "blocked by platform", "trigger": "adhoc", "boundary": None,
                                "clock": "simulated clock"})
    assert arc.json("snapshots", "list") == []


def test_capture_all_takes_open_accounts_and_parallel_bounds_the_contexts(
        arc: Cli, platform: FixturePlatform) -> None:
    first = register(arc, platform.account_url("x", "forsta", posts=5), "x", "Första")
    closed = register(arc, platform.account_url("x", "stangd", posts=5), "x", "Stängd")
    second = register(arc, platform.account_url("x", "andra", posts=5), "x", "Andra")
    arc.ok("accounts", "close", str(closed), "--reason", "Slut", "--decided-by", "Chef", "--no-final-snapshot")
    set_parallel(arc, 1)
    result = arc("capture", "--all", "--json", "--reason", "kontroll")
    assert result.exit_code == 0, result.stderr[-2000:]
    assert [(o["account"], o["status"]) for o in json.loads(result.stdout)] == [(first, "ok"), (second, "ok")]
    lines = result.stderr.splitlines()
    start_second = lines.index(f"account {second} (Andra): start {platform.account_url('x', 'andra', posts=5)}")
    first_steps = [i for i, line in enumerate(lines) if line.startswith(f"account {first} (Första): scroll")]
    assert first_steps and max(first_steps) < start_second  # one browser context at a time
    assert [(s["account"], s["reason"], s["trigger"]) for s in arc.json("snapshots", "list")] == [
        (first, "kontroll", "adhoc"), (second, "kontroll", "adhoc")]
    set_parallel(arc, 1 + 1)
    again = arc("capture", "--all", "--json")
    assert again.exit_code == 0, again.stderr[-2000:]
    lines = again.stderr.splitlines()
    start_second = next(i for i, line in enumerate(lines) if line.startswith(f"account {second} (Andra): start"))
    first_scroll = next(i for i, line in enumerate(lines) if line.startswith(f"account {first} (Första): scroll"))
    assert start_second < first_scroll  # two contexts at once


def test_closing_takes_a_final_snapshot_first(arc: Cli, platform: FixturePlatform) -> None:
    account = register(arc, platform.account_url("instagram", "stangs", posts=5), "instagram")
    result = arc("accounts", "close", str(account), "--reason", "Ersätts av ny sida", "--decided-by",
                 "Kommunikationschef", "--now", "2026-08-03T10:00:00Z")
    assert result.exit_code == 0, result.stderr[-2000:]
    (snap,) = arc.json("snapshots", "list")
    assert (snap["account"], snap["trigger"], snap["captured_at"]) == (account, "close", "2026-08-03T10:00:00+00:00")
    assert snap["reason"] == "slutlig ögonblicksbild före avslut: Ersätts av ny sida"  # Swedish, in the record
    shown = arc.json("accounts", "show", str(account))
    assert shown["closed"] == "2026-08-03"


def test_media_limits_and_unfetchable_media_are_listed_in_the_capture_log(
        arc: Cli, platform: FixturePlatform, monkeypatch: pytest.MonkeyPatch) -> None:
    url = platform.account_url("instagram", "bildrik", posts=40)
    account = register(arc, url, "instagram")  # instagram's images carry src from the start
    monkeypatch.setattr(media, "MAX_MEDIA_FILES", 2)
    monkeypatch.setattr(media, "MAX_MEDIA_BYTES", 100)
    result = arc("capture", str(account), "--json")
    assert result.exit_code == 0, result.stderr[-2000:]
    (out,) = json.loads(result.stdout)
    log_file = next(f for f in out["files"] if f["role"] == "log")
    log = json.loads(Path(log_file["path"]).read_text(encoding="utf-8"))
    assert log["media_fetched"] == 0
    problems = log["media_problems"]
    items_file = next(f for f in out["files"] if f["role"] == "items")
    named = {u for i in json.loads(Path(items_file["path"]).read_text(encoding="utf-8")) for u in i["media"]}
    assert len(named) >= 3
    assert problems[0] == f"{len(named) - 2} more media not fetched (limit 2 per capture)"
    assert len(problems) == 3
    for problem in problems[1:]:
        url, why = problem.split(": ", 1)
        assert url.startswith(platform.base_url + "/media/")
        with urllib.request.urlopen(url) as response:
            assert why == f"{len(response.read())} bytes, over the 100 byte limit"
    assert all(arc.json("items", "show", str(i["id"]))["media"] == []
               for i in arc.json("items", "list", "--kind", "post", "--limit", "100"))


def test_raster_only_segment_gets_its_text_from_ocr(arc: Cli, site: str, pdf_text: Callable[[str], str]) -> None:
    account = register(arc, f"{site}/canvas", "web", "Canvas")
    result = arc("capture", str(account), "--json")
    assert result.exit_code == 0, result.stderr[-2000:]
    (out,) = json.loads(result.stdout)
    visual = next(f["path"] for f in out["files"] if f["role"] == "visual-pdf")
    text = pdf_text(visual)
    assert "VINTERVÄGHÅLLNING" in text and "BEVARA 2026" in text


class _Stalling(BaseHTTPRequestHandler):
    """The fixture platform, except that its feed API always fails: the feed stops loading."""

    upstream = ""

    def do_GET(self) -> None:
        if self.path.startswith("/api/"):
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with urllib.request.urlopen(self.upstream + self.path) as response:
            body, kind = response.read(), response.headers["Content-Type"]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_feed_that_stops_loading_before_the_period_start_is_a_failure(
        platform: FixturePlatform, tmp_path: Path) -> None:
    import asyncio

    from archiver.capture.engine import CaptureRequest, capture
    from archiver.capture.site import profile_for
    from archiver.chromium import launch_browser

    handler = type("Stalling", (_Stalling,), {"upstream": platform.base_url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/facebook/stannar?posts=200"
        newest_ten = platform.expected_posts("facebook", "stannar", posts=200)[:10]
        # As capture.runs passes it: the boundary as a UTC instant, 23:00 on 31 December;
        # the reason names the local date the period starts, 2026-01-01.
        start = dt.datetime(2025, 12, 31, 23, tzinfo=dt.UTC)
        assert newest_ten[-1].created > start  # the first page does not reach it

        async def go() -> Any:
            async with launch_browser() as browser:
                return await capture(browser, CaptureRequest(
                    url=url, profile=profile_for("facebook"), workdir=tmp_path, period_start=start,
                    step_timeout=6, max_scroll_rounds=40))  # patience 4.8 s a round: quick to give up

        result = asyncio.run(go())
    finally:
        server.shutdown()
        server.server_close()
    assert (result.ok, result.reason) == (False, "incomplete: feed did not reach 2026-01-01 (feed stopped loading)"), [
        (s.name, s.detail) for s in result.log.steps if s.name == "scroll"]
    assert result.log.reached_period_start is False and result.log.end_marker_seen is False
    assert {i.platform_id for i in result.items if i.kind == "post"} == {p.id for p in newest_ten}


def test_the_profile_hosts_allow_list_lets_a_capture_follow_its_site(site: str, tmp_path: Path) -> None:
    import asyncio
    import dataclasses

    from archiver.capture.engine import CaptureRequest, capture
    from archiver.capture.site import load_profile
    from archiver.chromium import launch_browser

    generic = load_profile("generic")

    async def go() -> list[Any]:
        async with launch_browser() as browser:
            return [await capture(browser, CaptureRequest(url=f"{site}/hop", profile=profile,
                                                          workdir=tmp_path / profile.name, step_timeout=15))
                    for profile in (generic, dataclasses.replace(generic, name="med-localhost", hosts=("localhost",)))]

    refused, allowed = asyncio.run(go())
    assert (refused.ok, refused.reason) == (False, "navigation blocked: host localhost is not allowed")
    assert (allowed.ok, allowed.reason) == (True, None)
    assert allowed.log.final_url == f"http://localhost:{site.rsplit(':', 1)[1]}/canvas"


def test_downloads_are_refused_and_pop_ups_closed(site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page opens a pop-up and starts a download as it loads; by the time the capture
    reads the page the pop-up is gone, and the download was cancelled, not saved."""
    import asyncio

    from playwright.async_api import BrowserContext, Download

    from archiver.capture.engine import CaptureRequest, capture
    from archiver.capture.site import load_profile
    from archiver.chromium import launch_browser

    contexts: list[BrowserContext] = []
    downloads: list[Download] = []
    pages_when_read: list[int] = []

    failures: list[str | None] = []

    async def on_download(download: Download) -> None:
        downloads.append(download)
        failures.append(await download.failure())

    async def go() -> Any:
        async with launch_browser() as browser:
            new_context = browser.new_context

            async def watched(**options: Any) -> BrowserContext:
                context = await new_context(**options)
                context.on("page", lambda page: page.on("download", on_download))
                contexts.append(context)
                return context

            monkeypatch.setattr(browser, "new_context", watched)

            def progress(step: str) -> None:
                if step == "extract":
                    pages_when_read.append(len(contexts[0].pages))

            result = await capture(browser, CaptureRequest(url=f"{site}/pushy", profile=load_profile("generic"),
                                                           workdir=tmp_path, step_timeout=15, progress=progress))
            return result

    result = asyncio.run(go())
    assert (result.ok, result.reason) == (True, None)
    assert pages_when_read == [1]
    # Playwright's words for a download a context without accept_downloads refused:
    assert len(downloads) == 1
    assert failures == ["Pass 'accept_downloads=True' when you are creating your browser context."]
    assert not list(tmp_path.rglob("file.zip"))
