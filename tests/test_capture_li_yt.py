"""LinkedIn and YouTube: their profiles read the posts of the fixture styles that copy the
platforms' real markup, and every post is in both PDF/As' text."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.model import CaptureResult
from archiver.capture.site import load_profile
from archiver.chromium import launch_browser
from archiver.pdf.model import SnapshotMetadata
from archiver.pdf.pdfa import build_visual_pdfa, make_print_pdfa

platform = pytest.importorskip("fixtures.platform")

pytestmark = pytest.mark.browser

HANDLE = "torsbykommun"
POSTS = 30
NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
ID = {"linkedin": "urn:li:activity:{}", "youtube": "{}"}


@pytest.fixture(scope="module")
def fp() -> Iterator[object]:
    with platform.FixturePlatform(now=NOW) as running:
        yield running


def run(request: CaptureRequest) -> CaptureResult:
    async def go() -> CaptureResult:
        async with launch_browser() as browser:
            return await capture(browser, request)

    return asyncio.run(go())


def words(text: str) -> str:
    """Text without emoji and punctuation: each record breaks lines and splits emoji its own way."""
    return " ".join(filter(None, ("".join(c for c in w if c.isalnum()) for w in text.split())))


def grain(age: dt.timedelta) -> dt.timedelta:
    """How far a relative age ("3 tim", "2 d", "1 v", "4 mån", "för 2 veckor sedan") can put
    a post from its real time: one unit of the age shown, months taken as calendar months."""
    if age < dt.timedelta(days=1):
        return dt.timedelta(hours=1)
    if age < dt.timedelta(days=7):
        return dt.timedelta(days=1)
    if age < dt.timedelta(days=30):
        return dt.timedelta(days=7)
    return dt.timedelta(days=33)


@pytest.mark.parametrize("style", ["linkedin", "youtube"])
def test_posts_are_read_and_in_both_pdfas(  # type: ignore[no-untyped-def]
        fp, style: str, tmp_path: Path, pdf_text: Callable[[Path], str]) -> None:
    expected = fp.expected_posts(style, HANDLE, posts=POSTS)
    period_start = expected[19].created
    result = run(CaptureRequest(url=fp.account_url(style, HANDLE, posts=POSTS),
                                profile=load_profile(style), workdir=tmp_path / "work", now=NOW,
                                period_start=period_start, step_timeout=15))
    assert result.ok, result.reason
    assert result.log.reader == "profile"
    assert result.log.reached_period_start or result.log.end_marker_seen
    assert result.log.followers == fp.expected_profile(style, HANDLE).followers
    posts = {item.platform_id: item for item in result.items if item.kind == "post"}
    in_period = [p for p in expected if p.created >= period_start]
    assert len(in_period) == 20
    for post in in_period:
        item = posts[ID[style].format(post.id)]
        assert item.text == post.text
        assert (item.author_handle, item.author_name) == (post.author_handle, post.author_name)
        assert item.created is not None
        assert abs(item.created - post.created) <= grain(NOW - post.created), (post.id, item.created)
        assert bool(item.media) == bool(post.media_path)
        if post.media_path:
            assert item.media[0].endswith(post.media_path)
    # Thumbnails and post images were loaded, not left as grey boxes.
    assert result.log.images_decoded >= sum(1 for p in in_period if p.media_path)

    meta = SnapshotMetadata(account="Torsby kommun", platform=style, url="http://127.0.0.1/",
                            captured_at=NOW, boundary=None, period_start=None, period_end=None,
                            reason="adhoc", engine_version="test", html_sha256="0" * 64)
    visual, printed = tmp_path / "visual.pdf", tmp_path / "print.pdf"
    assert result.print_pdf is not None
    build_visual_pdfa(result.segments, visual, meta)
    make_print_pdfa(result.print_pdf, printed, meta)
    for pdf in (visual, printed):
        text = words(pdf_text(pdf))
        assert "Torsby kommun" in text
        for post in in_period:
            start = " ".join(words(post.text).split()[:4])
            assert start in text, (pdf.name, post.id, start)
