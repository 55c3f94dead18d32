"""Stored snapshots as the archivist sees them: list, show, export with digests verified."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archiver.catalogue.models import Snapshot, SnapshotFile
from archiver.errors import IntegrityError, NotFoundError
from archiver.home.archive import Archive
from archiver.home.files import atomic_write_text, atomic_writer


def get_snapshot(session: Session, snapshot_id: int) -> Snapshot:
    snap = session.get(Snapshot, snapshot_id, options=[selectinload(Snapshot.files)
                                                        .selectinload(SnapshotFile.stored)])
    if snap is None:
        raise NotFoundError(f"snapshot {snapshot_id} does not exist; list them with: archive snapshots list")
    return snap


def list_snapshots(session: Session, account_id: int | None = None) -> list[Snapshot]:
    q = select(Snapshot).options(selectinload(Snapshot.files).selectinload(SnapshotFile.stored),
                                 selectinload(Snapshot.account)).order_by(Snapshot.id)
    if account_id is not None:
        q = q.where(Snapshot.account_id == account_id)
    return list(session.scalars(q))


def snapshot_record(s: Snapshot, paths: Callable[[str], Path] | None = None) -> dict[str, Any]:
    return {
        "id": s.id, "account": s.account_id, "trigger": s.trigger,
        "boundary": s.boundary.isoformat() if s.boundary else None,
        "period": [s.period_start.isoformat() if s.period_start else None,
                   s.period_end.isoformat() if s.period_end else None],
        "captured_at": s.captured_at.isoformat(), "late_seconds": s.late_seconds,
        "reason": s.reason, "url": s.url, "complete": s.complete, "items_seen": s.items_seen,
        "followers": s.followers, "engine": s.engine_version, "captured_by": s.captured_by,
        "files": [{"role": f.role, "name": f.name, "sha256": f.sha256,
                   "media_type": f.stored.media_type, "size": f.stored.size,
                   **({"path": str(paths(f.sha256))} if paths else {})} for f in s.files],
    }


def export_snapshot(archive: Archive, snapshot_id: int, dest: Path) -> list[dict[str, Any]]:
    """Copy a snapshot's files out of the store, verifying each digest on the way."""
    with archive.transaction() as session:
        snap = get_snapshot(session, snapshot_id)
        files = [(f.role, f.name, f.sha256, f.stored.media_type) for f in snap.files]
        meta = snapshot_record(snap)
    out = []
    for role, name, sha, media_type in files:
        target = dest / name
        h = hashlib.sha256()
        with archive.store.open(sha) as src, atomic_writer(target) as dst:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                dst.write(chunk)
            if h.hexdigest() != sha:
                raise IntegrityError(f"stored file {sha} ({name}) is corrupt; restore it from backup")
        out.append({"role": role, "path": str(target), "sha256": sha, "media_type": media_type})
    atomic_write_text(dest / "snapshot.json", json.dumps({**meta, "exported": out},
                                                         ensure_ascii=False, indent=2))
    return out
