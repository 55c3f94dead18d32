"""Safe access to an export, whether a zip file, a tar file or an unpacked folder.

Exports come from outside the municipality's control: a downloaded zip can be corrupted,
tampered with or built to harm (paths escaping the folder, zip bombs, millions of empty
members). Everything structural is checked in ``open_export`` before a single member is
read, so the catalogue's transaction never starts on an archive that is unsafe. Declared
sizes can lie, so the byte counts are enforced again while reading.

Google Takeout offers ``.tgz`` as well as ``.zip``. A compressed tar cannot be read at
random without decompressing it again from the start for every member, so it is checked
and unpacked in one pass, member by member, into a private scratch folder that is read
as a folder and removed when the source is closed; a check that fails midway removes
what was unpacked.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Container, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from archiver.errors import BadInputError
from archiver.items.imports.model import ExportLimits

_REDOWNLOAD = "re-download the export"


def normalise_member(name: str) -> str | None:
    """Return the posix form of a member name, or None if it could leave the export.

    Backslashes are read as separators because zips made on Windows use them; a name
    that is absolute, has a drive letter, or walks up with ``..`` is refused.
    """
    if "\x00" in name:
        return None
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        return None
    parts = [p for p in cleaned.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or not parts:
        return None
    return "/".join(parts)


class _CountingReader(io.RawIOBase):
    """Wraps a member stream and stops reading once it produces more than it may.

    A zip header can under-declare a member's size; the counter turns such a member into
    a clear BadInputError instead of a full disk or an out-of-memory kill. Read errors
    of a damaged zip (bad CRC, cut-off deflate stream) become BadInputError too.
    """

    def __init__(self, raw: BinaryIO, *, label: str, limit: int, budget: _Budget) -> None:
        super().__init__()
        self._raw = raw
        self._label = label
        self._limit = limit
        self._budget = budget
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._raw.read(len(view))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise BadInputError(
                f"{self._label}: cannot be read ({exc}); the export is damaged ({_REDOWNLOAD})"
            ) from None
        self._count += len(data)
        if self._count > self._limit:
            raise BadInputError(
                f"{self._label}: decompresses to more than its allowed "
                f"{self._limit:,} bytes (zip bomb or lying header); refusing to import it "
                f"({_REDOWNLOAD})"
            )
        self._budget.spend(len(data), self._label)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _Budget:
    """The total number of uncompressed bytes one opened export may still produce."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.total = total

    def spend(self, n: int, where: str) -> None:
        self.left -= n
        if self.left < 0:
            raise BadInputError(
                f"{where}: reading it takes the export past its limit of {self.total:,} "
                f"uncompressed bytes; refusing to import it ({_REDOWNLOAD}, or raise the limit)"
            )


