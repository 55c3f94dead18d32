"""The plain values the PDF/A records are built from.

The capture engine produces them and the PDF stage consumes them; they live here so
that the PDF stage depends on nothing above it. Coordinates are CSS pixels at device
scale factor 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TextBox:
    """One line of rendered text with its box, relative to the top-left of its segment."""

    x: float
    y: float
    w: float
    h: float
    text: str
    font_size: float


@dataclass(frozen=True)
class Segment:
    """One slice of the full page: a PNG of at most capture.model.SEGMENT_MAX_PX height and its text."""

    path: Path
    top: int
    width: int
    height: int
    text_boxes: tuple[TextBox, ...] = ()
    flat: bool = False
    """One colour all over (a genuinely white band, page padding): nothing to OCR."""


@dataclass(frozen=True)
class SnapshotMetadata:
    """What the XMP packet of both snapshot PDFs records about the capture."""

    account: str
    platform: str
    url: str
    captured_at: dt.datetime  # aware, UTC
    boundary: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None
    reason: str
    engine_version: str
    html_sha256: str
    title: str = ""
    clock: str = "real clock"  # "simulated clock" on demo and test homes
    # For the caption page a person reads (not in the XMP: they are the home's settings).
    organisation: str = ""
    organisation_id: str = ""
    platform_name: str = ""  # as the register spells it ("Facebook", "X"); empty: platform
    timezone: str = "Europe/Stockholm"
    font_cache: Path | None = None
    """Folder for the caption's font subsets (the home's cache/fonts); None: full fonts."""


@dataclass(frozen=True)
class DocumentMetadata:
    """What the XMP of a document Bevara writes itself records: a culling protocol, an
    item rendering for a package. Unlike a snapshot it shows no page of a platform, so it
    carries the standard properties only."""

    title: str
    source: str  # what the document is about: an identifier such as "bevara:protocol/3"
    created_at: dt.datetime  # aware, UTC
    engine_version: str
