"""Scrolling a feed back in time and opening its collapsed comment threads.

Items are read every round because feeds drop old posts from the DOM; the scroll
stops on the first of: a post older than the period start, the profile's end-of-feed
marker, a page height that stopped growing, or the round limit. Which one it was
decides whether the capture is complete.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Page

from archiver.capture import page_scripts as js
from archiver.capture.items import ItemCollector, specs_for_page
from archiver.capture.model import CaptureLog
from archiver.capture.network import NetworkWatch
from archiver.capture.site import SiteProfile
from archiver.capture.steps import StepRunner

SCROLL_STEP = 0.85
"""Fraction of the viewport scrolled per round: overlap keeps virtualised posts from
being skipped between two reads."""

POLL_MS = 100


@dataclass
class ScrollOutcome:
    """Why the scrolling stopped."""

    rounds: int = 0
    reached_period_start: bool = False
    end_marker_seen: bool = False
    bottom_stable: bool = False
    limit_hit: bool = False


class FeedReader:
    """Reads items, expanders and end markers from one page for one profile."""

    def __init__(
        self,
        page: Page,
        profile: SiteProfile,
        steps: StepRunner,
        collector: ItemCollector,
        network: NetworkWatch,
    ) -> None:
        self.page = page
        self.network = network
        self.profile = profile
        self.steps = steps
        self.collector = collector
        self._specs = specs_for_page(profile)
        self._expanders = {
            "selectors": list(profile.expand_selectors),
            "texts": list(profile.expand_texts),
            "patterns": list(profile.expand_patterns),
        }

    @property
    def log(self) -> CaptureLog:
        return self.steps.log

    async def read_items(self) -> int:
        """Merge the items now in the DOM; return how many were new."""
        if not self._specs:
            return 0
        raw: list[dict[str, Any]] = await self.page.evaluate(js.EXTRACT_ITEMS, self._specs)
        return self._merge(raw)

    def _merge(self, raw: list[dict[str, Any]]) -> int:
        new = self.collector.add_raw(raw)
        self.log.items_seen = len(self.collector)
        return new

    async def click_expanders(self) -> int:
        """Click every visible expander once; return how many were clicked."""
        if not any(self._expanders.values()):
            return 0
        clicked: list[str] = await self.page.evaluate(js.CLICK_EXPANDERS, self._expanders)
        self.log.expanders_clicked += len(clicked)
        return len(clicked)

    async def scroll(
        self, period_start: dt.datetime | None, max_rounds: int, viewport_height: int
    ) -> ScrollOutcome:
        """Scroll down round by round until a stop condition; every round is time-bounded."""
        outcome = ScrollOutcome()
        started = time.monotonic()
        stable = 0
        for round_no in range(1, max_rounds + 1):
            outcome.rounds = round_no
            self.log.scroll_rounds = round_no
            grew = await self.steps.run(
                "scroll",
                lambda: self._round(viewport_height),
                label=f"scroll {round_no}",
                record=False,
            )
            oldest = self.collector.oldest_post()
            if period_start is not None and oldest is not None and oldest < period_start:
                outcome.reached_period_start = True
            if self.log.end_marker_seen:
                outcome.end_marker_seen = True
            if outcome.reached_period_start or outcome.end_marker_seen:
                break
            stable = 0 if grew is not False else stable + 1
            if stable >= self.profile.stable_rounds:
                outcome.bottom_stable = True
                break
        else:
            outcome.limit_hit = True
        self.log.reached_period_start = outcome.reached_period_start
        detail = (
            "period start reached" if outcome.reached_period_start
            else "end marker" if outcome.end_marker_seen
            else "height stable" if outcome.bottom_stable
            else "round limit"
        )
        self.steps.record("scroll", started, True, f"{outcome.rounds} rounds, {detail}")
        return outcome

    async def _round(self, viewport_height: int) -> bool | None:
        """One round: read, expand, check the end, scroll on.

        Returns None while not at the bottom, else whether the page grew while waiting
        there (False counts towards "height stable").
        """
        # Read, expand, check the end and scroll in one round trip: a 200-post feed
        # takes some 140 rounds, and each separate call cost a few milliseconds. The end
        # marker counts once it is in or above the viewport; being in the DOM is not
        # enough, as a virtualised feed appends its last posts and the marker together
        # but keeps the posts out of the DOM until the viewport nears them.
        step = int(viewport_height * SCROLL_STEP)
        before = await self.page.evaluate(js.SCROLL_ROUND, {
            "specs": self._specs,
            "expanders": self._expanders if any(self._expanders.values()) else None,
            "endMarker": self.profile.end_marker or None,
            "step": step,
        })
        self._merge(before["items"])
        self.log.expanders_clicked += len(before["clicked"])
        if before["end"]:
            self.log.end_marker_seen = True
            await self.read_items()  # what the last clicks revealed
            return True
        if not before["atBottom"]:
            return None
        # At the bottom: give infinite scroll time to append the next batch.
        deadline = time.monotonic() + self.profile.settle_ms / 1000
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_MS / 1000)
            now = await self.page.evaluate(js.PAGE_METRICS)
            if now["height"] > before["height"]:
                await self.page.evaluate(js.SCROLL_BY, step)
                return True
        return False

    async def expand_all(self) -> int:
        """Click expanders until none are left (bounded by the profile's round limit)."""
        started = time.monotonic()
        total = 0
        for round_no in range(1, self.profile.expand_max_rounds + 1):
            clicked = await self.steps.run(
                "expand", self.click_expanders, label=f"expand {round_no}", record=False
            )
            if not clicked:
                break
            total += clicked
            await self.steps.run("expand", self._settle, label=f"expand {round_no}", record=False)
            await self.steps.run("expand", self.read_items, record=False)
        self.steps.record("expand", started, True, f"{total} expanders clicked")
        return total

    async def _settle(self) -> None:
        """Wait briefly for content loaded by clicks; a page that keeps polling gets 2 s."""
        await asyncio.sleep(0.1)
        await self.network.quiet(quiet_s=0.25, max_s=2.0)
