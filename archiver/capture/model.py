"""Plain data the capture engine hands to the runs that store it: what it saw and logged.

Kept free of Playwright and SQLAlchemy so each side can be tested alone.
Coordinates are CSS pixels at device scale factor 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from archiver.pdf.model import Segment

SEGMENT_MAX_PX = 8000
"""Chromium silently returns blank regions for very tall screenshots; no segment is taller."""


@dataclass(frozen=True)
class SeenItem:
    """A post, comment or reply as seen on a captured page (not yet in the catalogue)."""

    platform_id: str
    kind: str  # "post" | "comment" | "reply"
    parent_id: str | None
    author_handle: str | None
    author_name: str | None
    created: dt.datetime | None
    text: str
    url: str | None = None
    media: tuple[str, ...] = ()
    reader: str = "profile"  # "profile" | "generic": which reader found it
    media_problems: tuple[str, ...] = ()  # "<url>: <why the platform did not serve it>"


@dataclass(frozen=True)
class FetchedMedia:
    """A medium of a captured item, downloaded into the capture's work folder."""

    path: Path
    media_type: str


@dataclass
class Step:
    """One timed step of a capture, for the capture log."""

    name: str
    seconds: float
    ok: bool
    detail: str = ""


@dataclass
class CaptureLog:
    """What happened during one capture; stored as JSON beside the snapshot."""

    steps: list[Step] = field(default_factory=list)
    scroll_rounds: int = 0
    items_seen: int = 0
    overlays_dismissed: list[str] = field(default_factory=list)
    expanders_clicked: int = 0
    reached_period_start: bool = False
    end_marker_seen: bool = False
    page_height: int = 0
    viewport_grown_to: int | None = None  # a virtualised feed was shown whole in a tall viewport
    final_url: str = ""
    title: str = ""
    followers: int | None = None
    media_fetched: int = 0
    media_problems: list[str] = field(default_factory=list)
    reader: str = ""  # "profile" | "generic" | "" (no reader found a post)
    posts_found: int = 0
    posts_dated: int = 0
    end_text_seen: str | None = None  # a generic end-of-feed text, when that ended the feed
    images_decoded: int = 0
    images_not_served: list[str] = field(default_factory=list)
    blank_bands: list[str] = field(default_factory=list)  # kept: nothing is drawn there
    reshots: int = 0


@dataclass
class CaptureResult:
    """Outcome of capturing one page. ``ok`` is False with a one-line ``reason`` on failure."""

    ok: bool
    reason: str | None
    html: Path | None = None
    mhtml: Path | None = None
    print_pdf: Path | None = None
    segments: list[Segment] = field(default_factory=list)
    items: list[SeenItem] = field(default_factory=list)
    media: dict[str, FetchedMedia] = field(default_factory=dict)  # by the URL items name
    log: CaptureLog = field(default_factory=CaptureLog)
