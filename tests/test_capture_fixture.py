"""The capture engine against the fixture platform: one test per behaviour the lead relies on."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.model import CaptureResult
from archiver.capture.site import load_profile
from archiver.chromium import launch_browser

platform = pytest.importorskip("fixtures.platform")

pytestmark = pytest.mark.browser

HANDLE = "torsbykommun"
POSTS = 30


@pytest.fixture(scope="module")
def fp() -> Iterator[object]:
    with platform.FixturePlatform() as running:
        yield running


def run(request: CaptureRequest) -> CaptureResult:
    async def go() -> CaptureResult:
        async with launch_browser() as browser:
            return await capture(browser, request)

    return asyncio.run(go())


@pytest.mark.parametrize("style", ["facebook", "instagram", "x"])
def test_each_style_is_captured_completely(fp, style: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = fp.expected_posts(style, HANDLE, posts=POSTS)
    period_start = expected[19].created  # the period holds the 20 newest posts
    result = run(CaptureRequest(url=fp.account_url(style, HANDLE, posts=POSTS),
                                profile=load_profile(style), workdir=tmp_path,
                                period_start=period_start, step_timeout=15))
    assert result.ok, result.reason
    assert result.log.overlays_dismissed and result.log.reached_period_start
    assert result.log.followers == fp.expected_profile(style, HANDLE).followers
    seen = {item.platform_id: item for item in result.items}
    assert len(seen) == len(result.items)  # de-duplicated
    in_period = [p for p in expected if p.created >= period_start]
    assert len(in_period) == 20
    for post in in_period:
        item = seen[post.id]
        assert (item.kind, item.text, item.created) == ("post", post.text, post.created)
        assert (item.author_handle, item.author_name) == (post.author_handle, post.author_name)
        assert item.url is not None and item.url.endswith(post.permalink)
        assert bool(item.media) == bool(post.media_path)
        for comment in post.comments:
            got = seen[comment.id]
            assert got.kind == ("comment" if comment.parent_id == post.id else "reply")
            assert (got.parent_id, got.text, got.created) == (
                comment.parent_id, comment.text, comment.created)
            assert got.author_handle == comment.author_handle
    # Comments were expanded: their text is drawn on the screenshots, not just in the DOM.
    assert result.log.expanders_clicked > 0
    # The log agrees with itself: the scroll and expand steps' clicks add up to the top level.
    details = {step.name: step.detail for step in result.log.steps if step.name in ("scroll", "expand")}
    scrolled = re.search(r"(\d+) expanders clicked while scrolling", details["scroll"])
    assert scrolled is not None, details["scroll"]
    while_scrolling = int(scrolled[1])
    after = re.fullmatch(r"(\d+) more expanders clicked after scrolling; (\d+) in all", details["expand"])
    assert after is not None, details["expand"]
    assert while_scrolling + int(after[1]) == int(after[2]) == result.log.expanders_clicked
    drawn = {box.text for segment in result.segments for box in segment.text_boxes}
    comment = next(c for p in in_period for c in p.comments if len(c.text) < 60)
    assert comment.text in drawn


def test_virtualised_feed_is_shown_whole_in_a_tall_viewport(fp, tmp_path: Path, pdf_text) -> None:  # type: ignore[no-untyped-def]
    """Posts leave the DOM while scrolling (as on X): the engine grows the viewport to the
    page's height so the feed puts every post back, and both records then hold them all."""
    expected = fp.expected_posts("x", HANDLE, posts=POSTS)
    result = run(virtualised(fp, tmp_path))
    assert result.ok, result.reason
    assert result.log.viewport_grown_to is not None and result.log.viewport_grown_to > 900
    posts = {item.platform_id: item for item in result.items if item.kind == "post"}
    assert sorted(posts) == sorted(p.id for p in expected)
    assert all(posts[p.id].text == p.text for p in expected)
    drawn = words(" ".join(box.text for segment in result.segments for box in segment.text_boxes))
    printed = words(pdf_text(result.print_pdf))
    for post in expected:
        start = " ".join(words(post.text).split()[:3])
        assert start in drawn and start in printed, post.id


def virtualised(fp, tmp_path: Path, latency: str = "", **limits: int) -> CaptureRequest:  # type: ignore[no-untyped-def]
    """The X-style fixture feed with posts far from the viewport swapped for placeholders."""
    slow = f"&latency={latency}" if latency else ""
    return CaptureRequest(url=fp.account_url("x", HANDLE, posts=POSTS) + "&virtual=1" + slow,
                          profile=load_profile("x"), workdir=tmp_path, step_timeout=15, **limits)


