"""Exports as tar files (Google Takeout offers .tgz beside .zip): read like the folder they
unpack to; hostile members refused before anything is imported, and nothing left behind."""

from __future__ import annotations

import gzip
import io
import random
import tarfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import Cli, add_account

from archiver.errors import BadInputError, ExitCode
from archiver.items.imports import ExportLimits, ImportedItem, detect_format, open_export, read_export
from fixtures.exports import layouts


def items_of(path: Path, scratch: Path | None = None) -> Counter[str]:
    with open_export(path, scratch=scratch) as source:
        fmt = detect_format(source)
        return Counter(f"{fmt}:{r.kind}" for r in read_export(source, fmt) if isinstance(r, ImportedItem))


def tar_of(folder: Path, dest: Path, mode: str) -> Path:
    with tarfile.open(dest, mode) as tf:
        tf.add(folder, arcname="Takeout")
    return dest


def left_in(scratch: Path) -> list[str]:
    return sorted(p.name for p in scratch.iterdir())


def refusal(path: Path, tmp_path: Path) -> str:
    """The one line *path* is refused with (exit 65), once nothing it unpacked is left."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with pytest.raises(BadInputError) as err:
        open_export(path, scratch=scratch)
    assert err.value.exit_code == ExitCode.bad_input
    assert left_in(scratch) == []
    return str(err.value)


@pytest.mark.parametrize(("name", "mode"), [("takeout.tgz", "w:gz"), ("takeout.tar.gz", "w:gz"),
                                            ("takeout.tar", "w")])
def test_a_tar_export_reads_as_its_folder_and_leaves_no_scratch(tmp_path: Path, name: str, mode: str) -> None:
    folder, counts = layouts.youtube_localised(tmp_path / "yt", "de")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    archive = tar_of(folder, tmp_path / name, mode)
    assert items_of(archive, scratch) == items_of(folder) == Counter(
        {f"youtube:{k}": v for k, v in counts.items()})
    assert left_in(scratch) == []


def hostile(tmp_path: Path, add) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.tgz"
    with tarfile.open(path, "w:gz") as tf:
        ok = tarfile.TarInfo("Takeout/YouTube und YouTube Music/Kommentare/Kommentare.csv")
        data = b"Kommentar-ID,Kanal-ID\n"
        ok.size = len(data)
        tf.addfile(ok, io.BytesIO(data))
        add(tf)
    return path


def member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"x", **extra: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    for key, value in extra.items():
        setattr(info, key, value)
    return info


@pytest.mark.parametrize(("add", "message"), [
    (lambda tf: tf.addfile(member("../evil.txt"), io.BytesIO(b"x")),
     "bad.tgz: member '../evil.txt' escapes the export folder; refusing to import it (re-download the export)"),
    (lambda tf: tf.addfile(member("/etc/evil.txt"), io.BytesIO(b"x")),
     "bad.tgz: member '/etc/evil.txt' escapes the export folder; refusing to import it (re-download the export)"),
    (lambda tf: tf.addfile(member("Takeout/link", tarfile.SYMTYPE, linkname="/etc/passwd")),
     "bad.tgz: member 'Takeout/link' is a link; refusing to import it (re-download the export)"),
    (lambda tf: tf.addfile(member("Takeout/hard", tarfile.LNKTYPE, linkname="Takeout/x")),
     "bad.tgz: member 'Takeout/hard' is a link; refusing to import it (re-download the export)"),
    (lambda tf: tf.addfile(member("Takeout/fifo", tarfile.FIFOTYPE)),
     "bad.tgz: member 'Takeout/fifo' is not a regular file; refusing to import it (re-download the export)"),
    (lambda tf: tf.addfile(member("Takeout/YouTube und YouTube Music/Kommentare/Kommentare.csv"), io.BytesIO(b"x")),
     "bad.tgz: member 'Takeout/YouTube und YouTube Music/Kommentare/Kommentare.csv' appears twice; refusing an "
     "ambiguous export (re-download the export)"),
])
def test_hostile_members_are_refused_and_nothing_is_left(tmp_path: Path, add, message: str) -> None:  # type: ignore[no-untyped-def]
    assert refusal(hostile(tmp_path, add), tmp_path) == message
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_compression_bomb_and_the_limits(tmp_path: Path) -> None:
    path = tmp_path / "bomb.tgz"
    with tarfile.open(path, "w:gz") as tf:
        info = member("Takeout/zeros.csv", data=b"\0" * (8 << 20))
        tf.addfile(info, io.BytesIO(b"\0" * (8 << 20)))
    with pytest.raises(BadInputError) as bomb:
        open_export(path)
    assert str(bomb.value) == ("bomb.tgz: expands more than 200:1, a compression bomb; refusing to import it "
                               "(re-download the export)")
    folder, _ = layouts.youtube_localised(tmp_path / "yt", "de")
    archive = tar_of(folder, tmp_path / "t.tar", "w")
    with pytest.raises(BadInputError, match=r"more than the per-file limit of 10; refusing"):
        open_export(archive, limits=ExportLimits(max_member_bytes=10))
    with pytest.raises(BadInputError, match=r"has more than 1 members"):
        open_export(archive, limits=ExportLimits(max_members=1))


def test_zeros_compressed_after_the_archive_count_as_a_bomb(tmp_path: Path) -> None:
    # A small, valid archive, then 64 MiB of zeros in the same gzip stream: the reader
    # drains the stream to its end for the CRC, and must not decompress without limit.
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w") as tf:
        info = member("Takeout/a.csv", data=b"x")
        tf.addfile(info, io.BytesIO(b"x"))
    path = tmp_path / "padded.tgz"
    with gzip.open(path, "wb") as gz:
        gz.write(inner.getvalue())
        for _ in range(64):
            gz.write(bytes(1 << 20))
    assert path.stat().st_size < 100_000
    assert refusal(path, tmp_path) == ("padded.tgz: expands more than 200:1, a compression bomb; refusing to "
                                       "import it (re-download the export)")


def test_a_truncated_tgz_is_refused(tmp_path: Path) -> None:
    folder, _ = layouts.youtube_localised(tmp_path / "yt", "de")
    whole = tar_of(folder, tmp_path / "whole.tgz", "w:gz").read_bytes()
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(whole[: len(whole) // 2])
    message = refusal(cut, tmp_path)
    assert message.startswith("cut.tgz: ")
    assert message.endswith("; re-download the export")


def test_a_damaged_tgz_is_refused_and_its_unpacked_files_removed(tmp_path: Path) -> None:
    # Random bytes do not compress, so gzip stores them as they are and a damaged block
    # decompresses without complaint: only the CRC at the stream's end tells.
    payload = random.Random(7).randbytes(200_000)
    whole = tmp_path / "whole.tgz"
    with tarfile.open(whole, "w:gz") as tf:
        info = tarfile.TarInfo("Takeout/video.mp4")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    data = bytearray(whole.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(64)
    bad = tmp_path / "bad.tgz"
    bad.write_bytes(bytes(data))
    message = refusal(bad, tmp_path)
    assert message.startswith("bad.tgz: not a readable tar file (")
    assert message.endswith("); re-download the export")


def test_the_cli_unpacks_under_the_home_and_sweeps_a_killed_runs_leftovers(arc: Cli, tmp_path: Path) -> None:
    folder, counts = layouts.youtube_localised(tmp_path / "yt", "de")
    archive = tar_of(folder, tmp_path / "takeout.tgz", "w:gz")
    account = add_account(arc, "Torsby på YouTube", "youtube", "https://www.youtube.com/@torsbykommun")
    work = arc.home / "tmp"
    dead = work / "import-999999999-x" / "bevara-export-y"
    dead.mkdir(parents=True)  # what a killed import of a tar left (pid 999999999 is not running)
    report = arc.json("import", str(account), str(archive))
    assert report["new"] == sum(counts.values())
    assert list(work.glob("import-*")) == []
