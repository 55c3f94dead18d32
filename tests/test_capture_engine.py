"""Capture mechanics on tiny local pages: consent, segments, text boxes, limits, allow-list."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
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

# A feed in markup no profile knows: repeated blocks, no <article>, dates in every form.
# Newest first, as feeds are: the period start is reached at the last card.
DATED = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Kommunens flöde</title>
<style>.card{border:1px solid #999;margin:8px;padding:8px}</style></head><body>
<nav><a href="/">Start</a></nav><div class="stream">
<div class="card"><span class="when">3 tim</span><p>Badplatsen vid sjön öppnar i helgen.</p></div>
<div class="card"><span>i lördags</span><p>Tack alla som kom till skräpplockardagen.</p></div>
<div class="card"><abbr data-utime="1782295200">måndag</abbr><p>Vägarbete på Storgatan hela veckan.</p></div>
<div class="card"><span>2 wks</span><p>Simhallen stänger för renovering.</p></div>
<div class="card"><div data-timestamp="1780826400000"></div><p>Biblioteket har nya öppettider.</p></div>
<div class="card"><a href="/posts/4">4 juni kl. 17:33</a><p>Kommunfullmäktige sammanträder.</p></div>
<div class="card"><span>12 dec. 2025</span><p>Julmarknaden på torget var välbesökt.</p></div>
</div></body></html>"""

# What Facebook shows a visitor who is not logged in (saved m.facebook.com pages): a
# banner over the page's first posts, and no more of them.
FB_GUEST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Torsby kommun | Facebook</title>
</head><body><div class="banner"><h2>Torsby kommun is on Facebook.</h2>
<p>To connect with Torsby kommun, log in or create an account.</p><a href="/login">Log In</a></div>
<article><span>4 June at 17:33</span><p>Badplatsen vid sjön öppnar i helgen, välkomna!</p></article>
<article><span>2 June at 09:10</span><p>Vägarbete på Storgatan hela veckan, följ skyltningen.</p></article>
</body></html>"""

# m.facebook.com's markup for a page's posts (as in scrapers' recorded responses): each
# <article> carries its story as JSON in data-store, with the post's id and its publish
# time; the visible date is in the viewer's zone and has no year. Element ids are new on
# every load. The publish times are 2021's, so the period start (2026) is reached.
FB_MOBILE_STORY = (
    '<article class="_55wo" id="u_0_{n}_Qx" data-store="{{&quot;linkdata&quot;:&quot;'
    'mf_story_key.{id}:top_level_post_id.{id}:page_id.1190:page_insights.{{\\&quot;1190\\&quot;:'
    '{{\\&quot;post_context\\&quot;:{{\\&quot;publish_time\\&quot;:{epoch},\\&quot;story_fbid\\&quot;:'
    '[{id}]}}}}}}&quot;}}"><header><a href="/torsby/">Torsby kommun</a> <abbr>{shown}</abbr>'
    '</header><p>{text}</p></article>')
FB_MOBILE = ("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Torsby kommun - Posts | Facebook</title></head><body><div id="root">"""
             + "".join(FB_MOBILE_STORY.format(**story) for story in (
    {"n": 7, "id": 4194934713924283, "epoch": 1622853212, "shown": "4 June at 17:33",
     "text": "Badplatsen vid sjön öppnar i helgen, välkomna!"},
    {"n": 3, "id": 4193752747375813, "epoch": 1622819482, "shown": "4 June at 08:11",
     "text": "Vägarbete på Storgatan hela veckan, följ skyltningen."},
    {"n": 9, "id": 4190011122233344, "epoch": 1622700000, "shown": "3 June at 06:00",
     "text": "Simhallen stänger för renovering i sommar."},
)) + "</div></body></html>")

