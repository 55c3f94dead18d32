"""What the captured page may load, and whether its network has gone quiet.

A capture must stay on the account's own site: a redirect or script that navigates the
page to another host, or to a non-web URL, is refused before the request is sent and
remembered so the failure reason can say why. Only document requests are intercepted
(CDP's Fetch domain with a Document pattern, which also pauses every redirect hop;
Playwright's routes see neither redirects nor only documents). Sub-resources (images
from a CDN) may come from any http(s) host and pass untouched, at no cost per request;
Chromium itself refuses file: sub-resources on a web page. Frames are held only to web
schemes, because consent banners and embeds live in them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, CDPSession, Page, Request

WEB_SCHEMES = ("http", "https")

DOCUMENTS = {"urlPattern": "*", "resourceType": "Document", "requestStage": "Request"}


def host_of(url: str) -> str:
    """Lower-case host of a URL ("" if it has none)."""
    return (urlsplit(url).hostname or "").lower()


def is_web(url: str) -> bool:
    """Whether the URL is http(s), the only schemes a capture loads or fetches."""
    return urlsplit(url).scheme.lower() in WEB_SCHEMES


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Exact host or a subdomain of an allowed entry ("facebook.com" allows "m.facebook.com")."""
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in allowed)


class NavigationGuard:
    """Refuses top-level documents off the allow-list and documents with non-web schemes."""

    def __init__(self, allowed_hosts: tuple[str, ...]) -> None:
        self.allowed = tuple(h.lower().rstrip(".") for h in allowed_hosts if h)
        self.refused: list[str] = []
        self._decisions: set[asyncio.Task[None]] = set()

    async def attach(self, context: BrowserContext, page: Page) -> None:
        """Pause every document request of *page* for a decision; call before navigating."""
        session = await context.new_cdp_session(page)
        tree = await session.send("Page.getFrameTree")
        main_frame = tree["frameTree"]["frame"]["id"]

        def paused(event: dict[str, Any]) -> None:
            task = asyncio.ensure_future(self._decide(session, event, main_frame))
            self._decisions.add(task)  # the loop keeps only weak references to tasks
            task.add_done_callback(self._decisions.discard)

        session.on("Fetch.requestPaused", paused)
        await session.send("Fetch.enable", {"patterns": [DOCUMENTS]})

    async def _decide(self, session: CDPSession, event: dict[str, Any], main_frame: str) -> None:
        url = event["request"]["url"]
        main = event.get("frameId") == main_frame
        refuse = not is_web(url) or (main and not host_allowed(host_of(url), self.allowed))
        if refuse:
            self.refused.append(url)
        with contextlib.suppress(Exception):  # the page may be closing; nothing waits then
            if refuse:
                await session.send("Fetch.failRequest", {"requestId": event["requestId"],
                                                         "errorReason": "BlockedByClient"})
            else:
                await session.send("Fetch.continueRequest", {"requestId": event["requestId"]})

    def allows_page(self, url: str) -> bool:
        """Whether a top-level document URL is on the allow-list."""
        return is_web(url) and host_allowed(host_of(url), self.allowed)

    def reason(self) -> str | None:
        """Why navigation failed, if this guard caused it."""
        if not self.refused:
            return None
        return refusal(self.refused[0])


def refusal(url: str) -> str:
    """The failure reason for a document the allow-list refuses."""
    if not is_web(url):
        return f"navigation blocked: {urlsplit(url).scheme.lower()}: URLs are not allowed"
    return f"navigation blocked: host {host_of(url)} is not allowed"


class NetworkWatch:
    """Counts requests in flight and remembers what became of every image request.

    The feed's own loads (fetch/XHR) are told apart so scrolling can wait for the
    requests its last move started, rather than a fixed quiet time; image outcomes let
    the capture name an image the platform did not serve, and tell it from one that was
    never asked for.
    """

    FEED_TYPES = ("fetch", "xhr")

    def __init__(self, page: Page) -> None:
        self._inflight: set[Request] = set()
        self._feed: dict[Request, float] = {}
        self._last_change = time.monotonic()
        self.feed_last_start = 0.0
        """When the last fetch/XHR request started (monotonic)."""
        self.images: dict[str, str] = {}
        """Image URL → "requested" | "ok" | "HTTP <status>" | "failed: <error>"."""
        page.on("request", self._started)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)

    def _started(self, request: Request) -> None:
        self._inflight.add(request)
        self._last_change = time.monotonic()
        kind = request.resource_type
        if kind in self.FEED_TYPES:
            self._feed[request] = self._last_change
            self.feed_last_start = self._last_change
        elif kind == "image" and self.images.get(request.url) != "ok":
            self.images[request.url] = "requested"

    def _ended(self, request: Request) -> None:
        self._inflight.discard(request)
        self._feed.pop(request, None)
        self._last_change = time.monotonic()

    def _finished(self, request: Request) -> None:
        self._ended(request)
        if request.resource_type == "image":
            # The response came with the request's "finished" event: reading it here costs
            # no round trip to the driver, as request.response() would, once per image.
            response = request.existing_response
            status = response.status if response is not None else 0
            outcome = "ok" if 200 <= status < 400 else f"HTTP {status}"
            if self.images.get(request.url) != "ok":
                self.images[request.url] = outcome

    def _failed(self, request: Request) -> None:
        self._ended(request)
        if request.resource_type == "image" and self.images.get(request.url) != "ok":
            self.images[request.url] = f"failed: {request.failure or 'no response'}"

    def pending_hosts(self, most: int = 3) -> str:
        """The requests in flight, for a reason: "1 request, to a.se", "12 requests, to a.se
        (9), b.net (3)"; "" when none is."""
        hosts = Counter(host_of(request.url) or "?" for request in self._inflight)
        total = sum(hosts.values())
        if not total:
            return ""
        named = ", ".join(host if count == 1 else f"{host} ({count})" for host, count in hosts.most_common(most))
        more = f" and {len(hosts) - most} more hosts" if len(hosts) > most else ""
        return f"{total} request{'s' if total != 1 else ''}, to {named}{more}"

    def feed_pending(self, since: float) -> int:
        """Fetch/XHR requests started at or after ``since`` (monotonic) still in flight."""
        return sum(1 for started in self._feed.values() if started >= since)

    async def quiet(self, quiet_s: float = 0.3, max_s: float = 3.0) -> bool:
        """Wait until nothing has been in flight for ``quiet_s``; give up after ``max_s``."""
        deadline = time.monotonic() + max_s
        while time.monotonic() < deadline:
            if not self._inflight and time.monotonic() - self._last_change >= quiet_s:
                return True
            await asyncio.sleep(0.05)
        return False
