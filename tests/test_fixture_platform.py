"""Tests for the local fixture social platform (fixtures/platform)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from fixtures.platform import STYLE_NAMES, FixturePlatform
from fixtures.platform.styles import THREADED_STYLES
from fixtures.platform.swedish_format import linkedin_age, youtube_age

NOW = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
POST_SELECTOR = {
    "facebook": 'div[role="article"].fb-post',
    "instagram": "article.ig-post",
    "x": 'article[data-testid="tweet"]',
    "linkedin": "article[data-activity-urn]",
    "youtube": "ytd-rich-item-renderer",
}
END_MARKER = {
    "facebook": "div.fb-feed-end",
    "instagram": "div.ig-end-of-feed",
    "x": "div.x-timeline-end",
    "linkedin": "div.li-feed-end",
    "youtube": "div.yt-grid-end",
}
POST_ID = {  # where each style's markup keeps a post's id
    "linkedin": r'data-activity-urn="urn:li:activity:([^"]+)"',
    "youtube": r'<yt-lockup-view-model class="content-id-([^"]+)"',
}


def get(
    fp: FixturePlatform, path: str, cookie: str | None = None, method: str = "GET"
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request without following redirects, so 303s stay visible."""
    conn = http.client.HTTPConnection("127.0.0.1", fp.port, timeout=10)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        conn.request(method, path, body=b"" if method == "POST" else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def get_json(fp: FixturePlatform, path: str) -> dict:
    status, _, body = get(fp, path)
    assert status == 200, body
    return json.loads(body)


@pytest.fixture(scope="module")
def fp() -> Iterator[FixturePlatform]:
    with FixturePlatform(seed=2026, now=NOW) as platform:
        yield platform


def test_same_seed_gives_same_bytes_and_other_seed_differs(fp: FixturePlatform) -> None:
    paths = [
        "/",
        "/api/instagram/torsbykommun/posts?before=&limit=7&posts=30",
        "/x/torsbykommun/posts/" + fp.expected_posts("x", "torsbykommun")[3].id,
        "/facebook/tall",
    ]
    paths += [f"/{style}/torsbykommun?posts=40" for style in STYLE_NAMES]
    media = next(
        p.media_path for p in fp.expected_posts("facebook", "torsbykommun") if p.media_path
    )
    paths.append(media)
    with FixturePlatform(seed=2026, now=NOW) as twin, FixturePlatform(seed=7, now=NOW) as other:
        assert twin.port != fp.port
        for path in paths:
            assert get(fp, path)[2] == get(twin, path)[2], path
        # "/" and the tall page carry no generated content; everything else must differ.
        for path in [p for p in paths if p not in ("/", "/facebook/tall")]:
            assert get(fp, path)[2] != get(other, path)[2], path
    assert fp.expected_posts("x", "torsbykommun") != other.expected_posts("x", "torsbykommun")


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_api_pagination_yields_every_post_once_newest_first(
    fp: FixturePlatform, style: str
) -> None:
    expected = fp.expected_posts(style, "torsbykommun", posts=37)
    status, _, page = get(fp, f"/{style}/torsbykommun?posts=37")
    assert status == 200
    html = page.decode()
    first_ids = re.findall(POST_ID.get(style, r'data-post-id="([^"]+)"'), html)
    assert first_ids == [p.id for p in expected[:10]]
    assert END_MARKER[style].split(".")[1] not in html.split("</main>")[0]

    seen: list[str] = []
    created: list[str] = []
    cursor = ""
    while True:
        data = get_json(fp, f"/api/{style}/torsbykommun/posts?before={cursor}&limit=10&posts=37")
        seen += [item["id"] for item in data["items"]]
        created += [item["created"] for item in data["items"]]
        if not data["has_more"]:
            assert data["next_cursor"] is None
            break
        cursor = data["next_cursor"]
    assert seen == [p.id for p in expected]
    assert len(set(seen)) == 37
    assert created == sorted(created, reverse=True)
    assert created == [p.created.strftime("%Y-%m-%dT%H:%M:%SZ") for p in expected]


def test_page_markup_matches_expected_posts(fp: FixturePlatform) -> None:
    for style in THREADED_STYLES:
        expected = fp.expected_posts(style, "torsbykommun", posts=10)
        html = get(fp, f"/{style}/torsbykommun?posts=10")[2].decode()
        profile = fp.expected_profile(style, "torsbykommun")
        assert f'data-followers="{profile.followers}"' in html
        assert profile.followers_text in html and profile.followers_text.endswith(" följare")
        assert END_MARKER[style].split(".")[1] in html  # only 10 posts: end marker server-side
        for post in expected:
            assert f'data-post-id="{post.id}"' in html
            assert f'href="{post.permalink}"' in html
            assert f'datetime="{post.created.strftime("%Y-%m-%dT%H:%M:%SZ")}"' in html
            assert escape(post.text) in html
            for comment in post.comments:
                assert (
                    f'data-comment-id="{comment.id}" data-parent-id="{comment.parent_id}"' in html
                )
                assert escape(comment.text) in html
        assert all(p.author_handle == "torsbykommun" for p in expected)
    own_markers = {
        "facebook": 'class="fb-post"',
        "instagram": 'class="ig-post"',
        "x": 'data-testid="tweet"',
        "linkedin": 'data-id="main-feed-card"',
        "youtube": "<ytd-rich-item-renderer",
    }
    for style in STYLE_NAMES:
        html = get(fp, f"/{style}/torsbykommun")[2].decode()
        for other, marker in own_markers.items():
            assert (marker in html) == (other == style), (style, marker)


@pytest.mark.parametrize("style", ["linkedin", "youtube"])
def test_guest_styles_show_relative_ages_and_no_comments(fp: FixturePlatform, style: str) -> None:
    """As LinkedIn and YouTube show a visitor: a relative age and no machine date, and no
    comment threads (LinkedIn a comment count), images behind the platforms' own lazy
    attributes."""
    expected = fp.expected_posts(style, "torsbykommun", posts=10)
    html = get(fp, f"/{style}/torsbykommun?posts=10")[2].decode()
    assert re.findall(POST_ID[style], html) == [p.id for p in expected]
    assert "datetime=" not in html and "data-comment-id" not in html
    age = linkedin_age if style == "linkedin" else youtube_age
    for post in expected:
        assert escape(post.text) in html
        assert f">{age(post.created, NOW)}</" in html
        if post.media_path:
            lazy = "data-delayed-url" if style == "linkedin" else "data-src"
            assert f'{lazy}="{post.media_path}"' in html
    if style == "linkedin":
        counts = re.findall(r'data-num-comments="(\d+)"', html)
        assert counts == [str(len(p.comments)) for p in expected]
    assert all(p.media_path for p in expected) == (style == "youtube")


def test_relative_ages_in_swedish() -> None:
    hours = datetime(2026, 7, 1, 5, 0, tzinfo=UTC)
    assert (linkedin_age(hours, NOW), youtube_age(hours, NOW)) == ("3 tim", "för 3 timmar sedan")
    week = datetime(2026, 6, 23, tzinfo=UTC)
    assert (linkedin_age(week, NOW), youtube_age(week, NOW)) == ("1 v", "för 1 vecka sedan")
    months = datetime(2026, 2, 1, tzinfo=UTC)
    assert (linkedin_age(months, NOW), youtube_age(months, NOW)) == ("5 mån", "för 5 månader sedan")
    year = datetime(2025, 6, 1, tzinfo=UTC)
    assert (linkedin_age(year, NOW), youtube_age(year, NOW)) == ("1 år", "för 1 år sedan")


def test_content_has_swedish_text_emoji_and_sensitive_comments(fp: FixturePlatform) -> None:
    from personnummer import personnummer

    posts = [p for s in STYLE_NAMES for p in fp.expected_posts(s, "torsbykommun", posts=120)]
    texts = [p.text for p in posts] + [c.text for p in posts for c in p.comments]
    joined = "\n".join(texts)
    assert re.search(r"[åäöÅÄÖ]", joined)
    assert "\u200d" in joined  # ZWJ sequences such as the family emoji
    numbers = re.findall(r"\b(?:\d{8}|\d{6})-\d{4}\b", joined)
    assert numbers and all(personnummer.valid(n) for n in numbers)
    assert re.search(r"07\d-\d{3} \d{2} \d{2}", joined)
    assert any(c.parent_id != p.id for p in posts for c in p.comments), "no replies generated"
    assert any(c.author_handle == "torsbykommun" for p in posts for c in p.comments)


def test_dates_span_both_half_year_boundaries(fp: FixturePlatform) -> None:
    for posts in (5, 40, 500):
        created = [p.created for p in fp.expected_posts("facebook", "torsbykommun", posts=posts)]
        assert all(c.tzinfo is not None and c < NOW for c in created)
        assert created == sorted(created, reverse=True)
        assert max(created) >= datetime(2026, 7, 1, tzinfo=UTC)
        assert any(datetime(2026, 1, 1, tzinfo=UTC) <= c < NOW.replace(day=1) for c in created)
        assert min(created) < datetime(2026, 1, 1, tzinfo=UTC)
        assert (NOW - min(created)).days > 240
        for post in fp.expected_posts("facebook", "torsbykommun", posts=posts):
            assert all(post.created < c.created < NOW for c in post.comments)


def test_hangs_does_not_block_stop() -> None:
    platform = FixturePlatform(seed=1, now=NOW).start()
    sock = socket.create_connection(("127.0.0.1", platform.port), timeout=5)
    sock.sendall(b"GET /x/hangs HTTP/1.1\r\nHost: localhost\r\n\r\n")
    sock.settimeout(0.5)
    with pytest.raises(TimeoutError):
        sock.recv(1)
    errors: list[BaseException] = []

    def client() -> None:
        try:
            get(platform, "/facebook/hangs")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(exc)

    waiter = threading.Thread(target=client, daemon=True)
    waiter.start()
    time.sleep(0.2)
    started = time.monotonic()
    platform.stop()
    assert time.monotonic() - started < 2
    sock.settimeout(3)
    assert sock.recv(1) == b""  # closed without a response
    sock.close()
    waiter.join(timeout=3)
    assert not waiter.is_alive() and errors


def test_login_wall_with_and_without_cookie(fp: FixturePlatform) -> None:
    status, _, body = get(fp, "/facebook/login-wall?posts=12")
    html = body.decode()
    assert status == 200
    assert "Logga in för att se inlägg från Login Wall" in html
    assert 'type="password"' in html and "data-post-id" not in html
    assert get(fp, "/api/facebook/login-wall/posts")[0] == 401

    form = re.search(r'action="([^"]+)"', html)
    assert form
    action = form.group(1).replace("&amp;", "&")
    status, headers, _ = get(fp, action, method="POST")
    assert status == 303
    assert headers["Location"] == "/facebook/login-wall?posts=12"
    assert headers["Set-Cookie"].startswith("fixture_session=ok")
    assert get(fp, "/login?next=/x/login-wall")[0] == 200
    assert get(fp, "/login?next=//evil.example/", method="POST")[1]["Location"] == "/"

    status, _, body = get(fp, "/facebook/login-wall?posts=12", cookie="fixture_session=ok")
    ids = re.findall(r'data-post-id="([^"]+)"', body.decode())
    assert ids == [p.id for p in fp.expected_posts("facebook", "login-wall", posts=12)[:10]]


def test_tall_page_is_taller_than_100000px_with_markers(fp: FixturePlatform) -> None:
    markers = fp.tall_markers()
    html = get(fp, "/instagram/tall")[2].decode()
    height_rule = re.search(r"\.tall-row\{height:(\d+)px", html)
    assert height_rule
    row_height = int(height_rule.group(1))
    rows = re.findall(r'class="tall-row[^"]*"[^>]*>(Rad \d{5})', html)
    assert row_height == markers.row_height_px
    assert len(rows) == len(set(rows)) == markers.row_count
    assert len(rows) * row_height > 100_000
    positions = [html.index(m) for m in (markers.top, markers.middle, markers.bottom)]
    assert positions == sorted(positions)
    assert f"Rad {markers.middle_row:05d} — {markers.middle}" in html
    assert "data-post-id" not in html and 'role="dialog"' not in html
    assert "ig-nav" in html  # the sticky/fixed header stays


def test_special_and_unknown_paths(fp: FixturePlatform) -> None:
    status, _, body = get(fp, "/x/blocked")
    assert status == 200 and "Du är tillfälligt blockerad" in body.decode()
    status, _, body = get(fp, "/facebook/empty")
    assert status == 200 and "data-post-id" not in body.decode()
    assert "Inga fler inlägg" in body.decode()
    assert fp.expected_posts("facebook", "empty") == []
    with pytest.raises(ValueError):
        fp.expected_posts("facebook", "tall")
    index = get(fp, "/")[2].decode()
    assert 'href="/facebook/torsbykommun"' in index and 'href="/x/tall"' in index
    for path in (
        "/nope",
        "/facebook",
        "/myspace/torsbykommun",
        "/facebook/torsbykommun/posts/fb-000000",
        "/facebook/torsbykommun/photos",
        "/media/../../etc/passwd.png",
        "/static/secret.txt",
        "/x/tall/posts/x-000001",
    ):
        assert get(fp, path)[0] == 404, path
    assert get(fp, "/api/x/torsbykommun/posts?before=x-1")[0] == 400
    assert get(fp, "/facebook/torsbykommun?posts=501")[0] == 400


def test_media_is_a_small_png(fp: FixturePlatform) -> None:
    post = next(p for p in fp.expected_posts("instagram", "torsbykommun") if p.media_path)
    assert post.media_path == f"/media/{post.id}.png"
    status, headers, body = get(fp, post.media_path)
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert body.startswith(b"\x89PNG") and len(body) < 100_000


def test_fifty_accounts_of_200_posts_served_concurrently() -> None:
    with FixturePlatform(seed=3, now=NOW) as platform:

        def first_and_second_page(i: int) -> int:
            style = STYLE_NAMES[i % 3]
            html = get(platform, f"/{style}/kommun{i}?posts=200")[2].decode()
            cursor = re.findall(r'data-post-id="([^"]+)"', html)[-1]
            data = get_json(platform, f"/api/{style}/kommun{i}/posts?before={cursor}&posts=200")
            return len(data["items"])

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            counts = list(pool.map(first_and_second_page, range(50)))
        assert counts == [10] * 50
        assert time.monotonic() - started < 5


def test_package_files_and_readme_contract_exist() -> None:
    root = Path(__file__).resolve().parent.parent / "fixtures" / "platform"
    readme = (root / "README.md").read_text(encoding="utf-8")
    for selector in [*POST_SELECTOR.values(), *END_MARKER.values()]:
        assert selector in readme, selector
    for text in ("Tillåt alla cookies", "Godkänn alla", "Acceptera alla cookies"):
        assert text in readme


@pytest.mark.browser
def test_browser_facebook_consent_scroll_and_expand(fp: FixturePlatform) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed")
    posts = 45
    expected = fp.expected_posts("facebook", "torsbykommun", posts=posts)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(fp.account_url("facebook", "torsbykommun", posts=posts))

            dialog = page.get_by_role("dialog")
            assert dialog.is_visible()
            dialog.get_by_role("button", name="Tillåt alla cookies").click()
            assert page.get_by_role("dialog").count() == 0
            assert any(c["name"] == "fb_consent" for c in page.context.cookies())
            header_position = page.eval_on_selector(
                "header.fb-topbar", "e => getComputedStyle(e).position"
            )
            assert header_position in ("sticky", "fixed")

            deadline = time.monotonic() + 20
            while page.locator(END_MARKER["facebook"]).count() == 0:
                assert time.monotonic() < deadline, "end marker never appeared"
                page.mouse.wheel(0, 4000)
                page.wait_for_timeout(50)
            ids = page.eval_on_selector_all(
                POST_SELECTOR["facebook"], "els => els.map(e => e.dataset.postId)"
            )
            assert ids == [p.id for p in expected]
            assert page.locator("img.fb-lazy[src]").count() > 0  # lazy images were swapped in

            with_comments = next(p for p in expected if p.comments)
            post = page.locator(f'[data-post-id="{with_comments.id}"]')
            comments = post.locator("div.fb-comment")
            assert comments.first.is_hidden()
            toggle = post.locator("button.fb-comments-toggle")
            assert re.fullmatch(r"Visa \d+ kommentar(er)?", toggle.inner_text())
            toggle.click()
            assert comments.first.is_visible()
            top_level = [c for c in with_comments.comments if c.parent_id == with_comments.id]
            assert post.locator("div.fb-comment:not(.fb-reply)").count() == len(top_level)
            assert errors == []
        finally:
            browser.close()
    assert urlsplit(fp.base_url).hostname == "127.0.0.1"
