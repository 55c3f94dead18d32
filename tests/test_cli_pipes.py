"""A reader that stops early (`archive items list | head -1`) is not an error."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import FIXED_NOW, Cli

from fixtures.exports.generate import generate_facebook_export


def test_a_closed_pipe_ends_the_listing_quietly(arc: Cli, add: Callable[..., int], tmp_path: Path) -> None:
    add(arc)
    arc.ok("import", "1", str(generate_facebook_export(tmp_path / "fb.zip", items=3000)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver", "--home", str(arc.home), "items", "list", "--account", "1",
         "--limit", "3000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "ARCHIVE_NOW": FIXED_NOW, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""
    assert first.strip()
