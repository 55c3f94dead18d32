"""Marks on items that drive retention: led to a case (S4/S5), removed by a moderator
(S6/S9), confidential (S7). Each is recorded with who, when and why, in the audit log.

Suspected child sexual abuse material is special: possessing it is a crime, so the
engine keeps only metadata (that the item existed, when, where, the police report)
and deletes the text and media bytes at once. The snapshots that showed the item are
redacted in the same transaction by `archiver.capture.redaction` (called by ``archive
items mark``: the capture stage sits above this one, so it cannot be called from here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session, selectinload

from archiver.catalogue.models import Item, ItemFlag, ItemMark, ItemVersion
from archiver.errors import BadInputError, NotFoundError
from archiver.home.archive import Archive

REMOVAL_CATEGORIES = (
    "uppvigling",
    "hets mot folkgrupp",
    "olaga våldsskildring",
    "upphovsrättsintrång",
    "reklam",
    "kränkande personuppgifter",
    "barnpornografibrott",
)
CSAM = "barnpornografibrott"
CASE_RE = re.compile(r"^[\wÅÄÖåäö .-]*\d{4}\s*[/.:-]\s*\d+[\w./-]*$")
POLICE_RE = re.compile(r"^(\d{4}-)?K\d{1,8}-\d{2}$", re.IGNORECASE)
"""A police report number (diarienummer of a polisanmälan): "5000-K123456-26" or "K123456-26"."""
LAW_RE = re.compile(r"^OSL\s+\d+\s*kap\.\s*\d+\s*[a-z]?\s*§", re.IGNORECASE)


@dataclass(frozen=True)
class MarkRequest:
    led_to_case: str | None = None
    removed: bool = False
    category: str | None = None
    police_report: str | None = None
    confidential: bool = False
    law: str | None = None
    note: str | None = None


def validate(req: MarkRequest) -> None:
    """Collect every problem with the options, then fail once with all of them."""
    problems = []
    if not (req.led_to_case or req.removed or req.confidential):
        problems.append("give --led-to-case DNR, --removed --category CAT or --confidential --law REF")
    if req.led_to_case is not None and not CASE_RE.match(req.led_to_case.strip()):
        problems.append(f"--led-to-case {req.led_to_case!r} is not a diarienummer like \"KS 2026/123\"")
    if req.removed and req.category not in REMOVAL_CATEGORIES:
        problems.append("--removed needs --category, one of: " + ", ".join(REMOVAL_CATEGORIES))
    if req.police_report is not None and not POLICE_RE.match(req.police_report.strip()):
        problems.append(f"--police-report {req.police_report!r} is not a police report number "
                        "like \"5000-K123456-26\"")
    if not req.removed and (req.category or req.police_report):
        problems.append("--category and --police-report go with --removed")
    if req.confidential and not (req.law and LAW_RE.match(req.law.strip())):
        problems.append("--confidential needs --law citing the secrecy provision, e.g. \"OSL 21 kap. 1 §\"")
    if not req.confidential and req.law:
        problems.append("--law goes with --confidential")
    if problems:
        raise BadInputError("; ".join(problems))


def mark_item(archive: Archive, session: Session, item_id: int, req: MarkRequest) -> list[ItemMark]:
    validate(req)
    item = session.get(Item, item_id, options=[selectinload(Item.media), selectinload(Item.marks)])
    if item is None:
        raise NotFoundError(f"item {item_id} does not exist; find items with: archive items list")
    made: list[ItemMark] = []
    base = {"marked_by": archive.actor, "marked_at": archive.now, "note": req.note}
    if req.led_to_case:
        made.append(ItemMark(kind="led-to-case", case_ref=req.led_to_case.strip(), **base))
    if req.removed:
        made.append(ItemMark(kind="removed", category=req.category,
                             police_report=req.police_report, **base))
    if req.confidential:
        made.append(ItemMark(kind="confidential", law=req.law.strip() if req.law else None, **base))
    already = [m for m in made if _same_mark_exists(item, m)]
    made = [m for m in made if m not in already]
    if not made:
        return []
    for m in made:
        item.marks.append(m)
    purged = purge_content(archive, session, item) if req.category == CSAM else []
    session.flush()
    archive.audit(session, f"item:{item.id}", {
        "marks": [{"kind": m.kind, "case_ref": m.case_ref, "category": m.category,
                   "police_report": m.police_report, "law": m.law, "note": m.note} for m in made],
        **({"content_purged": True, "media_deleted": purged} if req.category == CSAM else {}),
    })
    return made


def _same_mark_exists(item: Item, new: ItemMark) -> bool:
    """A repeated command must not record the same decision twice (it would count twice)."""
    return any(m.kind == new.kind and m.case_ref == new.case_ref and m.category == new.category
               and m.police_report == new.police_report and m.law == new.law for m in item.marks)


def purge_content(archive: Archive, session: Session, item: Item) -> list[str]:
    """Delete text and media of an item at once, keeping metadata and media digests only."""
    session.execute(update(ItemVersion).where(ItemVersion.item_id == item.id).values(text=""))
    session.execute(update(ItemFlag).where(ItemFlag.item_id == item.id).values(match=""))
    item.text = ""
    item.content_purged = True
    deleted = []
    for media in item.media:
        archive.store.delete(media.sha256)
        media.purged = True
        deleted.append(media.sha256)
    return deleted
