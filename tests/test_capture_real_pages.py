"""Saved real account pages (../shared/reference/real/pages/), served from loopback.

Their scripts and images point at hosts a test cannot reach, as blocked trackers and
slow CDNs do. Each page must end as a person would expect: a stored snapshot whose
visible text is in both PDF/As' text layers, or a failure that names what the page is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.model import CaptureResult
from archiver.capture.site import profile_for
from archiver.chromium import launch_browser
from archiver.pdf.model import SnapshotMetadata
from archiver.pdf.pdfa import build_visual_pdfa, make_print_pdfa

_REPO = Path(__file__).resolve().parents[1]
# ../shared beside the checkout; a worktree one level further down finds it one up.
PAGES = next((p for p in (_REPO.parent / "shared", _REPO.parent.parent / "shared") if p.is_dir()),
             _REPO.parent / "shared") / "reference" / "real" / "pages"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not PAGES.is_dir(), reason=f"{PAGES} not present"),
]
NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)


class _Utf8(SimpleHTTPRequestHandler):
    """Serves the files as saved, declared UTF-8 as the platforms served them."""

    extensions_map = {".html": "text/html; charset=utf-8"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Utf8, directory=str(PAGES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run(base: str, name: str, workdir: Path) -> CaptureResult:
    profile = profile_for(name.split("-")[0])

    async def go() -> CaptureResult:
        async with launch_browser() as browser:
            return await capture(browser, CaptureRequest(
                url=f"{base}/{name}", profile=profile, workdir=workdir, now=NOW,
                period_start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                step_timeout=20, total_timeout=180))

    return asyncio.run(go())


@pytest.mark.parametrize(("name", "reason"), [
    ("facebook-update-browser-2018.html",
     "unsupported browser: the platform served an \"update your browser\" page "
     "('Actualiza tu navegador') instead of the account"),
    ("x-profile-Kikobeats-og.html",
     "javascript required: the page draws nothing (an empty app shell: its scripts did not "
     "render the account)"),
    ("youtube-channel-ONE-Media.html",
     "javascript required: the page draws nothing (an empty app shell: its scripts did not "
     "render the account)"),
])
def test_a_page_that_is_not_the_account_fails_saying_what_it_is(
        base: str, name: str, reason: str, tmp_path: Path) -> None:
    result = run(base, name, tmp_path)
    assert not result.ok
    assert result.reason == reason


def test_a_profile_page_without_dates_is_stored_with_its_visible_text(
        base: str, tmp_path: Path, pdf_text: Callable[[Path], str]) -> None:
    result = run(base, "tiktok-profile-illojuan.html", tmp_path / "work")
    assert result.ok, result.reason
    assert result.log.reader == "generic" and result.log.posts_found >= 12
    assert result.log.posts_dated == 0  # TikTok's grid shows no dates
    # Its thumbnails live on a CDN this machine cannot reach: named, not silently dropped.
    assert result.log.images_not_served
    assert all("not served" in line for line in result.log.images_not_served)
    assert result.print_pdf is not None
    meta = SnapshotMetadata(account="1 illojuan", platform="tiktok", url="http://127.0.0.1/",
                            captured_at=NOW, boundary=None, period_start=None, period_end=None,
                            reason="adhoc", engine_version="test", html_sha256="0" * 64)
    visual, printed = tmp_path / "visual.pdf", tmp_path / "print.pdf"
    build_visual_pdfa(result.segments, visual, meta)
    make_print_pdfa(result.print_pdf, printed, meta)
    for pdf in (visual, printed):
        text = " ".join(pdf_text(pdf).split())
        for visible in ("illojuan", "783.4K", "Followers", "Timing, saludos desde Almería"):
            assert visible in text, (pdf.name, visible)
