"""The containers and readers every importer stands on, each pinned down whole: the export's
zip, tar or folder (source), its JSON and CSV streams (jsonstream, csvstream), what each file
is taken for (sniff), typed values and media paths (fields), derived ids (textfix) and the
neutral items format's row checks (neutral).

Expected values are written down by hand from the formats and the documented rules; every
refusal is checked by its whole one-line message.
"""

from __future__ import annotations

import codecs
import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from test_imports_fields import write
from test_imports_tar import member as tar_member

from archiver.errors import BadInputError, ExitCode
from archiver.items.imports import ExportLimits, MediaRef, open_export
from archiver.items.imports.csvstream import iter_rows, read_header
from archiver.items.imports.fields import ESCAPING_MEDIA, MISSING_MEDIA, WEB_MEDIA, as_epoch, as_int, local_media
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


# --- source: the byte budget while reading ----------------------------------------------------

def test_reading_may_use_the_whole_budget_and_not_one_byte_more(tmp_path: Path) -> None:
    root = write(tmp_path / "li", {"Shares.csv": SHARES})
    limits = ExportLimits(max_total_bytes=len(SHARES))
    with open_export(root, limits=limits) as source, source.open_member("Shares.csv") as fh:
        assert fh.read() == SHARES
    with open_export(root, limits=limits) as source:
        (root / "Shares.csv").write_bytes(SHARES + b"\n")  # grown after the check
        with source.open_member("Shares.csv") as fh, pytest.raises(BadInputError) as err:
            fh.read()
    assert str(err.value) == (f"li:Shares.csv: reading it takes the export past its limit of {len(SHARES)} "
                              f"uncompressed bytes; refusing to import it ({FIX}, or raise the limit)")


# --- csvstream: headers and encodings --------------------------------------------------------

@pytest.mark.parametrize(("data", "header"), [
    (b'"Date","ShareLink"\r\n2025-01-01 09:00:00,x\r\n', ["date", "sharelink"]),
    (codecs.BOM_UTF8 + b"Date,ShareLink\n", ["date", "sharelink"]),
    (b' Date , "Share Link" \n', ["date", "share link"]),  # quotes the csv module leaves after a space
    (b"INDEX,MAX,X\n", ["index", "max", "x"]),
    # LinkedIn 2018: UTF-16 with its mark, tab-separated (a comma inside a cell is text).
    (codecs.BOM_UTF16_LE + "First Name\tLast Name\tMaiden Name\r\n".encode("utf-16-le"),
     ["first name", "last name", "maiden name"]),
    (codecs.BOM_UTF16_BE + "First Name\tLast Name, Jr\tHeadline\n".encode("utf-16-be"),
     ["first name", "last name, jr", "headline"]),
    (b"Date\x00,Link\n", ["date\x00", "link"]),  # only the first four bytes can make a file UTF-16
    (b"", []),
])
def test_a_csv_header_is_read_lower_cased_and_stripped(tmp_path: Path, data: bytes, header: list[str]) -> None:
    root = write(tmp_path / "li", {"Profile.csv": data})
    with open_export(root) as source:
        assert read_header(source, "Profile.csv") == header


@pytest.mark.parametrize(("data", "problem"), [
    (codecs.BOM_UTF32_LE + "Date,Link\n".encode("utf-32-le"), "is UTF-32-encoded, but the export must be UTF-8"),
    (codecs.BOM_UTF32_BE + "Date,Link\n".encode("utf-32-be"), "is UTF-32-encoded, but the export must be UTF-8"),
    ("Date,Link\n".encode("utf-16-le"), "is UTF-16-encoded without a byte-order mark, so its byte order would be a "
                                        "guess"),
    ("Date,Link\n".encode("utf-16-be"), "is UTF-16-encoded without a byte-order mark, so its byte order would be a "
                                        "guess"),
])
def test_a_csv_in_another_encoding_is_refused_by_header_and_by_rows(tmp_path: Path, data: bytes,
                                                                     problem: str) -> None:
    root = write(tmp_path / "li", {"Comments.csv": data})
    expected = f"li:Comments.csv: {problem}; re-download the export instead of re-saving the file"
    with open_export(root) as source:
        with pytest.raises(BadInputError) as by_header:
            read_header(source, "Comments.csv")
        with pytest.raises(BadInputError) as by_rows:
            list(iter_rows(source, "Comments.csv"))
    assert str(by_header.value) == str(by_rows.value) == expected


