"""Holds (gallringsstopp): what may not be culled while a request, complaint or case is open.

A hold names items, or criteria (account, created from/to, text) that cover the items
matching them now and any that arrive later, until it is released with a reason. Holds
beat every rule; the review excludes held items and apply re-checks them at execution,
so a hold placed after approval still saves the item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from archiver.catalogue.models import Account, Item
from archiver.catalogue.retention_tables import RetentionHold, RetentionHoldItem
from archiver.errors import BadInputError, NotFoundError
from archiver.home.archive import Archive
from retention.deadline import local_midnight


@dataclass(frozen=True)
class HoldScope:
    reason: str
    items: tuple[int, ...] = ()
    account_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str | None = None


@dataclass(frozen=True)
class _Criteria:
    hold_id: int
    account_id: int | None
    start: dt.datetime | None
    end: dt.datetime | None  # exclusive
    text: str | None


class HoldIndex:
    """Every active hold, ready to answer "which hold covers this item?" for many items."""

    def __init__(self, session: Session, tz: ZoneInfo) -> None:
        active = select(RetentionHold.id).where(RetentionHold.released_at.is_(None))
        self.by_item: dict[int, int] = dict(session.execute(
            select(RetentionHoldItem.item_id, RetentionHoldItem.hold_id)
            .where(RetentionHoldItem.hold_id.in_(active))).all())
        self.criteria = [
            _Criteria(h.id, h.account_id,
                      local_midnight(h.date_from, tz) if h.date_from else None,
                      local_midnight(h.date_to + dt.timedelta(days=1), tz) if h.date_to else None,
                      h.text.casefold() if h.text else None)
            for h in session.scalars(select(RetentionHold).where(
                RetentionHold.released_at.is_(None), RetentionHold.account_id.is_not(None)
                | RetentionHold.date_from.is_not(None) | RetentionHold.date_to.is_not(None)
                | RetentionHold.text.is_not(None)))]

    @property
    def needs_text(self) -> bool:
        return any(c.text for c in self.criteria)

    def covers(self, item_id: int, account_id: int, published: dt.datetime | None, text: str) -> int | None:
        hold = self.by_item.get(item_id)
        if hold is not None:
            return hold
        for c in self.criteria:
            if c.account_id is not None and c.account_id != account_id:
                continue
            if c.start is not None and (published is None or published < c.start):
                continue
            if c.end is not None and (published is None or published >= c.end):
                continue
            if c.text is not None and c.text not in text.casefold():
                continue
            return c.hold_id
        return None


def add_hold(archive: Archive, session: Session, scope: HoldScope) -> tuple[RetentionHold, int]:
    """Place a hold; returns it and how many items it covers now."""
    problems = []
    if not scope.reason.strip():
        problems.append("--reason must say why, e.g. \"Begäran om utlämnande, dnr KS 2026/45\"")
    if not (scope.items or scope.account_id or scope.date_from or scope.date_to or scope.text):
        problems.append("give what the hold covers: --item ID, --account A, --from/--to DATE or --text Q")
    if scope.date_from and scope.date_to and scope.date_from > scope.date_to:
        problems.append("--from is after --to")
    if problems:
        raise BadInputError("; ".join(problems))
    if scope.account_id is not None and session.get(Account, scope.account_id) is None:
        raise NotFoundError(f"account {scope.account_id} does not exist; see: archive accounts list --all")
    known = set(session.scalars(select(Item.id).where(Item.id.in_(scope.items)))) if scope.items else set()
    missing = sorted(set(scope.items) - known)
    if missing:
        raise NotFoundError(f"item {', '.join(map(str, missing))} does not exist; find items with: archive items list")
    hold = RetentionHold(reason=scope.reason.strip(), account_id=scope.account_id,
                         date_from=scope.date_from, date_to=scope.date_to, text=scope.text or None,
                         created_by=archive.actor, created_at=archive.now)
    session.add(hold)
    session.flush()
    if known:
        session.execute(insert(RetentionHoldItem), [{"hold_id": hold.id, "item_id": i} for i in sorted(known)])
    n = count_covered(session, hold, archive.settings.tz)
    archive.audit(session, f"hold:{hold.id}", {"placed": hold_record(hold), "items_now": n})
    return hold, n


def count_covered(session: Session, hold: RetentionHold, tz: ZoneInfo) -> int:
    explicit = session.scalar(select(func.count()).select_from(RetentionHoldItem)
                              .where(RetentionHoldItem.hold_id == hold.id)) or 0
    if not (hold.account_id or hold.date_from or hold.date_to or hold.text):
        return explicit
    q = select(func.count()).select_from(Item).where(
        Item.id.not_in(select(RetentionHoldItem.item_id).where(RetentionHoldItem.hold_id == hold.id)))
    if hold.account_id:
        q = q.where(Item.account_id == hold.account_id)
    if hold.date_from:
        q = q.where(Item.created_at >= local_midnight(hold.date_from, tz))
    if hold.date_to:
        q = q.where(Item.created_at < local_midnight(hold.date_to + dt.timedelta(days=1), tz))
    if hold.text:
        q = q.where(Item.text.ilike(f"%{hold.text}%"))
    return explicit + (session.scalar(q) or 0)


def release_hold(archive: Archive, session: Session, hold_id: int, reason: str) -> RetentionHold:
    if not reason.strip():
        raise BadInputError("--reason must say why the hold ends, e.g. \"Begäran avgjord\"")
    hold = session.get(RetentionHold, hold_id)
    if hold is None:
        raise NotFoundError(f"hold {hold_id} does not exist; see: archive retention holds list")
    if hold.released_at is not None:
        raise BadInputError(f"hold {hold_id} was already released on {hold.released_at:%Y-%m-%d}; nothing changed")
    hold.released_at, hold.released_by, hold.release_reason = archive.now, archive.actor, reason.strip()
    archive.audit(session, f"hold:{hold.id}", {"released": reason.strip()})
    return hold


def list_holds(session: Session, tz: ZoneInfo, *, include_released: bool = False) -> list[dict[str, Any]]:
    q = select(RetentionHold).order_by(RetentionHold.id)
    if not include_released:
        q = q.where(RetentionHold.released_at.is_(None))
    return [{**hold_record(h), "items": count_covered(session, h, tz)} for h in session.scalars(q)]


def hold_record(h: RetentionHold) -> dict[str, Any]:
    return {"hold": h.id, "reason": h.reason, "account": h.account_id,
            "from": h.date_from.isoformat() if h.date_from else None,
            "to": h.date_to.isoformat() if h.date_to else None, "text": h.text,
            "created_by": h.created_by, "created_at": h.created_at.isoformat() if h.created_at else None,
            "released_at": h.released_at.isoformat() if h.released_at else None,
            "released_by": h.released_by, "release_reason": h.release_reason}


def held_items(session: Session, tz: ZoneInfo, item_ids: Iterable[int]) -> dict[int, int]:
    """Item id -> covering hold, for the given items, read fresh (apply's re-check)."""
    index = HoldIndex(session, tz)
    ids = list(item_ids)
    rows = session.execute(select(Item.id, Item.account_id, Item.created_at, Item.first_seen_at, Item.text)
                           .where(Item.id.in_(ids)))
    found = {}
    for iid, acc, created, first_seen, text in rows:
        h = index.covers(iid, acc, created or first_seen, text or "")
        if h is not None:
            found[iid] = h
    return found
