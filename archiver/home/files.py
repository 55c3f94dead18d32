"""Atomic file writes: temp file in the same folder, fsync, rename, fsync the folder.

A reader never sees a half-written file, and a crash leaves either the old file
or the new one. Every output the engine writes goes through here.

Temporary names carry the writer's process id (``.name.<pid>-….tmp``, ``capture-<pid>-…``):
a write refused or failed removes its own temp file at once, and one left by a killed
process is removed by the next write beside it (``sweep_dead``), never one of a live run.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
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
        sweep_dead(path.parent, f".{path.name}.")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
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


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def sweep_dead(folder: Path, prefix: str) -> int:
    """Remove the files and folders named ``<prefix><pid>-…`` whose process is gone."""
    removed = 0
    try:
        candidates = list(folder.glob(glob.escape(prefix) + "*"))
    except OSError:
        return 0
    for p in candidates:
        pid, sep, _ = p.name[len(prefix):].partition("-")
        if not sep or not pid.isdigit() or pid_alive(int(pid)):
            continue
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed += 1
        except OSError:
            pass  # another sweeper got there first, or it is not ours to remove
    return removed


@contextlib.contextmanager
def scratch_dir(parent: Path, prefix: str) -> Iterator[Path]:
    """A private work folder ``<prefix><pid>-…``, removed afterwards; dead runs' ones go first."""
    parent.mkdir(parents=True, exist_ok=True)
    sweep_dead(parent, prefix)
    tmp = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