# --- fields: numbers, epochs and media paths ---------------------------------------------------

@pytest.mark.parametrize(("value", "number"), [
    (7, 7), (-3, -3), (0, 0), (1735725600, 1735725600),
    (3.9, 3), (-2.5, -2), (1735725600.0, 1735725600),
    ("0042", 42), ("1" * 20, 11111111111111111111), ("1" * 21, None),
    ("-5", None), ("+5", None), ("4.0", None), (" 4", None), ("", None), ("12a", None),
    ("²", None), ("١٢", None),  # digits to str.isdigit, not to a JSON reader
    (True, None), (False, None), (None, None), ([1], None), ({"n": 1}, None),
    (float("nan"), None), (float("inf"), None), (float("-inf"), None),
])
def test_an_integer_is_a_json_number_or_a_string_of_ascii_digits(value: object, number: int | None) -> None:
    assert as_int(value) == number


@pytest.mark.parametrize(("value", "epoch"), [
    (631_152_000, 631_152_000), (631_151_999, None),  # 1990-01-01T00:00:00Z and the second before
    (4_102_444_800, 4_102_444_800), (4_102_444_801, None),  # 2100-01-01T00:00:00Z and the second after
    ("1735725600", 1735725600), (1735725600.75, 1735725600), (1735725600000, None),  # milliseconds
    (0, None), (-1735725600, None), (True, None), ("", None), (float("inf"), None),
])
def test_an_epoch_is_a_second_from_1990_to_2100(value: object, epoch: int | None) -> None:
    assert as_epoch(value) == epoch


def test_a_media_path_is_a_file_of_the_export_a_web_address_or_why_not(tmp_path: Path) -> None:
    root = write(tmp_path / "fb", {"your_activity/posts/media/a.jpg": b"\xff\xd8\xff", "posts.json": "[]"})
    with open_export(root) as source:
        assert local_media(source, "your_activity/posts", "media/a.jpg") == MediaRef(
            "your_activity/posts/media/a.jpg", "image/jpeg", "media/a.jpg")
        assert local_media(source, "", "your_activity/posts/media/a.jpg", "https://cdn.fb/a.jpg") == MediaRef(
            "your_activity/posts/media/a.jpg", "image/jpeg", "https://cdn.fb/a.jpg")
        assert local_media(source, "your_activity", "posts\\media\\a.jpg") == MediaRef(
            "your_activity/posts/media/a.jpg", "image/jpeg", "posts\\media\\a.jpg")
        for uri in ("http://scontent.xx.fbcdn.net/a.jpg", "https://scontent.xx.fbcdn.net/a.jpg"):
            assert local_media(source, "your_activity/posts", uri) == WEB_MEDIA
        assert local_media(source, "", "HTTPS://scontent.xx.fbcdn.net/a.jpg") == MISSING_MEDIA  # a path then
        assert local_media(source, "your_activity", "../../a.jpg") == ESCAPING_MEDIA
        assert local_media(source, "", "/etc/passwd") == ESCAPING_MEDIA
        assert local_media(source, "your_activity", "media/a.jpg") == MISSING_MEDIA
    assert (WEB_MEDIA, ESCAPING_MEDIA, MISSING_MEDIA) == (
        "media is a web address, not a file in the export (kept as named only)",
        "media path escapes the export folder", "media file listed but missing from the export")
