"""The capture engine on feeds that behave like real platforms, not like our fixture.

One test per fixture option (fixtures/platform/README.md, "Feed options"): a slow feed
that loads on scroll events only, a sentinel loader, a hidden login modal over public
content, a "log in to see more" partial feed, interstitials, a profile that does not
know the markup, and lazy images that must all be in the record.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.model import CaptureResult
from archiver.capture.site import load_profile
from archiver.chromium import launch_browser

platform = pytest.importorskip("fixtures.platform")

pytestmark = pytest.mark.browser

HANDLE = "torsbykommun"
NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def fp() -> Iterator[object]:
    with platform.FixturePlatform(now=NOW) as running:
        yield running


def run(fp, style: str, query: str, tmp_path: Path, profile: str | None = None,  # type: ignore[no-untyped-def]
        **kw: object) -> CaptureResult:
    url = fp.url(f"/{style}/{HANDLE}?{query}")
    request = CaptureRequest(url=url, profile=load_profile(profile or style), workdir=tmp_path,
                             now=NOW, **kw)  # type: ignore[arg-type]

    async def go() -> CaptureResult:
        async with launch_browser() as browser:
            return await capture(browser, request)

    return asyncio.run(go())


def drawn_text(result: CaptureResult) -> str:
    """The text layer of the visual record: every text box of every segment."""
    return " ".join(box.text for segment in result.segments for box in segment.text_boxes)


@pytest.mark.slow
def test_a_slow_feed_that_loads_on_scroll_events_only_is_complete(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """150 posts, 10 per request, each answered 1 s after the scroll that asked for it."""
    result = run(fp, "facebook", "posts=150&latency=1&loader=scroll", tmp_path,
                 step_timeout=15, total_timeout=400)
    assert result.ok, result.reason
    assert result.log.end_marker_seen
    expected = fp.expected_posts("facebook", HANDLE, posts=150)
    posts = {i.platform_id for i in result.items if i.kind == "post"}
    assert posts == {p.id for p in expected}
    text = " ".join(drawn_text(result).split())
    missing = [p.id for p in expected if " ".join(p.text.split()) not in text]
    assert not missing


def test_a_feed_slower_than_the_quiet_time_is_waited_for(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """3 s per request, longer than three rounds of the profile's settle time: only
    waiting for the feed's own pending request gets past the first batch."""
    result = run(fp, "facebook", "posts=30&latency=3&loader=scroll", tmp_path, step_timeout=15)
    assert result.ok, result.reason
    assert result.log.end_marker_seen
    assert len([i for i in result.items if i.kind == "post"]) == 30


