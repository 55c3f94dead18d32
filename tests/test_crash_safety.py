"""SIGKILL at random points: afterwards nothing partial is visible and a re-run completes.

A power cut or an OOM kill lands anywhere. Each trial starts from the same home, kills
the command after a seeded random delay within its normal running time, then checks
that the catalogue holds either nothing or everything of the run, that `archive verify`
passes, that the re-run completes with exactly the items a clean run gives and that it
removes the killed run's temporary files and the media it stored but never committed.
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
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXED_NOW, Cli

from fixtures.exports.generate import generate_facebook_export

pytestmark = pytest.mark.slow

TRIALS = 20
SEED = 20261201


def _counts(home: Path) -> tuple[int, int, int, int]:
    db = sqlite3.connect(home / "catalogue.sqlite")
    try:
        return tuple(db.execute(f"select count(*) from {t}").fetchone()[0]  # type: ignore[return-value]
                     for t in ("items", "item_versions", "item_sources", "imports"))
    finally:
        db.close()


def _archive(home: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ARCHIVE_NOW": FIXED_NOW, "ARCHIVE_HOME": str(home),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.Popen([sys.executable, "-m", "archiver", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_import_killed_anywhere_leaves_old_or_whole_state(arc: Cli, add: Callable[..., int],
                                                          tmp_path: Path) -> None:
    account = add(arc)
    export = generate_facebook_export(tmp_path / "fb.zip", items=1500)
    template = tmp_path / "template"
    shutil.copytree(arc.home, template)

    clean = tmp_path / "clean"
    shutil.copytree(template, clean)
    t0 = time.monotonic()
    proc = _archive(clean, "import", str(account), str(export))
    assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    duration = time.monotonic() - t0
    whole = _counts(clean)
    proc = _archive(clean, "import", str(account), str(export))
    assert proc.wait(timeout=120) == 0
    twice = _counts(clean)  # a second import adds a source per item, nothing else
    before = _counts(template)
    assert whole[0] > 1000 and before == (0, 0, 0, 0)

    rng = random.Random(SEED)
    outcomes = {"old": 0, "whole": 0}
    for trial in range(TRIALS):
        home = tmp_path / f"trial-{trial}"
        shutil.copytree(template, home)
        proc = _archive(home, "import", str(account), str(export))
        time.sleep(rng.uniform(0.0, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

        state = _counts(home)
        assert state in (before, whole), f"trial {trial}: partial state {state}"
        outcome = "old" if state == before else "whole"
        outcomes[outcome] += 1
        # Only the killed run needs a process of its own; verify and the re-run go in-process.
        after = Cli(home=home, env={"ARCHIVE_NOW": FIXED_NOW, "ARCHIVE_HOME": ""})
        verify = after("verify")
        assert verify.exit_code == 0, f"trial {trial}: {verify.stdout}{verify.stderr}"
        after.ok("import", str(account), str(export))
        state = _counts(home)
        expected = whole if outcome == "old" else twice
        assert state == expected, f"trial {trial} ({outcome}): re-run gave {state}, expected {expected}"
        assert list((home / "store" / ".incoming").iterdir()) == [], "the re-run sweeps dead writers' files"
        after = subprocess.run([sys.executable, "-m", "archiver", "--home", str(home), "verify", "--json"],
                               env={**os.environ, "ARCHIVE_NOW": FIXED_NOW}, capture_output=True, text=True)
        assert json.loads(after.stdout)["findings"] == [], f"trial {trial}: the killed run's files remain"
        shutil.rmtree(home)
    assert outcomes["old"] > 0, outcomes  # the delays reached into the run, not only past its end
