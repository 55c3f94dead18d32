"""Capture engine parts that need no browser: profiles, items, segments, host rules."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from archiver import chromium
from archiver.capture import dates
from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.items import ItemCollector, account_handle, parse_count, parse_time
from archiver.capture.model import SEGMENT_MAX_PX
from archiver.capture.network import host_allowed
from archiver.capture.segments import FLAT_TOLERANCE, boxes_for_segment, find_blank, plan_segments
from archiver.capture.site import (
    PROFILE_DIR,
    load_profile,
    load_profile_file,
    profile_for,
)
from archiver.errors import BadInputError, ConfigError, MissingDependencyError, NotFoundError
from archiver.pdf.model import TextBox


@pytest.mark.parametrize("name", ["generic", "facebook", "instagram", "x", "linkedin", "youtube"])
def test_packaged_profiles_load(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.source == PROFILE_DIR / f"{name}.toml"


def test_generic_profile_has_consent_texts_and_no_items() -> None:
    generic = load_profile("generic")
    assert not generic.has_items
    for text in ("Tillåt alla cookies", "Godkänn alla", "Acceptera alla cookies", "Accept all",
                 "Allow all cookies", "Only allow essential cookies"):
        assert text in generic.consent_texts


def test_platform_profiles_know_posts_comments_and_replies() -> None:
    for name in ("facebook", "instagram", "x"):
        profile = load_profile(name)
        assert {spec.kind for spec in profile.items} == {"post", "comment", "reply"}
        assert profile.end_marker and profile.logged_out_selectors and profile.blocked_texts


def test_linkedin_and_youtube_profiles_read_posts() -> None:
    """A visitor sees no comments on either, so posts are all they extract."""
    for name in ("linkedin", "youtube"):
        profile = load_profile(name)
        assert {spec.kind for spec in profile.items} == {"post"}
        post = profile.items[0]
        assert post.created and post.text and post.media
    (video_id,) = load_profile("youtube").items[0].id
    assert video_id.attr == "href" and video_id.pattern == "[?&]v=([^&]+)"
    # A field may list places, tried in order: X's post id is the fixture's attribute,
    # then the status link of X's own markup.
    assert [(f.attr, f.pattern) for f in load_profile("x").items[0].id] == [
        ("data-post-id", None), ("href", r"/status/(\d+)")]


def test_profile_for_uses_aliases_and_falls_back_to_generic() -> None:
    assert profile_for("Facebook").name == "facebook"
    assert profile_for("twitter").name == "x"
    assert profile_for("tiktok").name == "generic"
    with pytest.raises(NotFoundError, match="tiktok"):
        load_profile("tiktok")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('nmae = "x"\n', "unknown key 'nmae'"),
        ('[consent]\ntext = ["a"]\n', "unknown key 'consent.text'"),
        ('[feed]\nstable_rounds = "3"\n', "feed.stable_rounds must be an integer"),
        ('[items.post]\ncontainer = "a"\nid = { attr = "x" }\nbody = { selector = "p" }\n',
         "unknown key items.post.'body'"),
        ('[items.story]\ncontainer = "a"\nid = { attr = "x" }\n', "unknown key 'items.story'"),
        ('[items.post]\ncontainer = "a"\n', "items.post.id is required"),
        ('[expand]\npatterns = ["(unclosed"]\n', "bad regular expression"),
        ('[items.post]\ncontainer = "a"\nid = { attr = "href", pattern = "v=(" }\n',
         "items.post.id.pattern is not a regular expression"),
        ('[items.post]\ncontainer = "a"\nid = { attr = "href", pattern = 3 }\n',
         "items.post.id.selector, .attr and .pattern must be strings"),
        ('[items.post]\ncontainer = "a"\nid = [{ attr = "x" }, "b"]\n',
         "items.post.id[1] must be a table like"),
        ('[items.post]\ncontainer = "a"\nid = [{ attr = "x" }, { attr = "y", selctor = "a" }]\n',
         "unknown key items.post.id[1].'selctor'"),
        ('[items.post]\ncontainer = "a"\nid = []\n', "items.post.id must be a table like"),
        ("name = \n", "not valid TOML"),
    ],
)
def test_bad_profiles_name_file_and_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile_file(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_parse_time_and_count() -> None:
    assert parse_time("2026-03-01T09:30:00Z") == dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    assert parse_time("2026-03-01T09:30:00").tzinfo == dt.UTC
    assert parse_time("igår") is None
    assert parse_count("12345") == 12345
    assert parse_count("12 345 följare") == 12345
    assert parse_count("1,2 tn följare") == 1200
    assert parse_count("3.4K followers") == 3400
    assert parse_count("2 mn") == 2_000_000
    assert parse_count(None) is None


def test_collector_deduplicates_and_keeps_best_fields() -> None:
    collector = ItemCollector()
    base = {"kind": "post", "id": "p1", "parent": None, "author_handle": "@kommun",
            "author_name": "Kommunen", "created": "2026-02-01T10:00:00Z", "text": "Hej …",
            "url": None, "media": []}
    assert collector.add_raw([base]) == 1
    assert collector.add_raw([{**base, "text": "Hej åäö 😀 hela texten", "author_name": None,
                               "media": ["http://h/m.png"]}]) == 0
    (item,) = collector.items
    assert item.author_handle == "kommun"
    assert item.author_name == "Kommunen"
    assert item.text == "Hej åäö 😀 hela texten"
    assert item.media == ("http://h/m.png",)
    assert collector.last_dated_post() is item


def test_the_feed_is_as_far_as_its_last_dated_post_not_its_oldest() -> None:
    """A post pinned from 2018 above this year's posts: the feed below it has loaded to
    May, not to 2018. Comments and undated posts do not move the feed's end."""
    collector = ItemCollector()

    def post(pid: str, created: str | None, kind: str = "post") -> dict[str, object]:
        return {"kind": kind, "id": pid, "parent": None, "created": created, "text": pid, "media": []}

    collector.add_raw([post("pinned", "2018-04-03T10:00:00Z"), post("june", "2026-06-02T10:00:00Z"),
                       post("may", "2026-05-13T10:00:00Z"), post("undated", None),
                       post("c1", "2017-01-01T00:00:00Z", kind="comment")])
    last = collector.last_dated_post()
    assert last is not None and last.platform_id == "may"
    collector.add_raw([post("pinned", "2018-04-03T10:00:00Z"), post("dec", "2025-12-30T10:00:00Z")])
    last = collector.last_dated_post()  # seen again, the pinned post keeps its first place
    assert last is not None and last.platform_id == "dec"


