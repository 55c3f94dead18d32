"""Content-addressed, write-once file store.

Files live at ``store/ab/abcdef…`` named by their SHA-256. A file is written to a
temp file on the same file system, fsynced, and renamed into place, so the store
never holds a partial file under a digest name. Writing a file that is already
there is a no-op; nothing in the store is ever modified.

A file is published before the catalogue row that names it commits, so a run killed
or refused (disk full) in between leaves a file no row names. Each writer therefore
notes every digest it adds in a journal (``store/.journal/<pid>-….journal``) before the
rename, and holds a shared ``flock`` on ``store/.journal/lock`` while it may still commit.
Whoever gets the lock exclusively (no writer alive: the next run's first write, or the
last writer closing its archive) removes the journaled files that no row names, then the
journals. Without the lock nobody deletes anything: a file that a live run may yet
commit is never touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import mimetypes
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from archiver.catalogue.models import StoredFile
from archiver.errors import IntegrityError, NotFoundError, OutputError
from archiver.home.files import fsync_dir

CHUNK = 1 << 20

Catalogued = Callable[[set[str]], set[str]]
"""Which of these digests have a catalogue row (``stored_files``)."""


@dataclass(frozen=True)
class StoredRef:
    """What the catalogue records about a stored file."""

    sha256: str
    size: int
    media_type: str


def guess_media_type(name: str) -> str:
    extra = {".warc": "application/warc", ".mhtml": "multipart/related", ".jsonl": "application/jsonl"}
    suffix = Path(name).suffix.lower()
    if suffix in extra:
        return extra[suffix]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class FileStore:
    """The store under one archive home; pass it in, don't construct it in library code."""

    def __init__(self, root: Path, catalogued: Catalogued | None = None) -> None:
        self.root = root
        self.catalogued = catalogued  # without it, orphans are left for a store that knows
        self._lock: int | None = None
        self._journal: int | None = None
        self._journal_path: Path | None = None

    @property
    def incoming(self) -> Path:
        return self.root / ".incoming"

    @property
    def journals(self) -> Path:
        return self.root / ".journal"

    def leftovers(self) -> list[Path]:
        """Temporary files of writers that are gone: a run killed between write and rename.

        Each writer names its temporary files after its process id, so a file whose
        process no longer runs is garbage, while one of a live run is left alone.
        """
        try:
            names = sorted(p.name for p in self.incoming.iterdir())
        except FileNotFoundError:
            return []
        return [self.incoming / n for n in names if not _writer_alive(n)]

    def sweep(self) -> int:
        """Remove the leftovers (and, if no writer is alive, the orphans); the first write
        of every run does this once. Returns how many temporary files went."""
        removed = 0
        for path in self.leftovers():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
        return removed

    def _begin(self) -> None:
        """The first write of this store object: take the writers' lock, clean up after the dead."""
        self.journals.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.journals / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # other writers run: their journals are theirs, orphans wait for a quiet moment
        else:
            self.remove_orphans()
        fcntl.flock(self._lock, fcntl.LOCK_SH)
        self.sweep()

    def remove_orphans(self, journals: Iterable[Path] | None = None) -> int:
        """Delete journaled files that no catalogue row names; the caller holds the lock exclusively."""
        if self.catalogued is None:
            return 0
        paths = sorted(self.journals.glob("*.journal")) if journals is None else list(journals)
        removed = 0
        for journal in paths:
            try:
                digests = {d for d in journal.read_text("ascii", "replace").split() if len(d) == 64}
            except FileNotFoundError:
                continue
            for sha in sorted(digests - self.catalogued(digests)):
                removed += self.delete(sha, durable=False)
            journal.unlink(missing_ok=True)
        if removed:
            self.sync()
        return removed

    def close(self) -> None:
        """End of this writer: if it is the last one, its uncommitted files go now."""
        if self._lock is None:
            return
        try:
            if self._journal is not None:
                os.close(self._journal)
                self._journal = None
                try:
                    fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass  # another writer is alive; the next run's first write does it
                else:
                    with contextlib.suppress(OSError):
                        self.remove_orphans()
        finally:
            os.close(self._lock)  # releases the flock
            self._lock = None

    def _note(self, digest: str) -> None:
        """Journal a digest before its file appears, so a crash after the rename is undone."""
        if self._journal is None:
            self._journal_path = self.journals / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.journal"
            self._journal = os.open(self._journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        line = f"{digest}\n".encode("ascii")
        if os.write(self._journal, line) != len(line):
            raise OSError(28, "short write to the store journal")

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put_file(self, source: Path, media_type: str | None = None) -> StoredRef:
        with source.open("rb") as fh:
            return self.put_stream(fh, media_type or guess_media_type(source.name))

    def put_bytes(self, data: bytes, media_type: str) -> StoredRef:
        return self.put_stream(io.BytesIO(data), media_type)

    def put_stream(self, stream: BinaryIO, media_type: str, *, durable: bool = True) -> StoredRef:
        """Copy a stream into a temp file while hashing, then move it to its digest name.

        With ``durable=False`` the per-file fsyncs are skipped; the caller must call
        ``sync()`` before committing the catalogue rows that point at the files.
        """
        tmp_dir = self.incoming
        try:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            if self._lock is None:
                self._begin()  # before reusing a stored file too: an orphan sweep must wait for us
        except OSError as e:
            raise OutputError(f"cannot write to the file store {self.root}: {e.strerror}") from e
        head = stream.read(CHUNK)
        more = stream.read(CHUNK) if head else b""
        if not more:
            # Small enough to hash in memory: a file the store already holds (the same
            # image in many records) costs no temp file, write or rename.
            digest = hashlib.sha256(head).hexdigest()
            if self.path_for(digest).exists():
                return StoredRef(digest, len(head), media_type)
        try:
            fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=f"{os.getpid()}-")
        except OSError as e:
            raise OutputError(f"cannot write to the file store {self.root}: {e.strerror}") from e
        h = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                chunk = head + more
                while chunk:
                    h.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                    chunk = stream.read(CHUNK)
                out.flush()
                if durable:
                    os.fsync(out.fileno())
            digest = h.hexdigest()
            return self._publish(Path(tmp), digest, size, media_type, durable)
        except OSError as e:
            raise OutputError(f"cannot write to the file store {self.root}: {e.strerror}") from e
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _publish(self, tmp: Path, digest: str, size: int, media_type: str,
                 durable: bool = True) -> StoredRef:
        final = self.path_for(digest)
        if not final.exists():
            self._note(digest)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)
            if durable:
                fsync_dir(final.parent)
        return StoredRef(digest, size, media_type)

    def sync(self) -> None:
        """Flush every file written with ``durable=False`` to disk (one sync for the lot)."""
        os.sync()

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError as e:
            raise NotFoundError(f"file {sha256} is missing from the store {self.root}") from e

    def verify(self, sha256: str) -> None:
        """Re-hash one stored file; raise IntegrityError if its bytes changed."""
        h = hashlib.sha256()
        with self.open(sha256) as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
        if h.hexdigest() != sha256:
            raise IntegrityError(f"stored file {sha256} does not match its digest (found {h.hexdigest()})")

    def delete(self, sha256: str, *, durable: bool = True) -> bool:
        """Remove a file's bytes (only culling and CSAM handling may call this).

        With ``durable=False`` the folder is not fsynced; the caller calls ``sync()`` once
        after a batch of deletions.
        """
        path = self.path_for(sha256)
        try:
            os.chmod(path, 0o644)
            path.unlink()
        except FileNotFoundError:
            return False
        if durable:
            fsync_dir(path.parent)
        return True


def _writer_alive(name: str) -> bool:
    """Whether the process a temporary file is named after still runs (see FileStore.leftovers)."""
    pid, sep, _ = name.partition("-")
    if not sep or not pid.isdigit():
        return False  # not one of ours: nothing is writing it
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def record(session: Session, ref: StoredRef, now: dt.datetime) -> StoredFile:
    """Index a stored file in the catalogue (idempotent: same digest, same row)."""
    row = session.get(StoredFile, ref.sha256)
    if row is None:
        row = StoredFile(sha256=ref.sha256, size=ref.size, media_type=ref.media_type, stored_at=now)
        session.add(row)
    return row

