"""Every image of the captured posts loaded and decoded before the page is shot.

Platforms load images lazily (``loading=lazy``, ``data-src`` filled in by an
IntersectionObserver), so an image a capture scrolled past too quickly is a grey box in
the visual record and missing from the item. Before the segments are shot, lazy loading
is lifted, ``data-src``-style attributes are resolved, images still missing are scrolled
into view, and decoding is awaited. Afterwards each image of an in-period post is
accounted for: served (fine), not served by the platform (an error status, a time-out:
named in the capture log and the item), or never requested, which is this engine's
failure and fails the capture.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.async_api import Page

from archiver.capture import page_probes as probes
from archiver.capture.items import ItemCollector
from archiver.capture.model import CaptureLog
from archiver.capture.network import NetworkWatch
from archiver.capture.steps import CaptureFailed, StepRunner

IMAGE_WAIT_MAX = 10.0
"""Longest wait for images to decode, per pass (two passes)."""
MAX_VISITS = 300
"""Scroll positions visited to bring observer-loaded images into view."""

TIMED_OUT = "time-out: requested but not answered before the segments were shot"


async def load_all(page: Page, steps: StepRunner, network: NetworkWatch) -> None:
    """Lift lazy loading, visit what is still missing, await decoding; log the count."""
    wait_ms = int(min(IMAGE_WAIT_MAX, steps.step_timeout / 3) * 1000)
    await page.evaluate(probes.LIFT_LAZY_IMAGES)
    state: dict[str, Any] = await page.evaluate(probes.IMAGES_DECODED, wait_ms)
    if state["missing"]:
        # Images only a scroll brings in (an observer with no data-src to lift).
        positions: list[float] = await page.evaluate(probes.IMAGE_POSITIONS)
        last = -1e9
        visits = 0
        size = page.viewport_size or {"height": 900}
        for y in positions:
            if y - last < size["height"] / 2 or visits >= MAX_VISITS:
                continue
            last = y
            visits += 1
            await page.evaluate(
                "async (y) => { window.scrollTo(0, y);"
                " await new Promise((r) => requestAnimationFrame(() => r(null))); }", y)
        await page.evaluate(probes.LIFT_LAZY_IMAGES)
        await network.quiet(quiet_s=0.1, max_s=wait_ms / 1000)
        state = await page.evaluate(probes.IMAGES_DECODED, wait_ms)
    steps.log.images_decoded = int(state["total"]) - len(state["missing"])
    if state["missing"]:
        steps.report(f"images: {len(state['missing'])} of {state['total']} not drawn")


def check_requested(collector: ItemCollector, network: NetworkWatch,
                    period_start: dt.datetime | None, log: CaptureLog) -> None:
    """Account for every image of the period's posts; fail on one never requested."""
    in_period = {
        item.platform_id for item in collector.posts()
        if period_start is None or item.created is None or item.created >= period_start
    }
    problems: dict[str, str] = {}
    never: list[str] = []
    for item in collector.items:
        owner = item.platform_id if item.kind == "post" else item.parent_id
        if item.kind == "post" and owner not in in_period:
            continue
        for url in item.media:
            status = network.images.get(url)
            if status == "ok":
                continue
            if status is None:
                if item.kind == "post":
                    never.append(f"{url} (post {item.platform_id})")
                continue
            problems[url] = TIMED_OUT if status == "requested" else f"not served ({status})"
    collector.note_media_problems(problems)
    log.images_not_served = [f"{url}: {why}" for url, why in problems.items()]
    if never:
        more = f" and {len(never) - 1} more" if len(never) > 1 else ""
        raise CaptureFailed(
            f"image never requested: {never[0]}{more}; the capture did not load it "
            "before shooting the page"
        )
