"""The containers and readers every importer stands on, each pinned down whole: the export's
zip, tar or folder (source), its JSON and CSV streams (jsonstream, csvstream), what each file
is taken for (sniff), typed values and media paths (fields), derived ids (textfix) and the
neutral items format's row checks (neutral).

Expected values are written down by hand from the formats and the documented rules; every
refusal is checked by its whole one-line message, and every limit at its value and one past.
The file is longer than a module should be because it is one table per function of seven
modules, kept together as the imports mutation run's guard of those modules (mostly
parametrised rows; the whole file runs in about two seconds).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import shutil
import stat
import tarfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_imports_fields import write
from test_imports_layouts import parse
from test_imports_rules import derived
from test_imports_tar import member as tar_member

from archiver.errors import BadInputError, ExitCode
from archiver.items.imports import ExportLimits, ImportedItem, MediaRef, open_export, read_export
from archiver.items.imports.csvstream import iter_rows, read_header
from archiver.items.imports.fields import ESCAPING_MEDIA, MISSING_MEDIA, WEB_MEDIA, as_epoch, as_int, local_media
from archiver.items.imports.jsonstream import _Prefixed, iter_items
from archiver.items.imports.neutral import _Shapes, _types
from archiver.items.imports.sniff import META, OTHER, OWNER, RECORDS, Found, classify, is_data_file
from archiver.items.imports.source import normalise_member
from archiver.items.imports.textfix import IdMinter, mojibake, repair_mojibake

FIX = "re-download the export"
X_LINE = "window.YTD.tweets.part0"


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
    ("c:", None),
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


def test_a_zip_whose_directory_is_damaged_is_refused(tmp_path: Path) -> None:
    whole = io.BytesIO()
    with zipfile.ZipFile(whole, "w") as zf:
        zf.writestr("Takeout/Shares.csv", SHARES)
    path = tmp_path / "export.zip"
    path.write_bytes(whole.getvalue().replace(b"PK\x01\x02", b"PK\x01\x00"))  # its end record still says zip
    with pytest.raises(BadInputError) as err:
        open_export(path)
    assert str(err.value) == f"export.zip: not a readable zip (Bad magic number for central directory); {FIX}"


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
    with open_export(path, scratch=scratch):
        [folder] = scratch.iterdir()
        shutil.rmtree(folder)  # a cleaner of temporary folders got there first
    assert list(scratch.iterdir()) == []


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


# --- source: every limit in every container, at its value and one past ------------------------

FILES = {"Takeout/Shares.csv": SHARES, "Takeout/big.csv": b"Date,Link,Message\n" + b"x" * 1482,
         "Takeout/media/a.jpg": b"\xff\xd8\xff\xe0"}
TOTAL = sum(len(d) for d in FILES.values())  # 1,609 bytes in 3 files, the largest 1,500
AGAIN = f"({FIX}, or raise the limit)"
GENUINE = "(raise the limit if it is genuine)"


def _container(tmp_path: Path, kind: str) -> Path:
    if kind == "folder":
        return write(tmp_path / "export", dict(FILES))
    path = tmp_path / f"export.{kind}"
    if kind == "tar":
        path.write_bytes(tar_bytes(FILES))
    else:
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in FILES.items():
                zf.writestr(name, data)
    return path


@pytest.mark.parametrize(("kind", "limit", "refused"), [
    ("zip", "max_members", f"export.zip: has 3 members, more than the limit of 2; refusing to import it {AGAIN}"),
    ("tar", "max_members", f"export.tar: has more than 2 members; refusing to import it {AGAIN}"),
    ("folder", "max_members", f"export: has more than 2 files; refusing to import it {AGAIN}"),
    ("zip", "max_member_bytes", "export.zip: member 'Takeout/big.csv' declares 1,500 bytes, more than the per-file "
                                f"limit of 1,499; refusing to import it {AGAIN}"),
    ("tar", "max_member_bytes", "export.tar: member 'Takeout/big.csv' declares 1,500 bytes, more than the per-file "
                                f"limit of 1,499; refusing to import it {AGAIN}"),
    ("folder", "max_member_bytes", "export: 'Takeout/big.csv' has 1,500 bytes, more than the per-file limit of "
                                   f"1,499; refusing to import it {GENUINE}"),
    ("zip", "max_total_bytes", "export.zip: declares more than 1,608 uncompressed bytes in total; refusing to "
                               f"import it {AGAIN}"),
    ("tar", "max_total_bytes", f"export.tar: declares more than 1,608 bytes in total; refusing to import it {AGAIN}"),
    ("folder", "max_total_bytes", f"export: holds more than 1,608 bytes; refusing to import it {GENUINE}"),
])
def test_each_limit_allows_its_value_and_refuses_past_it_in_one_line(tmp_path: Path, kind: str, limit: str,
                                                                      refused: str) -> None:
    path = _container(tmp_path, kind)
    exact = {"max_members": 3, "max_member_bytes": 1500, "max_total_bytes": TOTAL}[limit]
    with open_export(path, limits=ExportLimits(**{limit: exact}), scratch=tmp_path) as source:
        assert list(source.members()) == sorted(FILES)
        assert {m: source.member_size(m) for m in source.members()} == {m: len(d) for m, d in FILES.items()}
    with pytest.raises(BadInputError) as err:
        open_export(path, limits=ExportLimits(**{limit: exact - 1}), scratch=tmp_path)
    assert str(err.value) == refused
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_single_file_over_the_per_file_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, {"big.csv": FILES["Takeout/big.csv"]}) / "big.csv"
    with open_export(path, limits=ExportLimits(max_member_bytes=1500)) as source:
        assert list(source.members()) == ["big.csv"]
    with pytest.raises(BadInputError) as err:
        open_export(path, limits=ExportLimits(max_member_bytes=1499))
    assert str(err.value) == ("big.csv: has 1,500 bytes, more than the per-file limit of 1,499; refusing to "
                              f"import it {GENUINE}")


def _zip_of(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]],
            method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(("members", "message"), [
    ([("Takeout/Shares.csv", SHARES), ("Takeout\\Shares.csv", SHARES)],
     f"export.zip: member 'Takeout/Shares.csv' appears twice; refusing an ambiguous export ({FIX})"),
    ([("Takeout/Shares.csv", SHARES), (_link("Takeout/passwd"), b"/etc/passwd")],
     f"export.zip: member 'Takeout/passwd' is a symbolic link; refusing to import it ({FIX})"),
    ([("Takeout/Shares.csv", SHARES), ("Takeout/../../evil.csv", SHARES)],
     f"export.zip: member 'Takeout/../../evil.csv' escapes the export folder; refusing to import it ({FIX})"),
])
def test_a_zip_member_that_is_ambiguous_a_link_or_escaping_is_refused(tmp_path: Path, members: list,  # type: ignore[type-arg]
                                                                      message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it is told to write
        path = _zip_of(tmp_path / "export.zip", members)
    with pytest.raises(BadInputError) as err:
        open_export(path)
    assert str(err.value) == message


def test_a_zip_members_expansion_exactly_at_the_limit_is_allowed_and_past_it_refused(tmp_path: Path) -> None:
    path = _zip_of(tmp_path / "export.zip", [("Takeout/zeros.csv", bytes(100_000))], zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("Takeout/zeros.csv")
    ratio = 100_000 / info.compress_size  # about 1,000:1
    with open_export(path, limits=ExportLimits(max_ratio=ratio, ratio_applies_above=99_999)):
        pass
    with open_export(path, limits=ExportLimits(max_ratio=ratio / 2, ratio_applies_above=100_000)):
        pass  # a member no larger than the floor is not looked at
    with pytest.raises(BadInputError) as err:
        open_export(path, limits=ExportLimits(max_ratio=ratio * 0.999, ratio_applies_above=99_999))
    assert str(err.value) == (f"export.zip: member 'Takeout/zeros.csv' expands {ratio:,.0f}:1 (limit "
                              f"{ratio * 0.999:,.0f}:1), a zip bomb; refusing to import it ({FIX})")
    one = _zip_of(tmp_path / "one.zip", [("Takeout/a.txt", b"x")])  # stored: one byte is one byte
    with pytest.raises(BadInputError) as err:
        open_export(one, limits=ExportLimits(max_ratio=0.9, ratio_applies_above=0))
    assert str(err.value) == (f"one.zip: member 'Takeout/a.txt' expands 1:1 (limit 1:1), a zip bomb; refusing to "
                              f"import it ({FIX})")


def test_a_folder_that_cannot_be_listed_is_refused_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads any folder whatever its mode, so the refusal the system gives is put in place."""
    root = write(tmp_path / "export", dict(FILES))
    locked = (root / "Takeout" / "media").resolve()
    listing = os.scandir

    def scandir(path: Path) -> Iterator[os.DirEntry[str]]:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(BadInputError) as err:
        open_export(root)
    assert str(err.value) == (f"{locked}: cannot be listed ([Errno 13] Permission denied: '{locked}'); check its "
                              "permissions")


