"""Capture mechanics on tiny local pages: consent, segments, text boxes, limits, allow-list."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archiver.capture.engine import CaptureRequest, _validate, capture
from archiver.capture.model import CaptureResult
from archiver.capture.site import load_profile
from archiver.chromium import _find_marked_process, launch_browser

pytestmark = pytest.mark.browser

FEED = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Kommunen</title>
<style>body{margin:0;font:16px sans-serif} header{position:sticky;top:0;background:#036;color:#fff;
padding:10px} .row{height:400px;border-bottom:2px solid #888;padding:8px}
#cookie{position:fixed;bottom:0;left:0;right:0;background:#eee;padding:20px}</style></head>
<body><header>Kommunen åäö 😀</header>
<div id="cookie">Vi använder kakor
<button onclick="this.parentNode.remove()">Godkänn alla</button></div>
<main id="feed"></main><footer id="end"></footer>
<script>
let n = 0; const feed = document.getElementById('feed'); const total = %(total)d;
function more() { for (let i = 0; i < 8 && n < total; i++) {
  const d = document.createElement('div'); d.className = 'row';
  d.textContent = 'Inlägg ' + (n++) + ' – Ärende ✅ Åsa'; feed.appendChild(d); }
  if (n >= total) document.getElementById('end').textContent = 'SLUT på flödet'; }
more();
addEventListener('scroll', () => { if (scrollY + innerHeight > document.body.scrollHeight - 100)
  setTimeout(more, 50); });
</script></body></html>"""

GAP = """<!doctype html><html><head><meta charset="utf-8"><title>Gap</title></head>
<body style="margin:0"><p>Överst</p><div style="height:9500px"></div></body></html>"""


REQUESTED: list[tuple[str, str]] = []
"""(host name, path) of every request the test site served, for the navigation guard tests."""

WANDER = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Vandrar</title></head>
<body><p>Kommunens sida</p><script>setTimeout(() => { location.href = '%(away)s'; }, 50);</script>
</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        REQUESTED.append((self.headers.get("Host", "").split(":")[0], self.path))
        if self.path.startswith("/hang"):
            self.server.stopping.wait(30)  # type: ignore[attr-defined]
            return
        if self.path.startswith("/away"):
            self.send_response(302)
            self.send_header("Location", "http://elsewhere.invalid/")
            self.end_headers()
            return
        if self.path.startswith("/hop"):  # same server, another host name
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/secret")
            self.end_headers()
            return
        pages = {"/feed": FEED % {"total": 40}, "/endless": FEED % {"total": 100000},
                 "/gap": GAP, "/wander": WANDER % {"away": f"http://localhost:{port}/secret"}}
        body = pages.get(self.path.split("?")[0])
        status = 200 if body is not None else 404
        data = (body or "<h1>Sidan hittades inte</h1>").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.stopping = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.stopping.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def requested(host: str, path: str) -> bool:
    """Whether the test site was ever asked for *path* under the host name *host*."""
    return (host, path) in REQUESTED


def run(request: CaptureRequest) -> CaptureResult:
    async def go() -> CaptureResult:
        async with launch_browser() as browser:
            return await capture(browser, request)

    return asyncio.run(go())


def req(url: str, tmp_path: Path, **kw: object) -> CaptureRequest:
    return CaptureRequest(url=url, profile=load_profile("generic"), workdir=tmp_path, **kw)  # type: ignore[arg-type]


def test_generic_capture_of_an_infinite_page(site: str, tmp_path: Path) -> None:
    steps: list[str] = []
    result = run(req(f"{site}/feed", tmp_path, step_timeout=10, progress=steps.append))
    assert result.ok, result.reason
    assert result.log.overlays_dismissed == ["Godkänn alla"]
    assert result.log.page_height > 40 * 400
    assert len(result.segments) >= 3 and all(s.height <= 8000 for s in result.segments)
    assert [s.top for s in result.segments] == [i * 8000 for i in range(len(result.segments))]
    texts = [b.text for s in result.segments for b in s.text_boxes]
    assert texts[0] == "Kommunen åäö 😀"
    assert "Inlägg 39 – Ärende ✅ Åsa" in texts and "SLUT på flödet" in texts
    assert not any("kakor" in t for t in texts)  # consent banner gone before the screenshots
    header = result.segments[0].text_boxes[0]
    assert 0 <= header.y < 40 and header.font_size == 16
    assert result.html and "Inlägg 39" in result.html.read_text(encoding="utf-8")
    assert "data-bevara" not in result.html.read_text(encoding="utf-8")
    assert result.mhtml and result.mhtml.stat().st_size > 1000
    assert result.print_pdf and result.print_pdf.read_bytes().startswith(b"%PDF")
    assert {"goto", "consent", f"screenshot 1/{len(result.segments)}", "print pdf"} <= set(steps)
    assert any(s.startswith("scroll ") for s in steps)
    assert result.log.final_url == f"{site}/feed" and result.log.title == "Kommunen"


