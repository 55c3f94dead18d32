"""Finding items for the records officer: filters, and records for display.

Listings mask what the sensitive-data screen found; ``show --unmasked`` is the
deliberate way to see it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from archiver.accounts.register import get_account
from archiver.catalogue.models import Item, ItemFlag, ItemMark
from archiver.catalogue.textfold import contains
from archiver.errors import NotFoundError
from retention.screen import Finding, mask


@dataclass(frozen=True)
class ItemFilter:
    account_id: int | None = None
    kind: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    flag: str | None = None       # a finding kind, or "any"
    mark: str | None = None       # led-to-case | removed | confidential | "any"
    text: str | None = None
    removed_from_platform: bool | None = None
    limit: int = 100


def query(f: ItemFilter) -> Select[Any]:
    q = select(Item).options(selectinload(Item.flags), selectinload(Item.marks))
    if f.account_id is not None:
        q = q.where(Item.account_id == f.account_id)
    if f.kind:
        q = q.where(Item.kind == f.kind)
    if f.since:
        q = q.where(Item.created_at >= f.since)
    if f.until:
        q = q.where(Item.created_at < f.until)
    if f.flag:
        sub = select(ItemFlag.item_id)
        if f.flag != "any":
            sub = sub.where(ItemFlag.kind == f.flag)
        q = q.where(Item.id.in_(sub))
    if f.mark:
        msub = select(ItemMark.item_id)
        if f.mark != "any":
            msub = msub.where(ItemMark.kind == f.mark)
        q = q.where(Item.id.in_(msub))
    if f.text:
        q = q.where(contains(Item.text, f.text))
    if f.removed_from_platform is not None:
        q = q.where(Item.removed_from_platform.is_(f.removed_from_platform))
    return q.order_by(Item.created_at.desc(), Item.id.desc()).limit(f.limit)


def find(session: Session, f: ItemFilter) -> list[Item]:
    """Items matching *f*; a filter naming an account that does not exist is an error, not
    an empty list (a mistyped id must not read as "this account has no items")."""
    if f.account_id is not None:
        get_account(session, f.account_id)
    return list(session.scalars(query(f)))


def get_item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id, options=[
        selectinload(Item.flags), selectinload(Item.marks), selectinload(Item.versions),
        selectinload(Item.sources), selectinload(Item.media)])
    if item is None:
        raise NotFoundError(f"item {item_id} does not exist; find items with: archive items list")
    return item


def current_findings(item: Item) -> list[Finding]:
    """Flags of the item's current text (its latest version)."""
    if not item.flags:
        return []
    latest = max(item.flags, key=lambda fl: fl.version_id).version_id
    by_version = [fl for fl in item.flags if fl.version_id == latest]
    return [Finding(fl.kind, fl.start, fl.end, fl.match, fl.detail) for fl in by_version
            if item.text[fl.start:fl.end] == fl.match]


def published_by_account(item: Item) -> bool:
    """The account's own post: published by the municipality, public, so never masked (a
    finding in it is still listed, for the records officer to see)."""
    return item.kind == "post" and item.is_own is True


def item_record(item: Item, *, masked: bool = True, full: bool = False) -> dict[str, Any]:
    """The item as JSON and listings show it. ``flags`` are those of the text shown (the
    current version); ``masked`` says whether that text had anything masked."""
    findings = current_findings(item)
    masked = masked and not published_by_account(item)
    text = mask(item.text, findings) if masked else item.text
    rec: dict[str, Any] = {
        "id": item.id, "account": item.account_id, "platform_id": item.platform_id,
        "kind": item.kind, "parent": item.parent_platform_id, "thread": item.thread_id,
        "recipients": json.loads(item.recipients) if item.recipients else [],
        "author": item.author_name,
        "author_handle": item.author_handle, "own": item.is_own,
        "created": item.created_at.isoformat() if item.created_at else None,
        "text": text, "url": item.url,
        "flags": sorted({f.kind for f in findings}),
        "masked": masked and bool(findings),
        "marks": [m.kind for m in item.marks],
        "removed_from_platform": item.removed_from_platform,
        "deleted_on_platform": item.deleted_on_platform,
        "content_purged": item.content_purged,
    }
    if full:
        rec["edited"] = item.edited_at.isoformat() if item.edited_at else None
        rec["versions"] = [{"seq": v.seq, "source": v.source, "seen": v.seen_at.isoformat(),
                            "text": v.text if not masked else mask(v.text, [
                                Finding(fl.kind, fl.start, fl.end, fl.match) for fl in item.flags
                                if fl.version_id == v.id])} for v in item.versions]
        rec["sources"] = [{"snapshot": s.snapshot_id, "import": s.import_id,
                           "seen": s.seen_at.isoformat()} for s in item.sources]
        rec["marks"] = [{"kind": m.kind, "case_ref": m.case_ref, "category": m.category,
                         "police_report": m.police_report, "law": m.law, "note": m.note,
                         "by": m.marked_by, "at": m.marked_at.isoformat()} for m in item.marks]
        rec["flag_spans"] = [{"kind": f.kind, "start": f.start, "end": f.end, "detail": f.detail,
                              "match": f.match if not masked else mask(f.match, [
                                  Finding(f.kind, 0, len(f.match), f.match)])} for f in findings]
        rec["media"] = [{"sha256": m.sha256, "name": m.name, "media_type": m.media_type,
                         "purged": m.purged} for m in item.media]
    return rec
