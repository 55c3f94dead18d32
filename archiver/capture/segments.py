"""Full-page screenshots in verified slices, each carrying the DOM text drawn on it.

Chromium silently returns blank regions for tall full-page screenshots (capture.md
§4.2), so the page is shot in slices of at most SEGMENT_MAX_PX and every slice is
checked: an image of one colour, or a band where the DOM says text is drawn but the
image is flat, fails the capture instead of archiving an empty picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from archiver.capture.model import SEGMENT_MAX_PX
from archiver.pdf.model import TextBox

FLAT_TOLERANCE = 3
"""Channel range (0–255) at or below which a region counts as one colour."""

BAND_PX = 1000
"""Height of the bands checked for text that the DOM places there but the image lacks."""

MIN_TEXT_AREA = 400.0
"""Text area (px²) a band needs before an empty band counts as a rendering failure."""


@dataclass(frozen=True)
class SegmentPlan:
    """Where one slice starts and how tall it is, in CSS pixels from the top of the page."""

    index: int
    top: int
    height: int


def plan_segments(page_height: int, max_px: int = SEGMENT_MAX_PX) -> list[SegmentPlan]:
    """Cut the page into slices of at most ``max_px``; a zero-height page still gets one."""
    height = max(1, page_height)
    plans: list[SegmentPlan] = []
    top = 0
    while top < height:
        plans.append(SegmentPlan(len(plans), top, min(max_px, height - top)))
        top += max_px
    return plans


def boxes_for_segment(
    boxes: Iterable[Sequence[object]], top: int, height: int
) -> tuple[TextBox, ...]:
    """Pick the text boxes whose vertical centre lies in the slice; make them slice-relative."""
    picked = []
    for x, y, w, h, text, font_size in boxes:
        centre = float(y) + float(h) / 2  # type: ignore[arg-type]
        if top <= centre < top + height:
            picked.append(
                TextBox(
                    x=round(float(x), 2),  # type: ignore[arg-type]
                    y=round(float(y) - top, 2),  # type: ignore[arg-type]
                    w=round(float(w), 2),  # type: ignore[arg-type]
                    h=round(float(h), 2),  # type: ignore[arg-type]
                    text=str(text),
                    font_size=float(font_size),  # type: ignore[arg-type]
                )
            )
    return tuple(picked)


PROBE_STEP_PX = 50
"""Distance between the single rows read before a region's full check (see _flat)."""


def _flat(image: Image.Image, top: int = 0, bottom: int | None = None,
          rows: Iterable[int] = ()) -> bool:
    """Whether every channel of the image's rows top..bottom stays within FLAT_TOLERANCE.

    A few single rows (every PROBE_STEP_PX and *rows*, the text boxes' middles) are read
    first: a drawn region shows its range there, so only a region that looks flat in
    them, blank or nearly so, pays for reading all its pixels. The answer is the full
    check's: a range found in some rows is a range of the region.
    """
    bottom = image.height if bottom is None else bottom
    probes = sorted({*range(top, bottom, PROBE_STEP_PX), *(y for y in rows if top <= y < bottom)})
    low: list[float] = []
    high: list[float] = []
    for y in probes:
        for band, (lo, hi) in enumerate(_extrema(image.crop((0, y, image.width, y + 1)))):
            if band == len(low):
                low.append(lo)
                high.append(hi)
            low[band], high[band] = min(low[band], lo), max(high[band], hi)
            if high[band] - low[band] > FLAT_TOLERANCE:
                return False
    region = image if (top, bottom) == (0, image.height) else image.crop((0, top, image.width, bottom))
    return all(hi - lo <= FLAT_TOLERANCE for lo, hi in _extrema(region))


def _extrema(image: Image.Image) -> tuple[tuple[float, float], ...]:
    extrema: Any = image.getextrema()
    return (extrema,) if isinstance(extrema[0], (int, float)) else tuple(extrema)


def find_blank(image: Image.Image, boxes: Sequence[TextBox]) -> tuple[int, int] | None:
    """Return the first blank region as slice-relative (top, bottom), or None if the slice looks drawn.

    A slice is blank when it is all one colour (the whole slice), or when a band of it is
    flat although the DOM places a fair amount of text there (that band): the shape of
    Chromium's silent failure. The region is what the DOM is then asked about, so a band
    at the top of a slice is that band, not the slice: what the page draws lower down is
    no evidence about it.
    """
    rgb = image if image.mode in ("RGB", "RGBA", "L") else image.convert("RGB")
    middles = [round(box.y + box.h / 2) for box in boxes]
    if _flat(rgb, rows=middles):
        return 0, rgb.height
    for band_top in range(0, rgb.height, BAND_PX):
        band_bottom = min(rgb.height, band_top + BAND_PX)
        area = 0.0
        for box in boxes:
            overlap = min(box.y + box.h, band_bottom) - max(box.y, band_top)
            across = min(box.x + box.w, rgb.width) - max(box.x, 0)  # the part on the page
            if overlap > 0 and across > 0:
                area += overlap * across
        if area >= MIN_TEXT_AREA and _flat(rgb, band_top, band_bottom, middles):
            return band_top, band_bottom
    return None
