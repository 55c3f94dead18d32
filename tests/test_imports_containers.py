"""The containers and readers every importer stands on, each pinned down whole: the export's
zip, tar or folder (source), its JSON and CSV streams (jsonstream, csvstream), what each file
is taken for (sniff), typed values and media paths (fields), derived ids (textfix) and the
neutral items format's row checks (neutral).

Expected values are written down by hand from the formats and the documented rules; every
refusal is checked by its whole one-line message.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from test_imports_fields import write
from test_imports_tar import member as tar_member

from archiver.errors import BadInputError, ExitCode
from archiver.items.imports import ExportLimits, open_export
from archiver.items.imports.jsonstream import iter_items
from archiver.items.imports.source import normalise_member

FIX = "re-download the export"
X_LINE = "window.YTD.tweets.part0"


# --- jsonstream: X's first line, errors located ----------------------------------------------

def _tweets_error(tmp_path: Path, text: str | bytes) -> str:
    root = write(tmp_path / "x", {"data/tweets.js": text})
    with open_export(root) as source, pytest.raises(BadInputError) as err:
        list(iter_items(source, "data/tweets.js", js_prefix=True))
    return str(err.value)


BROKEN_BODY = '[\n  {"tweet": {"id_str": "1", "full_text": "https://t.co/a?b=c"}},\n  ,\n]'
"""Its fault (the stray comma) is on the body's line 3; its text holds a second '='."""


@pytest.mark.parametrize(("text", "line"), [
    (f"{X_LINE} = {BROKEN_BODY}", 3),
    (f"\ufeff{X_LINE} = {BROKEN_BODY}", 3),
    # The '=' as late as the first line may put it (200 bytes in), and blank lines before it.
    (X_LINE + " " * (200 - len(X_LINE)) + "= " + BROKEN_BODY, 3),
    ("\n\n" + X_LINE + " " * (198 - len(X_LINE)) + "= " + BROKEN_BODY, 5),
    (f"{X_LINE}\n=\n{BROKEN_BODY}", 5),
    # Bare JSON without the first line, as X's older archives have it.
    (f"\n\n{BROKEN_BODY}", 5),
])
def test_a_broken_x_file_is_located_at_its_fault_wherever_its_first_line_ends(
        tmp_path: Path, text: str, line: int) -> None:
    assert _tweets_error(tmp_path, text) == (
        f"x:data/tweets.js line {line}: is not valid JSON (parse error: unallowed token at this point "
        f"in JSON text); {FIX}")


# --- source: member names, what a path is taken for ------------------------------------------

@pytest.mark.parametrize(("name", "norm"), [
    ("data/tweets.js", "data/tweets.js"),
    ("a", "a"),
    ("./posts/./your_posts_1.json", "posts/your_posts_1.json"),
    ("Takeout//YouTube/", "Takeout/YouTube"),
    ("Takeout\\YouTube\\kommentarer.csv", "Takeout/YouTube/kommentarer.csv"),
    ("..hidden/a.json", "..hidden/a.json"),
    ("a..b", "a..b"),
    ("notes:2025.txt", "notes:2025.txt"),
    ("x:y", None),  # read as a drive letter
    ("/etc/passwd", None),
    ("\\\\server\\share\\a.json", None),
    ("C:/Users/a.json", None),
    ("c:a.json", None),
    ("posts/../../a.json", None),
    ("..", None),
    ("", None),
    (".", None),
    ("./", None),
    ("a\x00.json", None),
])
def test_member_names_are_posix_and_never_leave_the_export(name: str, norm: str | None) -> None:
    assert normalise_member(name) == norm


def tar_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tf:
        for name, data in members.items():
            tf.addfile(tar_member(name, data=data), io.BytesIO(data))
    return out.getvalue()


SHARES = b"Date,ShareLink\n2025-01-01 09:00:00,https://www.linkedin.com/feed/update/urn:li:share:7100000000000000008\n"
NOT_AN_EXPORT = ("neither a zip or tar file, a folder nor a single export file (.json, .js, .csv, .jsonl, "
                 ".ndjson); give the downloaded export .zip or .tgz, the folder it unpacks to, or one of its files")


