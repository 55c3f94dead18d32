"""What every package builder shares: agents from archive.toml, stored files as entries,
renderings made once and kept, the schemas copied in, the package written and recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select

from archiver import __version__
from archiver.catalogue.models import StoredFile
from archiver.catalogue.package_tables import PackageRecord, Rendering
from archiver.errors import IntegrityError, NotFoundError, OutputError
from archiver.home.archive import Archive
from archiver.home.files import scratch_dir
from archiver.home.store import record
from archiver.packages import unrecorded
from archiver.packages.archivefile import Progress, write_package
from archiver.packages.content import Entry, data_entry
from archiver.packages.mets import Header, Party
from archiver.packages.schemaset import SchemaSet
from archiver.pdf.model import DocumentMetadata

Renderer = Callable[[str, Path, DocumentMetadata], None]
SOFTWARE = "Bevara"
ENGINE = f"bevara/{__version__}"
log = logging.getLogger(__name__)


def check_new(archive: Archive, out: Path) -> None:
    """Refuse an existing output before any work is done (write_package checks again at the end).

    The one exception is this software's own package that a killed run wrote and did not
    record (``unrecorded``): it is removed, so re-running the command completes.
    """
    def recorded(objid: str, path: Path) -> bool:
        # By id and path: the same request at the same --now (a simulated clock) gives the
        # same id, so an identical package may well be recorded at another path.
        with archive.transaction() as session:
            paths = session.scalars(select(PackageRecord.path).where(PackageRecord.objid == objid)).all()
        return any(Path(p).resolve() == path.resolve() for p in paths)

    if unrecorded.clear(out, recorded):
        log.warning("removed %s: an earlier run was stopped after writing it and before recording it; "
                    "writing it again", out)
    if out.exists() or out.is_symlink():
        raise OutputError(f"{out} already exists; choose a new output path (packages are never overwritten)")


def header(archive: Archive, objid: str, label: str) -> Header:
    s, p = archive.settings, archive.settings.package
    return Header(
        objid=objid, label=label, created=archive.now,
        archivist=Party(s.org_name, f"ORG:{s.org_id.replace('-', '')}"),
        submitter=Party(p.submitter or s.org_name,
                        p.submitter_id or f"ORG:{s.org_id.replace('-', '')}"),
        software=SOFTWARE, software_version=__version__,
        preservation=Party(p.archive, p.archive_id) if p.archive else None,
        submission_agreement=p.submission_agreement, reference_code=p.reference_code)


def objid_for(archive: Archive, *parts: object) -> str:
    """The same request at the same --now gets the same id, so a rebuilt package is identical."""
    name = "|".join(str(x) for x in (archive.settings.org_id, archive.now.isoformat(), *parts))
    return f"uuid-{uuid.uuid5(uuid.NAMESPACE_URL, 'https://bevara.se/package/' + name)}"


def stored_entry(archive: Archive, stored: StoredFile, path: str, media_type: str | None = None) -> Entry:
    source = archive.store.path_for(stored.sha256)
    if not source.exists():
        raise IntegrityError(f"stored file {stored.sha256} for {path} is missing from the store; "
                             "restore it from backup before packaging")
    return Entry(path, media_type or stored.media_type, stored.stored_at, stored.sha256, stored.size,
                 source=source)


def rendering(archive: Archive, html: str, title: str, source: str, render: Renderer) -> StoredFile:
    """The PDF/A of *html*: printed once, then kept in the store and reused by digest."""
    digest = hashlib.sha256(html.encode()).hexdigest()
    with archive.transaction() as session:
        row = session.get(Rendering, digest)
        if row is not None:
            stored = session.get(StoredFile, row.pdf_sha256)
            if stored is not None and archive.store.path_for(stored.sha256).exists():
                return stored
    with scratch_dir(archive.home.tmp_dir, "render-") as tmp:
        out = tmp / "rendering.pdf"
        render(html, out, DocumentMetadata(title=title, source=source, created_at=archive.now,
                                           engine_version=ENGINE))
        ref = archive.store.put_file(out, "application/pdf")
    with archive.transaction() as session:
        stored = record(session, ref, archive.now)
        existing = session.get(Rendering, digest)
        if existing is None:
            session.add(Rendering(html_sha256=digest, pdf_sha256=ref.sha256, created_at=archive.now))
        else:
            existing.pdf_sha256 = ref.sha256
        session.flush()
        return stored


def schema_entries(schemas: SchemaSet, keys: Sequence[str], created: dt.datetime,
                   optional: Sequence[str] = ()) -> list[Entry]:
    """The schemas the package's XML uses, copied into ``schemas/``; missing ones are errors."""
    out = []
    for key in [*keys, *optional]:
        path = schemas.path(key, required=key not in optional and not schemas.missing_ok)
        if path is None:
            continue
        out.append(data_entry(f"schemas/{schemas.package_name(key)}", path.read_bytes(), "application/xml", created))
    return out


def write_and_record(archive: Archive, entries: Sequence[Entry], out: Path, root: str, *, kind: str,
                     profile: str, period: str | None, account_id: int | None, case_ref: str | None,
                     item_ids: Sequence[int], mets_path: str,
                     progress: Progress | None = None) -> dict[str, object]:
    """Write the package, then record it and audit it in one transaction."""
    mets = next((e for e in entries if e.path == mets_path), None)
    if mets is None:
        raise NotFoundError(f"internal: {mets_path} missing from the package")
    write_package(entries, out, root, archive.now, progress,
                  before_rename=lambda: unrecorded.write_claim(out, root, mets.path, mets.sha256))
    size = sum(e.size for e in entries)
    with archive.transaction() as session:
        row = PackageRecord(kind=kind, profile=profile, objid=root, period=period, account_id=account_id,
                            case_ref=case_ref, path=str(out), mets_sha256=mets.sha256,
                            items=json.dumps(sorted(item_ids)), created_at=archive.now, created_by=archive.actor)
        session.add(row)
        session.flush()
        archive.audit(session, f"package:{row.id}", {
            "kind": kind, "profile": profile, "objid": root, "path": str(out), "files": len(entries),
            "bytes": size, "mets_sha256": mets.sha256, "period": period, "account": account_id,
            "case": case_ref, "items": len(item_ids)})
        package_id = row.id
    unrecorded.release(out)
    return {"package": package_id, "kind": kind, "profile": profile, "objid": root, "path": str(out),
            "files": len(entries), "bytes": size, "items": len(item_ids), "mets_sha256": mets.sha256}
