"""Capture one account page: load, check, scroll, expand, and write the snapshot's raw parts.

One BrowserContext per capture, always closed, so many captures can share one browser.
Every step is time-bounded and the whole capture has its own limit. Page problems
(login walls, block pages, blank screenshots, incomplete feeds, hangs) come back as
``CaptureResult(ok=False, reason=...)``; only wrong input raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from playwright.async_api import Browser, BrowserContext, Dialog, Page, Request

from archiver.capture import artifacts, dates, images
from archiver.capture import page_scripts as js
from archiver.capture.feed import FeedReader, ScrollOutcome
from archiver.capture.items import ItemCollector, account_handle, parse_count, specs_for_page
from archiver.capture.media import fetch_media
from archiver.capture.model import CaptureLog, CaptureResult
from archiver.capture.network import WEB_SCHEMES, NavigationGuard, NetworkWatch, host_of, refusal
from archiver.capture.overlays import (
    JAVASCRIPT_REQUIRED,
    LOGIN_REQUIRED,
    PageVerdict,
    dismiss_consent,
    judge_page,
)
from archiver.capture.site import GENERIC, SiteProfile, load_profile
from archiver.capture.steps import NAVIGATED_AWAY, CaptureFailed, StepRunner, seconds
from archiver.errors import BadInputError
from archiver.pdf.model import Segment

IDLE_WAIT_MAX = 5.0
"""Longest wait for network idle after load; busy pages (polling, ads) never go idle."""
TALL_VIEWPORT_MAX = 50_000
"""Tallest viewport used to show a virtualised feed whole (CSS px). Chromium rasterises all
of it at once: 1280 x 50,000 px is about 250 MB of tiles, and half a year of a
municipality's X account (some 80 posts) fits."""
CLOSE_TIMEOUT = 10.0


@dataclass(frozen=True)
class CaptureRequest:
    """What to capture and within which limits (see the module docstring)."""

    url: str
    profile: SiteProfile
    workdir: Path
    period_start: dt.datetime | None = None
    timezone: str = "Europe/Stockholm"
    locale: str = "sv-SE"
    storage_state: Path | None = None
    allowed_hosts: tuple[str, ...] = ()
    step_timeout: float = 30.0
    total_timeout: float = 240.0
    max_scroll_rounds: int = 300
    viewport_width: int = 1280
    viewport_height: int = 900
    tall_viewport_max: int = TALL_VIEWPORT_MAX
    now: dt.datetime | None = None
    """The capture time relative dates ("3 tim", "igår") are read against; default: the clock."""
    progress: Callable[[str], None] | None = field(default=None, compare=False)


async def capture(browser: Browser, request: CaptureRequest) -> CaptureResult:
    """Capture ``request.url`` in a fresh context of ``browser``; never a fake success."""
    period_start = _validate(request)
    request.workdir.mkdir(parents=True, exist_ok=True)
    return await _Capture(browser, request, period_start).execute()


def _validate(request: CaptureRequest) -> dt.datetime | None:
    """Reject input the engine cannot honour; return period_start as an aware datetime."""
    parts = urlsplit(request.url)
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        raise BadInputError(f"cannot capture {request.url!r}: only http(s) URLs with a host")
    if request.storage_state is not None and not request.storage_state.is_file():
        raise BadInputError(
            f"storage state file {request.storage_state} does not exist; "
            "save a logged-in session to it first"
        )
    if request.step_timeout <= 0 or request.total_timeout <= 0 or request.max_scroll_rounds < 1:
        raise BadInputError("step_timeout, total_timeout and max_scroll_rounds must be positive")
    try:
        zone = ZoneInfo(request.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInputError(f"unknown time zone {request.timezone!r}") from exc
    start = request.period_start
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=zone)
    return start


def _user_agent(browser: Browser) -> str:
    """A normal desktop Chrome UA: some sites serve other pages to "HeadlessChrome"."""
    major = browser.version.split(".")[0]
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Safari/537.36"
    )


