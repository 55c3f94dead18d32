"""Files a killed or refused run published but never committed are removed, never a live run's.

The store publishes a file before its catalogue row commits. The run that is refused
(a full disk, a broken export half-way) or killed leaves a file no row names; the store's
journal lets the last writer closing, or the next run's first write, remove exactly those.
The refused import on a full disk is in tests/test_disk_faults.py, the killed runs in
tests/test_crash_safety.py.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from archiver.home.files import atomic_write_text, atomic_writer, scratch_dir
from archiver.home.store import FileStore

CHILD = """
import sys
from pathlib import Path
from archiver.home.files import atomic_write_text, atomic_writer, scratch_dir
from archiver.home.store import FileStore
store = FileStore(Path(sys.argv[1]), catalogued=lambda digests: set())
for word in sys.argv[2:]:
    store.put_bytes(word.encode(), "text/plain")
import os
os._exit(0)  # like a SIGKILL: no close(), the journal stays
"""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dead_writer(root: Path, *words: str) -> None:
    subprocess.run([sys.executable, "-c", CHILD, str(root), *words], check=True,
                   env={"PYTHONPATH": str(Path(__file__).resolve().parents[1])})


def test_the_next_write_removes_a_dead_writers_uncommitted_files_only(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _dead_writer(root, "committed", "orphan")
    assert root.joinpath(_sha(b"orphan")[:2], _sha(b"orphan")).exists()
    assert len(list((root / ".journal").glob("*.journal"))) == 1

    store = FileStore(root, catalogued=lambda digests: digests & {_sha(b"committed")})
    store.put_bytes(b"next run", "text/plain")
    assert not root.joinpath(_sha(b"orphan")[:2], _sha(b"orphan")).exists()
    assert root.joinpath(_sha(b"committed")[:2], _sha(b"committed")).exists()
    assert [p.name for p in (root / ".journal").glob("*.journal")] != []  # its own, still open
    store.close()


def test_nothing_is_removed_while_another_writer_may_still_commit(tmp_path: Path) -> None:
    root = tmp_path / "store"
    live = FileStore(root, catalogued=lambda digests: set())
    live.put_bytes(b"not yet committed", "text/plain")
    _dead_writer(root, "orphan")
    other = FileStore(root, catalogued=lambda digests: set())
    other.put_bytes(b"another run", "text/plain")
    other.close()  # live still holds the lock: nothing goes
    for data in (b"not yet committed", b"orphan", b"another run"):
        assert root.joinpath(_sha(data)[:2], _sha(data)).exists(), data
    live.close()  # the last writer: every uncommitted file goes
    for data in (b"not yet committed", b"orphan", b"another run"):
        assert not root.joinpath(_sha(data)[:2], _sha(data)).exists(), data
    assert list((root / ".journal").glob("*.journal")) == []


def test_a_store_that_cannot_ask_the_catalogue_deletes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _dead_writer(root, "orphan")
    store = FileStore(root)
    store.put_bytes(b"x", "text/plain")
    store.close()
    assert root.joinpath(_sha(b"orphan")[:2], _sha(b"orphan")).exists()


def _exited_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "archive.toml"
    target.write_text("old")
    try:
        with atomic_writer(target) as fh:
            fh.write(b"half of the new")
            raise RuntimeError("the write is refused half-way")
    except RuntimeError:
        pass
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.toml"]


def test_the_next_write_removes_a_killed_writers_temp_files_and_work_folders(tmp_path: Path) -> None:
    dead, live = _exited_pid(), os.getpid()
    (tmp_path / f".archive.toml.{dead}-abc.tmp").write_text("half")
    (tmp_path / f".archive.toml.{live}-def.tmp").write_text("being written")
    (tmp_path / ".archive.toml.tmp").write_text("not named by a writer: left alone")
    atomic_write_text(tmp_path / "archive.toml", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([
        ".archive.toml.tmp", f".archive.toml.{live}-def.tmp", "archive.toml"])

    work = tmp_path / "tmp"
    (work / f"capture-{dead}-1-xyz" / "ocr").mkdir(parents=True)
    (work / f"capture-{dead}-1-xyz" / "ocr" / "page.png").write_bytes(b"png")
    with scratch_dir(work, "capture-") as mine:
        assert mine.name.startswith(f"capture-{live}-")
        assert [p.name for p in work.iterdir()] == [mine.name]
    assert list(work.iterdir()) == []
