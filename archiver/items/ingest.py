"""Items in the catalogue: one row per post/comment/message however many sources saw it.

``Ingest`` takes a stream of ``ImportedItem`` records (from an export, or from a
capture's seen items converted to the same shape) and, in the caller's
transaction, adds new items, new text versions, the source that saw them, and
sensitive-data flags for every new version. It works in batches with one query
per batch for what already exists, so a 100,000-item export stays fast and flat
in memory.

Identity: the platform id first. Exports often lack ids (Facebook), so a record
whose id is unknown is matched to an existing item of the same account and kind
with the same creation instant and the same text; that is how a captured post
and the same post in an export become one item.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from archiver.catalogue.models import Base, Item, ItemFlag, ItemMedia, ItemSource, ItemVersion, StoredFile
from archiver.home.store import StoredRef
from archiver.items.imports.model import ImportedItem, MediaRef, Skipped
from retention.screen import Screen

BATCH = 1000
KINDS = ("post", "comment", "reply", "message")


SKIPS_LISTED = 1000
"""Skipped records named one by one (file, line or index, why); beyond that only counted."""


@dataclass
class Counts:
    """What an ingest did, for the user and the audit log."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    flagged: int = 0
    skipped_records: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        self.skipped[reason] += 1
        if len(self.skipped_records) < SKIPS_LISTED:
            self.skipped_records.append((where, reason))

    def as_dict(self) -> dict[str, Any]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": sum(self.skipped.values()), "skipped_reasons": dict(self.skipped),
                "skipped_records": [{"where": w, "reason": r} for w, r in self.skipped_records],
                "flagged": self.flagged}


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise(text: str) -> str:
    """Text compared for identity: NFC and collapsed whitespace, since renderers differ."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_key(kind: str, created: dt.datetime | None, text: str) -> str:
    """Identity of a record without a known platform id; "" when it has no creation time.

    Both sides of a match (a record, a catalogue row) are keyed by this one function,
    so the time is always the same aware UTC instant in the same notation.
    """
    if created is None:
        return ""
    return f"{kind}|{created.astimezone(dt.UTC).isoformat()}|{normalise(text)}"


@dataclass
class _Known:
    id: int
    digests: dict[str, int]  # text digest -> version seq
    removed: bool
    purged: bool = False  # culled or CSAM-purged: a later source must not bring the text back


class Ingest:
    """Adds records for one account and one source inside the caller's transaction."""

    def __init__(self, session: Session, *, account_id: int, now: dt.datetime, source: str,
                 screen: Screen, snapshot_id: int | None = None, import_id: int | None = None,
                 media: Callable[[MediaRef], StoredRef | None] | None = None) -> None:
        self.session = session
        self.account_id = account_id
        self.now = now
        self.source = source
        self.screen = screen
        self.snapshot_id = snapshot_id
        self.import_id = import_id
        self.media = media
        self.counts = Counts()
        self.seen_ids: set[int] = set()
        self._by_content: dict[str, _Known] = {}  # platform id -> the item its content matched, this run
        self.min_created: dt.datetime | None = None
        self.max_created: dt.datetime | None = None

    def run(self, records: Iterable[ImportedItem | Skipped]) -> Counts:
        it: Iterator[ImportedItem | Skipped] = iter(records)
        while batch := list(itertools.islice(it, BATCH)):
            self._batch(batch)
        return self.counts

    def _batch(self, batch: list[ImportedItem | Skipped]) -> None:
        records: list[ImportedItem] = []
        for r in batch:
            if isinstance(r, Skipped):
                self.counts.skip(r.where, r.reason)
            elif r.kind not in KINDS:
                self.counts.skip(r.platform_id, f"unknown kind {r.kind!r}")
            else:
                records.append(r)
                if r.created is not None:
                    c = r.created
                    self.min_created = c if self.min_created is None else min(self.min_created, c)
                    self.max_created = c if self.max_created is None else max(self.max_created, c)
        known = self._known(records)
        new_rows: list[dict[str, Any]] = []
        new_records: list[ImportedItem] = []
        pending: dict[str, int] = {}  # platform id -> index in new_rows, for repeats in a batch
        versions: list[tuple[int | str, ImportedItem, int, str]] = []  # (item id or pending key, record, seq, digest)
        touched: list[int] = []  # existing items this source saw again
        with_media: list[tuple[int, ImportedItem]] = []  # existing items the record has media for
        for r in records:
            k = known.get(r.platform_id) or self._by_content.get(r.platform_id) or self._content_match(known, r)
            digest = text_digest(r.text)
            if k is None and r.platform_id in pending:
                row = new_rows[pending[r.platform_id]]
                if digest not in row["_digests"]:
                    row["_digests"][digest] = len(row["_digests"]) + 1
                    row.update(text=r.text, edited_at=r.edited or row["edited_at"])
                    versions.append((r.platform_id, r, len(row["_digests"]), digest))
                continue
            if k is None:
                pending[r.platform_id] = len(new_rows)
                new_rows.append(self._new_row(r, digest))
                new_records.append(r)
                versions.append((r.platform_id, r, 1, digest))
                self.counts.new += 1
                continue
            # The counts are per item: a record of an item this run has already counted
            # (an edit history, a repeat in a later batch) adds its version silently.
            repeat = k.id in self.seen_ids
            self.seen_ids.add(k.id)
            touched.append(k.id)
            if k.purged:
                self.counts.unchanged += not repeat
                continue
            if r.media:
                with_media.append((k.id, r))
            changes: dict[str, Any] = {}
            if r.deleted:
                changes["deleted_on_platform"] = True
            if k.removed:
                changes.update(removed_from_platform=False, removed_detected_at=None)
            if digest in k.digests:
                self.counts.unchanged += not repeat
            else:
                seq = max(k.digests.values(), default=0) + 1
                k.digests[digest] = seq
                versions.append((k.id, r, seq, digest))
                changes.update(text=r.text, edited_at=r.edited)
                self.counts.updated += not repeat
            if changes:
                self.session.execute(update(Item).where(Item.id == k.id).values(**changes))
        if touched:
            self.session.execute(update(Item).where(Item.id.in_(touched)).values(last_seen_at=self.now))
            self._sources(touched)
            self._store_media(self._lacking_media(with_media))
        ids: dict[str, int] = {}
        if new_rows:
            for row in new_rows:
                row.pop("_digests")
            # A plain executemany and one select by the (account, platform id) key: an
            # INSERT .. RETURNING in sorted batches cost SQLAlchemy O(n^2) row splicing.
            self.session.execute(insert(_core(Item)), new_rows)
            ids = {pid: iid for pid, iid in self.session.execute(
                select(Item.platform_id, Item.id)
                .where(Item.account_id == self.account_id, Item.platform_id.in_(list(pending))))}
            self.seen_ids.update(ids.values())
            self._sources(list(ids.values()))
            self._store_media([(ids[r.platform_id], r) for r in new_records if r.media])
        self._versions([(ids[v] if isinstance(v, str) else v, r, seq, digest)
                        for v, r, seq, digest in versions])

    def _content_match(self, known: dict[str, _Known], r: ImportedItem) -> _Known | None:
        """The item another source holds for *r*, matched by its content.

        Only an item no other record of this run is: two records with their own ids in
        one source are two items, however alike (two "Tack!" comments in the same second),
        whether they fall in one batch or in two.
        """
        k = known.get(content_key(r.kind, r.created, r.text))
        if k is None or k.id in self.seen_ids:
            return None
        self._by_content[r.platform_id] = k
        return k

    def _known(self, records: list[ImportedItem]) -> dict[str, _Known]:
        """Existing items for a batch, by platform id and by content key."""
        if not records:
            return {}
        pids = list({r.platform_id for r in records})
        rows = list(self.session.execute(
            select(Item.id, Item.platform_id, Item.removed_from_platform, Item.content_purged)
            .where(Item.account_id == self.account_id, Item.platform_id.in_(pids))))
        by_id = {pid: _Known(iid, {}, removed, purged) for iid, pid, removed, purged in rows}
        out: dict[str, _Known] = dict(by_id)
        # One _Known per item, whichever key finds it: its digests must be the ones read.
        ids = {k.id: k for k in by_id.values()}
        unmatched = [r for r in records if r.platform_id not in by_id and r.created is not None]
        if unmatched:
            created = list({r.created for r in unmatched})
            for iid, kind, c, text, removed in self.session.execute(
                    select(Item.id, Item.kind, Item.created_at, Item.text, Item.removed_from_platform)
                    .where(Item.account_id == self.account_id, Item.created_at.in_(created))):
                out.setdefault(content_key(kind, c, text), ids.setdefault(iid, _Known(iid, {}, removed)))
        if ids:
            for item_id, digest, seq in self.session.execute(
                    select(ItemVersion.item_id, ItemVersion.text_sha256, ItemVersion.seq)
                    .where(ItemVersion.item_id.in_(list(ids)))):
                ids[item_id].digests[digest] = seq
        return out

    def _new_row(self, r: ImportedItem, digest: str) -> dict[str, Any]:
        return {
            "account_id": self.account_id, "platform_id": r.platform_id, "kind": r.kind,
            "parent_platform_id": r.parent_id, "thread_id": r.thread_id,
            "recipients": json.dumps(list(r.recipients), ensure_ascii=False) if r.recipients else None,
            "author_handle": r.author_handle, "author_name": r.author_name, "is_own": r.is_own,
            "created_at": r.created, "edited_at": r.edited, "text": r.text, "url": r.url,
            "deleted_on_platform": r.deleted, "removed_from_platform": False,
            "removed_detected_at": None, "content_purged": False,
            "first_seen_at": self.now, "last_seen_at": self.now,
            "_digests": {digest: 1},
        }

    def _sources(self, item_ids: list[int]) -> None:
        self.session.execute(insert(_core(ItemSource)), [
            {"item_id": i, "snapshot_id": self.snapshot_id, "import_id": self.import_id,
             "seen_at": self.now} for i in item_ids])

    def _versions(self, versions: list[tuple[int, ImportedItem, int, str]]) -> None:
        if not versions:
            return
        self.session.execute(insert(_core(ItemVersion)), [
            {"item_id": item_id, "seq": seq, "text": r.text, "text_sha256": digest,
             "edited_at": r.edited, "seen_at": self.now, "source": self.source}
            for item_id, r, seq, digest in versions])
        version_ids = {(item_id, digest): vid for vid, item_id, digest in self.session.execute(
            select(ItemVersion.id, ItemVersion.item_id, ItemVersion.text_sha256)
            .where(ItemVersion.item_id.in_(list({item_id for item_id, _, _, _ in versions}))))}
        flags = []
        flagged_items = set()
        for item_id, r, _, digest in versions:
            version_id = version_ids[(item_id, digest)]
            for f in self.screen.scan(r.text):
                flags.append({"item_id": item_id, "version_id": version_id, "kind": f.kind,
                              "start": f.start, "end": f.end, "match": f.match,
                              "detail": f.detail})
                flagged_items.add(item_id)
        if flags:
            self.session.execute(insert(_core(ItemFlag)), _dedupe_flags(flags))
        self.counts.flagged += len(flagged_items)

    def _lacking_media(self, records: list[tuple[int, ImportedItem]]) -> list[tuple[int, ImportedItem]]:
        """The existing items among ``records`` that have no media yet and were not purged.

        A post first imported from an export without its images gains them from a later
        capture (and the other way round); an item with media keeps what it has, and an
        item whose content was purged never gets media back.
        """
        if not records or self.media is None:
            return []
        ids = list({item_id for item_id, _ in records})
        have = set(self.session.scalars(select(ItemMedia.item_id).where(ItemMedia.item_id.in_(ids))))
        have.update(self.session.scalars(select(Item.id).where(Item.id.in_(ids), Item.content_purged)))
        out = []
        for item_id, r in records:
            if item_id not in have:
                have.add(item_id)  # a second record of the same item in this batch adds nothing
                out.append((item_id, r))
        return out

    def _store_media(self, records: list[tuple[int, ImportedItem]]) -> None:
        """Media bytes into the store, then one insert for the catalogue rows of a batch."""
        if not records or self.media is None:
            return
        stored: dict[str, StoredRef] = {}
        rows = []
        for item_id, r in records:
            seen: set[str] = set()
            for ref in r.media:
                got = self.media(ref)
                if got is None:
                    self.counts.skip(ref.path, "media file listed but missing from the export")
                    continue
                if got.sha256 in seen:
                    continue
                seen.add(got.sha256)
                stored[got.sha256] = got
                rows.append({"item_id": item_id, "sha256": got.sha256,
                             "name": ref.path.rsplit("/", 1)[-1], "media_type": got.media_type,
                             "purged": False})
        if not rows:
            return
        known = set(self.session.scalars(select(StoredFile.sha256)
                                         .where(StoredFile.sha256.in_(list(stored)))))
        fresh = [{"sha256": d, "size": ref.size, "media_type": ref.media_type, "stored_at": self.now}
                 for d, ref in stored.items() if d not in known]
        if fresh:
            self.session.execute(insert(_core(StoredFile)), fresh)
        self.session.execute(insert(_core(ItemMedia)), rows)


def _core(model: type[Base]) -> Table:
    """The model's table, for Core executemany inserts that skip the ORM's per-row work."""
    return cast(Table, model.__table__)


def _dedupe_flags(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = set()
    out = []
    for f in flags:
        key = (f["version_id"], f["kind"], f["start"])
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def mark_removed_from_platform(session: Session, *, account_id: int, seen: set[int],
                               since: dt.datetime, until: dt.datetime, now: dt.datetime,
                               kinds: tuple[str, ...] = ("post",)) -> int:
    """Items a complete later source covered but no longer showed were removed on the platform."""
    rows = session.execute(
        select(Item.id).where(Item.account_id == account_id, Item.kind.in_(kinds),
                              Item.created_at >= since, Item.created_at < until,
                              Item.removed_from_platform.is_(False))).scalars()
    gone = [i for i in rows if i not in seen]
    if gone:
        session.execute(update(Item).where(Item.id.in_(gone))
                        .values(removed_from_platform=True, removed_detected_at=now))
    return len(gone)