# LinkedIn's answer, as a guest, for a profile that does not exist (a saved page): the
# platform's header and search, and one sentence.
NOT_FOUND = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Profile Not Found | LinkedIn</title>
</head><body><header><a href="/">LinkedIn</a> <a href="/login">Sign in</a> <a href="/signup">Join now</a></header>
<main><h1>An exact match for <strong>torsbykommun</strong> could not be found.</h1>
<p>Search for people, jobs and companies.</p></main></body></html>"""

# LinkedIn's sign-in page, where a guest asking for a company page may land (a saved
# page): a sign-in box beside tiles of courses, no post and no date.
SIGN_IN = ("""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LinkedIn: Log In or Sign Up</title>
</head><body><main><h1>Welcome to your professional community</h1><a href="/login">Sign in with email</a>
<p>New to LinkedIn? <a href="/signup">Join now</a></p><section><h2>Find the right course for you</h2><ul>"""
           + "".join(f'<li><a href="/learning/{n}">Course area {n}</a> {n * 90}+ courses</li>' for n in range(1, 9))
           + "</ul></section></main></body></html>")

# An X profile whose scripts never drew the timeline (a saved page): the side menu, and
# a progress indicator where the posts should be.
APP_LOADING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Torsby kommun / X</title>
</head><body><nav><a href="/home">Home</a> <a href="/explore">Explore</a> <a href="/notifications">Notifications</a>
<a href="/messages">Messages</a> <a href="/profile">Profile</a></nav><main><h2>Torsby kommun</h2>
<div role="progressbar" aria-label="Loading posts by @torsbykommun" style="width:40px;height:40px;
border:4px solid #1d9bf0;border-radius:50%"></div></main></body></html>"""

# An Instagram profile grid as Instagram draws it: rows of three picture tiles, each a
# permalink to /p/<shortcode>/ around an image whose alt text is the caption; no dates.
# A shortcode is a media id in base 64 whose bits above 23 are ms since 2011-08-24.
GRID_TIMES = [dt.datetime(2026, 6, 20, 9, tzinfo=dt.UTC) - dt.timedelta(days=27 * n) for n in range(9)]


def _shortcode(moment: dt.datetime, shard: int = 1234) -> str:
    number = ((int(moment.timestamp() * 1000) - 1_314_220_021_721) << 23) | (shard << 10)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    code = ""
    while number:
        number, digit = divmod(number, 64)
        code = alphabet[digit] + code
    return code


_TILE = ('<div class="tile"><a href="/torsbykommun/p/%s/"><div style="padding-bottom:100%%;position:relative">'
         '<img alt="Bild %d från kommunen" width="300" height="300" style="position:absolute;width:100%%" '
         'src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="></div></a></div>')
GRID = ('<!doctype html><html><head><meta charset="utf-8"><title>Torsby kommun • Instagram</title>'
        '<style>.row{display:flex;gap:4px;margin:4px}.tile{flex:1}</style></head><body><main>'
        '<header><h2>torsbykommun</h2><p>85 inlägg</p></header>'
        + "".join('<div class="row">' + "".join(_TILE % (_shortcode(GRID_TIMES[r * 3 + c]), r * 3 + c)
                                                for c in range(3)) + "</div>" for r in range(3))
        + "</main></body></html>")

# Text drawn white on white: the DOM says text is there, the raster is flat, as when
# Chromium silently fails to paint a region.
WHITE_TEXT = """<!doctype html><html><head><meta charset="utf-8"><title>Vit</title></head>
<body style="margin:0;background:#fff"><p>Överst</p>
<div style="color:#fff;font:40px/48px sans-serif">%s</div></body></html>""" % (
    "Osynlig text som DOM:en ritar men rastret saknar. " * 120)


# Text the DOM holds in the second segment but a person cannot see: laid out off the
# page's left edge, clipped by its box, and under an opaque box of the page's colour
# (as a saved app page whose feed was laid out off screen).
HIDDEN_TEXT = """<!doctype html><html><head><meta charset="utf-8"><title>Dold</title></head>
<body style="margin:0;background:#fff;overflow-x:hidden"><p>Överst</p>
<div style="height:8200px"></div>
<div style="margin-left:-3000px;width:2000px;font:30px/36px sans-serif">{text}</div>
<div style="height:100px;overflow:hidden;font:30px/36px sans-serif"><div style="height:100px"></div>{text}</div>
<div style="position:relative;font:30px/36px sans-serif">{text}
<div style="position:absolute;inset:0;background:#fff"></div></div>
<div style="height:600px"></div></body></html>""".format(text="Text som ingen ser. " * 60)

# Hidden text at the top of the second segment and text a person sees lower in it: the
# band to ask the DOM about is the top one (a saved Bluesky profile failed "blank segment"
# over its sign-up bar, drawn 2,600 px below the band that was blank).
HIDDEN_THEN_DRAWN = """<!doctype html><html><head><meta charset="utf-8"><title>Dold, sedan synlig</title></head>
<body style="margin:0;background:#fff"><p>Överst</p><div style="height:8050px"></div>
<div style="position:relative;font:30px/36px sans-serif">{text}
<div style="position:absolute;inset:0;background:#fff"></div></div>
<div style="height:1800px"></div><p style="font:30px/36px sans-serif">Skapa konto</p>
<div style="height:300px"></div></body></html>""".format(text="Text som ingen ser. " * 20)

