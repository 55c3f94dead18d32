"""What goes into a package: the catalogue rows of a period, and the files as entries.

An ``Entry`` is one file of a package before it is written: its path inside the package,
its digest, size, media type and creation time, and where its bytes come from (the file
store, or bytes we generated). Digests of stored files come from the catalogue and are
re-checked while the bytes are copied, so a package is written in one read of each file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from archiver.catalogue.models import Account, Item, Snapshot
from archiver.errors import BadInputError, NotFoundError
from archiver.items.search import item_record

PERIOD_RE = re.compile(r"^(\d{4})H([12])$")


@dataclass(frozen=True)
class Period:
    """A half-year such as 2026H1: ``start`` inclusive, ``end`` exclusive (local dates)."""

    name: str
    start: dt.date
    end: dt.date

    def instants(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        return (dt.datetime.combine(self.start, dt.time(), tz).astimezone(dt.UTC),
                dt.datetime.combine(self.end, dt.time(), tz).astimezone(dt.UTC))


def parse_period(text: str) -> Period:
    m = PERIOD_RE.match(text.strip())
    if not m:
        raise BadInputError(f"--period {text!r} is not a half-year; use e.g. 2026H1 (January–June) or 2026H2")
    year, half = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 1 if half == 1 else 7, 1)
    end = dt.date(year, 7, 1) if half == 1 else dt.date(year + 1, 1, 1)
    return Period(f"{year}H{half}", start, end)


@dataclass(frozen=True)
class Entry:
    """One file of a package; exactly one of ``source`` (a stored file) and ``data`` is set."""

    path: str
    media_type: str
    created: dt.datetime
    sha256: str
    size: int
    source: Path | None = None
    data: bytes | None = None


def data_entry(path: str, data: bytes, media_type: str, created: dt.datetime) -> Entry:
    return Entry(path, media_type, created, hashlib.sha256(data).hexdigest(), len(data), data=data)


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys and a final newline: the same data always gives the same bytes."""
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n").encode()


@dataclass
class AccountContent:
    account: Account
    snapshots: list[Snapshot] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def collect(session: Session, period: Period, tz: ZoneInfo, account_id: int | None) -> list[AccountContent]:
    """Snapshots documenting the period (its half-year snapshot and ad hoc ones inside it) and
    the items created in it (or, without a creation time, first seen in it), per account."""
    start, end = period.instants(tz)
    q = select(Account).order_by(Account.id)
    if account_id is not None:
        if session.get(Account, account_id) is None:
            raise NotFoundError(f"account {account_id} does not exist; see the ids with: archive accounts list --all")
        q = q.where(Account.id == account_id)
    out = []
    for account in session.scalars(q):
        snaps = list(session.scalars(
            select(Snapshot).where(Snapshot.account_id == account.id, Snapshot.complete.is_(True), or_(
                (Snapshot.period_start == period.start) & (Snapshot.period_end == period.end),
                (Snapshot.boundary.is_(None)) & (Snapshot.captured_at >= start) & (Snapshot.captured_at < end)))
            .options(selectinload(Snapshot.files)).order_by(Snapshot.id)))
        items = list(session.scalars(
            select(Item).where(Item.account_id == account.id, or_(
                (Item.created_at >= start) & (Item.created_at < end),
                Item.created_at.is_(None) & (Item.first_seen_at >= start) & (Item.first_seen_at < end)))
            .options(selectinload(Item.marks), selectinload(Item.media), selectinload(Item.flags),
                     selectinload(Item.versions), selectinload(Item.sources))
            .order_by(Item.created_at, Item.id)))
        if snaps or items:
            out.append(AccountContent(account, snaps, items))
    if not out:
        which = f"account {account_id}" if account_id is not None else "any account"
        raise NotFoundError(f"nothing to package for {which} in {period.name}: no snapshot and no item; "
                            "capture or import first, or choose another --period")
    return out


def item_data(item: Item) -> dict[str, Any]:
    """An item's source data as the archive keeps it: every version, source, mark and media file."""
    return item_record(item, masked=False, full=True)


def restriction_of(item: Item) -> tuple[str, str] | None:
    """(law, explanation) of the item's confidentiality mark, if it has one."""
    for m in item.marks:
        if m.kind == "confidential":
            return (m.law or "OSL", m.note or "Uppgiften omfattas av sekretess")
    return None


def media_extension(media_type: str, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix):
        return suffix
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
            "video/mp4": ".mp4"}.get(media_type, ".bin")