def test_a_repost_of_an_old_post_does_not_end_the_feed() -> None:
    """X shows a repost with its author's time: a 2019 post reposted in May sits below June
    but says nothing of how far the account's own posts have loaded. Only when the account's
    own posts are recognisable (its handle among the authors) are others' set aside."""
    def post(pid: str, created: str, author: str | None) -> dict[str, object]:
        return {"kind": "post", "id": pid, "parent": None, "created": created, "text": pid,
                "author_handle": author, "media": []}

    feed = [post("june", "2026-06-02T10:00:00Z", "TorsbyKommun"),
            post("no-author", "2026-05-20T10:00:00Z", None),
            post("repost", "2019-03-01T10:00:00Z", "@varmlandstrafik")]
    collector = ItemCollector()
    collector.add_raw(feed)
    assert [collector.last_dated_post(a).platform_id for a in ("torsbykommun", "", "videos")] == [
        "no-author", "repost", "repost"]
    assert account_handle("https://x.com/@TorsbyKommun") == "torsbykommun"
    assert account_handle("https://www.youtube.com/@torsby/videos") == "videos"  # no author is "videos"


def test_an_item_is_dated_exactly_before_approximately() -> None:
    """A machine value first, then the time the id carries, then date text: LinkedIn's
    "1w" in a post's text is not its date when its URN says 15 June 2021."""
    now = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
    collector = ItemCollector(lambda raw: dates.resolve(raw, now, "Europe/Stockholm"),
                              lambda ids: dates.from_post_id("linkedin", ids, now))
    urn = "urn:li:activity:6810486256754036736"  # 2021-06-15 08:40:56 UTC
    collector.add_raw([
        {"kind": "post", "id": urn, "created": ["1w"], "text": "a", "media": []},
        {"kind": "post", "id": "urn:li:activity:6810486256754036737", "text": "b", "media": [],
         "created": ["1w", "2021-06-01T10:00:00Z"]},
        {"kind": "post", "id": "p3", "created": ["1w"], "text": "c", "media": []},
        {"kind": "post", "id": "p4", "created": None, "text": "d", "media": [],
         "url": "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A6810486256754036736"},
    ])
    created = {i.platform_id: i.created for i in collector.items}
    assert created[urn] is not None and created[urn].replace(microsecond=0) == dt.datetime(
        2021, 6, 15, 8, 40, 56, tzinfo=dt.UTC)
    assert created["urn:li:activity:6810486256754036737"] == dt.datetime(2021, 6, 1, 10, tzinfo=dt.UTC)
    assert created["p3"] == dt.datetime(2026, 6, 24, 8, tzinfo=dt.UTC)
    assert created["p4"] == created[urn]


def test_segment_plan_never_exceeds_the_limit() -> None:
    plans = plan_segments(105_688)
    assert all(p.height <= SEGMENT_MAX_PX for p in plans)
    assert sum(p.height for p in plans) == 105_688
    assert plans[-1].top + plans[-1].height == 105_688
    assert plan_segments(0)[0].height == 1


def test_boxes_are_assigned_by_centre_and_made_relative() -> None:
    boxes = [[10, 7985, 50, 20, "gräns", 16], [10, 8100, 50, 20, "nästa 😀", 16]]
    first = boxes_for_segment(boxes, 0, 8000)
    second = boxes_for_segment(boxes, 8000, 8000)
    assert [b.text for b in first] == ["gräns"]
    assert [(b.text, b.y) for b in second] == [("nästa 😀", 100.0)]


