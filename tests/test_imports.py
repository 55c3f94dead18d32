"""The export parsers against generated exports of all five platforms."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from archiver.items.imports import (
    ImportedItem,
    Skipped,
    detect_format,
    open_export,
    read_export,
)
from fixtures.exports.generate import (
    GENERATORS,
    WELCOME,
    generate_facebook_export,
    generate_facebook_overlap_pair,
    generate_x_export,
)

UTC = dt.UTC


def parse(path: Path) -> tuple[str, list[ImportedItem], list[Skipped]]:
    with open_export(path) as source:
        fmt = detect_format(source)
        records = list(read_export(source, fmt))
    items = [r for r in records if isinstance(r, ImportedItem)]
    skipped = [r for r in records if isinstance(r, Skipped)]
    return fmt, items, skipped


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("exports")
    return {name: gen(root / f"{name}.zip") for name, gen in GENERATORS.items()}


@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_format_is_detected_and_parsed_with_exact_swedish_text(
    exports: dict[str, Path], name: str
) -> None:
    fmt, items, skipped = parse(exports[name])
    assert fmt == name
    assert skipped == []
    texts = {i.text for i in items}
    assert any(t.startswith(WELCOME) for t in texts)
    assert "När öppnar återvinningscentralen i Överbyn?" in texts
    for item in items:
        assert "Ã" not in item.text and "Â" not in item.text
        assert item.created is not None and item.created.tzinfo is not None
        assert item.created.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_parsing_twice_gives_the_same_ids(exports: dict[str, Path], name: str) -> None:
    first = [i.platform_id for i in parse(exports[name])[1]]
    second = [i.platform_id for i in parse(exports[name])[1]]
    assert first == second
    if name != "x":  # X yields all versions of an edited tweet under one id
        assert len(set(first)) == len(first)


def test_folder_export_parses_like_the_zip(tmp_path: Path) -> None:
    zipped = generate_facebook_export(tmp_path / "fb.zip")
    folder = generate_facebook_export(tmp_path / "fb", as_zip=False)
    assert parse(zipped)[1] == parse(folder)[1]


def test_facebook_mojibake_kinds_edits_and_media(exports: dict[str, Path]) -> None:
    _, items, _ = parse(exports["facebook"])
    welcome = next(i for i in items if i.text == WELCOME)
    assert welcome.kind == "post" and welcome.is_own
    assert welcome.author_name == "Torsby kommun" and welcome.author_handle == "torsbykommun"
    assert welcome.created == dt.datetime(2025, 1, 1, 9, 26, 15, tzinfo=UTC)
    assert welcome.platform_id.startswith("fb:") and len(welcome.platform_id) == 19
    kinds = {i.kind for i in items}
    assert kinds == {"post", "comment", "reply"}
    edited = [i for i in items if i.edited]
    assert edited and all(i.edited > i.created for i in edited)  # type: ignore[operator]
    with_media = [i for i in items if i.media]
    assert with_media
    ref = with_media[0].media[0]
    assert ref.media_type == "image/png" or ref.media_type == "image/jpeg"
    assert ref.path.startswith("your_facebook_activity/posts/media/")
    with open_export(exports["facebook"]) as source, source.open_member(ref.path) as fh:
        assert fh.read(4) == b"\x89PNG"


def test_facebook_legacy_layout(tmp_path: Path) -> None:
    _, items, skipped = parse(generate_facebook_export(tmp_path / "old.zip", legacy=True))
    assert not skipped
    assert WELCOME in {i.text for i in items}
    assert any(i.media and i.media[0].path.startswith("posts/media/") for i in items)


def test_facebook_reimport_pair_keeps_ids_across_edits(tmp_path: Path) -> None:
    older, newer = generate_facebook_overlap_pair(tmp_path)
    old_items = {i.platform_id: i for i in parse(older)[1]}
    new_items = {i.platform_id: i for i in parse(newer)[1]}
    assert set(old_items) < set(new_items)
    changed = [pid for pid in old_items if old_items[pid].text != new_items[pid].text]
    assert changed
    for pid in changed:
        assert new_items[pid].text.endswith("(uppdaterad: ny tid 19.00)")
        assert new_items[pid].edited is not None
        assert new_items[pid].created == old_items[pid].created
    assert len(new_items) - len(old_items) == 12


def test_instagram_single_and_carousel_posts(exports: dict[str, Path]) -> None:
    _, items, _ = parse(exports["instagram"])
    posts = [i for i in items if i.kind == "post"]
    assert {len(p.media) for p in posts} == {1, 3}
    assert all(p.platform_id.startswith("ig:") for p in items)
    comments = [i for i in items if i.kind == "comment"]
    assert comments and all(c.author_handle == "torsbykommun" for c in comments)


def test_x_replies_edits_deleted_and_messages(exports: dict[str, Path]) -> None:
    _, items, _ = parse(exports["x"])
    by_kind = {k: [i for i in items if i.kind == k] for k in ("post", "reply", "message")}
    post_ids = {i.platform_id for i in by_kind["post"]}
    assert by_kind["reply"] and all(r.parent_id in post_ids for r in by_kind["reply"])
    versions = [i for i in items if i.platform_id == "1870000000000000007"]
    assert [v.text for v in versions] == [
        "Infomöte om nya skolan i kväll kl 18",
        "Infomöte om nya skolan i kväll kl 19",
        "Infomöte om nya skolan i kväll kl 19 i Aulan 🏫",
    ]
    assert versions[0].edited is None
    assert versions[1].edited == dt.datetime(2025, 1, 1, 9, 10, tzinfo=UTC)
    assert {v.created for v in versions} == {dt.datetime(2025, 1, 1, 9, 5, tzinfo=UTC)}
    assert versions[2].url == "https://x.com/torsbykommun/status/1870000000000000009"
    deleted = [i for i in items if i.deleted]
    assert len(deleted) == 3 and all("Felaktig tid" in d.text for d in deleted)
    assert any("sagostunder & mer 📚" in i.text for i in items)  # &amp; unescaped
    media = [i for i in items if i.media]
    assert media and media[0].media[0].path.startswith("data/tweets_media/")
    assert media[0].media[0].uri.startswith("https://pbs.twimg.com/media/")  # type: ignore[union-attr]
    messages = sorted(by_kind["message"], key=lambda m: m.created)  # type: ignore[arg-type, return-value]
    assert [m.is_own for m in messages] == [False, True]
    assert messages[1].text == "Hej! Vi har tagit emot ditt ärende 👍"
    assert {m.thread_id for m in messages} == {"1410000000000000001-2220000000"}


def test_x_edit_versions_are_in_order_even_if_the_file_is_not(tmp_path: Path) -> None:
    path = generate_x_export(tmp_path / "x", as_zip=False)
    tweets = (path / "data" / "tweets.js").read_text(encoding="utf-8")
    # Already newest first; versions must still come out oldest first.
    assert tweets.index('"id_str": "1870000000000000009"') < tweets.index(
        '"id_str": "1870000000000000007"'
    )
    _, items, _ = parse(path)
    texts = [i.text for i in items if i.platform_id == "1870000000000000007"]
    assert texts[0].endswith("kl 18")


def test_linkedin_bom_multiline_and_comment_parents(exports: dict[str, Path]) -> None:
    _, items, _ = parse(exports["linkedin"])
    welcome = items[0]
    assert welcome.text == f'{WELCOME}\n\nLäs mer: "Torsby växer" på vår webb.'
    assert welcome.platform_id == "urn:li:share:7280000000000000000"
    assert welcome.author_name == "Torsby kommun"
    post_ids = {i.platform_id for i in items if i.kind == "post"}
    comments = [i for i in items if i.kind == "comment"]
    assert comments and all(c.parent_id in post_ids for c in comments)
    assert any(c.platform_id.startswith("urn:li:comment:(activity:") for c in comments)
    assert any(c.platform_id.startswith("li:") for c in comments)


def test_youtube_segments_replies_and_channel_name(exports: dict[str, Path]) -> None:
    _, items, _ = parse(exports["youtube"])
    first = items[0]
    assert first.text == WELCOME
    assert first.kind == "comment" and first.parent_id == "vid00000000"
    assert first.author_name == "Torsby kommun"
    assert first.url == f"https://www.youtube.com/watch?v=vid00000000&lc={first.platform_id}"
    replies = [i for i in items if i.kind == "reply"]
    ids = {i.platform_id for i in items}
    assert replies and all(r.parent_id in ids for r in replies)


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        ("Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Video ID,"
         "Comment Text", '"{""takeoutSegments"":[{""text"":""Hej Åsa 👋""}]}"'),
        ("Channel ID,Comment Create Timestamp,Price,Comment ID,Parent Comment ID,Video ID,"
         "Comment Text", '"{""text"":""Hej ""},{""text"":""Åsa 👋""}"'),
        ("Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Video ID,"
         "Comment Text", "Hej Åsa 👋"),
    ],
)
def test_youtube_older_csv_layouts(tmp_path: Path, header: str, cell: str) -> None:
    cols = header.split(",")
    values = {"Comment ID": "Ugx1", "Channel ID": "UC1", "Comment Create Timestamp":
              "2023-09-19T17:42:53.434647+00:00", "Price": "0", "Parent Comment ID": "",
              "Video ID": "WtOskFeLmr4"}
    row = ",".join(values.get(c, cell) for c in cols)
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Takeout/YouTube and YouTube Music/comments/comments.csv",
                    f"{header}\n{row}\n\n\n")
    _, items, _ = parse(path)
    assert [i.text for i in items] == ["Hej Åsa 👋"]
    assert items[0].created == dt.datetime(2023, 9, 19, 17, 42, 53, 434647, tzinfo=UTC)


def test_entries_of_the_wrong_shape_are_skipped_not_fatal(tmp_path: Path) -> None:
    posts = (b'[{"timestamp": 1735722000, "data": [{"post": "Hej p\\u00c3\\u00a5 er"}]},'
             b' 42, {"timestamp": "yesterday", "data": []}, {"timestamp": 1735722001,'
             b' "data": [{"post": null}]}, {"timestamp": 1735722002, "data": [{"post": "Bild"}],'
             b' "attachments": [{"data": [{"media": {"uri": "../../etc/passwd"}}]}]}]')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("posts/your_posts_1.json", posts)
    path = tmp_path / "odd.zip"
    path.write_bytes(buf.getvalue())
    _, items, skipped = parse(path)
    assert [i.text for i in items] == ["Hej på er", "", "Bild"]  # a post without text is a record too
    assert items[2].media == ()
    reasons = [s.reason for s in skipped]
    assert "entry is not an object" in reasons
    assert "post has no valid timestamp" in reasons
    assert any("escapes the export folder" in r for r in reasons)
