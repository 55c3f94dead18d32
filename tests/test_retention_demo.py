"""`archive demo` ends with a retention review and a dry-run apply that culls nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from archiver.catalogue.retention_tables import RetentionCandidate, RetentionStub
from archiver.cli import cli
from archiver.demo import DEMO_NOW
from archiver.home.archive import open_archive
from archiver.home.config import Home


@pytest.mark.browser
@pytest.mark.slow
def test_demo_reviews_and_dry_runs(tmp_path: Path) -> None:
    home = tmp_path / "demo-home"
    result = CliRunner().invoke(cli, ["demo", "--home", str(home), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    review, dry = out["retention_review"], out["retention_dry_run"]
    assert review["review"] == 1 and dry["dry_run"] is True
    assert dry["would_cull"] == sum(g["count"] for g in review["groups"])
    assert review["excluded_counts"].get("flagged", 0) >= out["import"]["flagged"]
    archive = open_archive(Home(home), now=DEMO_NOW, actor="t")
    with archive.transaction() as s:
        assert s.scalar(select(func.count()).select_from(RetentionStub)) == 0
    archive.close()
    # The text run is a new demo; what it prints must be what its own catalogue holds.
    # (Two demo runs need not give the same review: the X-style feed's last batch, requested
    # before the period start came into view, arrives in some runs and not in others, adding
    # up to ten posts older than the period and their comments to the catalogue.)
    text = CliRunner().invoke(cli, ["demo", "--home", str(home), "--fresh"], catch_exceptions=False).stdout
    archive = open_archive(Home(home), now=DEMO_NOW, actor="t")
    with archive.transaction() as s:
        n = s.scalar(select(func.count()).select_from(RetentionCandidate).where(RetentionCandidate.review_id == 1))
    archive.close()
    assert n and f"Retention review 1: {n} candidates" in text
    assert f"  dry run: {n} items would be culled (archive retention apply 1 --execute to cull)" in text
    # Each flagged item says whether the export or a capture brought it in.
    lines = text.splitlines()
    start = lines.index("Flagged for review (sensitive spans masked), newest first; where each came from:")
    flagged = [line for line in lines[start + 1:] if line.startswith(" ") and "  account " in line]
    assert flagged and all(re.search(r"  \(from (export|snapshot) \d+(, (export|snapshot) \d+)*\)$", f)
                           for f in flagged)
    # The Next: line runs as printed from a shell without the venv on PATH.
    (next_line,) = [line for line in lines if line.startswith("Next: ")]
    assert next_line == (f"Next: ARCHIVE_HOME={home.resolve()} {Path(sys.executable).parent / 'archive'} "
                         "items list --flag any")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           **{k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ}}  # a worktree's checkout
    ran = subprocess.run(["sh", "-c", next_line.removeprefix("Next: ")], env=env, capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[:len(flagged)] == [f.rsplit("  (from ", 1)[0] for f in flagged]
