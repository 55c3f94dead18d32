"""Culling: carrying out an approved review, resumably, with a protocol at the end.

``apply`` without ``execute`` only lists what would go. With it, the run works in batches,
each one transaction: re-check holds, marks, flags and registrations at that moment, then
for each still-approved item blank its text and author, delete its versions and flags'
matched text, mark its media purged, keep a stub (``retention_stubs``) and write the audit
entry. Media bytes are deleted after the batch commits and only when no other item,
snapshot or protocol uses the same digest; a crash in between leaves files that the next
run's sweep removes. A crash anywhere therefore leaves the catalogue at a batch boundary:
the re-run continues where it stopped and culls nothing twice. The protocol's files are
written and the protocol marked complete in the last transaction; a second ``--execute``
finds it complete and does nothing. Snapshots are never touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from archiver.catalogue.models import Item, ItemFlag, ItemMark, ItemMedia, ItemVersion, SnapshotFile, StoredFile
from archiver.catalogue.retention_tables import (
    RetentionCandidate,
    RetentionGroup,
    RetentionProtocol,
    RetentionProtocolFile,
    RetentionReview,
    RetentionStub,
)
from archiver.errors import BadInputError
from archiver.home.archive import Archive
from retention.classify import PROTECTIONS
from retention.holds import held_items
from retention.protocol import Printer, print_document, protocol_record, write_files
from retention.review import get_review

BATCH = 5_000
METHOD = ("Text, tidigare versioner, författaruppgifter och flaggade textutdrag raderade ur katalogen; "
          "mediefiler som inget annat refererar raderade ur filarkivet. Kvar finns en stubbe med id, typ, "
          "konto, datum, regel, granskning, protokoll och SHA-256 av texten. Ögonblicksbilder berörs inte.")
DEFAULT_BACKUP_NOTE = ("Säkerhetskopior av katalog och filarkiv gallras inte särskilt; de gallrade uppgifterna "
                       "försvinner ur dem när kopiorna löper ut enligt kommunens rutin.")


@dataclass
class ApplyResult:
    review: int
    executed: bool
    culled: int = 0
    would_cull: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    protocol: int | None = None
    files: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        if not self.executed:
            return {"review": self.review, "dry_run": True, "would_cull": len(self.would_cull),
                    "items": self.would_cull, "skipped": self.skipped}
        return {"review": self.review, "culled": self.culled, "skipped": self.skipped,
                "protocol": self.protocol, "files": self.files}


def blocked(session: Session, archive: Archive, ids: list[int]) -> dict[int, str]:
    """Why each of these items may not go now, read fresh from the catalogue."""
    out: dict[int, str] = {i: "hold" for i in held_items(session, archive.settings.tz, ids)}
    for iid, kind in session.execute(select(ItemMark.item_id, ItemMark.kind).where(ItemMark.item_id.in_(ids))):
        out.setdefault(iid, PROTECTIONS.get(kind, "moderated"))
    for iid in session.scalars(select(ItemFlag.item_id).where(ItemFlag.item_id.in_(ids)).distinct()):
        out.setdefault(iid, "flagged")
    for iid in session.scalars(select(RetentionCandidate.item_id).where(
            RetentionCandidate.item_id.in_(ids), RetentionCandidate.decision == "register")):
        out.setdefault(iid, "registered")
    for iid in session.scalars(select(Item.id).where(Item.id.in_(ids), Item.content_purged.is_(True))):
        out.setdefault(iid, "moderated")
    return out


def _pending(session: Session, review_id: int, limit: int | None = None) -> list[int]:
    q = (select(RetentionCandidate.item_id).where(
        RetentionCandidate.review_id == review_id, RetentionCandidate.decision == "approve",
        RetentionCandidate.outcome.is_(None)).order_by(RetentionCandidate.item_id))
    return list(session.scalars(q.limit(limit) if limit else q))


def apply_review(archive: Archive, review_id: int, *, execute: bool, backup_note: str = DEFAULT_BACKUP_NOTE,
                 printer: Printer = print_document, batch: int = BATCH) -> ApplyResult:
    if not execute:
        with archive.transaction() as session:
            get_review(session, review_id)
            ids = _pending(session, review_id)
            stop = blocked(session, archive, ids) if ids else {}
        return ApplyResult(review_id, False, would_cull=[i for i in ids if i not in stop],
                           skipped=[{"item": i, "reason": r} for i, r in sorted(stop.items())])
    with archive.transaction() as session:
        review = get_review(session, review_id)
        protocol = session.scalar(select(RetentionProtocol).where(RetentionProtocol.review_id == review_id))
        if protocol is not None and protocol.status == "complete":
            return _result(session, review_id, protocol.id)
        if protocol is None:
            if review.status != "open":
                raise BadInputError(f"review {review_id} is not open; start a new one with: archive retention review")
            approvers = sorted({str(a) for a in session.scalars(select(RetentionCandidate.decided_by).where(
                RetentionCandidate.review_id == review_id, RetentionCandidate.decision == "approve")) if a})
            protocol = RetentionProtocol(review_id=review_id, status="running", started_at=archive.now,
                                         executed_by=archive.actor, approved_by=", ".join(approvers),
                                         method=METHOD, backup_note=backup_note, culled=0, skipped=0, counts="{}")
            session.add(protocol)
            session.flush()
            archive.audit(session, f"protocol:{protocol.id}", {"started": True, "review": review_id,
                                                               "approved_by": approvers})
        protocol_id = protocol.id
    while True:
        with archive.transaction() as session:
            ids = _pending(session, review_id, batch)
            if not ids:
                break
            doomed = _cull_batch(archive, session, review_id, protocol_id, ids)
        _delete_files(archive, doomed)
    _sweep(archive, protocol_id)
    with archive.transaction() as session:
        protocol = session.get(RetentionProtocol, protocol_id)
        assert protocol is not None
        protocol.executed_at = archive.now
        files = write_files(archive, session, protocol, printer)
        protocol.culled = session.scalar(select(func.count()).select_from(RetentionStub)
                                         .where(RetentionStub.protocol_id == protocol_id)) or 0
        protocol.skipped = session.scalar(select(func.count()).select_from(RetentionCandidate).where(
            RetentionCandidate.review_id == review_id, RetentionCandidate.outcome == "skipped")) or 0
        protocol.status = "complete"
        session.execute(update(RetentionReview).where(RetentionReview.id == review_id).values(status="applied"))
        archive.audit(session, f"protocol:{protocol_id}", {
            "complete": True, "culled": protocol.culled, "skipped": protocol.skipped,
            "files": {f["role"]: f["sha256"] for f in files}})
        return _result(session, review_id, protocol_id)


def _cull_batch(archive: Archive, session: Session, review_id: int, protocol_id: int, ids: list[int]) -> list[str]:
    stop = blocked(session, archive, ids)
    go = [i for i in ids if i not in stop]
    for reason in sorted(set(stop.values())):
        session.execute(update(RetentionCandidate).where(
            RetentionCandidate.review_id == review_id,
            RetentionCandidate.item_id.in_([i for i, r in stop.items() if r == reason]))
            .values(outcome="skipped", skip_reason=reason))
    doomed: list[str] = []
    if go:
        rules = dict(session.execute(select(RetentionCandidate.item_id, RetentionCandidate.group_id).where(
            RetentionCandidate.review_id == review_id, RetentionCandidate.item_id.in_(go))).all())
        rule_of_group = dict(session.execute(select(RetentionGroup.id, RetentionGroup.rule_id).where(
            RetentionGroup.id.in_(set(rules.values())))).all())
        texts = dict(session.execute(select(Item.id, Item.text).where(Item.id.in_(go))).all())
        session.execute(insert(RetentionStub), [
            {"item_id": i, "protocol_id": protocol_id, "review_id": review_id,
             "rule_id": rule_of_group[rules[i]], "culled_at": archive.now,
             "text_sha256": hashlib.sha256(texts[i].encode("utf-8")).hexdigest()} for i in go])
        session.execute(delete(ItemFlag).where(ItemFlag.item_id.in_(go)))
        session.execute(delete(ItemVersion).where(ItemVersion.item_id.in_(go)))
        session.execute(update(Item).where(Item.id.in_(go)).values(
            text="", author_name=None, author_handle=None, url=None, content_purged=True))
        media = set(session.scalars(select(ItemMedia.sha256).where(ItemMedia.item_id.in_(go),
                                                                   ItemMedia.purged.is_(False))))
        session.execute(update(ItemMedia).where(ItemMedia.item_id.in_(go)).values(purged=True))
        doomed = sorted(media - _referenced(session, media))
        if doomed:
            session.execute(delete(StoredFile).where(StoredFile.sha256.in_(doomed)))
        session.execute(update(RetentionCandidate).where(
            RetentionCandidate.review_id == review_id, RetentionCandidate.item_id.in_(go)).values(outcome="culled"))
    archive.audit(session, f"protocol:{protocol_id}", {
        "culled": go, "skipped": {str(i): r for i, r in sorted(stop.items())}, "media_deleted": doomed})
    return doomed


def _referenced(session: Session, digests: set[str]) -> set[str]:
    """Digests some other record still needs: a live item's media, a snapshot, a protocol."""
    if not digests:
        return set()
    d = list(digests)
    used = set(session.scalars(select(ItemMedia.sha256).where(ItemMedia.sha256.in_(d), ItemMedia.purged.is_(False))))
    used |= set(session.scalars(select(SnapshotFile.sha256).where(SnapshotFile.sha256.in_(d))))
    used |= set(session.scalars(select(RetentionProtocolFile.sha256).where(RetentionProtocolFile.sha256.in_(d))))
    return used


