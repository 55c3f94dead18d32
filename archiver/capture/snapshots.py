"""Stored snapshots as the archivist sees them: list, show, export with digests verified,
and the captures that failed."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archiver.accounts.register import get_account
from archiver.catalogue.models import CaptureFailure, ItemMedia, ItemSource, Snapshot, SnapshotFile
from archiver.clock import local_iso
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
        "captured_at": s.captured_at.replace(microsecond=0).isoformat(), "late_seconds": s.late_seconds,
        "reason": s.reason, "url": s.url, "complete": s.complete, "items_seen": s.items_seen,
        "followers": s.followers, "engine": s.engine_version, "captured_by": s.captured_by,
        "clock": s.clock, "redacted": any(f.role == "redaction" for f in s.files),
        "files": [{"role": f.role, "name": f.name, "sha256": f.sha256,
                   "media_type": f.stored.media_type, "size": f.stored.size,
                   **({"path": str(paths(f.sha256))} if paths else {})} for f in s.files],
    }


def archivist_record(archive: Archive, s: Snapshot) -> dict[str, Any]:
    """snapshot.json: the snapshot record plus what a person reading it without the catalogue
    needs: whose account on which platform, by which organisation, the capture time in
    local time with its offset, and how late it was in days."""
    from archiver.accounts.publish import PLATFORM_NAMES

    rec = snapshot_record(s)
    late_days = (None if s.late_seconds is None
                 else round(s.late_seconds / 86400, 1))
    return {
        "id": rec.pop("id"), "account": rec.pop("account"), "account_name": s.account.name,
        "platform": PLATFORM_NAMES.get(s.account.platform, s.account.platform),
        "organisation": archive.settings.org_name, "organisationsnummer": archive.settings.org_id,
        "captured_at": rec.pop("captured_at"),
        "captured_at_local": local_iso(s.captured_at, archive.settings.tz),
        "timezone": archive.settings.timezone, "late_days": late_days, **rec,
    }


def snapshot_media(session: Session, snapshot_id: int) -> list[tuple[int, str, str, str]]:
    """(item id, name, sha256, media type) of the media files of the items this snapshot saw,
    except those purged by culling or redaction."""
    q = (select(ItemMedia.item_id, ItemMedia.name, ItemMedia.sha256, ItemMedia.media_type)
         .join(ItemSource, ItemSource.item_id == ItemMedia.item_id)
         .where(ItemSource.snapshot_id == snapshot_id, ItemMedia.purged.is_(False))
         .distinct().order_by(ItemMedia.item_id, ItemMedia.sha256))
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(q)]


def media_name(item: int, name: str, sha: str) -> str:
    """media/<item>/<digest prefix>-<file name>: unique, and safe whatever the platform named it."""
    base = re.sub(r"[^\w.-]+", "_", name.rsplit("/", 1)[-1].split("?", 1)[0]).strip("._")
    return f"media/{item}/{sha[:8]}-{base or 'media'}"


def export_snapshot(archive: Archive, snapshot_id: int, dest: Path) -> list[dict[str, Any]]:
    """Copy a snapshot's files, and the media of the items it saw (``media/<item>/``), out of
    the store, verifying each digest on the way.

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
        files += [("media", media_name(item, name, sha), sha, media_type)
                  for item, name, sha, media_type in snapshot_media(session, snapshot_id)]
        meta = archivist_record(archive, snap)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    except OSError as e:
        raise OutputError(f"cannot write {dest}: {e.strerror}") from e
    try:
        out = []
        for role, name, sha, media_type in files:
            h = hashlib.sha256()
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
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
