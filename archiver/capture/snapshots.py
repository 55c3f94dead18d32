"""Stored snapshots as the archivist sees them: list, show, export with digests verified,
and the captures that failed."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archiver.accounts.register import get_account
from archiver.catalogue.models import CaptureFailure, Snapshot, SnapshotFile
from archiver.errors import IntegrityError, NotFoundError, OutputError
from archiver.home.archive import Archive
from archiver.home.files import atomic_write_text, atomic_writer, fsync_dir


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
        get_account(session, account_id)  # a mistyped id is "not found", not "no snapshots"
        q = q.where(Snapshot.account_id == account_id)
    return list(session.scalars(q))


def snapshot_record(s: Snapshot, paths: Callable[[str], Path] | None = None) -> dict[str, Any]:
    """Plain data for JSON and snapshot.json; ``redacted`` says the files are not as captured
    (the redaction file among them tells what was cut out, why and by whom)."""
    return {
        "id": s.id, "account": s.account_id, "trigger": s.trigger,
        "boundary": s.boundary.isoformat() if s.boundary else None,
        "period": [s.period_start.isoformat() if s.period_start else None,
                   s.period_end.isoformat() if s.period_end else None],
        "captured_at": s.captured_at.isoformat(), "late_seconds": s.late_seconds,
        "reason": s.reason, "url": s.url, "complete": s.complete, "items_seen": s.items_seen,
        "followers": s.followers, "engine": s.engine_version, "captured_by": s.captured_by,
        "clock": s.clock, "redacted": any(f.role == "redaction" for f in s.files),
        "files": [{"role": f.role, "name": f.name, "sha256": f.sha256,
                   "media_type": f.stored.media_type, "size": f.stored.size,
                   **({"path": str(paths(f.sha256))} if paths else {})} for f in s.files],
    }


def export_snapshot(archive: Archive, snapshot_id: int, dest: Path) -> list[dict[str, Any]]:
    """Copy a snapshot's files out of the store, verifying each digest on the way.

    Everything is written to a temporary folder beside *dest* and renamed to it only
    when every file and snapshot.json are complete: an archivist never finds a folder
    that looks like an export but lacks a file (a corrupt store file leaves nothing).
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise OutputError(f"{dest} is not empty; export into a new or empty folder")
    with archive.transaction() as session:
        snap = get_snapshot(session, snapshot_id)
        files = [(f.role, f.name, f.sha256, f.stored.media_type) for f in snap.files]
        meta = snapshot_record(snap)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    except OSError as e:
        raise OutputError(f"cannot write {dest}: {e.strerror}") from e
    try:
        out = []
        for role, name, sha, media_type in files:
            h = hashlib.sha256()
            with archive.store.open(sha) as src, atomic_writer(staging / name) as dst:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    dst.write(chunk)
                if h.hexdigest() != sha:
                    raise IntegrityError(f"stored file {sha} ({name}) is corrupt; restore it from backup")
            out.append({"role": role, "path": str(dest / name), "sha256": sha,
                        "media_type": media_type})
        atomic_write_text(staging / "snapshot.json", json.dumps({**meta, "exported": out},
                                                                ensure_ascii=False, indent=2))
        try:
            if dest.exists():
                dest.rmdir()  # empty, checked above; rename cannot replace a folder otherwise
            staging.rename(dest)
        except OSError as e:
            raise OutputError(f"cannot write {dest}: {e.strerror}") from e
        fsync_dir(dest.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def list_failures(session: Session, account_id: int | None = None) -> list[CaptureFailure]:
    q = select(CaptureFailure).order_by(CaptureFailure.id)
    if account_id is not None:
        get_account(session, account_id)
        q = q.where(CaptureFailure.account_id == account_id)
    return list(session.scalars(q))


def failure_record(f: CaptureFailure) -> dict[str, Any]:
    return {"id": f.id, "account": f.account_id, "trigger": f.trigger,
            "boundary": f.boundary.isoformat() if f.boundary else None,
            "at": f.at.isoformat(), "reason": f.reason}


def verify_snapshot(archive: Archive, snapshot_id: int) -> dict[str, Any]:
    """Every finding about one snapshot: files re-hashed, PDFs validated as PDF/A, and, for a
    redacted snapshot, its files being exactly the ones the last redaction left."""
    import pikepdf

    from archiver.capture.redaction import redactions_of
    from archiver.pdf.pdfa import validate_pdfa

    findings: list[str] = []
    with archive.transaction() as session:
        snap = get_snapshot(session, snapshot_id)
        files = {f.role: (f.name, f.sha256) for f in snap.files}
        redactions = redactions_of(session, snapshot_id)
    for role, (name, sha) in files.items():
        try:
            archive.store.verify(sha)
        except (IntegrityError, NotFoundError) as e:
            findings.append(f"{name}: {e}")
            continue
        if role in ("visual-pdf", "print-pdf"):
            try:
                findings += [f"{name}: {f}" for f in validate_pdfa(archive.store.path_for(sha))]
            except pikepdf.PdfError as e:
                findings.append(f"{name}: not a readable PDF ({e})")
    latest: dict[str, str] = {}
    for r in redactions:
        latest.update({role: pair[1] for role, pair in r["files"].items()})
    for role, sha in latest.items():
        if files.get(role, ("", None))[1] != sha:
            findings.append(f"{role}: not the file the redaction of "
                            f"{redactions[-1]['at'][:10]} left ({sha[:12]}…)")
    return {"snapshot": snapshot_id, "ok": not findings, "findings": findings,
            "redacted_items": [r["item"] for r in redactions]}