def test_flat_segment_is_never_a_success(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/gap", tmp_path, step_timeout=10))
    assert not result.ok
    assert result.reason == "blank segment 2 at y=8000"


def test_hanging_page_fails_within_the_step_timeout(site: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run(req(f"{site}/hang", tmp_path, step_timeout=1.5))
    assert not result.ok and result.reason == "timed out in step goto after 1.5 s"
    assert time.monotonic() - started < 10
    assert result.log.steps[-1].name == "goto" and not result.log.steps[-1].ok


def test_total_timeout(site: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run(req(f"{site}/endless", tmp_path, step_timeout=5, total_timeout=3))
    assert result.reason == "timed out in step scroll after 3 s"
    assert time.monotonic() - started < 12


def test_scroll_limit_is_incomplete_but_keeps_files(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/endless", tmp_path, step_timeout=5, max_scroll_rounds=4))
    assert not result.ok
    assert result.reason == "incomplete: feed did not reach its end (scroll limit)"
    assert result.log.scroll_rounds == 4 and result.segments and result.html


def test_redirect_to_another_host_is_refused(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/away", tmp_path, step_timeout=5))
    assert not result.ok
    assert result.reason == "navigation blocked: host elsewhere.invalid is not allowed"


def test_a_redirect_hop_off_the_allow_list_is_never_requested(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/hop", tmp_path, step_timeout=5))
    assert result.reason == "navigation blocked: host localhost is not allowed"
    assert requested("127.0.0.1", "/hop") and not requested("localhost", "/secret")


def test_a_page_script_cannot_take_the_capture_elsewhere(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/wander", tmp_path, step_timeout=5))
    assert result.reason == "navigation blocked: host localhost is not allowed"
    assert requested("127.0.0.1", "/wander") and not requested("localhost", "/secret")


def test_allowed_hosts_replace_the_url_host(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/feed?elsewhere", tmp_path, step_timeout=5, allowed_hosts=("example.org",)))
    assert result.reason == "navigation blocked: host 127.0.0.1 is not allowed"
    assert not requested("127.0.0.1", "/feed?elsewhere")


def test_http_error_is_a_reason(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/missing", tmp_path, step_timeout=5))
    assert result.reason == f"HTTP 404 from {site}/missing"


def test_browser_and_its_processes_end_even_on_cancel() -> None:
    async def go() -> tuple[int | None, bool]:
        found: list[int | None] = []

        async def hold() -> None:
            async with launch_browser(extra_args=["--bevara-test-marker"]) as browser:
                found.append(_find_marked_process("--bevara-test-marker"))
                assert browser.is_connected()
                await asyncio.sleep(60)

        task = asyncio.ensure_future(hold())
        while not found:
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return found[0], _find_marked_process("--bevara-test-marker") is None

    pid, gone = asyncio.run(go())
    assert pid is not None and gone


def test_naive_period_start_is_read_in_the_request_zone(tmp_path: Path) -> None:
    """1 January 00:00 without a zone means midnight where the archive is, not in UTC."""
    naive = dt.datetime(2026, 1, 1)
    stockholm = _validate(req("http://example.se/", tmp_path, period_start=naive))
    assert stockholm == dt.datetime(2025, 12, 31, 23, 0, tzinfo=dt.UTC)
    auckland = _validate(req("http://example.se/", tmp_path, period_start=naive, timezone="Pacific/Auckland"))
    assert auckland == dt.datetime(2025, 12, 31, 11, 0, tzinfo=dt.UTC)
    aware = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert _validate(req("http://example.se/", tmp_path, period_start=aware, timezone="Pacific/Auckland")) == aware