def _delete_files(archive: Archive, digests: list[str]) -> None:
    """One sync for a batch's deletions instead of an fsync per file: a crash before it is
    harmless, since the sweep deletes whatever comes back."""
    for digest in digests:
        archive.store.delete(digest, durable=False)
    if digests:
        archive.store.sync()


def _sweep(archive: Archive, protocol_id: int) -> None:
    """Delete media bytes a crashed run committed as purged but did not get to remove."""
    with archive.transaction() as session:
        digests = set(session.scalars(select(ItemMedia.sha256).join(
            RetentionStub, RetentionStub.item_id == ItemMedia.item_id).where(
            RetentionStub.protocol_id == protocol_id, ItemMedia.purged.is_(True))))
        leftover = [d for d in sorted(digests - _referenced(session, digests))
                    if archive.store.path_for(d).exists()]
    _delete_files(archive, leftover)


def _result(session: Session, review_id: int, protocol_id: int) -> ApplyResult:
    rec = protocol_record(session, protocol_id)
    skipped = [{"item": i, "reason": r} for i, r in session.execute(
        select(RetentionCandidate.item_id, RetentionCandidate.skip_reason).where(
            RetentionCandidate.review_id == review_id, RetentionCandidate.outcome == "skipped")
        .order_by(RetentionCandidate.item_id))]
    return ApplyResult(review_id, True, culled=rec["culled"], skipped=skipped, protocol=protocol_id,
                       files=[{k: f[k] for k in ("role", "name", "sha256")} for f in rec["files"]])


def stub_record(session: Session, item_id: int) -> dict[str, Any] | None:
    """What ``archive items show`` adds for a culled item: its stub and protocol."""
    stub = session.get(RetentionStub, item_id)
    if stub is None:
        return None
    p = protocol_record(session, stub.protocol_id)
    return {"culled_at": stub.culled_at.isoformat(), "rule": stub.rule_id, "review": stub.review_id,
            "protocol": stub.protocol_id, "text_sha256": stub.text_sha256,
            "protocol_files": p["files"], "protocol_status": p["status"]}
