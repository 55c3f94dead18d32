"""Hostile and broken exports: each ends in one BadInputError line, nothing written."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from archiver.errors import BadInputError, ExitCode
from archiver.items.imports import ExportLimits, detect_format, open_export, read_export
from fixtures.exports.generate import generate_facebook_export, generate_linkedin_export

BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "exports" / "broken"
FB_POSTS = "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"
YT = "Takeout/YouTube and YouTube Music/comments/comments.csv"

EXPECTED = {
    "absolute-path.zip": "absolute-path.zip: member '/tmp/evil.txt' escapes the export "
    "folder; refusing to import it (re-download the export)",
    "zip-slip.zip": "zip-slip.zip: member '../evil.txt' escapes the export folder; refusing "
    "to import it (re-download the export)",
    "zip-bomb.zip": "zip-bomb.zip: member 'posts/your_posts_1.json' expands 1,029:1 (limit "
    "200:1), a zip bomb; refusing to import it (re-download the export)",
    "symlink-member.zip": "symlink-member.zip: member 'data/tweets.js' is a symbolic link; "
    "refusing to import it (re-download the export)",
    "not-a-zip.zip": "not-a-zip.zip: neither a zip or tar file, a folder nor a single export file "
    "(.json, .js, .csv, .jsonl, .ndjson); give the downloaded export .zip or .tgz, the folder it "
    "unpacks to, or one of its files",
    "unknown.zip": "unknown.zip: not a recognised export; supported: facebook, instagram, x, "
    "linkedin, youtube, tiktok, items (use --format to choose)",
    "lying-size.zip": "lying-size.zip:posts/your_posts_1.json: cannot be read (Bad CRC-32 for "
    "file 'posts/your_posts_1.json'); the export is damaged (re-download the export)",
    "truncated-json.zip": f"truncated-json.zip:{FB_POSTS} line 31: ends in the middle of the data "
    "(truncated download); re-download the export",
    "utf16-linkedin.zip": "utf16-linkedin.zip:Shares.csv: is UTF-16-encoded without a byte-order "
    "mark, so its byte order would be a guess; re-download the export instead of re-saving the file",
    "latin1-linkedin.zip": "latin1-linkedin.zip:Shares.csv: is not UTF-8 (found byte 0xe4, "
    "likely Latin-1 or Windows-1252); re-download the export instead of re-saving the file",
    "facebook-html.zip": "facebook-html.zip:your_facebook_activity/posts/your_posts__check_ins"
    "__photos_and_videos_1.html: this Facebook export is in HTML format; request a new one "
    "with Format: JSON",
    "x-bad-prefix.zip": "x-bad-prefix.zip:data/tweets.js: does not start with the "
    "'window.YTD.<name>.part<N> =' line of an X archive file; re-download the export",
    "truncated-csv.zip": f"truncated-csv.zip:{YT}: ends inside a quoted cell (truncated "
    "download); re-download the export",
}


def run(path: Path) -> None:
    with open_export(path) as source:
        for _ in read_export(source, detect_format(source)):
            pass


def snapshot(*dirs: Path) -> set[tuple[str, int]]:
    return {(str(p), p.stat().st_mtime_ns) for d in dirs for p in d.rglob("*")}


def test_every_broken_fixture_has_a_case() -> None:
    assert {p.name for p in BROKEN.glob("*.zip")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_gives_its_exact_message_and_writes_nothing(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = snapshot(BROKEN, tmp_path)
    with pytest.raises(BadInputError) as info:
        run(BROKEN / name)
    assert str(info.value) == EXPECTED[name]
    assert "\n" not in str(info.value)
    assert info.value.exit_code == ExitCode.bad_input
    assert snapshot(BROKEN, tmp_path) == before


def test_checks_happen_before_anything_is_read(tmp_path: Path) -> None:
    """A bad member late in the archive stops open_export, not the parse halfway."""
    path = generate_facebook_export(tmp_path / "fb.zip", items=10)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("zzz/../../escape.txt", b"x")
    with pytest.raises(BadInputError, match="escapes the export folder"):
        open_export(path)


def test_too_many_members_and_oversized_member(tmp_path: Path) -> None:
    path = generate_facebook_export(tmp_path / "fb.zip", items=30)
    with pytest.raises(BadInputError, match=r"has \d+ members, more than the limit of 5"):
        open_export(path, limits=ExportLimits(max_members=5))
    with pytest.raises(BadInputError, match="more than the per-file limit of 100"):
        open_export(path, limits=ExportLimits(max_member_bytes=100))
    with pytest.raises(BadInputError, match="uncompressed bytes in total"):
        open_export(path, limits=ExportLimits(max_total_bytes=1000))


def test_limits_apply_to_folders_too(tmp_path: Path) -> None:
    folder = generate_linkedin_export(tmp_path / "li", as_zip=False)
    with pytest.raises(BadInputError, match="has more than 2 files"):
        open_export(folder, limits=ExportLimits(max_members=2))
    with pytest.raises(BadInputError, match="more than the per-file limit of 10"):
        open_export(folder, limits=ExportLimits(max_member_bytes=10))


def test_symlink_out_of_a_folder_export_is_refused(tmp_path: Path) -> None:
    folder = generate_linkedin_export(tmp_path / "li", as_zip=False)
    secret = tmp_path / "secret.txt"
    secret.write_text("lösenord", encoding="utf-8")
    (folder / "Profile2.csv").symlink_to(secret)
    with pytest.raises(BadInputError) as info:
        open_export(folder)
    assert str(info.value) == (
        "li: 'Profile2.csv' is a symbolic link pointing outside the export folder; refusing "
        "to import it (remove the link)"
    )


def test_symlink_inside_a_folder_export_is_allowed(tmp_path: Path) -> None:
    folder = generate_linkedin_export(tmp_path / "li", as_zip=False)
    (folder / "Profile-copy.csv").symlink_to(folder / "Profile.csv")
    with open_export(folder) as source:
        assert source.has_member("Profile-copy.csv")


def test_fifo_in_a_folder_export_is_refused(tmp_path: Path) -> None:
    folder = generate_linkedin_export(tmp_path / "li", as_zip=False)
    os.mkfifo(folder / "pipe")
    with pytest.raises(BadInputError, match="'pipe' is not a regular file"):
        open_export(folder)


def test_total_budget_is_enforced_while_reading(tmp_path: Path) -> None:
    path = generate_facebook_export(tmp_path / "fb.zip", items=200)
    with zipfile.ZipFile(path) as zf:
        declared = sum(i.file_size for i in zf.infolist())
    limits = ExportLimits(max_total_bytes=declared)
    with open_export(path, limits=limits) as source:
        member = next(m for m in source.members() if m.endswith("_1.json"))
        for _ in range(1):
            source.open_member(member).read()
        with pytest.raises(BadInputError, match="past its limit"):
            for _ in range(3):
                source.open_member(member).read()


def test_open_member_refuses_paths_outside(tmp_path: Path) -> None:
    path = generate_facebook_export(tmp_path / "fb.zip", items=5)
    with open_export(path) as source, pytest.raises(BadInputError, match="has no member"):
        source.open_member("../fb.zip")


def test_wrong_format_and_unknown_format(tmp_path: Path) -> None:
    path = generate_linkedin_export(tmp_path / "li.zip", items=5)
    with open_export(path) as source:
        with pytest.raises(BadInputError, match="does not contain the files of a youtube export"):
            read_export(source, "youtube")
        with pytest.raises(BadInputError, match="unknown export format 'myspace'"):
            read_export(source, "myspace")


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file or folder"):
        open_export(tmp_path / "nope.zip")