def test_a_folders_links_inside_are_followed_and_other_files_refused(tmp_path: Path) -> None:
    root = write(tmp_path / "export", dict(FILES))
    (root / "Takeout" / "copy.csv").symlink_to(root / "Takeout" / "big.csv")
    for n in range(3):  # links to folders inside, among files: whatever order the folder lists them in
        (root / "Takeout" / f"alias{n}").symlink_to(root / "Takeout" / "media", target_is_directory=True)
        (root / "Takeout" / "media" / f"b{n}.jpg").write_bytes(b"")
    with open_export(root, limits=ExportLimits(max_total_bytes=TOTAL + 1500)) as source:
        assert list(source.members()) == ["Takeout/Shares.csv", "Takeout/big.csv", "Takeout/copy.csv",
                                          "Takeout/media/a.jpg", "Takeout/media/b0.jpg", "Takeout/media/b1.jpg",
                                          "Takeout/media/b2.jpg"]
        assert source.member_size("Takeout/copy.csv") == 1500
    with pytest.raises(BadInputError) as err:
        open_export(root, limits=ExportLimits(max_total_bytes=TOTAL + 1499))
    assert str(err.value) == f"export: holds more than {TOTAL + 1499:,} bytes; refusing to import it {GENUINE}"
    os.mkfifo(root / "Takeout" / "media" / "pipe")
    with pytest.raises(BadInputError) as err:
        open_export(root)
    assert str(err.value) == ("export: 'Takeout/media/pipe' is not a regular file; refusing to import it (remove "
                              "it from the folder)")


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
    # Detection reads the first 8 KiB: a header line longer than that is taken as far as it goes.
    (b"Date," + b"x" * 8187 + b",ShareLink\n", ["date", "x" * 8187]),
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


# --- jsonstream: values, X's first line, depth, errors ---------------------------------------