class ExportSource:
    """An opened, checked export: its member list and a way to read members.

    Use as a context manager (``open_export`` returns one). Member paths are the
    normalised posix names relative to the export's top.
    """

    def __init__(self, path: Path, limits: ExportLimits, scratch: Path | None = None) -> None:
        self.path = path
        self._scratch_parent = scratch
        self.name = path.name
        self.limits = limits
        self._zip: zipfile.ZipFile | None = None
        self._zip_names: dict[str, zipfile.ZipInfo] = {}
        self._files: dict[str, Path] = {}
        self._budget = _Budget(limits.max_total_bytes)
        self._root: Path | None = None  # the folder a single-file export sits in
        self._siblings: dict[str, Path] = {}  # files beside it that it names as media
        self.survey: Any = None  # what each file holds, filled once by imports.survey
        self._unpacked: Path | None = None  # a tar's scratch folder, removed on close

    # -- opening and checking -------------------------------------------------------

    def _check(self) -> None:
        if not self.path.exists():
            raise BadInputError(f"{self.path}: no such file or folder; check the path")
        if self.path.is_dir():
            self._check_folder()
        elif zipfile.is_zipfile(self.path):
            self._check_zip()
        elif self.path.is_file() and self.path.name.lower().endswith(TAR_SUFFIXES) and (
                tarfile.is_tarfile(self.path)):
            self._check_tar()
        elif self.path.is_file() and self.path.suffix.lower() in SINGLE_FILE_SUFFIXES:
            self._check_single()
        else:
            raise BadInputError(
                f"{self.name}: neither a zip or tar file, a folder nor a single export file "
                f"({', '.join(SINGLE_FILE_SUFFIXES)}); give the downloaded export .zip or .tgz, "
                "the folder it unpacks to, or one of its files"
            )

    def _check_single(self) -> None:
        """One file of an export on its own (a bare posts_1.json, a Takeout CSV)."""
        size = self.path.stat().st_size
        if size > self.limits.max_member_bytes:
            raise BadInputError(
                f"{self.name}: has {size:,} bytes, more than the per-file limit of "
                f"{self.limits.max_member_bytes:,}; refusing to import it "
                "(raise the limit if it is genuine)"
            )
        self._files[self.path.name] = self.path
        self._root = self.path.parent.resolve()

    def _member_name(self, raw: str) -> str:
        """An archive member's normalised name; one that could leave the export is refused."""
        norm = normalise_member(raw)
        if norm is None:
            raise BadInputError(f"{self.name}: member {raw!r} escapes the export folder; "
                                f"refusing to import it ({_REDOWNLOAD})")
        return norm

    def _check_member(self, raw: str, norm: str, size: int, seen: Container[str]) -> None:
        """The checks a zip's and a tar's file members share: named once, within the size limit."""
        if norm in seen:
            raise BadInputError(f"{self.name}: member {norm!r} appears twice; refusing an ambiguous "
                                f"export ({_REDOWNLOAD})")
        if size > self.limits.max_member_bytes:
            raise BadInputError(f"{self.name}: member {raw!r} declares {size:,} bytes, more than the "
                                f"per-file limit of {self.limits.max_member_bytes:,}; refusing to "
                                f"import it ({_REDOWNLOAD}, or raise the limit)")

    def _check_zip(self) -> None:
        lim = self.limits
        try:
            zf = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise BadInputError(f"{self.name}: not a readable zip ({exc}); {_REDOWNLOAD}") from None
        self._zip = zf
        infos = zf.infolist()
        if len(infos) > lim.max_members:
            raise BadInputError(
                f"{self.name}: has {len(infos):,} members, more than the limit of "
                f"{lim.max_members:,}; refusing to import it ({_REDOWNLOAD}, or raise the limit)"
            )
        total = 0
        for info in infos:
            norm = self._member_name(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise BadInputError(
                    f"{self.name}: member {info.filename!r} is a symbolic link; refusing to "
                    f"import it ({_REDOWNLOAD})"
                )
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise BadInputError(
                    f"{self.name}: member {info.filename!r} is encrypted; give an "
                    "unencrypted export"
                )
            self._check_member(info.filename, norm, info.file_size, self._zip_names)
            if info.file_size > lim.ratio_applies_above:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > lim.max_ratio:
                    raise BadInputError(
                        f"{self.name}: member {info.filename!r} expands {ratio:,.0f}:1 "
                        f"(limit {lim.max_ratio:,.0f}:1), a zip bomb; refusing to import it "
                        f"({_REDOWNLOAD})"
                    )
            total += info.file_size
            if total > lim.max_total_bytes:
                raise BadInputError(
                    f"{self.name}: declares more than {lim.max_total_bytes:,} uncompressed "
                    f"bytes in total; refusing to import it ({_REDOWNLOAD}, or raise the limit)"
                )
            self._zip_names[norm] = info

    def _check_tar(self) -> None:
        lim = self.limits
        scratch = Path(tempfile.mkdtemp(prefix="bevara-export-", dir=self._scratch_parent))
        self._unpacked = scratch
        compressed = max(self.path.stat().st_size, 1)
        total = 0
        try:
            with tarfile.open(self.path, "r:*") as tf:
                for info in tf:
                    norm = self._member_name(info.name)
                    if info.issym() or info.islnk():
                        raise BadInputError(f"{self.name}: member {info.name!r} is a link; refusing "
                                            f"to import it ({_REDOWNLOAD})")
                    if info.isdir():
                        continue
                    if not info.isfile():
                        raise BadInputError(f"{self.name}: member {info.name!r} is not a regular "
                                            f"file; refusing to import it ({_REDOWNLOAD})")
                    if len(self._files) >= lim.max_members:
                        raise BadInputError(f"{self.name}: has more than {lim.max_members:,} "
                                            f"members; refusing to import it ({_REDOWNLOAD}, or "
                                            "raise the limit)")
                    self._check_member(info.name, norm, info.size, self._files)
                    total += info.size
                    self._check_expansion(total, compressed)
                    target = scratch / f"{len(self._files):06d}"
                    source = tf.extractfile(info)
                    assert source is not None  # a regular file always has its data
                    with source, target.open("xb") as out:  # a member cut short raises ReadError
                        shutil.copyfileobj(source, out, 1 << 20)
                    self._files[norm] = target
                # gzip, bzip2 and xz check their CRC only at the stream's end, which the
                # tar reader never reaches (it stops at the end-of-archive blocks): read
                # on to it, or a damaged stored block would be imported as it came out.
                # What decompresses after the archive counts too (more bytes than the file
                # holds can only come from decompression): zeros compressed after its end
                # would otherwise be decompressed without limit.
                tail = 0
                while tf.fileobj is not None and (chunk := len(tf.fileobj.read(1 << 20))):
                    tail += chunk
                    if total + tail > compressed:
                        self._check_expansion(total + tail, compressed)
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            # What was unpacked goes with the source, which open_export closes on any failure.
            raise BadInputError(f"{self.name}: not a readable tar file ({exc}); {_REDOWNLOAD}") from None

    def _check_expansion(self, total: int, compressed: int) -> None:
        """Refuse a tar that unpacks to more than the total limit or the compression ratio."""
        lim = self.limits
        if total > lim.max_total_bytes:
            raise BadInputError(f"{self.name}: declares more than {lim.max_total_bytes:,}"
                                f" bytes in total; refusing to import it ({_REDOWNLOAD},"
                                " or raise the limit)")
        if total > lim.ratio_applies_above and total / compressed > lim.max_ratio:
            raise BadInputError(f"{self.name}: expands more than {lim.max_ratio:,.0f}:1, "
                                f"a compression bomb; refusing to import it ({_REDOWNLOAD})")

    def _check_folder(self) -> None:
        lim = self.limits
        root = self.path.resolve()
        total = 0
        stack = [root]
        while stack:
            current = stack.pop()
            try:
                entries = list(os.scandir(current))
            except OSError as exc:
                raise BadInputError(
                    f"{current}: cannot be listed ({exc}); check its permissions"
                ) from None
            for entry in entries:
                rel = Path(entry.path).relative_to(root).as_posix()
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if not target.is_relative_to(root):
                        raise BadInputError(
                            f"{self.name}: {rel!r} is a symbolic link pointing outside the "
                            "export folder; refusing to import it (remove the link)"
                        )
                    if not target.is_file():
                        continue  # a link to a folder inside: its files are listed there
                    st = target.stat()
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
                else:
                    st = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(st.st_mode):
                        raise BadInputError(
                            f"{self.name}: {rel!r} is not a regular file; refusing to import "
                            "it (remove it from the folder)"
                        )
                if len(self._files) >= lim.max_members:
                    raise BadInputError(
                        f"{self.name}: has more than {lim.max_members:,} files; refusing to "
                        f"import it ({_REDOWNLOAD}, or raise the limit)"
                    )
                if st.st_size > lim.max_member_bytes:
                    raise BadInputError(
                        f"{self.name}: {rel!r} has {st.st_size:,} bytes, more than the "
                        f"per-file limit of {lim.max_member_bytes:,}; refusing to import it "
                        "(raise the limit if it is genuine)"
                    )
                total += st.st_size
                if total > lim.max_total_bytes:
                    raise BadInputError(
                        f"{self.name}: holds more than {lim.max_total_bytes:,} bytes; refusing "
                        "to import it (raise the limit if it is genuine)"
                    )
                self._files[rel] = Path(entry.path)

    # -- use --------------------------------------------------------------------------

    def members(self) -> Iterator[str]:
        """Member paths, sorted so that every run sees them in the same order."""
        yield from sorted(self._zip_names if self._zip is not None else self._files)

    def has_member(self, path: str) -> bool:
        norm = normalise_member(path)
        if norm is None:
            return False
        if norm in (self._zip_names if self._zip is not None else self._files):
            return True
        return self._sibling(norm) is not None

    def _sibling(self, norm: str) -> Path | None:
        """A file beside a single-file export, which its media paths are relative to.

        Only regular files inside the file's folder count; nothing outside it is reachable.
        """
        if self._root is None:
            return None
        candidate = self._root / norm
        try:
            resolved = candidate.resolve()
            st = candidate.lstat()
        except OSError:
            return None
        if not resolved.is_relative_to(self._root) or not stat.S_ISREG(st.st_mode):
            return None
        if st.st_size > self.limits.max_member_bytes:
            return None
        self._siblings[norm] = candidate
        return candidate

    def member_size(self, path: str) -> int:
        if self._zip is not None:
            return self._zip_names[path].file_size
        return (self._files.get(path) or self._siblings[path]).stat().st_size

    def label(self, path: str) -> str:
        """How a member is named in messages: ``export.zip:data/tweets.js``."""
        return f"{self.name}:{path}"

    def open_member(self, path: str) -> BinaryIO:
        """Open a member for reading, with the size limits enforced while it is read."""
        norm = normalise_member(path)
        if norm is None or not self.has_member(norm):
            raise BadInputError(f"{self.name}: has no member {path!r}; {_REDOWNLOAD}")
        label = self.label(norm)
        if self._zip is not None:
            info = self._zip_names[norm]
            limit = min(info.file_size, self.limits.max_member_bytes)
            try:
                raw: BinaryIO = self._zip.open(info)  # type: ignore[assignment]
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
                raise BadInputError(f"{label}: cannot be opened ({exc}); {_REDOWNLOAD}") from None
        else:
            file_path = self._files.get(norm) or self._siblings[norm]
            root = self._root or self._unpacked or self.path.resolve()
            if not file_path.resolve().is_relative_to(root):
                raise BadInputError(f"{label}: now points outside the export folder; refusing it")
            limit = self.limits.max_member_bytes
            raw = file_path.open("rb")
        return _CountingReader(raw, label=label, limit=limit, budget=self._budget)  # type: ignore[return-value]

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._unpacked is not None:
            shutil.rmtree(self._unpacked, ignore_errors=True)
            self._unpacked = None

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


DEFAULT_LIMITS = ExportLimits()
SINGLE_FILE_SUFFIXES = (".json", ".js", ".csv", ".jsonl", ".ndjson")
TAR_SUFFIXES = (".tar", ".tgz", ".tar.gz")


def open_export(path: Path, *, limits: ExportLimits = DEFAULT_LIMITS,
                scratch: Path | None = None) -> ExportSource:
    """Open and structurally check an export; nothing is read before the checks pass.

    A tar export is unpacked under *scratch* (the home's work folder, where a killed
    run's leftovers are swept by the next one), else under the system's temporary folder.
    """
    source = ExportSource(Path(path), limits, scratch)
    try:
        source._check()
    except BaseException:
        source.close()
        raise
    return source