def test_a_sentinel_loader_is_driven_to_its_end(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(fp, "x", "posts=40&latency=0.3&loader=sentinel", tmp_path, step_timeout=15)
    assert result.ok, result.reason
    assert result.log.end_marker_seen
    assert len([i for i in result.items if i.kind == "post"]) == 40


def test_a_hidden_login_modal_over_public_content_is_not_a_wall(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(fp, "facebook", "posts=20&login_modal=1", tmp_path, step_timeout=15)
    assert result.ok, result.reason
    detect = [s.detail for s in result.log.steps if s.name == "detect"]
    assert any("ignored: it covers" in d for d in detect), detect


def test_a_partial_feed_asking_to_log_in_for_more_is_login_required(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(fp, "instagram", "posts=40&partial=3", tmp_path, step_timeout=15,
                 period_start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert not result.ok
    assert result.reason == "login required: 3 posts visible (the page asks to log in to see more)"


def test_a_pinned_old_post_does_not_make_a_cut_feed_complete(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The feed shows three posts of this year under a post pinned from years before, then
    asks to log in: the pinned post's date says nothing about how far the feed went."""
    result = run(fp, "instagram", "posts=40&partial=3&pinned=1", tmp_path, step_timeout=15,
                 period_start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert not result.ok
    assert result.reason == "login required: 4 posts visible (the page asks to log in to see more)"
    assert not result.log.reached_period_start


def test_a_feed_under_a_pinned_post_is_scrolled_to_the_period_start(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    result = run(fp, "facebook", "posts=60&pinned=1", tmp_path, step_timeout=15, period_start=start)
    assert result.ok, result.reason
    assert result.log.reached_period_start and not result.log.end_marker_seen
    expected = fp.expected_posts("facebook", HANDLE, posts=60)
    assert expected[-1].created < start  # the pinned one, first on the page
    in_period = {p.id for p in expected if p.created >= start}
    assert in_period <= {i.platform_id for i in result.items if i.kind == "post"}


@pytest.mark.parametrize(("handle", "reason"), [
    ("old-browser", "unsupported browser: the platform served an \"update your browser\" page "
                    "('Uppdatera din webbläsare') instead of the account"),
    ("no-js", "javascript required: the platform served a page saying "
              "'JavaScript är inte tillgängligt' instead of the account"),
])
def test_an_interstitial_fails_with_its_kind(fp, handle: str, reason: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = fp.url(f"/facebook/{handle}")

    async def go() -> CaptureResult:
        async with launch_browser() as browser:
            return await capture(browser, CaptureRequest(
                url=url, profile=load_profile("facebook"), workdir=tmp_path, step_timeout=10))

    result = asyncio.run(go())
    assert not result.ok and result.reason == reason


def test_the_generic_reader_finds_posts_a_profile_does_not_know(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """X-style markup read with the Facebook profile: its selectors find nothing."""
    expected = fp.expected_posts("x", HANDLE, posts=30)
    start = expected[19].created
    result = run(fp, "x", "posts=30", tmp_path, profile="facebook", step_timeout=15,
                 period_start=start)
    assert result.ok, result.reason
    assert result.log.reader == "generic" and result.log.reached_period_start
    assert result.log.posts_dated == result.log.posts_found >= 20
    created = sorted((i.created for i in result.items if i.created), reverse=True)
    assert created[:20] == [p.created for p in expected[:20]]
    scroll = next(s.detail for s in result.log.steps if s.name == "scroll")
    assert "reader generic:" in scroll


def test_every_in_period_image_is_loaded_and_fetched(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 17.2: images behind an IntersectionObserver (data-src) are all in the record."""
    expected = fp.expected_posts("facebook", HANDLE, posts=40)
    start = expected[29].created
    result = run(fp, "facebook", "posts=40", tmp_path, step_timeout=15, period_start=start)
    assert result.ok, result.reason
    items = {i.platform_id: i for i in result.items}
    with_images = [p for p in expected[:30] if p.media_path]
    assert len(with_images) >= 5
    for post in with_images:
        media = items[post.id].media
        assert media and media[0].endswith(post.media_path), post.id
        with urllib.request.urlopen(fp.url(post.media_path)) as answer:  # noqa: S310 - loopback
            assert result.media[media[0]].path.read_bytes() == answer.read(), post.id
    assert result.log.images_not_served == []
    assert result.log.images_decoded >= len(with_images)
    html = result.html.read_text(encoding="utf-8") if result.html else ""
    for post in with_images:
        assert f'src="{post.media_path}"' in html, post.id


def test_an_image_the_platform_does_not_serve_is_named_with_its_reason(fp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = fp.expected_posts("facebook", HANDLE, posts=10)
    result = run(fp, "facebook", "posts=10&broken_media=1", tmp_path, step_timeout=15)
    assert result.ok, result.reason
    broken = [p for p in expected if p.media_path]
    assert broken
    gone = {fp.url(p.media_path.replace("/media/", "/media/gone-")) for p in broken}
    assert sorted(result.log.images_not_served) == sorted(f"{url}: not served (HTTP 404)" for url in gone)
    items = {i.platform_id: i for i in result.items}
    for post in broken:
        url = fp.url(post.media_path.replace("/media/", "/media/gone-"))
        assert items[post.id].media_problems == (f"{url}: not served (HTTP 404)",)
    assert not any(url in result.media for url in gone)
    assert any(url.endswith(": HTTP 404") for url in result.log.media_problems)