class _Capture:
    """State of one capture run; lives only for the duration of ``capture()``."""

    def __init__(self, browser: Browser, request: CaptureRequest, period_start: dt.datetime | None):
        self.browser = browser
        self.req = request
        self.period_start = period_start
        self.log = CaptureLog()
        self.steps = StepRunner(self.log, request.step_timeout, request.progress)
        now = request.now or dt.datetime.now(dt.UTC)
        zone = request.timezone
        self.collector = ItemCollector(lambda raw: dates.resolve(raw, now, zone),
                                       lambda ids: dates.from_post_id(request.profile.name, ids, now))
        self.generic = load_profile(GENERIC) if request.profile.name != GENERIC else None
        allowed = request.allowed_hosts or (host_of(request.url),)
        self.guard = NavigationGuard(tuple(allowed) + request.profile.hosts)
        self.context: BrowserContext | None = None
        self.result = CaptureResult(ok=False, reason=None, log=self.log)

    async def execute(self) -> CaptureResult:
        started = time.monotonic()
        try:
            await asyncio.wait_for(self._run(), self.req.total_timeout)
        except TimeoutError:
            self.steps.record(self.steps.current, started, False, "total timeout")
            self._fail(
                f"timed out in step {self.steps.current} after {seconds(self.req.total_timeout)} s"
            )
        except CaptureFailed as failure:
            # A refused navigation replaces the page with an error page, so the step that
            # was running fails with "execution context was destroyed": the refusal is the cause.
            destroyed = failure.reason.startswith(NAVIGATED_AWAY)
            self._fail((self.guard.reason() if destroyed else None) or failure.reason)
        finally:
            await self._close()
        self.result.items = self.collector.items
        self.log.items_seen = len(self.collector)
        return self.result

    def _fail(self, reason: str) -> None:
        self.result.ok = False
        refused = self.guard.reason() if self.steps.current == "goto" else None
        self.result.reason = refused or reason

    async def _close(self) -> None:
        """Close the context, bounded: a hung renderer must not hang the caller too."""
        if self.context is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.context.close(), CLOSE_TIMEOUT)
            self.context = None

    async def _run(self) -> None:
        page = await self.steps.run("open", self._open)
        network = NetworkWatch(page)
        try:
            await self.steps.run("goto", lambda: self._goto(page, network))
        except CaptureFailed as e:
            waiting = network.pending_hosts()
            if not str(e).startswith("timed out") or not waiting:
                raise
            # A page that does not load names what it waits for: scripts from hosts that
            # never answer hold a document's parsing up, which a person sees as a blank page.
            raise CaptureFailed(f"{e}: the page was still waiting for {waiting}") from e
        # From here on the page is loaded: a main-frame navigation is the page's own doing
        # (a reload or a redirect), and a step it stalls is failed as such, not as a hang.
        def started(request: Request) -> None:
            if request.is_navigation_request() and request.frame == page.main_frame:
                self.steps.navigations += 1

        async def dialog(d: Dialog) -> None:
            # What Playwright does without a listener: let a page leave, dismiss the rest.
            leaving = d.type == "beforeunload"  # a reload or a redirect the page asked for
            self.steps.navigations += leaving
            with contextlib.suppress(Exception):
                await (d.accept() if leaving else d.dismiss())

        page.on("request", started)
        page.on("dialog", dialog)
        profile, generic = self.req.profile, self.generic
        end_texts = tuple(dict.fromkeys(
            profile.end_texts + (generic.end_texts if generic is not None else ())))
        reader = FeedReader(page, profile, self.steps, self.collector, network, end_texts,
                            account_handle(self.req.url))
        # Judged once consent is given: the page under a banner is what a person sees
        # after clicking it, and a wall or interstitial has no consent button to click.
        await self.steps.run(
            "consent", lambda: dismiss_consent(page, profile, generic, self.log, network),
        )
        await self._check_state(page, reader, "detect")
        outcome = await reader.scroll(
            self.period_start, self.req.max_scroll_rounds, self.req.viewport_height
        )
        verdict = await self._check_state(page, reader, "detect")
        await reader.expand_all()
        await self.steps.run("images", lambda: images.load_all(page, self.steps, network))
        await self.steps.run("top", lambda: self._to_top(page, network))
        await self.steps.run("extract", lambda: self._final_read(page, reader, network))
        incomplete = self._incompleteness(outcome, verdict)
        if incomplete is None:
            images.check_requested(self.collector, network, self.period_start, self.log)
        res = self.result
        res.html = await artifacts.write_html(page, self.steps, self.req.workdir)
        res.mhtml = await artifacts.write_mhtml(page, self.steps, self.req.workdir)
        viewport_height = self.log.viewport_grown_to or self.req.viewport_height
        segments: list[Segment] = await artifacts.shoot_segments(
            page, self.steps, self.req.workdir, self.req.viewport_width, viewport_height,
            item_specs=specs_for_page(self.req.profile),
        )
        res.segments = segments
        res.print_pdf = await artifacts.print_pdf(
            page, self.steps, self.req.workdir, self.req.viewport_width
        )
        if incomplete is None:
            await self._media(page)
        # An incomplete feed still gets its files (useful to inspect) but is never ok.
        res.ok = incomplete is None
        res.reason = incomplete

    async def _media(self, page: Page) -> None:
        started = time.monotonic()
        urls = [url for item in self.collector.items for url in item.media]
        fetched = await fetch_media(page.context, self.steps, self.req.workdir, urls)
        self.result.media = fetched.files
        self.log.media_fetched = len(fetched.files)
        self.log.media_problems = fetched.problems
        self.steps.record("media", started, True,
                          f"{len(fetched.files)} fetched, {len(fetched.problems)} not")

    async def _open(self) -> Page:
        """New context with pinned locale, zone, viewport and UA; one guarded page."""
        options: dict[str, object] = {
            "locale": self.req.locale,
            "timezone_id": self.req.timezone,
            "viewport": {"width": self.req.viewport_width, "height": self.req.viewport_height},
            "device_scale_factor": 1,
            "user_agent": _user_agent(self.browser),
            "accept_downloads": False,
            "service_workers": "block",  # a page's own worker would change what it shows
        }
        if self.req.storage_state is not None:
            options["storage_state"] = str(self.req.storage_state)
        self.context = await self.browser.new_context(**options)  # type: ignore[arg-type]
        self.context.set_default_timeout(self.req.step_timeout * 1000)
        page = await self.context.new_page()
        await self.guard.attach(self.context, page)
        # Pop-ups are not part of the account page; close them as they appear.
        self.context.on(
            "page",
            lambda extra: None if extra is page else asyncio.ensure_future(_close_quietly(extra)),
        )
        return page

    async def _goto(self, page: Page, network: NetworkWatch) -> None:
        """Load the page, then give it a short, bounded chance to finish its requests.

        Playwright's "networkidle" waits for 500 ms without traffic; a quarter of that
        is as telling on a loaded page and saves the difference on every capture.
        """
        if not self.guard.allows_page(self.req.url):
            raise CaptureFailed(refusal(self.req.url))
        response = await page.goto(
            self.req.url, wait_until="domcontentloaded", timeout=self.req.step_timeout * 1000
        )
        if self.guard.refused or not self.guard.allows_page(page.url):
            raise CaptureFailed(self.guard.reason() or f"navigation blocked: {page.url}")
        if response is not None and response.status == 429:
            raise CaptureFailed("blocked by platform")
        if response is not None and response.status >= 400:
            raise CaptureFailed(f"HTTP {response.status} from {response.url}")
        idle = min(IDLE_WAIT_MAX, self.req.step_timeout / 2)
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("load", timeout=idle * 1000)
        await network.quiet(quiet_s=0.125, max_s=idle)

    async def _check_state(self, page: Page, reader: FeedReader, name: str) -> PageVerdict:
        """Fail with what the page is when it is not the account's feed (overlays.judge_page)."""
        async def judge() -> PageVerdict:
            await reader.read_items()
            return await judge_page(page, self.req.profile, self.generic, self.log.posts_found)

        verdict = await self.steps.run(name, judge)
        self.log.steps[-1].detail = verdict.detail
        if verdict.reason is not None:
            raise CaptureFailed(verdict.reason)
        return verdict

    async def _to_top(self, page: Page, network: NetworkWatch) -> None:
        await page.evaluate(js.SCROLL_TO_TOP)
        await network.quiet(quiet_s=0.2, max_s=2.0)
        await page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r(null)))")

    async def _final_read(self, page: Page, reader: FeedReader, network: NetworkWatch) -> None:
        """Last item read, followers, title and URL for the log."""
        await reader.read_items()
        await self._show_whole_feed(page, reader, network)
        profile = self.req.profile
        if profile.followers_selector:
            raw = await page.evaluate(
                js.READ_FOLLOWERS,
                {"selector": profile.followers_selector, "attr": profile.followers_attr},
            )
            self.log.followers = parse_count(raw)
        if not self.guard.allows_page(page.url):
            # The page tried to go elsewhere mid-capture; refused, Chromium shows its error
            # page instead, so what is left is not the account's page.
            raise CaptureFailed(self.guard.reason() or refusal(page.url))
        metrics = await page.evaluate(js.PAGE_METRICS)
        self.log.title = str(metrics["title"])
        self.log.final_url = str(metrics["url"])
        self.log.page_height = int(metrics["height"])

    async def _show_whole_feed(self, page: Page, reader: FeedReader, network: NetworkWatch) -> None:
        """Make a virtualised feed keep every post it showed, or fail the capture.

        Items were read while scrolling, but the screenshots and the print are taken of
        the final DOM, which on a virtualised feed (X) holds only the posts near the
        viewport: the records would have empty holes and still look whole. Such feeds
        decide what to keep from the viewport's size, so a viewport as tall as the page
        makes them put every post back. A page taller than ``tall_viewport_max`` fails.
        """
        containers = ", ".join(spec.container for spec in self.req.profile.items if spec.kind == "post")
        seen = len(self.collector.posts("profile"))
        if not containers or not seen:
            return
        present = int(await page.evaluate(js.COUNT_ELEMENTS, containers))
        if present >= seen:
            return
        height = int((await page.evaluate(js.PAGE_METRICS))["height"])
        if height <= self.req.tall_viewport_max:
            await page.set_viewport_size({"width": self.req.viewport_width, "height": height})
            self.log.viewport_grown_to = height
            await self._to_top(page, network)
            await images.load_all(page, self.steps, network)
            await reader.read_items()  # a taller viewport may have loaded a few more posts
            present = int(await page.evaluate(js.COUNT_ELEMENTS, containers))
            if present >= seen:
                return
            why = f"even in a viewport of {height} px"
        else:
            why = f"and at {height} px it is taller than the {self.req.tall_viewport_max} px limit"
        raise CaptureFailed(
            f"virtualised feed: the page keeps {present} of the {seen} posts it showed "
            f"while scrolling {why}, so its full-page record would have holes"
        )

    def _incompleteness(self, outcome: ScrollOutcome, verdict: PageVerdict) -> str | None:
        """Reason the feed is incomplete, or None when the capture covers what was asked.

        The period-start check uses whichever reader found posts; when none did although
        the profile expects posts, the reason says so and names the profile file.
        """
        profile = self.req.profile
        posts = self.log.posts_found
        if outcome.reached_period_start or outcome.end_marker_seen or outcome.end_text:
            return None
        if verdict.login_prompt is not None:
            if posts and not self.log.posts_dated:  # a sign-in page's tiles, not a feed's posts
                return (f"{LOGIN_REQUIRED}: the page asks to log in ({verdict.login_prompt!r}) and shows "
                        f"no dated post ({posts} undated blocks read)")
            return f"{LOGIN_REQUIRED}: {posts} posts visible (the page asks to log in to see more)"
        # A platform profile must prove the period is covered; without one (the generic
        # profile), only posts that carry dates can be held to it.
        needs_proof = (profile.has_items or self.log.posts_dated > 0) and (
            self.period_start is not None or bool(profile.end_marker))
        if outcome.bottom_stable and not needs_proof:
            return None
        why = "scroll limit" if outcome.limit_hit else "feed stopped loading"
        if self.period_start is None:
            return f"incomplete: feed did not reach its end ({why})"
        # The local date: runs passes the boundary as a UTC instant (23:00 the day before).
        target = self.period_start.astimezone(ZoneInfo(self.req.timezone)).date().isoformat()
        if posts == 0 and verdict.loading:
            return (
                f"{JAVASCRIPT_REQUIRED}: the page still shows {verdict.loading!r} where the account's "
                "posts should be (its scripts did not finish drawing the account)"
            )
        if posts == 0:
            return (
                f"no posts found: the page shows content, but neither the {profile.name} "
                f"profile nor the generic reader recognised a post; update {profile.source}"
            )
        if self.log.posts_dated == 0:
            return (
                f"incomplete: {posts} posts found ({self.log.reader} reader) but none with a "
                f"date the readers understand, so whether the feed reaches {target} is "
                f"unknown; update {profile.source}"
            )
        return f"incomplete: feed did not reach {target} ({why})"


async def _close_quietly(page: Page) -> None:
    with contextlib.suppress(Exception):
        await page.close()
