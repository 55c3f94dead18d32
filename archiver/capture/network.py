"""What the captured page may load, and whether its network has gone quiet.

A capture must stay on the account's own site: a redirect or script that navigates to
another host, or to file:/data: URLs, is aborted and remembered so the failure reason
can say why. Sub-resources (images from a CDN) may come from any http(s) host.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from playwright.async_api import Page, Request, Route

WEB_SCHEMES = ("http", "https")


def host_of(url: str) -> str:
    """Lower-case host of a URL ("" if it has none)."""
    return (urlsplit(url).hostname or "").lower()


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Exact host or a subdomain of an allowed entry ("facebook.com" allows "m.facebook.com")."""
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in allowed)


class NavigationGuard:
    """Route handler that aborts navigations off the allow-list and non-web schemes.

    Only the top-level document is held to the host allow-list; frames are treated like
    sub-resources (any http(s) host) because consent banners and embeds live in them.
    """

    def __init__(self, allowed_hosts: tuple[str, ...]) -> None:
        self.allowed = tuple(h.lower().rstrip(".") for h in allowed_hosts if h)
        self.refused: list[str] = []

    async def handle(self, route: Route, request: Request) -> None:
        """Abort what is not allowed; let everything else through unchanged."""
        url = request.url
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("data", "blob"):
            await route.continue_()
            return
        web = scheme in WEB_SCHEMES
        if request.is_navigation_request() and _is_main_frame(request):
            if not web or not host_allowed(host_of(url), self.allowed):
                self.refused.append(url)
                await route.abort("blockedbyclient")
                return
        elif not web:
            await route.abort("blockedbyclient")
            return
        await route.continue_()

    def observe(self, request: Request) -> None:
        """Record redirect hops off the allow-list: route handlers never see redirects,
        so these cannot be aborted, only noticed (and the capture failed)."""
        if request.redirected_from is None or not request.is_navigation_request():
            return
        url = request.url
        web = urlsplit(url).scheme.lower() in WEB_SCHEMES
        if _is_main_frame(request) and (not web or not host_allowed(host_of(url), self.allowed)):
            self.refused.append(url)

    def allows_page(self, url: str) -> bool:
        """Whether a loaded top-level document URL is on the allow-list."""
        web = urlsplit(url).scheme.lower() in WEB_SCHEMES
        return web and host_allowed(host_of(url), self.allowed)

    def reason(self) -> str | None:
        """Why navigation failed, if this guard caused it."""
        if not self.refused:
            return None
        url = self.refused[0]
        scheme = urlsplit(url).scheme.lower()
        if scheme not in WEB_SCHEMES:
            return f"navigation blocked: {scheme}: URLs are not allowed"
        return f"navigation blocked: host {host_of(url)} is not allowed"


class NetworkWatch:
    """Counts requests in flight so the engine can wait for a click's content to arrive."""

    def __init__(self, page: Page) -> None:
        self._inflight: set[Request] = set()
        self._last_change = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        self._inflight.add(request)
        self._last_change = time.monotonic()

    def _ended(self, request: Request) -> None:
        self._inflight.discard(request)
        self._last_change = time.monotonic()

    async def quiet(self, quiet_s: float = 0.3, max_s: float = 3.0) -> bool:
        """Wait until nothing has been in flight for ``quiet_s``; give up after ``max_s``."""
        deadline = time.monotonic() + max_s
        while time.monotonic() < deadline:
            if not self._inflight and time.monotonic() - self._last_change >= quiet_s:
                return True
            await asyncio.sleep(0.05)
        return False


def _is_main_frame(request: Request) -> bool:
    """Whether a navigation request loads the top-level document."""
    try:
        return request.frame.parent_frame is None
    except Exception:  # noqa: BLE001 - requests without a frame (workers) are not navigations
        return False