REQUESTED: list[tuple[str, str]] = []
"""(host name, path) of every request the test site served, for the navigation guard tests."""

WANDER = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Vandrar</title></head>
<body><p>Kommunens sida</p><script>setTimeout(() => { location.href = '%(away)s'; }, %(ms)d);</script>
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
                 "/gap": GAP, "/white-text": WHITE_TEXT, "/hidden-text": HIDDEN_TEXT,
                 "/hidden-then-drawn": HIDDEN_THEN_DRAWN, "/dated": DATED, "/fb-guest": FB_GUEST,
                 "/fb-mobile": FB_MOBILE, "/not-found": NOT_FOUND, "/sign-in": SIGN_IN,
                 "/app-loading": APP_LOADING, "/grid": GRID,
                 "/wander": WANDER % {"away": f"http://localhost:{port}/secret", "ms": 50},
                 "/wander-late": WANDER % {"away": f"http://localhost:{port}/secret", "ms": 900}}
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


def midyear(url: str, profile: str, tmp_path: Path, step_timeout: float = 10) -> CaptureRequest:
    """The 1 July capture of *url* with the named site profile: the period starts 1 January."""
    return CaptureRequest(url=url, profile=load_profile(profile), workdir=tmp_path, step_timeout=step_timeout,
                          now=dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC),
                          period_start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


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