def _items(tmp_path: Path, data: bytes, prefix: str = "item", *, js_prefix: bool = False) -> list[object]:
    root = write(tmp_path / "j", {"data.json": data})
    with open_export(root) as source:
        if js_prefix:
            return list(iter_items(source, "data.json", prefix, js_prefix=True))
        return list(iter_items(source, "data.json", prefix))  # plain JSON unless told otherwise


@pytest.mark.parametrize(("data", "prefix", "values"), [
    (b'[{"id": "1"}, {"id": "2"}]', "item", [{"id": "1"}, {"id": "2"}]),
    (b'{"comments_v2": [{"timestamp": 1735725600.1}]}', "comments_v2.item", [{"timestamp": 1735725600.1}]),
    (codecs.BOM_UTF8 + b'\n  {"a": [1, 2]}', "", [{"a": [1, 2]}]),
    (b"7", "", [7]),
    (b'"Torsby kommun"', "", ["Torsby kommun"]),
    (b"null", "", [None]),
    (b"[]", "item", []),
])
def test_a_plain_json_file_yields_the_values_under_its_prefix(tmp_path: Path, data: bytes, prefix: str,
                                                              values: list[object]) -> None:
    assert _items(tmp_path, data, prefix) == values


@pytest.mark.parametrize(("data", "values"), [
    (b'window.YTD.tweets.part0 = [{"id": "1"}]', [{"id": "1"}]),
    (codecs.BOM_UTF8 + b'\n\nwindow.YTD.tweets.part12=\n[{"id": "1"}]', [{"id": "1"}]),
    (b'  [{"id": "1"}]', [{"id": "1"}]),  # bare JSON, as older archives have it
    (b'\n{"item": 5}', [5]),
    (b"window.YTD.tweets.part0" + b" " * (200 - 23) + b'= [{"id": "1"}]', [{"id": "1"}]),
    (b" " * 4095 + b'[{"id": "1"}]', [{"id": "1"}]),
])
def test_an_x_file_is_read_after_its_first_line_or_as_bare_json(tmp_path: Path, data: bytes,
                                                                  values: list[object]) -> None:
    assert _items(tmp_path, data, js_prefix=True) == values


@pytest.mark.parametrize("data", [
    b"window.YTD.tweets.part0" + b" " * (201 - 23) + b'= [{"id": "1"}]',  # '=' past byte 200
    b'window.YTD.tweets.part0 [{"id": "1"}]',
    b'var tweets = [{"id": "1"}]',
    b'"window.YTD.tweets.part0 = "',
    b" " * 4096 + b'[{"id": "1"}]',  # its start is not in the first 4 KiB
    b"",
])
def test_an_x_file_without_its_first_line_nor_json_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(BadInputError) as err:
        _items(tmp_path, data, js_prefix=True)
    assert str(err.value) == ("j:data.json: does not start with the 'window.YTD.<name>.part<N> =' line of an X "
                              f"archive file; {FIX}")


def test_a_broken_file_is_located_up_to_64_mib_and_refused_without_a_line_past_it(tmp_path: Path) -> None:
    root = tmp_path / "j"
    root.mkdir()
    for name, size in (("at.json", 64 << 20), ("past.json", (64 << 20) + 1)):
        with (root / name).open("wb") as fh:
            fh.write(b"[1,,")
            fh.truncate(size)  # the rest NUL bytes, on disk as a hole
    unallowed = "is not valid JSON (parse error: unallowed token at this point in JSON text)"
    with open_export(root) as source:
        for name, where in (("at.json", " line 1"), ("past.json", "")):
            with pytest.raises(BadInputError) as err:
                list(iter_items(source, name))
            assert str(err.value) == f"j:{name}{where}: {unallowed}; {FIX}"


@pytest.mark.parametrize(("data", "encoding"), [
    (codecs.BOM_UTF16_LE + '[{"id": "1"}]'.encode("utf-16-le"), "UTF-16"),
    (codecs.BOM_UTF16_BE + '[{"id": "1"}]'.encode("utf-16-be"), "UTF-16"),
    ('[{"id": "1"}]'.encode("utf-16-le"), "UTF-16"),
    ('[{"id": "1"}]'.encode("utf-16-be"), "UTF-16"),
    (codecs.BOM_UTF32_LE + '[{"id": "1"}]'.encode("utf-32-le"), "UTF-32"),
    (codecs.BOM_UTF32_BE + '[{"id": "1"}]'.encode("utf-32-be"), "UTF-32"),
])
def test_a_json_file_in_another_encoding_is_refused(tmp_path: Path, data: bytes, encoding: str) -> None:
    with pytest.raises(BadInputError) as err:
        _items(tmp_path, data)
    assert str(err.value) == (f"j:data.json: is {encoding}-encoded, but exports are UTF-8; re-download the export "
                              "instead of re-saving the file")


VALUE_LIMIT = "holds a single value longer than 4 MiB, which no export does"
DEPTH_LIMIT = "is nested more than 4096 levels deep, which no export is"