def words(text: str) -> str:
    """Text without emoji and punctuation: each record breaks lines and splits emoji its own way."""
    return " ".join(filter(None, ("".join(c for c in word if c.isalnum()) for word in text.split())))


@pytest.mark.parametrize("latency", ["0.03", "0.05"])
def test_virtualised_feed_taller_than_the_limit_fails(fp, tmp_path: Path, latency: str) -> None:  # type: ignore[no-untyped-def]
    """Beyond the tall-viewport limit the capture fails instead of storing holes.

    The feed answers within a few frames, so a batch lands while the engine nudges the
    bottom to wake the loader; the nudge must not jump over it (the virtualiser parks
    what was jumped over before anything reads it), or posts go missing.
    """
    result = run(virtualised(fp, tmp_path, latency, tall_viewport_max=2000))
    assert not result.ok
    assert result.reason is not None and result.reason.startswith("virtualised feed: the page keeps ")
    assert f" of the {POSTS} posts it showed while scrolling and at " in result.reason
    assert result.reason.endswith(" px it is taller than the 2000 px limit, so its full-page record would have holes")
    assert len([item for item in result.items if item.kind == "post"]) == POSTS


def test_login_wall_then_logged_in_with_storage_state(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = fp.account_url("facebook", "login-wall", posts=5)
    request = CaptureRequest(url=url, profile=load_profile("facebook"), workdir=tmp_path / "out",
                             step_timeout=10)
    result = run(request)
    assert not result.ok and result.reason == "login required"
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [{
        "name": "fixture_session", "value": "ok", "domain": "127.0.0.1", "path": "/",
        "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Lax"}], "origins": []}))
    from dataclasses import replace

    result = run(replace(request, storage_state=state))
    assert result.ok, result.reason
    assert len([i for i in result.items if i.kind == "post"]) == 5
    assert "fixture_session" not in json.dumps([s.detail for s in result.log.steps])


def test_blocked_page(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(CaptureRequest(url=fp.account_url("x", "blocked"), profile=load_profile("x"),
                                workdir=tmp_path, step_timeout=10))
    assert not result.ok and result.reason == "blocked by platform"


def test_hanging_account_fails_within_the_step_timeout(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = run(CaptureRequest(url=fp.account_url("instagram", "hangs"),
                                profile=load_profile("instagram"), workdir=tmp_path,
                                step_timeout=4))  # opening the context must fit too
    assert result.reason == ("timed out in step goto after 4 s: the page was still waiting for "
                                                   "1 request, to 127.0.0.1")
    assert time.monotonic() - started < 12


def test_empty_account_is_complete(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(CaptureRequest(url=fp.account_url("instagram", "empty"),
                                profile=load_profile("instagram"), workdir=tmp_path,
                                step_timeout=10))
    assert result.ok and result.log.end_marker_seen and result.items == []


def test_feed_older_than_the_scroll_limit_is_incomplete(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = fp.expected_posts("x", HANDLE, posts=200)
    result = run(CaptureRequest(url=fp.account_url("x", HANDLE, posts=200),
                                profile=load_profile("x"), workdir=tmp_path,
                                period_start=expected[-1].created, max_scroll_rounds=3,
                                step_timeout=10))
    day = expected[-1].created.astimezone(ZoneInfo("Europe/Stockholm")).date().isoformat()
    assert result.reason == f"incomplete: feed did not reach {day} (scroll limit)"


@pytest.mark.slow
def test_tall_page_is_complete_in_verified_segments(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    markers = fp.tall_markers()
    result = run(CaptureRequest(url=fp.account_url("facebook", "tall"),
                                profile=load_profile("generic"), workdir=tmp_path,
                                viewport_width=640, step_timeout=20, total_timeout=120))
    assert result.ok, result.reason
    assert result.log.page_height >= markers.row_count * markers.row_height_px
    assert len(result.segments) >= 14 and all(s.height <= 8000 for s in result.segments)
    texts = [box.text for s in result.segments for box in s.text_boxes]
    assert any(markers.top in t for t in texts[:10])
    assert any(markers.bottom in t for t in result.segments[-1].text_boxes[-3:] for t in [t.text])
    assert any(markers.middle in t for t in texts)
