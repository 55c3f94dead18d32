"""Item sets for the retention tests, inserted straight into the catalogue with Core.

Fixed seed and clock; every item says what the review should make of it under the
default policy, so tests can compare the engine with the expectation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from archiver.catalogue.models import (
    Account,
    Item,
    ItemFlag,
    ItemMark,
    ItemMedia,
    ItemSource,
    ItemVersion,
    Snapshot,
    SnapshotFile,
)
from archiver.home import store
from archiver.home.archive import Archive, init_archive
from archiver.home.config import Home
from retention.policy import Mandate, default_policy_text, policy_path, write_mandate

NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
MANDATE = Mandate("Kommunstyrelsen", dt.date(2024, 3, 12), "§ 45", "KS 2024/123")


def make_archive(root: Path, *, mandate: bool = True, now: dt.datetime = NOW, actor: str = "anna") -> Archive:
    archive = init_archive(Home(root), org_name="Torsby kommun", org_id="212000-1769",
                           timezone="Europe/Stockholm", now=now, actor=actor,
                           policy_text=default_policy_text(), simulated_clock=True)
    if mandate:
        write_mandate(policy_path(archive.home), None, MANDATE)
    return archive


def add_account(archive: Archive, name: str = "Torsby kommun", platform: str = "facebook") -> int:
    with archive.transaction() as s:
        a = Account(name=name, platform=platform, url=f"https://example.org/{name.replace(' ', '')}",
                    unit="Kommunikationsenheten", purpose="Information", opened=dt.date(2019, 1, 1),
                    created_at=archive.now, updated_at=archive.now)
        s.add(a)
        s.flush()
        return a.id


@dataclass
class Spec:
    """One item to insert; the flags say what protects it."""

    kind: str = "comment"
    own: bool = False
    created: dt.datetime = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    text: str = "Tack för informationen"
    parent: str | None = None
    platform_id: str | None = None
    flagged: bool = False
    mark: str | None = None  # led-to-case | removed | confidential
    media: bytes | None = None
    in_snapshot: bool = False


def add_items(archive: Archive, account_id: int, specs: list[Spec]) -> list[int]:
    """Insert items with versions, flags, marks, media; returns their ids in order."""
    rows = []
    for n, s in enumerate(specs):
        rows.append({"account_id": account_id, "platform_id": s.platform_id or f"p{account_id}-{n}-{id(s)}",
                     "kind": s.kind, "parent_platform_id": s.parent, "thread_id": None,
                     "author_handle": "kommunen" if s.own else f"user{n}",
                     "author_name": "Torsby kommun" if s.own else f"Besökare {n}", "is_own": s.own,
                     "created_at": s.created, "edited_at": None, "text": s.text, "url": None,
                     "deleted_on_platform": False, "removed_from_platform": False,
                     "removed_detected_at": None, "content_purged": False,
                     "first_seen_at": archive.now, "last_seen_at": archive.now})
    with archive.transaction() as session:
        conn = session.connection()
        ids = []
        for r in rows:
            ids.append(conn.execute(insert(Item.__table__).values(**r)).inserted_primary_key[0])
        snapshot_id = None
        for iid, s in zip(ids, specs, strict=True):
            vid = conn.execute(insert(ItemVersion.__table__).values(
                item_id=iid, seq=1, text=s.text, text_sha256=hashlib.sha256(s.text.encode()).hexdigest(),
                edited_at=None, seen_at=archive.now, source="test")).inserted_primary_key[0]
            if s.flagged:
                conn.execute(insert(ItemFlag.__table__).values(
                    item_id=iid, version_id=vid, kind="phone", start=0, end=min(3, len(s.text)),
                    match=s.text[:3], detail=""))
            if s.mark:
                conn.execute(insert(ItemMark.__table__).values(
                    item_id=iid, kind=s.mark, case_ref="KS 2026/1" if s.mark == "led-to-case" else None,
                    category="reklam" if s.mark == "removed" else None,
                    law="OSL 21 kap. 1 §" if s.mark == "confidential" else None, note=None,
                    marked_by="anna", marked_at=archive.now))
            if s.media is not None:
                ref = archive.store.put_bytes(s.media, "image/jpeg")
                store.record(session, ref, archive.now)
                session.flush()
                conn.execute(insert(ItemMedia.__table__).values(
                    item_id=iid, sha256=ref.sha256, name="bild.jpg", media_type="image/jpeg", purged=False))
                if s.in_snapshot:
                    if snapshot_id is None:
                        snapshot_id = _snapshot(archive, session, account_id)
                    conn.execute(insert(SnapshotFile.__table__).values(
                        snapshot_id=snapshot_id, role=f"media-{iid}", name="bild.jpg", sha256=ref.sha256))
            if s.in_snapshot:
                if snapshot_id is None:
                    snapshot_id = _snapshot(archive, session, account_id)
                conn.execute(insert(ItemSource.__table__).values(item_id=iid, snapshot_id=snapshot_id,
                                                                 import_id=None, seen_at=archive.now))
    return ids


def _snapshot(archive: Archive, session: Any, account_id: int) -> int:
    snap = Snapshot(account_id=account_id, trigger="due", boundary=dt.date(2025, 7, 1), period_start=None,
                    period_end=None, reason="halvår", url="https://example.org", captured_at=archive.now,
                    late_seconds=0, engine_version="test", items_seen=1, followers=None, complete=True,
                    captured_by="cron")
    session.add(snap)
    session.flush()
    return snap.id