@pytest.mark.parametrize(("data", "refused"), [
    (b"[" * 4096 + b"]" * 4096, None),
    (b" " * 16384 + b"[" * 4096 + b"]" * 4096, None),  # its first 16 KiB piece holds no bracket
    (b" " * 16384 + b"[" * 4097 + b"]" * 4097, DEPTH_LIMIT),
    (b'{"a":' * 4096 + b"1" + b"}" * 4096, None),
    (b'{"a":' * 4097 + b"1" + b"}" * 4097, DEPTH_LIMIT),
    # Counted one by one (more than 4096 brackets in its piece), only brackets count, not letters.
    (b"[" * 3000 + b'"' + b"X" * 1200 + b'",' + b",".join([b"[]"] * 1100) + b"]" * 3000, None),
    (b"[" * 4000 + b'"' + b"X" * 200 + b'",' + b"[" * 200 + b"]" * 4200, DEPTH_LIMIT),
    (b"[" + b",".join([b"[[[]]]"] * 5000) + b"]", None),
    # Depth carried from one piece to the next.
    (b"[" * 3000 + b" " * (16384 - 3000) + b"[" * 1200 + b"]" * 4200, DEPTH_LIMIT),
    # 4 MiB after the last quote is the most a value may run; the pieces are 16 KiB.
    (b'["a"' + b" " * ((4 << 20) - 1) + b"]", None),
    # With no quote yet, counted from the file's first byte.
    (b"[1" + b" " * ((4 << 20) - 3) + b"]", None),
    (b"[1" + b" " * ((4 << 20) - 2) + b"]", VALUE_LIMIT),
    (b'["' + b"a" * 16382 + b'"' + b" " * ((4 << 20) - 1) + b"]", None),  # its quote opens the second piece
    (b'["a"' + b" " * (4 << 20) + b"]", VALUE_LIMIT),
    (b'["' + b"a" * 16382 + b'"' + b" " * (4 << 20) + b"]", VALUE_LIMIT),
])
def test_nesting_and_value_length_are_allowed_up_to_their_limits(tmp_path: Path, data: bytes,
                                                                 refused: str | None) -> None:
    if refused is None:
        assert len(_items(tmp_path, data, "")) == 1
    else:
        with pytest.raises(BadInputError) as err:
            _items(tmp_path, data, "")
        assert str(err.value) == f"j:data.json: {refused}; {FIX}"


def test_a_stream_begun_with_bytes_already_read_gives_them_first_in_any_piece_size() -> None:
    def stream() -> _Prefixed:
        return _Prefixed(b"abc", io.BytesIO(b"defgh"))

    pieces = stream()
    assert [pieces.read(2), pieces.read(0), pieces.read(3), pieces.read(2), pieces.read(5), pieces.read(1)] == [
        b"ab", b"", b"cde", b"fg", b"h", b""]
    assert stream().read() == stream().read(-1) == b"abcdefgh"
    whole = stream()
    assert [whole.read(3), whole.read(3), whole.read(-1)] == [b"abc", b"def", b"gh"]
    assert _Prefixed(b"", io.BytesIO(b"abc")).read(2) == b"ab"


def test_many_closed_lists_are_not_nesting(tmp_path: Path) -> None:
    """40,000 brackets in 50 KB, lists that each close at once: depth 3 in every 16 KiB piece."""
    assert _items(tmp_path, b"[" + b",".join([b"[[]]"] * 10_000) + b"]") == [[[]]] * 10_000


@pytest.mark.parametrize(("data", "where", "reason"), [
    (b"[1,", " line 1", "ends in the middle of the data (truncated download)"),
    (b"", " line 1", "ends in the middle of the data (truncated download)"),
    (b'[\n"Torsby', " line 2", "ends in the middle of the data (truncated download)"),
    (b"\n\n\n[1,\n2\n", " line 6", "ends in the middle of the data (truncated download)"),
    (b'[{"text": "V\xe4lkommen"}]', "", "holds bytes that are not UTF-8"),
    (b"nope", " line 1", "is not valid JSON (lexical error: invalid string in json text.)"),
    (b"[1]\n x", " line 2", "is not valid JSON (parse error: trailing garbage)"),
    (b'{"a":\n\n}', " line 3", "is not valid JSON (parse error: unallowed token at this point in JSON text)"),
    # The fault comes before the stray byte, so the line is found in the text read with it replaced.
    (b'[\n1,,\n"V\xe4lkommen"]', " line 2", "is not valid JSON (parse error: unallowed token at this point in "
                                          "JSON text)"),
])
def test_broken_json_is_refused_naming_the_line_and_why(tmp_path: Path, data: bytes, where: str,
                                                        reason: str) -> None:
    with pytest.raises(BadInputError) as err:
        _items(tmp_path, data, "")
    assert str(err.value) == f"j:data.json{where}: {reason}; {FIX}"


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


# --- sniff: what each file is taken for --------------------------------------------------------

def _classified(tmp_path: Path, member: str, data: str | bytes) -> Found | None:
    root = write(tmp_path / "e", {member: data})
    with open_export(root) as source:
        return classify(source, member)


M = "your_activity/data.json"


