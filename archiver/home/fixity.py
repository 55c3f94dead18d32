"""Fixity: does the file store still hold what the catalogue says, byte for byte?

An archive is trusted for what it promises after things go wrong: a bit that flips on
disk, a file someone deleted or touched, a run killed between writing a file and
committing its row. ``check`` compares the store with the catalogue and the audit chain
and returns every finding at once (bagit-style), each naming the records it affects and
what to do.

How it stays flat in memory and safe beside running captures and imports:

* The catalogue's files (``stored_files``, ordered by digest) and the store's folders
  (walked in digest order) are merged like two sorted lists; neither is held whole.
* Only what is committed is judged. A file on disk without a row may belong to a run
  that has not committed yet, so strays are looked up again after the walk, and one
  written in the last ``STRAY_GRACE`` is a note, not a finding.
* ``full=True`` re-hashes every byte (1 MiB reads through OpenSSL's SHA-256); without it
  presence, size and the read-only mode are checked, which is what a weekly run affords.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archiver.catalogue.models import ItemMedia, SnapshotFile, StoredFile
from archiver.home import audit
from archiver.home.archive import Archive

CHUNK = 1 << 20
STRAY_GRACE = dt.timedelta(minutes=15)
"""A stray younger than this may be a file whose run has not committed yet."""

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Finding:
    """One thing wrong: its kind, the file, the records it affects and what to do."""

    kind: str  # missing size corrupt writable stray unreferenced uncatalogued purge audit leftover
    sha256: str | None
    message: str
    records: tuple[str, ...] = ()
    level: str = "error"  # "error" fails the check; "note" is reported only

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "sha256": self.sha256, "level": self.level,
                "message": self.message, "records": list(self.records)}


@dataclass
class FixityReport:
    files_checked: int = 0
    bytes_hashed: int = 0
    audit_entries: int = 0
    full: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "full": self.full, "files_checked": self.files_checked,
                "bytes_hashed": self.bytes_hashed, "audit_entries": self.audit_entries,
                "findings": [f.as_dict() for f in self.findings]}


# Which records point at a stored file. A new table that keeps files in the store adds
# a line here, so verify names its records too.
ReferenceQuery = Callable[[Session, str | None], Iterator[tuple[str, str]]]


def _snapshot_files(session: Session, sha: str | None) -> Iterator[tuple[str, str]]:
    q = select(SnapshotFile.sha256, SnapshotFile.snapshot_id, SnapshotFile.name)
    if sha is not None:
        q = q.where(SnapshotFile.sha256 == sha)
    for digest, snap, name in session.execute(q):
        yield digest, f"snapshot {snap} ({name})"


def _item_media(session: Session, sha: str | None) -> Iterator[tuple[str, str]]:
    q = select(ItemMedia.sha256, ItemMedia.item_id, ItemMedia.name).where(ItemMedia.purged.is_(False))
    if sha is not None:
        q = q.where(ItemMedia.sha256 == sha)
    for digest, item, name in session.execute(q):
        yield digest, f"item {item} (media {name})"


REFERENCES: tuple[ReferenceQuery, ...] = (_snapshot_files, _item_media)


def records_of(session: Session, sha: str) -> tuple[str, ...]:
    return tuple(sorted({label for ref in REFERENCES for _, label in ref(session, sha)}))


def check(archive: Archive, *, full: bool = False,
          progress: Callable[[int, int], None] | None = None) -> FixityReport:
    """Compare store, catalogue and audit chain; every finding, never an exception for one."""
    report = FixityReport(full=full)
    started = dt.datetime.now(dt.UTC)
    store_root = archive.store.root
    with archive.transaction() as session:
        total = session.scalar(select(func.count()).select_from(StoredFile)) or 0
        referenced = _referenced_digests(session)
        rows = session.execute(select(StoredFile.sha256, StoredFile.size).order_by(StoredFile.sha256))
        on_disk = _walk(store_root)
        disk = next(on_disk, None)
        strays: list[Path] = []
        for sha, size in rows:
            while disk is not None and disk[0] < sha:
                strays.append(disk[1])
                disk = next(on_disk, None)
            path = store_root / sha[:2] / sha
            if disk is not None and disk[0] == sha:
                _check_file(session, report, sha, size, path, full)
                disk = next(on_disk, None)
            else:
                report.findings.append(Finding(
                    "missing", sha, f"stored file {sha} is missing; restore store/{sha[:2]}/{sha} from backup",
                    records_of(session, sha)))
            if sha not in referenced:
                report.findings.append(Finding(
                    "unreferenced", sha, f"stored file {sha} is catalogued but no record uses it; "
                    "it is kept, but check what removed its record (archive audit verify)", level="note"))
            report.files_checked += 1
            if progress is not None:
                progress(report.files_checked, total)
        while disk is not None:
            strays.append(disk[1])
            disk = next(on_disk, None)
        for sha in sorted(referenced - _catalogued(session, referenced)):
            report.findings.append(Finding(
                "uncatalogued", sha, f"records use file {sha} but the catalogue has no row for it; "
                "restore the catalogue from backup", records_of(session, sha)))
        _purged_still_present(session, report, store_root, referenced)
        chain = audit.verify(session)
        report.audit_entries = chain.entries
        if not chain.ok:
            report.findings.append(Finding("audit", None, f"audit log broken: {chain.first_problem}; "
                                           f"{audit.intact_phrase(chain)}; {audit.BROKEN_FIX}"))
    _judge_strays(archive, report, strays, started)
    for path in archive.store.leftovers():
        report.findings.append(Finding(
            "leftover", None, f"store/.incoming/{path.name} is a temporary file of an interrupted write; "
            "the next capture or import removes it", level="note"))
    return report


def _referenced_digests(session: Session) -> set[str]:
    # Digests only, 64 bytes each: a million referenced files cost ~100 MB at worst,
    # and the check needs the set to tell unreferenced rows from used ones.
    return {digest for ref in REFERENCES for digest, _ in ref(session, None)}


def _catalogued(session: Session, digests: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(digests)
    for i in range(0, len(ordered), 500):
        batch = ordered[i:i + 500]
        found.update(session.scalars(select(StoredFile.sha256).where(StoredFile.sha256.in_(batch))))
    return found


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file under the store's digest folders, in digest order; temp files skipped."""
    if not root.is_dir():
        return
    for prefix in sorted(p.name for p in root.iterdir()):
        folder = root / prefix
        if prefix in (".incoming", ".journal") or not folder.is_dir():
            if not folder.is_dir():
                yield ("", folder)  # a file at the top level is a stray whatever its name
            continue
        for name in sorted(p.name for p in folder.iterdir()):
            yield (name if _DIGEST.match(name) and name[:2] == prefix else "", folder / name)