def test_blank_detection() -> None:
    flat = Image.new("RGB", (200, 3000), "white")
    assert find_blank(flat, ()) == (0, 3000)
    drawn = flat.copy()
    ImageDraw.Draw(drawn).rectangle((10, 10, 100, 40), fill="black")
    assert find_blank(drawn, ()) is None
    # Text in the DOM at y=2100 but nothing drawn there: Chromium's silent failure.
    text = (TextBox(10, 2100, 150, 20, "Rad 42", 16),)
    assert find_blank(drawn, text) == (2000, 3000)
    ImageDraw.Draw(drawn).rectangle((10, 2100, 150, 120 + 2000), fill="black")
    assert find_blank(drawn, text) is None


def test_a_blank_first_band_is_that_band_not_the_slice() -> None:
    # Flat from 0 to 1000 where the DOM places text, drawn further down: the region to ask
    # the DOM about is the first band, not the whole slice (a real page failed over text
    # drawn 2,600 px below the band).
    image = Image.new("RGB", (200, 2700), "white")
    ImageDraw.Draw(image).rectangle((10, 2600, 100, 2640), fill="black")
    assert find_blank(image, (TextBox(10, 100, 150, 20, "Rad 1", 16),)) == (0, 1000)
    # The last band is cut at the slice's bottom.
    image = Image.new("RGB", (200, 2700), "white")
    ImageDraw.Draw(image).rectangle((10, 100, 100, 120), fill="black")
    assert find_blank(image, (TextBox(10, 2010, 150, 20, "Rad 3", 16),)) == (2000, 2700)


@settings(max_examples=200, deadline=None)
@given(base=st.integers(0, 255),
       marks=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 2499), st.integers(0, 2),
                                st.integers(-6, 6)), max_size=4),
       lines=st.lists(st.integers(0, 2499), max_size=5))
def test_blank_detection_reads_every_pixel_a_drawn_mark_could_be_in(
        base: int, marks: list[tuple[int, int, int, int]], lines: list[int]) -> None:
    # Single pixels of a slightly or clearly other shade anywhere, between the rows read
    # first: the answer is what reading every pixel of each region gives.
    image = Image.new("RGB", (40, 2500), (base,) * 3)
    for x, y, channel, delta in marks:
        colour = [base] * 3
        colour[channel] = min(255, max(0, base + delta))
        image.putpixel((x, y), tuple(colour))
    boxes = tuple(TextBox(0, y, 40, 20, "rad", 16) for y in lines)

    def flat(top: int, bottom: int) -> bool:
        extrema = image.crop((0, top, 40, bottom)).getextrema()
        return all(hi - lo <= FLAT_TOLERANCE for lo, hi in extrema)

    expected = None
    if flat(0, 2500):
        expected = (0, 2500)
    else:
        for top in (0, 1000, 2000):
            bottom = min(2500, top + 1000)
            area = sum(40 * (min(b.y + b.h, bottom) - max(b.y, top)) for b in boxes
                       if min(b.y + b.h, bottom) > max(b.y, top))
            if area >= 400 and flat(top, bottom):
                expected = (top, bottom)
                break
    assert find_blank(image, boxes) == expected


def test_blank_detection_counts_only_the_text_on_the_page() -> None:
    drawn = Image.new("RGB", (200, 3000), "white")
    ImageDraw.Draw(drawn).rectangle((10, 10, 100, 40), fill="black")
    # 400 px of a line 20 px high lies left of the page, 19 px on it: 380 px², under the
    # 400 px² that makes a flat band suspicious.
    assert find_blank(drawn, (TextBox(-400, 2100, 419, 20, "Utanför", 16),)) is None
    assert find_blank(drawn, (TextBox(-400, 2100, 420, 20, "Utanför", 16),)) == (2000, 3000)
    # Right of the page the same.
    assert find_blank(drawn, (TextBox(181, 2100, 900, 20, "Utanför", 16),)) is None
    assert find_blank(drawn, (TextBox(180, 2100, 900, 20, "Utanför", 16),)) == (2000, 3000)


def test_host_allow_list() -> None:
    assert host_allowed("www.facebook.com", ("facebook.com",))
    assert host_allowed("facebook.com", ("facebook.com",))
    assert not host_allowed("evilfacebook.com", ("facebook.com",))
    assert not host_allowed("facebook.com.evil.example", ("facebook.com",))


def test_find_chromium_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(chromium, "CHROMIUM_CANDIDATES", (tmp_path / "nope",))
    with pytest.raises(MissingDependencyError, match="apt-get install chromium"):
        chromium.find_chromium()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/html,hej", "javascript:1", "/x"])
def test_capture_refuses_non_web_urls(tmp_path: Path, url: str) -> None:
    request = CaptureRequest(url=url, profile=load_profile("generic"), workdir=tmp_path)
    with pytest.raises(BadInputError, match="http"):
        asyncio.run(capture(None, request))  # type: ignore[arg-type]


def test_capture_refuses_missing_storage_state(tmp_path: Path) -> None:
    request = CaptureRequest(url="https://example.org/", profile=load_profile("generic"),
                             workdir=tmp_path, storage_state=tmp_path / "missing.json")
    with pytest.raises(BadInputError, match="storage state"):
        asyncio.run(capture(None, request))  # type: ignore[arg-type]