@pytest.mark.parametrize(("data", "found"), [
    ('{"comments_v2": []}', Found(M, "facebook", RECORDS, "comments", "comments_v2.item")),
    ('{"group_comments_v2": []}', Found(M, "facebook", RECORDS, "comments", "group_comments_v2.item")),
    ('{"comments": []}', Found(M, "facebook", RECORDS, "comments", "comments.item")),
    ('{"group_posts_v2": []}', Found(M, "facebook", RECORDS, "posts", "group_posts_v2.item")),
    ('{"status_updates_v2": []}', Found(M, "facebook", RECORDS, "posts", "status_updates_v2.item")),
    ('{"profile_v2": {"name": {"full_name": "Torsby kommun"}}}', Found(M, "facebook", OWNER, "profile")),
    ('{"profile": {"name": "Torsby kommun"}}', Found(M, "facebook", OWNER, "profile")),
    ('{"comments_media_comments": []}',
     Found(M, "instagram", RECORDS, "comments", "comments_media_comments.item")),
    ('{"comments_reels_comments": []}',
     Found(M, "instagram", RECORDS, "comments", "comments_reels_comments.item")),
    ('{"comments_story_comments": []}',
     Found(M, "instagram", RECORDS, "comments", "comments_story_comments.item")),
    ('{"ig_igtv_media": []}', Found(M, "instagram", RECORDS, "posts", "ig_igtv_media.item")),
    ('{"ig_reels_media": []}', Found(M, "instagram", RECORDS, "posts", "ig_reels_media.item")),
    ('{"ig_archived_post_media": []}', Found(M, "instagram", RECORDS, "posts", "ig_archived_post_media.item")),
    ('{"ig_stories": []}', Found(M, "instagram", RECORDS, "posts", "ig_stories.item")),
    ('{"profile_user": [{"string_map_data": {}}]}', Found(M, "instagram", OWNER, "profile")),
    ('{"ig_profile_picture": []}', Found(M, "instagram", OTHER)),
    ('{"account_history_registration_info": []}', Found(M, "instagram", OTHER)),
    ('{"participants": [], "messages": []}', Found(M, META, RECORDS, "thread")),
    ('{"messages": []}', Found(M, META, RECORDS, "thread")),
    ('{"thread_path": "inbox/torsby_1"}', Found(M, META, RECORDS, "thread")),
    ('{"Profile": {}}', Found(M, "tiktok", RECORDS, "user_data")),
    ('{"Your Activity": {}}', Found(M, "tiktok", RECORDS, "user_data")),
    ('{"Tiktok Live": {}}', Found(M, "tiktok", RECORDS, "user_data")),
    # The first key that decides does, however many come before it.
    ('{"title": "Torsby", "version": 2, "status_updates_v2": []}',
     Found(M, "facebook", RECORDS, "posts", "status_updates_v2.item")),
    ('{"title": "Torsby", "attachments": [{"data": [{"uri": "a.jpg"}]}], "label": {"messages": []}, '
     '"comments_v2": []}', Found(M, "facebook", RECORDS, "comments", "comments_v2.item")),
    # Known keys count only at the top.
    ('{"data": {"profile_v2": {}, "comments_v2": []}}', None),
    ('{"label_values": [{"messages": []}]}', None),
    ("{}", None),
    # Several values, as a JSON Lines file misnamed .json: the first decides, the rest is not read.
    ('{"title": "Torsby"}\n{"comments_v2": []}', None),
    ('"Torsby"\n"kommun"', None),
    ("1735725600\n1735725601", None),
    ("true\nfalse", None),
    ("null\nnull", None),
])
def test_a_json_object_is_known_by_its_first_deciding_top_level_key(tmp_path: Path, data: str,
                                                                     found: Found | None) -> None:
    assert _classified(tmp_path, M, data) == found


@pytest.mark.parametrize(("first", "found"), [
    ({"id": "n1", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "Hej"},
     Found(M, "items", RECORDS, "json", "item")),
    ({"id": "n1", "kind": "post", "created": "2026-03-02T10:00:00+01:00"}, Found(M, "items", RECORDS, "json", "item")),
    ({"sender_name": "Torsby kommun", "timestamp_ms": 1735725600000, "content": "Hej"},
     Found(M, META, RECORDS, "messages", "item")),
    ({"sender_name": "Torsby kommun", "timestamp_ms": 1735725600000}, Found(M, META, RECORDS, "messages", "item")),
    ({"title": "", "string_map_data": {}}, Found(M, "instagram", RECORDS, "mixed", "item")),
    ({"title": "", "string_list_data": []}, Found(M, "instagram", RECORDS, "mixed", "item")),
    ({"media": [], "title": ""}, Found(M, "instagram", RECORDS, "mixed", "item")),
    ({"ig_reels_media": []}, Found(M, "instagram", RECORDS, "mixed", "item")),
    ({"ig_profile_picture": []}, Found(M, "instagram", RECORDS, "mixed", "item")),
    ({"comments_v2": []}, Found(M, "facebook", RECORDS, "mixed", "item")),
    ({"timestamp": 1735725600, "data": []}, Found(M, "facebook", RECORDS, "mixed", "item")),
    ({"timestamp": 1735725600, "attachments": []}, Found(M, "facebook", RECORDS, "mixed", "item")),
    ({"timestamp": 1735725600, "title": "Torsby"}, Found(M, "facebook", RECORDS, "mixed", "item")),
    ({"timestamp": 1735725600, "tags": []}, Found(M, "facebook", RECORDS, "mixed", "item")),
    ({"timestamp": 1735725600, "place": {}}, Found(M, "facebook", RECORDS, "mixed", "item")),
    ({"timestamp": 1735725600}, None),
    ({"title": "Torsby"}, None),
    ({"Comment ID": "Ugw1", "Channel ID": "UC1", "Comment Create Timestamp": "2025-03-02T09:00:00Z",
      "Video ID": "v1", "Comment Text": '{"text":"Tack"}'}, Found(M, "youtube", RECORDS, "comments_json", "item")),
    ({"Comment ID": "Ugw1", "Comment Create Timestamp": "2025-03-02T09:00:00Z", "Comment Text": ""}, None),
    ({"id": "n1", "kind": "post"}, None),
])
def test_a_json_list_is_known_by_the_keys_of_its_first_entry(tmp_path: Path, first: dict[str, object],
                                                             found: Found | None) -> None:
    assert _classified(tmp_path, M, json.dumps([first, {"other": 1}])) == found


@pytest.mark.parametrize("data", ["[]", "[1, 2]", '[["a"]]', '["Torsby"]', "[null]"])
def test_a_json_list_without_an_object_first_is_not_known(tmp_path: Path, data: str) -> None:
    assert _classified(tmp_path, M, data) is None


