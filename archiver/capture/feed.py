"""Scrolling a feed back in time and opening its collapsed comment threads.

Items are read every round because feeds drop old posts from the DOM; the profile's
reader runs first and, while it has found no post, the generic reader
(``page_probes.GENERIC_POSTS``) too. The scroll stops on the first of: a post older
than the period start at the bottom of what has loaded (a pinned post above the newest
does not count), the profile's end-of-feed marker or a generic end text, a page height
that stopped growing, or the round limit. Which one it was decides whether the
capture is complete.

At the bottom the feed is driven as a person's wheel drives it: a wheel event and a
scroll position that moves (loaders listen for both, and for sentinels coming into
view), then the wait lasts as long as the requests that move started are in flight,
bounded by the step limit, instead of a fixed quiet time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Page

from archiver.capture import page_probes as probes
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
PATIENCE_SHARE = 0.8
"""Share of the step limit a round may wait for the feed's own requests at the bottom."""


@dataclass
class ScrollOutcome:
    """Why the scrolling stopped."""

    rounds: int = 0
    reached_period_start: bool = False
    end_marker_seen: bool = False
    bottom_stable: bool = False
    limit_hit: bool = False
    end_text: str | None = None


class FeedReader:
    """Reads items, expanders and end markers from one page for one profile."""

    def __init__(
        self,
        page: Page,
        profile: SiteProfile,
        steps: StepRunner,
        collector: ItemCollector,
        network: NetworkWatch,
        end_texts: tuple[str, ...] = (),
        account: str = "",
    ) -> None:
        self.page = page
        self.account = account
        """The account's handle (items.account_handle): whose posts mark how far the feed is."""
        self.end_texts = list(end_texts)
        self._mouse_placed = False
        self._tallest = 0  # the tallest the page has been at the bottom of a round
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

    @property
    def generic(self) -> bool:
        """Whether the generic reader runs: only while the profile's has found no post."""
        return not self.collector.posts("profile")

    async def read_items(self) -> int:
        """Merge the items now in the DOM; return how many were new."""
        new = 0
        if self._specs:
            raw: list[dict[str, Any]] = await js.evaluate_json(self.page, js.EXTRACT_ITEMS, self._specs)
            new += self._merge(raw)
        if self.generic:
            found: dict[str, Any] = await js.evaluate_json(self.page, probes.GENERIC_POSTS, {})
            new += self._merge(found["posts"])
        return new

    def _merge(self, raw: list[dict[str, Any]]) -> int:
        new = self.collector.add_raw(raw)
        self.log.items_seen = len(self.collector)
        posts = self.collector.posts("profile") or self.collector.posts("generic")
        self.log.reader = posts[0].reader if posts else ""
        self.log.posts_found = len(posts)
        self.log.posts_dated = sum(1 for post in posts if post.created is not None)
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
        clicked_before = self.log.expanders_clicked
        stable = 0
        for round_no in range(1, max_rounds + 1):
            outcome.rounds = round_no
            self.log.scroll_rounds = round_no
            known = len(self.collector)
            grew = await self.steps.run(
                "scroll",
                lambda: self._round(viewport_height),
                label=f"scroll {round_no}",
                record=False,
            )
            last = self.collector.last_dated_post(self.account)
            if period_start is not None and last is not None and last.created is not None \
                    and last.created < period_start:
                outcome.reached_period_start = True
            if self.log.end_marker_seen:
                outcome.end_marker_seen = True
            outcome.end_text = self.log.end_text_seen
            if outcome.reached_period_start or outcome.end_marker_seen or outcome.end_text:
                break
            # Items first read this round arrived during the last wait: the feed grew then,
            # though by less than a loading spinner it replaced.
            stable = 0 if grew is not False or len(self.collector) > known else stable + 1
            if stable >= self.profile.stable_rounds:
                outcome.bottom_stable = True
                break
        else:
            outcome.limit_hit = True
        self.log.reached_period_start = outcome.reached_period_start
        detail = (
            "period start reached" if outcome.reached_period_start
            else "end marker" if outcome.end_marker_seen
            else f"end text {outcome.end_text!r}" if outcome.end_text
            else "height stable" if outcome.bottom_stable
            else "round limit"
        )
        reader = f"reader {self.log.reader or 'none'}: {self.log.posts_found} posts, {self.log.posts_dated} dated"
        clicked = self.log.expanders_clicked - clicked_before
        self.steps.record("scroll", started, True, f"{outcome.rounds} rounds, {detail}; {reader}; "
                                                   f"{clicked} expanders clicked while scrolling")
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
        began = time.monotonic()
        step = int(viewport_height * SCROLL_STEP)
        before = await js.evaluate_json(self.page, probes.ROUND, {
            "specs": self._specs,
            "expanders": self._expanders if any(self._expanders.values()) else None,
            "endMarker": self.profile.end_marker or None,
            "step": step,
            "generic": self.generic,
            "endTexts": self.end_texts,
        })
        self._merge(before["items"])
        self.log.expanders_clicked += len(before["clicked"])
        if before["end"] or before["endText"]:
            if before["end"]:
                self.log.end_marker_seen = True
            else:
                self.log.end_text_seen = str(before["endText"])
            await self.read_items()  # what the last clicks revealed
            return True
        if not before["atBottom"]:
            return None
        return await self._wait_at_bottom(int(before["height"]), step, began)

    async def _wait_at_bottom(self, height: int, step: int, began: float) -> bool:
        """Drive the loader and wait for its answer; True when the page grew.

        The patience counts from the round's start (*began*), not from here, so a slow
        read on a busy machine eats into the waiting instead of pushing the round past
        its step limit.
        """
        mark = time.monotonic()
        # Taller than the page has ever been is growth; a loading spinner that shows for
        # each failed retry makes the page taller only by itself, again and again.
        tallest = max(height, self._tallest)
        await self._wheel(step)
        patience_s = self.steps.step_timeout * PATIENCE_SHARE
        patience = began + patience_s
        # Requests the last scroll rounds started count too (a loader asks before the
        # bottom); one older than the patience is a poll or a hang, not the feed's answer.
        since = mark - patience_s
        settle = self.profile.settle_ms / 1000
        quiet_until = mark + settle
        nudged_again = False
        while True:
            await asyncio.sleep(POLL_MS / 1000)
            now = await self.page.evaluate(js.PAGE_METRICS)
            if now["height"] > tallest:
                self._tallest = int(now["height"])
                await self.page.evaluate(js.SCROLL_BY, step)
                return True
            clock = time.monotonic()
            if clock >= patience:
                return False
            if self.network.feed_pending(since):
                quiet_until = clock + settle  # the feed is still answering
                continue
            if not nudged_again and clock >= mark + settle / 2 and self.network.feed_last_start < mark:
                nudged_again = True  # nothing asked yet: a loader may want a second move
                await self._wheel(step)
            if clock >= quiet_until:
                return False

    async def _wheel(self, step: int) -> None:
        """A real wheel event over the page, then a scroll position change at the bottom."""
        if not self._mouse_placed:
            size = self.page.viewport_size or {"width": 800, "height": 600}
            await self.page.mouse.move(size["width"] / 2, size["height"] / 2)
            self._mouse_placed = True
        await self.page.mouse.wheel(0, step)
        await self.page.evaluate(probes.NUDGE, step)

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
        # Most expanders are clicked while scrolling (the scroll step counts those); this pass
        # clicks what is left, and says the total so the log agrees with its top level.
        self.steps.record("expand", started, True, f"{total} more expanders clicked after scrolling; "
                                                   f"{self.log.expanders_clicked} in all")
        return total

    async def _settle(self) -> None:
        """Wait briefly for content loaded by clicks; a page that keeps polling gets 2 s."""
        await asyncio.sleep(0.1)
        await self.network.quiet(quiet_s=0.25, max_s=2.0)