def _check_file(session: Session, report: FixityReport, sha: str, size: int, path: Path,
                full: bool) -> None:
    try:
        st = path.lstat()
    except OSError as e:
        report.findings.append(Finding("missing", sha, f"stored file {sha} cannot be read ({e.strerror}); "
                                       "restore it from backup", records_of(session, sha)))
        return
    if not stat.S_ISREG(st.st_mode):
        report.findings.append(Finding("corrupt", sha, f"stored file {sha} is not a regular file; "
                                       "restore it from backup", records_of(session, sha)))
        return
    if st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        report.findings.append(Finding("writable", sha, f"stored file {sha} is writable; "
                                       f"make it read-only: chmod 0444 {path}", records_of(session, sha)))
    if st.st_size != size:
        report.findings.append(Finding("size", sha, f"stored file {sha} has {st.st_size} bytes, the catalogue "
                                       f"says {size}; restore it from backup", records_of(session, sha)))
        return
    if full:
        h = hashlib.sha256()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    h.update(chunk)
        except OSError as e:
            report.findings.append(Finding("missing", sha, f"stored file {sha} cannot be read "
                                           f"({e.strerror}); restore it from backup", records_of(session, sha)))
            return
        report.bytes_hashed += st.st_size
        if h.hexdigest() != sha:
            report.findings.append(Finding("corrupt", sha, f"stored file {sha} does not match its digest; "
                                           "restore it from backup", records_of(session, sha)))


def _purged_still_present(session: Session, report: FixityReport, root: Path, in_use: set[str]) -> None:
    """Media purged by law (barnpornografibrott) must be gone from the store for good."""
    q = select(ItemMedia.sha256, ItemMedia.item_id).where(ItemMedia.purged.is_(True))
    for sha, item in session.execute(q):
        if sha not in in_use and (root / sha[:2] / sha).exists():
            report.findings.append(Finding(
                "purge", sha, f"media {sha} of item {item} was purged but its file is still in the store; "
                f"delete store/{sha[:2]}/{sha}", (f"item {item}",)))


def _judge_strays(archive: Archive, report: FixityReport, strays: list[Path], started: dt.datetime) -> None:
    if not strays:
        return
    with archive.transaction() as session:
        committed = _catalogued(session, {p.name for p in strays if _DIGEST.match(p.name)})
    for path in strays:
        if path.name in committed:
            continue  # a run committed it while we walked
        try:
            mtime = dt.datetime.fromtimestamp(path.lstat().st_mtime, dt.UTC)
        except OSError:
            continue  # gone meanwhile: a run's temporary file
        recent = started - mtime < STRAY_GRACE
        rel = path.relative_to(archive.store.root)
        report.findings.append(Finding(
            "stray", path.name if _DIGEST.match(path.name) else None,
            f"store/{rel} is not in the catalogue"
            + ("; it may belong to a run still going: verify again later" if recent else
               "; a run was probably killed before it committed: move it out of the store"),
            level="note" if recent else "error"))
