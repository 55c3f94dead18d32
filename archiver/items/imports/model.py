"""Plain records that the export parsers hand to the catalogue.

The parsers know nothing of the database: they turn a platform's data export into a
stream of these frozen values, and the catalogue decides what is new, what is a new
version and what is already stored. Keeping them free of SQLAlchemy lets each side be
tested alone, like ``archiver.capture.model``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class MediaRef:
    """A media file that is inside the export and belongs to an item.

    ``path`` is the member path inside the export (posix, normalised, never leaving the
    export), ready for ``ExportSource.open_member``. ``uri`` is where the platform said
    the file lives, exactly as written in the export (a CDN URL for X, the export-relative
    ``uri`` for Meta), kept because the catalogue's provenance record should show it.
    """

    path: str
    media_type: str | None
    uri: str | None


@dataclass(frozen=True)
class ImportedItem:
    """One post, comment, reply or message as the platform's export states it.

    ``platform_id`` is the platform's own id where the export has one. Where it has none
    (Facebook and Instagram posts and comments, LinkedIn comments), it is derived so that
    the same item gets the same id in every later export, even after its text was edited:
    see ``archiver.items.imports.textfix.IdMinter`` for the rule.
    """

    platform_id: str
    kind: str  # "post" | "comment" | "reply" | "message"
    parent_id: str | None
    author_handle: str | None
    author_name: str | None
    is_own: bool | None
    created: dt.datetime | None
    edited: dt.datetime | None
    text: str
    url: str | None
    media: tuple[MediaRef, ...] = ()
    deleted: bool = False
    thread_id: str | None = None
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """An export entry that could not be used; reported with counts, not raised.

    A single odd entry (a post without a timestamp, a media file the export lists but
    lacks) must not cost the municipality the other 99,999 items of an import.
    """

    where: str
    reason: str


@dataclass(frozen=True)
class ExportLimits:
    """Ceilings checked before anything is read, and enforced again while reading.

    The defaults fit the largest real exports we know of (a decade of a busy Facebook
    page with video is a few GiB) with a wide margin, while refusing zip bombs and
    archives built to exhaust the disk or the inode table.
    """

    max_total_bytes: int = 20 * GIB
    max_member_bytes: int = 4 * GIB
    max_ratio: float = 200.0
    ratio_applies_above: int = 1 * MIB
    max_members: int = 500_000
