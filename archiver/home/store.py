"""Content-addressed, write-once file store.

Files live at ``store/ab/abcdef…`` named by their SHA-256. A file is written to a
temp file on the same file system, fsynced, and renamed into place, so the store
never holds a partial file under a digest name. Writing a file that is already
there is a no-op; nothing in the store is ever modified.
"""

from __future__ import annotations

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
        tmp_dir = self.root / ".incoming"
        try:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=tmp_dir)
        except OSError as e:
            raise OutputError(f"cannot write to the file store {self.root}: {e.strerror}") from e
        h = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    h.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
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


def record(session: Session, ref: StoredRef, now: dt.datetime) -> StoredFile:
    """Index a stored file in the catalogue (idempotent: same digest, same row)."""
    row = session.get(StoredFile, ref.sha256)
    if row is None:
        row = StoredFile(sha256=ref.sha256, size=ref.size, media_type=ref.media_type, stored_at=now)
        session.add(row)
    return row
