"""`archive verify`: every injected fault in the store or the catalogue is found and named."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Cli

from archiver.errors import ExitCode
from archiver.home.store import FileStore
from fixtures.exports.generate import generate_facebook_export

BIG = 50_000  # bytes of the extra media files, so that a flipped bit is not the whole file


@pytest.fixture
def filled(arc: Cli, add: Callable[..., int], tmp_path: Path) -> Cli:
    """A home with an imported export (one shared pixel image) and two media files of its own."""
    account = add(arc)
    arc.ok("import", str(account), str(generate_facebook_export(tmp_path / "fb.zip", items=30)))
    db = sqlite3.connect(arc.home / "catalogue.sqlite")
    with db:
        items = [r[0] for r in db.execute("select id from items order by id limit 2")]
        for n, item in enumerate(items):
            data = bytes([n]) * BIG
            sha = hashlib.sha256(data).hexdigest()
            path = arc.home / "store" / sha[:2] / sha
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.chmod(0o444)
            db.execute("insert into stored_files (sha256, size, media_type, stored_at) values (?, ?, ?, ?)",
                       (sha, BIG, "image/jpeg", "2026-07-01 08:00:00.000000"))
            db.execute("insert into item_media (item_id, sha256, name, media_type, purged) values (?, ?, ?, ?, 0)",
                       (item, sha, f"extra-{n}.jpg", "image/jpeg"))
    db.close()
    return arc


def _media(arc: Cli, name: str) -> tuple[str, int]:
    db = sqlite3.connect(arc.home / "catalogue.sqlite")
    sha, item = db.execute("select sha256, item_id from item_media where name = ?", (name,)).fetchone()
    db.close()
    return sha, item


def _path(arc: Cli, sha: str) -> Path:
    return arc.home / "store" / sha[:2] / sha


def _writable(path: Path) -> None:
    path.chmod(0o644)


def _findings(arc: Cli, *args: str) -> tuple[int, list[dict]]:
    result = arc("verify", "--json", *args)
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_a_clean_store_verifies(filled: Cli) -> None:
    result = filled.ok("verify", "--full")
    assert result.stdout.startswith("Store intact: ")
    data = filled.json("verify", "--full")
    assert data["ok"] is True and data["findings"] == []
    assert data["files_checked"] == 3  # the pixel shared by the export's photos, and our two
    assert data["bytes_hashed"] == sum(p.stat().st_size for p in (filled.home / "store").glob("??/*"))


def test_a_flipped_bit_is_found_by_full_only(filled: Cli) -> None:
    sha, item = _media(filled, "extra-0.jpg")
    path = _path(filled, sha)
    _writable(path)
    data = bytearray(path.read_bytes())
    data[12_345] ^= 0x01
    path.write_bytes(bytes(data))
    path.chmod(0o444)

    assert filled("verify").exit_code == 0, "size and presence are unchanged"
    rc, findings = _findings(filled, "--full")
    assert rc == ExitCode.bad_input
    assert findings == [{"kind": "corrupt", "sha256": sha, "level": "error",
                         "message": f"stored file {sha} does not match its digest; restore it from backup",
                         "records": [f"item {item} (media extra-0.jpg)"]}]


def test_truncation_deletion_and_a_writable_file(filled: Cli) -> None:
    cut, cut_item = _media(filled, "extra-0.jpg")
    gone, gone_item = _media(filled, "extra-1.jpg")
    _writable(_path(filled, cut))
    with _path(filled, cut).open("r+b") as fh:
        fh.truncate(100)
    _path(filled, gone).unlink()

    rc, findings = _findings(filled)
    assert rc == ExitCode.bad_input
    by_kind = {(f["kind"], f["sha256"]): f for f in findings}
    assert set(by_kind) == {("writable", cut), ("size", cut), ("missing", gone)}
    assert by_kind[("size", cut)]["message"] == (f"stored file {cut} has 100 bytes, the catalogue says {BIG}; "
                                                 "restore it from backup")
    assert by_kind[("missing", gone)]["records"] == [f"item {gone_item} (media extra-1.jpg)"]
    assert by_kind[("writable", cut)]["records"] == [f"item {cut_item} (media extra-0.jpg)"]


def test_a_stray_file_is_an_error_unless_it_is_recent(filled: Cli) -> None:
    stray = filled.home / "store" / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"left by a killed run")
    rc, findings = _findings(filled)
    assert rc == 0, "a file written in the last minutes may belong to a run that has not committed"
    assert [(f["kind"], f["level"]) for f in findings] == [("stray", "note")]

    old = time.time() - 3600
    os.utime(stray, (old, old))
    odd = filled.home / "store" / "notes.txt"
    odd.write_text("x")
    os.utime(odd, (old, old))
    rc, findings = _findings(filled)
    assert rc == ExitCode.bad_input
    assert sorted(f["message"] for f in findings) == sorted([
        f"store/ab/{stray.name} is not in the catalogue; a run was probably killed before it committed: "
        "move it out of the store",
        "store/notes.txt is not in the catalogue; a run was probably killed before it committed: "
        "move it out of the store"])


def test_a_lost_catalogue_row_and_an_unused_row(filled: Cli) -> None:
    lost, item = _media(filled, "extra-0.jpg")
    unused, _ = _media(filled, "extra-1.jpg")
    db = sqlite3.connect(filled.home / "catalogue.sqlite")
    with db:
        db.execute("delete from stored_files where sha256 = ?", (lost,))
        db.execute("delete from item_media where sha256 = ?", (unused,))
    db.close()
    rc, findings = _findings(filled)
    assert rc == ExitCode.bad_input
    kinds = {(f["kind"], f["sha256"], f["level"]) for f in findings}
    assert kinds == {("uncatalogued", lost, "error"), ("stray", lost, "note"), ("unreferenced", unused, "note")}
    uncat = next(f for f in findings if f["kind"] == "uncatalogued")
    assert uncat["records"] == [f"item {item} (media extra-0.jpg)"]


def test_purged_media_still_in_the_store_is_found(filled: Cli) -> None:
    sha, item = _media(filled, "extra-0.jpg")
    db = sqlite3.connect(filled.home / "catalogue.sqlite")
    with db:
        db.execute("update item_media set purged = 1 where sha256 = ?", (sha,))
    db.close()
    rc, findings = _findings(filled)
    assert rc == ExitCode.bad_input
    assert {(f["kind"], f["level"]) for f in findings} == {("purge", "error"), ("unreferenced", "note")}
    purge = next(f for f in findings if f["kind"] == "purge")
    assert purge["records"] == [f"item {item}"]


def test_an_altered_audit_entry_fails_verify(filled: Cli) -> None:
    db = sqlite3.connect(filled.home / "catalogue.sqlite")
    with db:
        db.execute("update audit_log set actor = 'mallory' where seq = 2")
    db.close()
    result = filled("verify")
    assert result.exit_code == ExitCode.bad_input
    assert "error: audit: audit log broken: entry 2 was altered (hash mismatch)" in result.stdout
    assert result.stderr.strip().endswith("see the findings above for what to do")


def test_dead_writers_temporary_files_are_noted_then_swept(filled: Cli) -> None:
    incoming = filled.home / "store" / ".incoming"
    incoming.mkdir(exist_ok=True)
    dead_pid = _exited_pid()  # a process that has exited
    dead = incoming / f"{dead_pid}-abc123"
    dead.write_bytes(b"half a file")
    live = incoming / f"{os.getpid()}-def456"
    live.write_bytes(b"being written")
    foreign = incoming / "tmpxyz"
    foreign.write_bytes(b"not named by a writer")

    rc, findings = _findings(filled)
    assert rc == 0
    assert sorted(f["message"] for f in findings if f["kind"] == "leftover") == sorted(
        f"store/.incoming/{p.name} is a temporary file of an interrupted write; the next capture or import "
        "removes it" for p in (dead, foreign))

    FileStore(filled.home / "store").put_bytes(b"new", "text/plain")
    assert sorted(p.name for p in incoming.iterdir()) == [live.name]


def _exited_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