@pytest.mark.parametrize(("member", "data", "found"), [
    ("data/manifest.js", "window.__THAR_CONFIG = {}", Found("data/manifest.js", "x", OWNER, "manifest")),
    ("data/manifest.js", "\ufeff\n window.__THAR_CONFIG={}", Found("data/manifest.js", "x", OWNER, "manifest")),
    ("data/manifest.js", " " * 490 + "window.__THAR_CONFIG = {}", Found("data/manifest.js", "x", OWNER, "manifest")),
    ("data/manifest.js", " " * 491 + "window.__THAR_CONFIG = {}", None),  # its line is not in the first 512 bytes
    ("data/tweets.js", "window.YTD.tweets.part0 = []", Found("data/tweets.js", "x", RECORDS, "tweets")),
    ("data/tweet.js", "\ufeffwindow.YTD.tweet.part0 = []", Found("data/tweet.js", "x", RECORDS, "tweet")),
    ("data/deleted-tweets.js", "window.YTD.deleted_tweets.part3 =[]",
     Found("data/deleted-tweets.js", "x", RECORDS, "deleted_tweets")),
    ("data/direct-messages.js", "  window.YTD.direct_messages.part0 = []",
     Found("data/direct-messages.js", "x", RECORDS, "direct_messages")),
    ("data/note-tweet.js", "window.YTD.note_tweet.part0 = []", Found("data/note-tweet.js", "x", RECORDS, "note_tweet")),
    ("data/account.js", "window.YTD.account.part0 = []", Found("data/account.js", "x", OWNER, "account")),
    ("data/like.js", "window.YTD.like.part0 = []", Found("data/like.js", "x", OTHER, "like")),
    ("data/tweets.js", '[{"tweet": {}}]', Found("data/tweets.js", "x", RECORDS, "bad_prefix")),
    ("archive/data/tweets-part2.js", "var x = 1", Found("archive/data/tweets-part2.js", "x", RECORDS, "bad_prefix")),
    ("data/deleted-tweets.js", "", Found("data/deleted-tweets.js", "x", RECORDS, "bad_prefix")),
    ("data/like.js", '[{"like": {}}]', None),
    ("tweets.js", "var x = 1", None),
    ("data/mytweets.js", "var x = 1", None),
    ("assets/app.js", "window.YTD = {}", None),
])
def test_an_x_script_file_is_known_by_its_first_line(tmp_path: Path, member: str, data: str,
                                                      found: Found | None) -> None:
    assert _classified(tmp_path, member, data) == found


@pytest.mark.parametrize(("header", "found"), [
    ("Date,ShareLink,ShareCommentary", Found("x.csv", "linkedin", RECORDS, "shares")),
    ("Date,Share Link", Found("x.csv", "linkedin", RECORDS, "shares")),  # 2018
    ("Date,Link,Message", Found("x.csv", "linkedin", RECORDS, "comments")),
    ("CONVERSATION ID,FROM,TO,DATE,CONTENT", Found("x.csv", "linkedin", RECORDS, "messages")),
    ("From,To,Date,Content,Direction", Found("x.csv", "linkedin", RECORDS, "messages")),
    ("From,To,Date,Content", None),
    ("Conversation ID,Date,Direction", None),
    ("First Name,Last Name,Headline", Found("x.csv", "linkedin", OWNER, "profile")),
    ("First Name,Last Name,Maiden Name", Found("x.csv", "linkedin", OWNER, "profile")),
    ("First Name,Last Name", None),
    ("Headline,Maiden Name", None),
    ("id,kind,created,text", Found("x.csv", "items", RECORDS, "csv")),
    ("ID, Kind ,Created", Found("x.csv", "items", RECORDS, "csv")),
    ("id,kind,text", None),
    ("Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Video ID,Comment Text",
     Found("x.csv", "youtube", RECORDS, "comments")),
    ("Channel ID,Channel Title (Original),Channel Visibility", Found("x.csv", "youtube", OWNER, "channel")),
    ("Kanal-ID,Kanaltitel", Found("x.csv", "youtube", OWNER, "channel")),
    ("Channel ID,Channel Visibility", None),
])
def test_a_csv_is_known_by_its_header(tmp_path: Path, header: str, found: Found | None) -> None:
    assert _classified(tmp_path, "x.csv", header + "\n") == found


@pytest.mark.parametrize(("member", "found"), [
    ("items.jsonl", Found("items.jsonl", "items", RECORDS, "jsonl")),
    ("a/Items.NDJSON", Found("a/Items.NDJSON", "items", RECORDS, "jsonl")),
    ("posts.html", None), ("media/a.jpg", None), ("README.txt", None), ("Posts.JSON.bak", None),
])
def test_items_lines_are_known_by_their_name_and_other_files_are_not_read(tmp_path: Path, member: str,
                                                                          found: Found | None) -> None:
    assert _classified(tmp_path, member, "{}\n") == found


@pytest.mark.parametrize(("member", "data"), [
    ("a.json", True), ("a/b.JS", True), ("c.csv", True), ("d.jsonl", True), ("d.JSONL", True),
    ("e.ndjson", True), ("posts_1.html", True), ("posts_1.HTM", True), ("README.txt", True),
    ("export.xml", True), ("inner.zip", True),
    ("media/a.jpg", False), ("video.mp4", False), ("jsonl", False), ("a.json.gz", False), ("Makefile", False),
])
def test_data_files_are_those_that_could_hold_records(member: str, data: bool) -> None:
    assert is_data_file(member) is data


