"""Writing the capture's files: DOM HTML, MHTML, verified PNG segments and the print PDF.

Every Playwright call here runs through the StepRunner, so none of them can hang a
capture — in particular ``page.pdf()``, which has no timeout of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.async_api import Page

from archiver.capture import itemboxes
from archiver.capture import page_probes as probes
from archiver.capture import page_scripts as js
from archiver.capture.segments import SegmentPlan, boxes_for_segment, find_blank, plan_segments
from archiver.capture.steps import CaptureFailed, StepRunner
from archiver.pdf.model import Segment, TextBox

HTML_NAME = "page.html"
MHTML_NAME = "page.mhtml"
PDF_NAME = "print.pdf"
A4_WIDTH_IN = 8.27
PDF_MARGIN_IN = 0.4
CSS_PX_PER_IN = 96


async def write_html(page: Page, steps: StepRunner, workdir: Path) -> Path:
    """Serialise the DOM as it is after scrolling and expanding."""
    async def serialise() -> str:
        await page.evaluate(js.REMOVE_MARKS)
        return await page.content()

    html = await steps.run("html", serialise)
    path = workdir / HTML_NAME
    path.write_text(html, encoding="utf-8")
    return path


async def write_mhtml(page: Page, steps: StepRunner, workdir: Path) -> Path | None:
    """Save an MHTML snapshot via CDP; optional, so a failure is logged, not fatal."""

    async def snapshot() -> str:
        session = await page.context.new_cdp_session(page)
        try:
            reply = await session.send("Page.captureSnapshot", {"format": "mhtml"})
        finally:
            with contextlib.suppress(Exception):
                await session.detach()
        return str(reply["data"])

    try:
        data = await steps.run("mhtml", snapshot)
    except CaptureFailed as failure:
        if failure.reason.startswith("timed out"):
            raise  # the page is hanging: later steps would hang as well
        return None
    path = workdir / MHTML_NAME
    path.write_bytes(data.encode("utf-8"))
    return path


async def shoot_segments(
    page: Page, steps: StepRunner, workdir: Path, width: int, viewport_height: int,
    item_specs: list[dict[str, Any]] | None = None,
) -> list[Segment]:
    """Screenshot the page in slices, attach each slice's text boxes and check it is drawn.

    Text boxes (and, given ``item_specs``, the items' boxes: `archiver.capture.itemboxes`)
    are measured once with the page scrolled to the top, where document and client
    coordinates agree, so fixed headers land where the screenshot draws them.
    """
    metrics: dict[str, Any] = await steps.run("measure", lambda: page.evaluate(js.PAGE_METRICS))
    steps.log.page_height = int(metrics["height"])
    boxes = await steps.run("text boxes", lambda: js.evaluate_json(page, js.TEXT_BOXES))
    if item_specs:
        await itemboxes.measure(page, steps, item_specs, workdir)
    plans = plan_segments(int(metrics["height"]))
    started = time.monotonic()
    segments: list[Segment] = []
    # Each slice is decoded and checked in a thread while Chromium shoots the next one.
    pending: tuple[asyncio.Task[tuple[tuple[int, int], tuple[int, int] | None]], SegmentPlan, Path,
                   tuple[TextBox, ...]] | None = None
    for plan in plans:
        path = workdir / f"segment-{plan.index + 1:03d}.png"
        clip = {"x": 0, "y": plan.top, "width": width, "height": plan.height}
        await steps.run(
            "screenshot",
            lambda p=path, c=clip: page.screenshot(  # type: ignore[misc]
                path=p, full_page=True, clip=c, animations="disabled", caret="hide",
                timeout=steps.step_timeout * 1000,
            ),
            label=f"screenshot {plan.index + 1}/{len(plans)}",
            record=False,
        )
        text_boxes = boxes_for_segment(boxes, plan.top, plan.height)
        task = asyncio.ensure_future(asyncio.to_thread(inspect_segment, path, text_boxes))
        if pending is not None:
            segments.append(await _verified(page, steps, clip_of(pending[1], width), *pending,
                                            len(plans), viewport_height))
        pending = (task, plan, path, text_boxes)
    if pending is not None:
        segments.append(await _verified(page, steps, clip_of(pending[1], width), *pending,
                                        len(plans), viewport_height))
    steps.record("screenshots", started, True, f"{len(segments)} segments")
    return segments


def clip_of(plan: SegmentPlan, width: int) -> dict[str, int]:
    return {"x": 0, "y": plan.top, "width": width, "height": plan.height}


async def _verified(
    page: Page,
    steps: StepRunner,
    clip: dict[str, int],
    task: asyncio.Task[tuple[tuple[int, int], tuple[int, int] | None]],
    plan: SegmentPlan,
    path: Path,
    text_boxes: tuple[TextBox, ...],
    count: int,
    viewport_height: int,
) -> Segment:
    """Wait for a slice's check and judge a blank band by the DOM.

    Nothing drawn there (a genuinely white band): the slice is kept and the band logged.
    Something drawn but the raster is blank (Chromium's silent failure): shot once more,
    and if still blank the capture fails. A flat last slice shorter than the viewport
    with no text is page padding.
    """
    size, blank = await task
    padding = plan.index == count - 1 and count > 1 and not text_boxes
    flat = blank == (0, size[1])
    if blank is None or (padding and plan.height < viewport_height):
        return Segment(path, plan.top, size[0], size[1], text_boxes, flat)
    top, bottom = plan.top + blank[0], plan.top + blank[1]
    drawn = await steps.run("blank band", lambda: page.evaluate(
        probes.DRAWN_IN_BAND, {"top": top, "bottom": bottom}))
    if drawn is None:
        steps.log.blank_bands.append(
            f"segment {plan.index + 1}: y={top}–{bottom} blank, nothing is drawn there")
        return Segment(path, plan.top, size[0], size[1], text_boxes, flat)
    steps.log.reshots += 1
    await steps.run("screenshot", lambda: page.screenshot(
        path=path, full_page=True, clip=clip, animations="disabled", caret="hide",  # type: ignore[arg-type]
        timeout=steps.step_timeout * 1000), label=f"re-shoot {plan.index + 1}", record=False)
    size, blank = await asyncio.to_thread(inspect_segment, path, text_boxes)
    if blank is not None:
        raise CaptureFailed(
            f"blank segment {plan.index + 1} at y={plan.top + blank[0]}: the page draws "
            f"{drawn} there but the screenshot stayed blank when shot again")
    return Segment(path, plan.top, size[0], size[1], text_boxes)


def inspect_segment(path: Path, boxes: tuple[TextBox, ...]) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """Decode a segment and look for blank regions (in a thread: it is CPU work)."""
    with Image.open(path) as image:
        image.load()
        return image.size, find_blank(image, boxes)


async def print_pdf(page: Page, steps: StepRunner, workdir: Path, width: int) -> Path:
    """Chromium's own print of the page: tagged, with backgrounds, in the screen layout.

    Fixed and sticky elements are made static first (otherwise the header repeats on
    every page), and the page is scaled so A4 lays it out at the viewport width the
    screenshots used instead of reflowing it into a narrow print layout.
    """
    path = workdir / PDF_NAME
    printable_px = (A4_WIDTH_IN - 2 * PDF_MARGIN_IN) * CSS_PX_PER_IN
    scale = max(0.1, min(1.0, printable_px / max(width, 1)))
    margin = f"{PDF_MARGIN_IN}in"

    async def make() -> None:
        # The visual record keeps the background images the print drops.
        await page.add_style_tag(content=js.PRINT_CSS)
        await page.evaluate(js.UNSTICK_FOR_PRINT)
        await page.emulate_media(media="screen")
        await page.pdf(
            path=path, format="A4", print_background=True, tagged=True, outline=True,
            scale=scale, margin={"top": margin, "bottom": margin, "left": margin, "right": margin},
        )

    await steps.run("print pdf", make)
    return path
