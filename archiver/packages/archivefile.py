"""Writing a package as a folder, zip or tar, byte-identically; reading anyone's package safely.

Writing: entries in sorted order under one root folder, fixed mtimes (the package's
creation time), owner 0/0, mode 0644/0755, stored (not deflated) zip members: PDFs and media
are compressed already, and a stored zip can be checked file by file without inflating.
Each stored file is copied in one read while its digest is re-checked. The result appears
only when complete (temp path beside it, then rename) and never replaces an existing path.

Reading: one streaming pass over every member, hashing it; XML files small enough are kept
for parsing. Path traversal, absolute names, links and devices, and members or archives
that inflate beyond sane ratios are reported as findings and not read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from archiver.errors import IntegrityError, OutputError
from archiver.home.files import fsync_dir, sweep_dead
from archiver.packages.content import Entry

CHUNK = 1 << 20
XML_MAX = 64 << 20
"""XML members larger than this are hashed but not parsed (a METS file is a few MB at most)."""
MAX_RATIO = 200
"""A zip member inflating to more than this many times its stored size is treated as a bomb."""
MAX_MEMBERS = 2_000_000


def kind_of(out: Path) -> str:
    s = out.name.lower()
    return "zip" if s.endswith(".zip") else "tar" if s.endswith(".tar") else "folder"


Progress = Callable[[int, int], None]
"""Told (files written, files in all) as a package is written."""


def write_package(entries: Sequence[Entry], out: Path, root: str, mtime: dt.datetime,
                  progress: Progress | None = None, before_rename: Callable[[], object] | None = None) -> None:
    """Write *entries* under the folder *root* to *out* (zip, tar, or a new folder).

    *before_rename* runs when the package is whole, just before it appears at *out*
    (the caller's claim on it until recorded, see ``unrecorded``).
    """
    out = Path(out)
    if out.exists() or out.is_symlink():
        raise OutputError(f"{out} already exists; choose a new output path (packages are never overwritten)")
    ordered = _Counted(sorted(entries, key=lambda e: e.path), progress)
    seconds = int(mtime.timestamp())
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot write {out}: {e.strerror}") from e
    sweep_dead(out.parent, f".{out.name}.")  # what a killed run left half-written here
    kind = kind_of(out)
    if kind == "folder":
        _write_folder(ordered, out, seconds, before_rename)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.{os.getpid()}-", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            (_write_zip if kind == "zip" else _write_tar)(ordered, fh, root, mtime)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        if out.exists():
            raise OutputError(f"{out} already exists; choose a new output path (packages are never overwritten)")
        if before_rename is not None:
            before_rename()
        os.link(tmp, out)  # fails rather than replace a file that appeared meanwhile
        fsync_dir(out.parent)
    except OSError as e:
        raise OutputError(f"cannot write {out}: {e.strerror}") from e
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


class _Counted(list[Entry]):
    """The entries, telling *progress* after each file the writers copy (``files()``)."""

    def __init__(self, entries: list[Entry], progress: Progress | None) -> None:
        super().__init__(entries)
        self.progress = progress

    def files(self) -> Iterator[Entry]:
        for n, e in enumerate(self, 1):
            yield e
            if self.progress is not None:
                self.progress(n, len(self))


def _copy_checked(e: Entry, write: Callable[[bytes], object]) -> None:
    if e.data is not None:
        write(e.data)
        return
    assert e.source is not None
    h = hashlib.sha256()
    with e.source.open("rb") as src:
        while chunk := src.read(CHUNK):
            h.update(chunk)
            write(chunk)
    if h.hexdigest() != e.sha256:
        raise IntegrityError(f"stored file {e.source.name} for {e.path} does not match its digest; "
                             "run archive verify and restore it from backup")


def _dirs(entries: Sequence[Entry]) -> list[str]:
    seen = set()
    for e in entries:
        for parent in PurePosixPath(e.path).parents:
            if str(parent) != ".":
                seen.add(str(parent))
    return sorted(seen)


def _write_folder(entries: _Counted, out: Path, seconds: int, before_rename: Callable[[], object] | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}-", suffix=".tmp", dir=out.parent))
    try:
        for e in entries.files():
            target = tmp / e.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as fh:
                _copy_checked(e, fh.write)
                fh.flush()
                os.fsync(fh.fileno())
            os.utime(target, (seconds, seconds))
        for d in reversed(["", *_dirs(entries)]):
            os.utime(tmp / d, (seconds, seconds))
        os.chmod(tmp, 0o755)
        if out.exists():
            raise OutputError(f"{out} already exists; choose a new output path (packages are never overwritten)")
        if before_rename is not None:
            before_rename()
        tmp.rename(out)
        fsync_dir(out.parent)
    except OSError as e:
        raise OutputError(f"cannot write {out}: {e.strerror}") from e
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _write_zip(entries: _Counted, fh: BinaryIO, root: str, mtime: dt.datetime) -> None:
    stamp = mtime.astimezone(dt.UTC).timetuple()[:6]
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for d in ["", *_dirs(entries)]:
            zi = zipfile.ZipInfo(f"{root}/{d}/" if d else f"{root}/", date_time=stamp)
            zi.create_system = 3
            zi.external_attr = (0o40755 << 16) | 0x10
            zf.writestr(zi, b"")
        for e in entries.files():
            zi = zipfile.ZipInfo(f"{root}/{e.path}", date_time=stamp)
            zi.create_system = 3
            zi.external_attr = 0o100644 << 16
            zi.compress_type = zipfile.ZIP_STORED
            zi.file_size = e.size
            with zf.open(zi, "w", force_zip64=e.size >= (1 << 31)) as dst:
                _copy_checked(e, dst.write)


class _Reader:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, e: Entry) -> None:
        self.e = e
        self.fh: BinaryIO | None = e.source.open("rb") if e.source else None
        self.h = hashlib.sha256()
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        if self.fh is None:
            assert self.e.data is not None
            chunk = self.e.data[self.pos: None if n < 0 else self.pos + n]
        else:
            chunk = self.fh.read(n)
        self.pos += len(chunk)
        self.h.update(chunk)
        return chunk

    def close(self) -> None:
        if self.fh:
            self.fh.close()
        if self.h.hexdigest() != self.e.sha256:
            raise IntegrityError(f"stored file for {self.e.path} does not match its digest; "
                                 "run archive verify and restore it from backup")


def _write_tar(entries: _Counted, fh: BinaryIO, root: str, mtime: dt.datetime) -> None:
    seconds = int(mtime.timestamp())

    def info(name: str, size: int, is_dir: bool) -> tarfile.TarInfo:
        ti = tarfile.TarInfo(name)
        ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = seconds, 0, 0, "", ""
        ti.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
        ti.mode, ti.size = (0o755, 0) if is_dir else (0o644, size)
        return ti

    with tarfile.open(fileobj=fh, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for d in ["", *_dirs(entries)]:
            tf.addfile(info(f"{root}/{d}".rstrip("/"), 0, True))
        for e in entries.files():
            reader = _Reader(e)
            try:
                tf.addfile(info(f"{root}/{e.path}", e.size, False), reader)
            finally:
                reader.close()


@dataclass
class Member:
    """One file of a package being validated (path relative to the package root)."""

    path: str
    size: int
    sha256: str
    data: bytes | None  # kept for XML files up to XML_MAX


@dataclass(frozen=True)
class Hazard:
    rule: str
    message: str


def safe_name(name: str) -> str | None:
    """The member name as a relative POSIX path, or None if it could escape the package."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = PurePosixPath(name).parts
    if any(p == ".." for p in parts):
        return None
    return "/".join(p for p in parts if p != ".")


def _hash_stream(fh: IO[bytes], keep: bool, limit: int | None = None) -> tuple[int, str, bytes | None]:
    h = hashlib.sha256()
    size = 0
    kept = bytearray() if keep else None
    while chunk := fh.read(CHUNK):
        size += len(chunk)
        h.update(chunk)
        if kept is not None:
            if size > XML_MAX:
                kept = None
            else:
                kept += chunk
        if limit is not None and size > limit:
            break
    return size, h.hexdigest(), bytes(kept) if kept is not None else None


def _is_xml(name: str) -> bool:
    return name.lower().endswith(".xml")


def scan(path: Path) -> tuple[list[Member], list[Hazard], list[str]]:
    """Every regular file of a folder, zip or tar (names as stored), hazards, and the dirs seen."""
    if path.is_dir():
        return _scan_folder(path)
    if zipfile.is_zipfile(path):
        try:
            return _scan_zip(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
            return [], [Hazard("CSIPSTR3", f"{path.name} is not a readable zip ({e})")], []
    try:
        return _scan_tar(path)
    except tarfile.TarError as e:
        return [], [Hazard("CSIPSTR3", f"{path.name} is neither a folder, a zip nor a tar ({e})")], []


def _scan_folder(root: Path) -> tuple[list[Member], list[Hazard], list[str]]:
    members, hazards, dirs = [], [], []
    for folder, subdirs, files in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(folder, root)
        for d in sorted(subdirs):
            p = Path(folder) / d
            rel = os.path.normpath(Path(rel_dir) / d)
            if p.is_symlink():
                hazards.append(Hazard("BEVARA-SEC2", f"{rel} is a symbolic link; packages hold plain files only"))
            else:
                dirs.append(rel.replace(os.sep, "/"))
        subdirs[:] = sorted(d for d in subdirs if not (Path(folder) / d).is_symlink())
        for f in sorted(files):
            p = Path(folder) / f
            rel = os.path.normpath(Path(rel_dir) / f).replace(os.sep, "/")
            st = os.lstat(p)
            if not stat.S_ISREG(st.st_mode):
                hazards.append(Hazard("BEVARA-SEC2", f"{rel} is a link or special file; "
                                                     "packages hold plain files only"))
                continue
            with p.open("rb") as fh:
                size, digest, data = _hash_stream(fh, _is_xml(f))
            members.append(Member(rel, size, digest, data))
    return members, hazards, dirs


def _scan_zip(path: Path) -> tuple[list[Member], list[Hazard], list[str]]:
    members, hazards, dirs = [], [], []
    archive_size = max(path.stat().st_size, 1)
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            return [], [Hazard("BEVARA-SEC4", f"{len(infos)} members: more than {MAX_MEMBERS}; not read")], []
        declared = sum(i.file_size for i in infos)
        if declared > MAX_RATIO * archive_size and declared > (64 << 20):
            return [], [Hazard("BEVARA-SEC4", f"the zip declares {declared} bytes from {archive_size}: "
                                              "a zip bomb; not unpacked")], []
        for i in infos:
            name = safe_name(i.filename.rstrip("/")) if i.filename.rstrip("/") else ""
            if name is None:
                hazards.append(Hazard("BEVARA-SEC1", f"member {i.filename!r} points outside the package; not read"))
                continue
            mode = i.external_attr >> 16
            if i.is_dir():
                dirs.append(name)
                continue
            if stat.S_ISLNK(mode) or (mode and not stat.S_ISREG(mode)):
                hazards.append(Hazard("BEVARA-SEC2", f"member {name} is a link or special file; not read"))
                continue
            if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > (16 << 20):
                hazards.append(Hazard("BEVARA-SEC4", f"member {name} inflates {i.file_size // i.compress_size}×: "
                                                     "a zip bomb; not read"))
                continue
            try:
                with zf.open(i) as fh:
                    size, digest, data = _hash_stream(fh, _is_xml(name), limit=i.file_size)
            except (zipfile.BadZipFile, OSError, NotImplementedError) as e:
                hazards.append(Hazard("CSIPSTR3", f"member {name} cannot be read ({e})"))
                continue
            members.append(Member(name, size, digest, data))
    return members, hazards, dirs


def _scan_tar(path: Path) -> tuple[list[Member], list[Hazard], list[str]]:
    members, hazards, dirs = [], [], []
    archive_size = max(path.stat().st_size, 1)
    total = 0
    with tarfile.open(path, mode="r|*") as tf:
        for count, ti in enumerate(_iter_tar(tf)):
            if count > MAX_MEMBERS:
                hazards.append(Hazard("BEVARA-SEC4", f"more than {MAX_MEMBERS} members; the rest not read"))
                break
            name = safe_name(ti.name.rstrip("/"))
            if name is None:
                hazards.append(Hazard("BEVARA-SEC1", f"member {ti.name!r} points outside the package; not read"))
                continue
            if ti.isdir():
                dirs.append(name)
                continue
            if not ti.isreg():
                hazards.append(Hazard("BEVARA-SEC2", f"member {name} is a link or special file; not read"))
                continue
            total += ti.size
            if total > MAX_RATIO * archive_size and total > (64 << 20):
                hazards.append(Hazard("BEVARA-SEC4", "the archive inflates far beyond its size: a bomb; not read on"))
                break
            fh = tf.extractfile(ti)
            assert fh is not None
            size, digest, data = _hash_stream(fh, _is_xml(name), limit=ti.size)
            members.append(Member(name, size, digest, data))
    return members, hazards, dirs


def _iter_tar(tf: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while True:
        ti = tf.next()
        if ti is None:
            return
        yield ti
