"""SIGKILL `archive capture` anywhere: no half-stored snapshot, no row naming a missing file.

A capture writes its PDF/As and page files in a work folder, puts them in the store, and
commits the snapshot row with its files in one transaction. A kill at any moment must
leave either no snapshot or a whole one: every file the catalogue names is in the store
with its digest (`archive verify --full` is clean), and the next capture of the account
succeeds and leaves no work folder, temporary file or uncommitted store file behind.
"""

from __future__ import annotations

import json
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
from conftest import ADMINS, Cli

from fixtures.platform import FixturePlatform

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TRIALS = int(os.environ.get("BEVARA_CRASH_TRIALS") or 2)
"""A trial is a killed capture, two verifies and a capture again (~10 s); 20 for the full harness."""
SEED = 20261203


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "ARCHIVE_HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def _capture(home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "archiver", "-q", "capture", "1", "--json"], env=_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _verify(home: Path) -> tuple[int, list[dict[str, object]]]:
    done = subprocess.run([sys.executable, "-m", "archiver", "verify", "--full", "--json"], env=_env(home),
                          capture_output=True, text=True)
    return done.returncode, json.loads(done.stdout)["findings"] if done.stdout.strip() else []


def _snapshots(home: Path) -> list[int]:
    db = sqlite3.connect(home / "catalogue.sqlite")
    try:
        return [r[0] for r in db.execute("select id from snapshots order by id")]
    finally:
        db.close()


@pytest.fixture(scope="module")
def platform():  # type: ignore[no-untyped-def]
    with FixturePlatform(seed=2026) as fp:
        yield fp


def test_capture_killed_anywhere_leaves_no_snapshot_or_a_whole_one(arc: Cli, platform: FixturePlatform,
                                                                  tmp_path: Path) -> None:
    arc.ok("accounts", "add", "--name", "Torsby kommun", "--platform", "facebook", "--url",
           platform.account_url("facebook", "torsbykommun", posts=10), "--unit", "Kommunikation",
           "--purpose", "Information", "--opened", "2020-01-01", *ADMINS)
    template = arc.home
    clean = tmp_path / "clean"
    shutil.copytree(template, clean)
    t0 = time.monotonic()
    proc = _capture(clean)
    assert proc.wait(timeout=300) == 0, proc.stderr.read() if proc.stderr else ""
    duration = time.monotonic() - t0
    assert _snapshots(clean) == [1]

    rng = random.Random(SEED)
    outcomes = {"none": 0, "whole": 0}
    for trial in range(TRIALS):
        home = tmp_path / f"home-{trial}"
        shutil.copytree(template, home)
        proc = _capture(home)
        time.sleep(rng.uniform(0.15, 1.1) * duration)  # start-up, page, PDF builds, store, commit
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        outcome = "whole" if _snapshots(home) else "none"
        outcomes[outcome] += 1
        rc, findings = _verify(home)
        bad = [f for f in findings if f["kind"] in ("missing", "size", "corrupt", "unreferenced")]
        assert rc == 0 and bad == [], f"trial {trial} ({outcome}): {findings}"

        again = _capture(home)
        assert again.wait(timeout=300) == 0, again.stderr.read() if again.stderr else ""
        assert len(_snapshots(home)) == (2 if outcome == "whole" else 1), f"trial {trial}"
        rc, findings = _verify(home)
        assert (rc, findings) == (0, []), f"trial {trial} ({outcome}): after the re-run {findings}"
        assert list((home / "tmp").iterdir()) == [], f"trial {trial}: work folders left in the home"
        shutil.rmtree(home)
    print(f"capture: {TRIALS} trials, outcomes {outcomes}", file=sys.stderr)
    assert outcomes["none"] > 0, outcomes  # the kills reached into the capture, not only past its end