@pytest.mark.parametrize("name", ["export.TAR", "export.Tgz", "export.tar.GZ"])
def test_a_tar_is_known_by_its_name_in_any_case(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(tar_bytes({"Shares.csv": SHARES}))
    if name.lower().endswith("gz"):
        path.write_bytes(gzip.compress(path.read_bytes()))
    with open_export(path, scratch=tmp_path) as source:
        assert list(source.members()) == ["Shares.csv"]


@pytest.mark.parametrize(("name", "data"), [
    ("export.dat", tar_bytes({"Shares.csv": SHARES})),  # a tar under another name
    ("export.tgz", b"Date,ShareLink\n"),  # a tar's name on something else
    ("export.pdf", b"%PDF-1.7\n"),
])
def test_a_file_neither_a_container_nor_an_export_file_is_refused(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BadInputError) as err:
        open_export(path, scratch=tmp_path)
    assert str(err.value) == f"{name}: {NOT_AN_EXPORT}"
    assert err.value.exit_code == ExitCode.bad_input
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_missing_path_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as err:
        open_export(tmp_path / "nej.zip")
    assert str(err.value) == f"{tmp_path / 'nej.zip'}: no such file or folder; check the path"


# --- source: zips -----------------------------------------------------------------------------

def test_a_zips_folder_entries_are_passed_over_wherever_they_stand(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Takeout/", b"")
        zf.writestr("Takeout/Shares.csv", SHARES)
        zf.writestr("Takeout/media/", b"")
        zf.writestr("Takeout/media/a.jpg", b"\xff\xd8\xff")
    with open_export(path) as source:
        assert list(source.members()) == ["Takeout/Shares.csv", "Takeout/media/a.jpg"]


def _encrypt_flag(data: bytes, name: bytes) -> bytes:
    """Set the 'encrypted' bit of *name*'s local and central headers, as a password-protected
    zip has it (zipfile cannot write one)."""
    out = bytearray(data)
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            if out[start + name_at:start + name_at + len(name)] == name:
                out[start + flag_at] |= 0x1
            start += 4
    return bytes(out)


def test_an_encrypted_member_is_refused_however_far_in(tmp_path: Path) -> None:
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("Takeout/", b"")
        zf.writestr("Takeout/Shares.csv", SHARES)
        zf.writestr("Takeout/Comments.csv", b"Date,Link,Message\n")
    path = tmp_path / "export.zip"
    path.write_bytes(_encrypt_flag(plain.getvalue(), b"Takeout/Comments.csv"))
    with pytest.raises(BadInputError) as err:
        open_export(path)
    assert str(err.value) == ("export.zip: member 'Takeout/Comments.csv' is encrypted; give an unencrypted "
                              "export")


# --- source: tars ---------------------------------------------------------------------------

def test_a_tar_is_unpacked_into_one_named_scratch_folder_that_closing_removes(tmp_path: Path) -> None:
    path = tmp_path / "takeout.tar"
    path.write_bytes(tar_bytes({"Takeout/Shares.csv": SHARES, "Takeout/media/a.jpg": b"\xff\xd8\xff"}))
    scratch = tmp_path / "work"
    scratch.mkdir()
    with open_export(path, scratch=scratch) as source:
        [folder] = scratch.iterdir()
        assert folder.name.startswith("bevara-export-")
        assert sorted(p.name for p in folder.iterdir()) == ["000000", "000001"]
        assert list(source.members()) == ["Takeout/Shares.csv", "Takeout/media/a.jpg"]
        with source.open_member("Takeout/Shares.csv") as fh:
            assert fh.read() == SHARES
        source.close()
        assert list(scratch.iterdir()) == []
    assert list(scratch.iterdir()) == []  # closing twice is harmless


def test_a_tar_member_over_the_per_file_limit_is_refused_by_its_name(tmp_path: Path) -> None:
    path = tmp_path / "takeout.tar"
    path.write_bytes(tar_bytes({"./Takeout/Shares.csv": SHARES}))
    limit = len(SHARES) - 1
    with pytest.raises(BadInputError) as err:
        open_export(path, limits=ExportLimits(max_member_bytes=limit), scratch=tmp_path)
    assert str(err.value) == (f"takeout.tar: member './Takeout/Shares.csv' declares {len(SHARES)} bytes, more than "
                              f"the per-file limit of {limit}; refusing to import it ({FIX}, or raise the limit)")
    with open_export(path, limits=ExportLimits(max_member_bytes=len(SHARES)), scratch=tmp_path) as source:
        assert list(source.members()) == ["Takeout/Shares.csv"]


def test_a_tars_expansion_exactly_at_the_limit_is_allowed_and_past_it_refused(tmp_path: Path) -> None:
    """The ratio is the bytes declared so far to the file's size, checked once above the floor."""
    path = tmp_path / "takeout.tar"
    path.write_bytes(tar_bytes({"Takeout/Shares.csv": SHARES}))
    ratio = len(SHARES) / path.stat().st_size
    with open_export(path, limits=ExportLimits(max_ratio=ratio, ratio_applies_above=len(SHARES) - 1),
                     scratch=tmp_path) as source:
        assert list(source.members()) == ["Takeout/Shares.csv"]
    with open_export(path, limits=ExportLimits(max_ratio=ratio / 2, ratio_applies_above=len(SHARES)),
                     scratch=tmp_path) as source:  # at the floor the ratio is not looked at
        assert list(source.members()) == ["Takeout/Shares.csv"]
    with pytest.raises(BadInputError) as err:
        open_export(path, limits=ExportLimits(max_ratio=ratio * 0.999, ratio_applies_above=len(SHARES) - 1),
                    scratch=tmp_path)
    assert str(err.value) == (f"takeout.tar: expands more than {ratio * 0.999:,.0f}:1, a compression bomb; "
                              f"refusing to import it ({FIX})")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["takeout.tar"]


def test_a_tar_member_cut_short_is_refused_and_nothing_unpacked_is_left(tmp_path: Path) -> None:
    """A tar cut inside its last member's data: the header promises more than follows."""
    whole = tar_bytes({"Takeout/Shares.csv": SHARES, "Takeout/video.mp4": bytes(range(256)) * 40})
    path = tmp_path / "cut.tar"
    path.write_bytes(whole[:512 * 4 + 3000])
    with pytest.raises(BadInputError) as err:
        open_export(path, scratch=tmp_path)
    assert str(err.value) == f"cut.tar: not a readable tar file (unexpected end of data); {FIX}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.tar"]
