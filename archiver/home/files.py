"""Atomic file writes: temp file in the same folder, fsync, rename, fsync the folder.

A reader never sees a half-written file, and a crash leaves either the old file
or the new one. Every output the engine writes goes through here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from archiver.errors import OutputError


@contextlib.contextmanager
def atomic_writer(path: Path, *, mode: int = 0o644, overwrite: bool = True,
                  parents: bool = True) -> Iterator[BinaryIO]:
    """Yield a binary file; on clean exit it replaces ``path`` atomically.

    ``parents=False`` is for a path the user typed (``-o``): a missing folder there is
    more likely a typo than a wish, so it is an error rather than created.
    """
    path = Path(path)
    if not overwrite and path.exists():
        raise OutputError(f"{path} already exists; choose another output path")
    if not parents and not path.parent.exists():
        raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist; "
                          "create it first or choose another path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror}; choose a path in a folder you can write to") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise OutputError(f"cannot write {path}: {e.strerror}; choose a path in a folder you can write to") from e
        raise


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o644, parents: bool = True) -> None:
    with atomic_writer(path, mode=mode, parents=parents) as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644, parents: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode, parents=parents)


def fsync_dir(folder: Path) -> None:
    """Make a rename durable; some file systems refuse to open a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
