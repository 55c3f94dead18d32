"""A full disk and a read-only home: one line, exit 73, nothing half-written.

The home lives on a small tmpfs mounted for the test, which needs root (CI runs as
root); elsewhere the tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ORG, Cli

from archiver.errors import ExitCode
from fixtures.exports.generate import generate_facebook_export


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def home_on_disk(small_disk: Path, cli_home: Cli, add: Callable[..., int]) -> Cli:
    arc = Cli(home=small_disk / "home", env=cli_home.env)
    arc.ok("init", *ORG, "--simulated-clock")
    add(arc)
    return arc


def _items(home: Path) -> int:
    db = sqlite3.connect(home / "catalogue.sqlite")
    try:
        return db.execute("select count(*) from items").fetchone()[0]
    finally:
        db.close()


def test_a_full_disk_is_exit_73_and_the_import_is_not_half_written(home_on_disk: Cli, tmp_path: Path) -> None:
    export = generate_facebook_export(tmp_path / "big.zip", items=20_000)
    result = home_on_disk("import", "1", str(export))
    assert result.exit_code == ExitCode.cannot_write
    assert result.stderr == ("Error: cannot write the catalogue: the disk is full; free space and run the "
                             "command again (nothing was changed)\n")
    assert _items(home_on_disk.home) == 0
    assert home_on_disk("audit", "verify").exit_code == 0
    # The media stored before the catalogue refused the rows went with the refused write.
    store = home_on_disk.home / "store"
    assert [p for p in store.rglob("*") if p.is_file() and not p.parent.name.startswith(".")] == []
    verify = home_on_disk("verify", "--json")
    assert (verify.exit_code, json.loads(verify.stdout)["findings"]) == (0, [])


def test_a_read_only_home_is_exit_73_for_every_command(home_on_disk: Cli, small_disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for args in (("accounts", "list"), ("accounts", "edit", "1", "--unit", "Kultur och fritid")):
        result = home_on_disk(*args)
        assert result.exit_code == ExitCode.cannot_write, args
        assert result.stderr == (f"Error: the archive home {home_on_disk.home} is read-only; make it writable "
                                 "(remount or chmod) and run the command again\n")