@pytest.mark.parametrize(("data", "reason"), [
    ("Välkommen till Torsby", "is not valid JSON (lexical error: invalid char in json text.)"),
    ('{"title" "Torsby"}', "is not valid JSON (parse error: object key and value must be separated by a colon "
                           "(':'))"),
    ('[{"id": "1",', "ends in the middle of the data (truncated download)"),
])
def test_a_json_file_broken_before_it_decides_is_refused_naming_its_line(tmp_path: Path, data: str,
                                                                         reason: str) -> None:
    with pytest.raises(BadInputError) as err:
        _classified(tmp_path, M, data)
    assert str(err.value) == f"e:{M} line 1: {reason}; {FIX}"


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


# --- neutral: every finding of an items file, in the format's words ---------------------------

ITEMS_END = "fix them (schema: schemas/items.schema.json) and import again"
WHEN = "2026-03-02T10:00:00+01:00"


def _items_error(tmp_path: Path, member: str, data: str) -> str:
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "n", {member: data}))
    assert err.value.exit_code == ExitCode.bad_input
    return str(err.value)


def test_an_items_csv_lists_every_row_that_does_not_fit(tmp_path: Path) -> None:
    csv = ("id,kind,created,text,own,deleted\n"
           f"n1,post,{WHEN},Öppet,true,false\n"
           f"n2,post,{WHEN},Öppet,true\n"
           f"n3,post,{WHEN},Öppet,true,false,x\n"
           f"n4,post,{WHEN},Öppet,yes,false\n"
           f"n5,post,{WHEN},Öppet,,maybe\n"
           f"n6,post,{WHEN},,,\n"
           f",inlägg,{WHEN},x,,\n")
    assert _items_error(tmp_path, "items.csv", csv) == (
        "n:items.csv: 5 rows do not fit the items format (line 3: has 5 cells, the header 6; "
        "line 4: has 7 cells, the header 6; line 5: own must be true or false or null; "
        "line 6: deleted must be true or false; "
        f"line 8: kind must be one of post, comment, reply, message, id must be a string); {ITEMS_END}")


def test_an_items_csv_reads_lists_booleans_and_empty_cells(tmp_path: Path) -> None:
    csv = ("id,kind,created,text,own,deleted,recipients,thread_id,author_name\n"
           f"m1,message,{WHEN},Hej,,,Anna Berg; Bo Ek;,t1,\n"
           f"m2,message,{WHEN},,FALSE, TRUE ,, t2,Torsby kommun\n")
    fmt, items, skipped = parse(write(tmp_path / "n", {"items.csv": csv}))
    assert (fmt, skipped) == ("items", [])
    assert [(i.platform_id, i.text, i.is_own, i.deleted, i.recipients, i.thread_id, i.author_name)
            for i in items] == [("m1", "Hej", None, False, ("Anna Berg", "Bo Ek"), "t1", None),
                                ("m2", "", False, True, (), " t2", "Torsby kommun")]


def test_an_items_json_row_is_told_what_each_field_must_be(tmp_path: Path) -> None:
    base = {"id": "a", "kind": "post", "created": WHEN, "text": "x"}
    rows = [{**base, "id": 5}, {**base, "own": "yes"}, {**base, "media": "a.jpg"}, ["a"],
            {**base, "parent_id": 5, "deleted": "yes", "extra": 1},
            {**base, "text": 5, "media": [5], "recipients": {}},
            {"kind": "post", "created": "2026-03-02", "text": None}]
    jsonl = "\n".join(json.dumps(r) for r in rows) + "\n"
    assert _items_error(tmp_path, "items.jsonl", jsonl) == (
        "n:items.jsonl: 7 rows do not fit the items format (line 1: id must be a string; "
        "line 2: own must be true or false or null; line 3: media must be a list; line 4: row must be an object; "
        "line 5: deleted must be true or false, parent_id must be a string or null, unknown field ('extra' was "
        "unexpected); line 6: media.0 must be a string, text must be a string, recipients must be a list; "
        "line 7: created must be an ISO 8601 time with its offset, e.g. 2026-03-02T10:00:00+01:00, 'id' is "
        f"missing, text must be a string); {ITEMS_END}")


def test_items_files_are_checked_in_name_order_and_the_first_with_findings_stops_the_import(
        tmp_path: Path) -> None:
    good = json.dumps({"id": "n1", "kind": "post", "created": WHEN, "text": "Hej", "media": ["bild.jpg"]})
    bad = json.dumps({"id": "n2", "kind": "post", "created": WHEN, "text": "Hej", "media": ["saknas.jpg"]})
    after = json.dumps({"id": "n3", "kind": "post", "created": WHEN, "text": "Efter"})
    root = write(tmp_path / "n", {"a/items.jsonl": good + "\n", "a/bild.jpg": b"\xff\xd8\xff",
                                  "b/items.jsonl": "\n" + bad + "\n" + after + "\n", "c/items.jsonl": "[\n"})
    read: list[ImportedItem] = []
    with open_export(root) as source, pytest.raises(BadInputError) as err:
        read.extend(r for r in read_export(source, "items") if isinstance(r, ImportedItem))
    assert [(i.platform_id, i.media) for i in read] == [  # nothing of a file after its first finding
        ("n1", (MediaRef("a/bild.jpg", "image/jpeg", "bild.jpg"),))]
    assert str(err.value) == (f"n:b/items.jsonl: 1 row do not fit the items format (line 2: {MISSING_MEDIA}: "
                              f"saknas.jpg); {ITEMS_END}")


