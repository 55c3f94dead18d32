"""A package written by a run that died before recording it is cleared by the re-run; nothing
else at the output path ever is.

The death is staged: the writer is stopped right after the package appears (as SIGKILL
between the rename and the commit would), and its claim is handed to a pid that has exited.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest
from package_data import make_home, seed
from test_packages import SCHEMAS, deliver, needs_schemas

from archiver.catalogue.package_tables import PackageRecord
from archiver.errors import OutputError
from archiver.home.archive import Archive
from archiver.packages import assembly

pytestmark = needs_schemas



@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    a = make_home(tmp_path / "home", SCHEMAS)
    seed(a)
    yield a
    a.close()


class Died(Exception):
    """The run stops here, as a kill would stop it."""


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def die_after_writing(archive: Archive, out: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write the package at *out* and die before recording it; return the claim left behind."""
    real = assembly.write_package

    def write_then_die(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise Died

    with monkeypatch.context() as m:
        m.setattr(assembly, "write_package", write_then_die)
        with pytest.raises(Died):
            deliver(archive, out)
    claims = [p for p in out.parent.iterdir() if p.name.endswith("-unrecorded")]
    assert len(claims) == 1 and out.exists()
    moved = claims[0].with_name(f".{out.name}.{dead_pid()}-unrecorded")
    claims[0].rename(moved)
    return moved


def packages(archive: Archive) -> list[str]:
    with archive.transaction() as session:
        return [row.path for row in session.query(PackageRecord).order_by(PackageRecord.id)]


@pytest.mark.parametrize("name", ["delivery.zip", "delivery.tar", "delivery"])
def test_the_rerun_replaces_its_own_unrecorded_package(archive: Archive, tmp_path: Path, name: str,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "out" / name
    die_after_writing(archive, out, monkeypatch)
    assert packages(archive) == []
    with caplog.at_level(logging.WARNING):
        result = deliver(archive, out)
    assert packages(archive) == [str(out)] and result["path"] == str(out)
    assert f"removed {out}: an earlier run was stopped after writing it and before recording it" in caplog.text
    assert sorted(p.name for p in out.parent.iterdir()) == [name]  # no claim, no temporary file


def test_a_recorded_package_is_never_removed_even_with_a_stale_claim(archive: Archive, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "delivery.zip"
    with monkeypatch.context() as m:  # killed between the commit and removing the claim
        m.setattr(assembly.unrecorded, "release", lambda out: None)
        deliver(archive, out)
    (claim,) = [p for p in tmp_path.iterdir() if p.name.endswith("-unrecorded")]
    stale = claim.with_name(f".delivery.zip.{dead_pid()}-unrecorded")
    claim.rename(stale)
    before = out.read_bytes()
    with pytest.raises(OutputError, match="already exists; choose a new output path"):
        deliver(archive, out)
    assert out.read_bytes() == before and not stale.exists()
    assert packages(archive) == [str(out)]


def test_something_else_at_the_path_is_kept_though_a_dead_claim_names_it(archive: Archive, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "delivery.zip"
    claim = die_after_writing(archive, out, monkeypatch)
    out.unlink()
    out.write_bytes(b"the user's own file")  # replaced after the crash: its METS is not the claimed one
    with pytest.raises(OutputError, match="already exists; choose a new output path"):
        deliver(archive, out)
    assert out.read_bytes() == b"the user's own file" and not claim.exists()


def test_a_live_run_s_claim_is_left_alone(archive: Archive, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "delivery"
    claim = die_after_writing(archive, out, monkeypatch)
    live = claim.with_name(".delivery.1-unrecorded")  # pid 1 is always alive
    claim.rename(live)
    with pytest.raises(OutputError, match="already exists"):
        deliver(archive, out)
    assert out.is_dir() and live.exists()


def test_the_same_package_recorded_at_another_path_does_not_hold_the_claimed_one(
        archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a fixed --now the same request gives the same package id, so the id alone
    cannot say which copy the catalogue holds: the path decides."""
    deliver(archive, tmp_path / "first.zip")
    out = tmp_path / "second.zip"
    die_after_writing(archive, out, monkeypatch)
    deliver(archive, out)
    assert packages(archive) == [str(tmp_path / "first.zip"), str(out)]