def test_a_tall_genuinely_white_band_is_stored_and_logged(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/gap", tmp_path, step_timeout=10))
    assert result.ok, result.reason
    assert len(result.segments) == 2
    assert result.log.blank_bands == ["segment 2: y=8000–9554 blank, nothing is drawn there"]
    assert result.log.reshots == 0
    assert [s.flat for s in result.segments] == [False, True]  # the white one is not OCRed


def test_text_a_person_cannot_see_is_not_drawn(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/hidden-text", tmp_path, step_timeout=10))
    assert result.ok, result.reason
    assert result.log.reshots == 0
    assert len(result.log.blank_bands) == 1
    assert re.fullmatch(r"segment 2: y=8000–\d+ blank, nothing is drawn there", result.log.blank_bands[0])


def test_a_blank_band_is_judged_by_what_is_drawn_in_that_band(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/hidden-then-drawn", tmp_path, step_timeout=10))
    assert result.ok, result.reason
    assert result.log.reshots == 0
    assert result.log.blank_bands == ["segment 2: y=8000–9000 blank, nothing is drawn there"]


def test_a_blank_raster_where_the_dom_draws_is_shot_again_then_fails(site: str, tmp_path: Path) -> None:
    result = run(req(f"{site}/white-text", tmp_path, step_timeout=10))
    assert not result.ok
    assert result.log.reshots == 1
    assert result.reason is not None and result.reason.startswith("blank segment 1 at y=")
    assert "the page draws text \"Osynlig text" in result.reason
    assert result.reason.endswith("but the screenshot stayed blank when shot again")


def test_hanging_page_fails_within_the_step_timeout(site: str, tmp_path: Path) -> None:
    # 4 s, not less: the limit holds for opening the browser context too, which took over
    # 1.5 s on a machine others loaded (the capture then failed in step open).
    started = time.monotonic()
    result = run(req(f"{site}/hang", tmp_path, step_timeout=4))
    assert not result.ok and result.reason == ("timed out in step goto after 4 s: the page was still waiting for "
                                                   "1 request, to 127.0.0.1")
    assert time.monotonic() - started < 12
    assert result.log.steps[-1].name == "goto" and not result.log.steps[-1].ok


def test_total_timeout(site: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run(req(f"{site}/endless", tmp_path, step_timeout=5, total_timeout=3))
    # The endless feed keeps the capture scrolling until the total runs out; on a slow
    # machine the limit may fall in an earlier step, and then it is that step's share.
    assert result.reason is not None
    assert re.fullmatch(r"timed out in step (scroll after 3|\w+ after [0-9.]+) s", result.reason), result.reason
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


def test_a_navigation_refused_in_the_middle_of_a_step_is_the_reason(site: str, tmp_path: Path) -> None:
    # Late enough to fall inside a later step, whose page the refused navigation destroys.
    result = run(req(f"{site}/wander-late", tmp_path, step_timeout=5))
    assert result.reason == "navigation blocked: host localhost is not allowed"


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


def test_a_guest_banner_over_a_few_posts_is_login_required(site: str, tmp_path: Path) -> None:
    result = run(midyear(f"{site}/fb-guest", "facebook", tmp_path))
    assert result.reason == "login required: 2 posts visible (the page asks to log in to see more)"


def test_posts_are_dated_and_named_by_the_json_their_markup_carries(site: str, tmp_path: Path) -> None:
    """The visible "4 June at 17:33" would be read as this year's in the home's zone; the
    story's publish_time says 2021. The element ids change each load; the post ids do not."""
    result = run(midyear(f"{site}/fb-mobile", "facebook", tmp_path))
    assert result.ok, result.reason
    assert [(i.platform_id, i.created) for i in result.items if i.kind == "post"] == [
        ("generic:4194934713924283", dt.datetime(2021, 6, 5, 0, 33, 32, tzinfo=dt.UTC)),
        ("generic:4193752747375813", dt.datetime(2021, 6, 4, 15, 11, 22, tzinfo=dt.UTC)),
        ("generic:4190011122233344", dt.datetime(2021, 6, 3, 6, 0, tzinfo=dt.UTC)),
    ]
    assert result.log.reader == "generic" and result.log.reached_period_start


def test_an_account_that_does_not_exist_fails_quoting_the_page(site: str, tmp_path: Path) -> None:
    result = run(midyear(f"{site}/not-found", "linkedin", tmp_path))
    assert result.reason == ("account not found: the platform's page says 'An exact match for torsbykommun "
                             "could not be found.' (the account may be closed, renamed or private; check its "
                             "URL in the register)")


def test_a_sign_in_page_is_login_required_not_a_feed_of_undated_posts(site: str, tmp_path: Path) -> None:
    result = run(midyear(f"{site}/sign-in", "linkedin", tmp_path))
    assert result.reason == (f"login required: the page asks to log in ('Sign in with email') and shows no "
                             f"dated post ({result.log.posts_found} undated blocks read)")
    assert result.log.posts_found > 0 and result.log.posts_dated == 0


def test_a_feed_that_is_still_loading_is_not_blamed_on_the_profile(site: str, tmp_path: Path) -> None:
    result = run(midyear(f"{site}/app-loading", "x", tmp_path, step_timeout=5))
    assert result.reason == ("javascript required: the page still shows 'Loading posts by @torsbykommun' "
                             "where the account's posts should be (its scripts did not finish drawing "
                             "the account)")


def test_a_picture_grid_is_read_tile_by_tile_and_dated_by_its_shortcodes(site: str, tmp_path: Path) -> None:
    result = run(midyear(f"{site}/grid", "instagram", tmp_path))
    assert result.ok, result.reason
    posts = [item for item in result.items if item.kind == "post"]
    assert [(p.text, p.created) for p in posts] == [
        (f"Bild {n} från kommunen", moment) for n, moment in enumerate(GRID_TIMES)]
    assert result.log.reached_period_start


def test_the_generic_reader_reads_repeated_blocks_and_every_date_form(site: str, tmp_path: Path) -> None:
    now = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
    result = run(req(f"{site}/dated", tmp_path, now=now,
                     period_start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    assert result.ok, result.reason
    assert (result.log.reader, result.log.posts_found, result.log.posts_dated) == ("generic", 7, 7)
    assert result.log.reached_period_start
    created = {item.text.split(". ")[-1][:20]: item.created for item in result.items}
    assert sorted(created.values(), reverse=True) == [
        dt.datetime(2026, 7, 1, 5, tzinfo=dt.UTC),      # "3 tim" before 10:00 Stockholm
        dt.datetime(2026, 6, 26, 22, tzinfo=dt.UTC),    # "i lördags": Saturday, local midnight
        dt.datetime(2026, 6, 24, 10, tzinfo=dt.UTC),    # abbr[data-utime]
        dt.datetime(2026, 6, 17, 8, tzinfo=dt.UTC),     # Facebook's "2 wks"
        dt.datetime(2026, 6, 7, 10, tzinfo=dt.UTC),     # data-timestamp in ms
        dt.datetime(2026, 6, 4, 15, 33, tzinfo=dt.UTC),  # "4 juni kl. 17:33"
        dt.datetime(2025, 12, 11, 23, tzinfo=dt.UTC),   # "12 dec. 2025"
    ]
    linked = [item for item in result.items if item.url]
    assert [item.url for item in linked] == [f"{site}/posts/4"]