def test_an_items_csv_names_its_media_beside_it_and_strips_its_header(tmp_path: Path) -> None:
    csv = (" id , kind ,created,text,media\n"
           f"n1,post,{WHEN},Bilder,bild.jpg; ; foto/två.png\n"
           f"n2,post,{WHEN},,\n")
    root = write(tmp_path / "n", {"items.csv": csv, "bild.jpg": b"\xff\xd8\xff", "foto/två.png": b"\x89PNG"})
    fmt, items, skipped = parse(root)
    assert (fmt, skipped) == ("items", [])
    assert [(i.platform_id, i.text, i.media) for i in items] == [
        ("n1", "Bilder", (MediaRef("bild.jpg", "image/jpeg", "bild.jpg"),
                          MediaRef("foto/två.png", "image/png", "foto/två.png"))),
        ("n2", "", ())]


def test_json_type_names_are_said_in_words_and_others_as_they_are() -> None:
    assert _types("string") == ["a string"]
    assert _types(["string", "null"]) == ["a string", "null"]
    assert _types(["boolean", "array", "object"]) == ["true or false", "a list", "an object"]
    assert _types(["integer", "number"]) == ["integer", "number"]


# --- neutral: the shapes that spare rows a full schema check ---------------------------------

EVERY_COVERED = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://bevara.se/x",
                 "title": "t", "description": "d", "type": "object", "additionalProperties": False,
                 "required": [], "properties": {}, "items": {}, "minLength": 0, "maxLength": 9,
                 "enum": [{}], "pattern": ".", "allOf": [], "if": {}, "then": {}, "const": {}}


@pytest.mark.parametrize(("doc", "usable"), [
    (EVERY_COVERED, True),
    ({"properties": {"anything": True, "nothing": False}, "items": [{"type": "string"}, True]}, True),
    ({"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}, False),
    ({"properties": {"media": {"type": "array", "items": {"type": "string", "format": "uri"}}}}, False),
    ({"allOf": [{"required": ["id"]}, {"not": {"required": ["x"]}}]}, False),
    ({"if": {"properties": {"kind": {"const": "message"}}}, "then": {"dependentRequired": {}}}, False),
    ({"if": {"propertyNames": {"maxLength": 3}}, "then": {}}, False),
    ({"type": "object", "uniqueItems": True}, False),
])
def test_shapes_are_used_only_for_a_schema_of_keywords_they_cover(doc: dict[str, object], usable: bool) -> None:
    shapes = _Shapes(doc)
    assert shapes.usable is usable
    assert (shapes.shape({"id": "a"}) is not None) is usable
    assert shapes.shape(["not", "a", "row"]) is None


def test_a_shape_keeps_exactly_what_the_schema_can_tell_apart() -> None:
    doc = {"type": "object", "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 3},
        "version": {"const": "1"},
        "kind": {"enum": ["post", "message"]},
        "tag": {"allOf": [{"pattern": "^#"}]},
        "text": {"type": "string"}},
        "allOf": [{"enum": [{"id": "a"}]}]}
    shapes = _Shapes(doc)

    def same(a: dict[str, object], b: dict[str, object]) -> bool:
        return shapes.shape(a) == shapes.shape(b)

    assert same({"id": "ab"}, {"id": "abc"}) and not same({"id": "a"}, {"id": ""})
    assert not same({"id": "abc"}, {"id": "abcd"})  # maxLength 3
    assert not same({"version": "1"}, {"version": "2"}) and not same({"kind": "post"}, {"kind": "message"})
    assert same({"text": "Hej"}, {"text": "Tja"}) and same({"text": "#ab"}, {"text": "ab#"})
    assert not same({"tag": "#ab"}, {"tag": "ab#"})
    assert not same({"id": "ab"}, {"id": 12}) and not same({"text": None}, {"text": False})


# --- textfix: derived ids and Meta's escaping -------------------------------------------------

def test_derived_ids_follow_the_documented_rule_in_every_case() -> None:
    minter = IdMinter("fb")
    assert minter.mint("post", 1735725600, "", "Hej då") == derived("fb", "post", "1735725600", "")
    assert minter.mint("post", None, "", "Hej") == derived("fb", "post", "", "")  # no time: an empty stamp
    assert minter.mint("post", 0, "", "Hej") == derived("fb", "post", "0", "")
    assert minter.mint("comment", 1735725600, "https://www.facebook.com/p/1", "Tack") == derived(
        "fb", "comment", "1735725600", "https://www.facebook.com/p/1")
    # The same key again: the text, NFC and with its spaces collapsed, then the place in the export.
    assert minter.mint("post", 1735725600, "", "  Hej\n då ") == derived("fb", "post", "1735725600", "", "Hej då")
    assert minter.mint("post", 1735725600, "", "Hej då") == derived("fb", "post", "1735725600", "", "Hej då", "2")
    assert minter.mint("post", 1735725600, "", "Hej  då") == derived("fb", "post", "1735725600", "", "Hej då", "3")
    assert minter.mint("post", None, "", "Va\u0308lkommen") == derived("fb", "post", "", "", "Välkommen")
    assert IdMinter("ig").mint("post", 1735725600, "", "Hej då") == derived("ig", "post", "1735725600", "")


def test_meta_escaping_is_one_latin_1_character_per_utf_8_byte() -> None:
    assert mojibake("Välkommen 👋") == "VÃ¤lkommen ð\x9f\x91\x8b"
    assert repair_mojibake(mojibake("Välkommen 👋")) == "Välkommen 👋"
    assert mojibake("Torsby") == "Torsby"
