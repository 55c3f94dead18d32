"""SIGKILL `archive package` mid-write: no half-written package, no row for a missing one.

A package appears only when complete (written beside its path, then renamed) and is
recorded after that, so a kill leaves one of: nothing (and a temporary file the next run
removes), the whole package recorded, or, if the kill falls between the rename and the
commit, the whole package unrecorded, which the re-run of the same command removes and
writes again. Never a partial package, never a row naming a package that is not there.
The re-run writes the same bytes (packages are deterministic).
The items PDF is rendered once in the template home (fake renderer), so the killed
commands need no browser.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from package_data import NOW, make_home, seed
from test_packages import SCHEMAS, deliver, needs_schemas

from archiver.catalogue.models import ItemMedia
from archiver.home.store import record

pytestmark = [needs_schemas, pytest.mark.slow]

_N = os.environ.get("BEVARA_CRASH_TRIALS")
TRIALS = {"delivery.zip": int(_N or 6), "delivery": int(_N or 4)}
"""Modest by default (a trial is three commands, ~10 s); BEVARA_CRASH_TRIALS=20 for the full harness."""
SEED = 20261202
MEDIA = 8  # files of 6 MiB: the write takes long enough to be killed inside


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "ARCHIVE_NOW": NOW.isoformat(), "ARCHIVE_HOME": str(home),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def _package(home: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "archiver", "package", "--period", "2026H1", "-o", str(out)],
                            env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _rows(home: Path) -> list[str]:
    db = sqlite3.connect(home / "catalogue.sqlite")
    try:
        return [r[0] for r in db.execute("select path from packages order by id")]
    finally:
        db.close()


def _digest(path: Path) -> str:
    """One digest for a zip or a folder package: names, modes and bytes of every file."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        h.update(str(p.relative_to(path)).encode() + b"\0")
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def _verify(home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archiver", "verify"], env=_env(home), capture_output=True,
                          text=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pkgcrash")
    a = make_home(root / "home", SCHEMAS)
    ids = seed(a)
    rng = random.Random(SEED)
    with a.transaction() as session:
        for n in range(MEDIA):
            ref = a.store.put_bytes(rng.randbytes(6 << 20), "image/jpeg")
            record(session, ref, NOW)
            session.add(ItemMedia(item_id=ids["p1"], sha256=ref.sha256, name=f"bild-{n}.jpg", media_type="image/jpeg"))
    deliver(a, root / "warm")  # renders items.pdf once; the killed runs find it in the store
    a.close()
    shutil.rmtree(root / "warm")
    return root / "home"


@pytest.mark.parametrize("name", ["delivery.zip", "delivery"])
def test_package_killed_anywhere_leaves_nothing_or_the_whole_package(template: Path, tmp_path: Path,
                                                                     name: str) -> None:
    clean = tmp_path / "clean"
    shutil.copytree(template, clean)
    t0 = time.monotonic()
    proc = _package(clean, tmp_path / "clean-out" / name)
    assert proc.wait(timeout=300) == 0, proc.stderr.read() if proc.stderr else ""
    duration = time.monotonic() - t0
    whole = _digest(tmp_path / "clean-out" / name)
    before = _rows(template)

    rng = random.Random(SEED)
    outcomes = {"nothing": 0, "recorded": 0, "unrecorded": 0}
    for trial in range(TRIALS[name]):
        home, outdir = tmp_path / f"home-{trial}", tmp_path / f"out-{trial}"
        shutil.copytree(template, home)
        out = outdir / name
        proc = _package(home, out)
        # Past start-up, into the write, some past its end: one kill in each of TRIALS equal
        # slices of that span, so a run slowed or sped up by other work on the machine still
        # has kills early in its write (four draws from the whole span could all miss it).
        time.sleep((0.3 + (trial + rng.random()) / TRIALS[name]) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

        rows = _rows(home)
        assert rows[:len(before)] == before and len(rows) - len(before) in (0, 1), f"trial {trial}: {rows}"
        if len(rows) > len(before):
            assert rows[-1] == str(out) and out.exists(), f"trial {trial}: a row for a package that is not there"
        if out.exists():
            assert _digest(out) == whole, f"trial {trial}: a partial package at {out}"
        outcome = "nothing" if not out.exists() else "recorded" if len(rows) > len(before) else "unrecorded"
        outcomes[outcome] += 1
        verify = _verify(home)
        assert verify.returncode == 0, f"trial {trial}: {verify.stdout}{verify.stderr}"

        target = out if outcome != "recorded" else outdir / f"again-{name}"
        again = _package(home, target)
        assert again.wait(timeout=300) == 0, again.stderr.read() if again.stderr else ""
        assert _digest(target) == whole, f"trial {trial} ({outcome}): the re-run wrote other bytes"
        assert _rows(home)[-1] == str(target), f"trial {trial} ({outcome}): the re-run's package is not recorded"
        assert sorted(p.name for p in outdir.iterdir() if p.name.startswith(".")) == [], \
            f"trial {trial}: the re-run left the killed run's temporary package"
        assert [p.name for p in (home / "tmp").iterdir()] == [], f"trial {trial}: work folders left in the home"
        assert "stray" not in _verify(home).stdout, f"trial {trial}: the store keeps an uncommitted file"
        shutil.rmtree(home)
        shutil.rmtree(outdir)
    print(f"package {name}: {TRIALS[name]} trials, outcomes {outcomes}", file=sys.stderr)
    assert outcomes["nothing"] > 0, outcomes  # the kills reached into the write, not only past its end
