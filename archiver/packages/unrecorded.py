"""A package on disk that its run did not live to record, and how the next run clears it.

A package appears at its path by one rename and is recorded in the catalogue after that,
so a run killed between the two leaves a whole package that no row names. Packages are
never overwritten, so without help a re-run to the same path would refuse forever. Before
the rename the writer leaves a claim beside the path, ``.<name>.<pid>-unrecorded``, holding
the package's id and its METS digest, and removes it once the row is committed. A later
run that finds the path taken, a claim whose process is gone, the same METS inside and no
row naming the path knows the package as its own unrecorded work: it removes it and writes
it again. Anything else at the path is the user's and is refused as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from archiver.home.files import atomic_write_bytes, fsync_dir, pid_alive

SUFFIX = "-unrecorded"


def claim_path(out: Path) -> Path:
    return out.parent / f".{out.name}.{os.getpid()}{SUFFIX}"


def write_claim(out: Path, objid: str, mets_path: str, mets_sha256: str) -> Path:
    """Say, durably, that the package about to appear at *out* is this run's until recorded."""
    claim = claim_path(out)
    atomic_write_bytes(claim, json.dumps({"objid": objid, "mets": mets_path, "mets_sha256": mets_sha256}).encode())
    return claim


def release(out: Path) -> None:
    """The package is recorded: it is no longer ours to remove."""
    with contextlib.suppress(FileNotFoundError):
        claim_path(out).unlink()


def dead_claims(folder: Path) -> list[tuple[Path, Path, dict[str, str]]]:
    """The claims in *folder* left by runs that are gone: (claim, the path it claims, what it says)."""
    found = []
    try:
        candidates = list(folder.iterdir())
    except OSError:
        return []
    for p in candidates:
        if not (p.name.startswith(".") and p.name.endswith(SUFFIX)):
            continue
        name, _, pid = p.name[1:-len(SUFFIX)].rpartition(".")
        if not name or not pid.isdigit() or pid_alive(int(pid)):
            continue
        try:
            said = json.loads(p.read_text("utf-8"))
        except (OSError, ValueError):
            said = {}
        found.append((p, folder / name, said if isinstance(said, dict) else {}))
    return found


def holds(out: Path, objid: str, mets_path: str, mets_sha256: str) -> bool:
    """Whether *out* is a package whose METS file has this digest (read, never trusted by name)."""
    member = f"{objid}/{mets_path}"
    try:
        if out.is_symlink():
            return False
        if out.is_dir():
            data = (out / mets_path).read_bytes()
        elif zipfile.is_zipfile(out):
            with zipfile.ZipFile(out) as zf:
                data = zf.read(member)
        else:
            with tarfile.open(out) as tf:
                fh = tf.extractfile(member)
                if fh is None:
                    return False
                data = fh.read()
    except (OSError, KeyError, zipfile.BadZipFile, tarfile.TarError):
        return False
    return hashlib.sha256(data).hexdigest() == mets_sha256


def clear(out: Path, recorded: Callable[[str, Path], bool]) -> bool:
    """Remove *out* if a dead run's claim proves it that run's unrecorded package.

    *recorded* says whether the catalogue holds the package with a given id at a given
    path (however the path was spelt). Returns whether *out* was removed. On
    the way, claims beside it that no longer hold anything back are dropped: on a path
    that is gone, or on a recorded package (a run killed after its commit). A claim on
    something that is not the claimed package is dropped too, and that thing is left alone.
    """
    ours = False
    dropped = 0
    for claim, target, said in dead_claims(out.parent):
        objid = said.get("objid", "")
        if target == out:
            ours = ours or (not recorded(objid, out) and holds(out, objid, said.get("mets", ""),
                                                          said.get("mets_sha256", "")))
        elif target.exists() and not recorded(objid, target):
            continue  # the run to that path decides
        with contextlib.suppress(FileNotFoundError):
            claim.unlink()
            dropped += 1
    if ours:
        if out.is_dir():
            shutil.rmtree(out)
        else:
            out.unlink()
    if ours or dropped:
        fsync_dir(out.parent)
    return ours
