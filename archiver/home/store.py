"""Content-addressed, write-once file store.

Files live at ``store/ab/abcdef…`` named by their SHA-256. A file is written to a
temp file on the same file system, fsynced, and renamed into place, so the store
never holds a partial file under a digest name. Writing a file that is already
there is a no-op; nothing in the store is ever modified.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from archiver.catalogue.models import StoredFile
from archiver.errors import IntegrityError, NotFoundError, OutputError
from archiver.home.files import fsync_dir

CHUNK = 1 << 20


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

    def __init__(self, root: Path) -> None:
        self.root = root
        self._swept = False

    @property
    def incoming(self) -> Path:
        return self.root / ".incoming"

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
        """Remove the leftovers; the first write of every run does this once."""
        removed = 0
        for path in self.leftovers():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
        self._swept = True
        return removed

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
        head = stream.read(CHUNK)
        more = stream.read(CHUNK) if head else b""
        if not more:
            # Small enough to hash in memory: a file the store already holds (the same
            # image in many records) costs no temp file, write or rename.
            digest = hashlib.sha256(head).hexdigest()
            if self.path_for(digest).exists():
                return StoredRef(digest, len(head), media_type)
        tmp_dir = self.incoming
        try:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            if not self._swept:
                self.sweep()
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

