"""Export fields that only some exports use, each read into what the item must say.

Small exports written out here by hand (the platforms' own key names); the expected
items follow from the entries, not from the parsers.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from test_imports_layouts import parse

from archiver.errors import BadInputError
from archiver.items.imports import Skipped, detect_format, open_export, read_export
from archiver.items.imports.fields import as_epoch_ms
from archiver.items.imports.youtube import comment_text
from fixtures.exports import layouts
from fixtures.exports.generate import generate_x_export

UTC = dt.UTC


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def test_tiktok_capitalised_comment_keys_and_a_video_described_not_titled(tmp_path: Path) -> None:
    data = {"Comment": {"Comments": {"CommentsList": [
                {"Date": "2025-01-02 10:00:00", "Comment": "Så fint! ❄️"}]}},
            "Profile": {"Profile Information": {"ProfileMap": {"userName": "torsbykommun"}}},
            "Video": {"Videos": {"VideoList": [
                {"Date": "2025-01-01 12:00:00", "Link": "https://www.tiktokv.com/share/video/7450000000000000001/",
                 "Description": "Vinter i Torsby"}]}}}
    export = write(tmp_path / "tt", {"TikTok/user_data_tiktok.json": json.dumps(data, ensure_ascii=False)})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("tiktok", [])
    assert sorted((i.kind, i.text, i.created) for i in items) == [
        ("comment", "Så fint! ❄️", dt.datetime(2025, 1, 2, 10, tzinfo=UTC)),
        ("post", "Vinter i Torsby", dt.datetime(2025, 1, 1, 12, tzinfo=UTC))]


def test_a_message_in_a_facebook_activity_file_is_a_message_with_its_photo(tmp_path: Path) -> None:
    """Facebook's mixed files hold messages beside posts: sender, thread from the folder, media."""
    entries = [
        {"timestamp": 1735725600, "data": [{"post": "Välkommen till biblioteket!"}]},
        {"sender_name": "Åsa Öberg", "timestamp_ms": 1735729200000, "content": "Hej! När öppnar ni?",
         "photos": [{"uri": "photos/fraga.jpg"}], "sticker": {"uri": "stickers/tumme.png"}},
        {"timestamp": 1735732800, "attachments": [{"data": [{"note": {"title": "Nyheter",
                                                                     "text": "Biblioteket har nya öppettider"}}]}]},
    ]
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": json.dumps(entries),
                                     "photos/fraga.jpg": b"\xff\xd8\xff\xe0 jpeg",
                                     "stickers/tumme.png": b"\x89PNG"})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("facebook", [])
    by_kind = {i.kind + str(n): i for n, i in enumerate(items)}
    assert sorted(by_kind) == ["message1", "post0", "post2"]
    message = by_kind["message1"]
    assert (message.author_name, message.text, message.thread_id, message.recipients) == (
        "Åsa Öberg", "Hej! När öppnar ni?", "posts", ())
    assert message.created == dt.datetime(2025, 1, 1, 11, tzinfo=UTC)
    assert [m.path for m in message.media] == ["photos/fraga.jpg", "stickers/tumme.png"]
    # A post of only a note shows the note's title and text.
    assert by_kind["post2"].text == "Nyheter\nBiblioteket har nya öppettider"


ROWS = [{"id": "n1", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "Öppet i dag"},
        {"id": "n2", "kind": "comment", "created": "2026-03-02T11:00:00+01:00", "text": "Tack!",
         "parent_id": "n1"}]


def test_items_as_a_json_array_and_jsonl_with_blank_lines(tmp_path: Path) -> None:
    as_array = write(tmp_path / "a", {"items.json": json.dumps(ROWS)})
    as_lines = write(tmp_path / "b", {"items.jsonl": json.dumps(ROWS[0]) + "\n\n  \n" + json.dumps(ROWS[1]) + "\n"})
    for export in (as_array, as_lines):
        fmt, items, skipped = parse(export)
        assert (fmt, skipped) == ("items", [])
        assert [(i.platform_id, i.kind, i.parent_id, i.created) for i in items] == [
            ("n1", "post", None, dt.datetime(2026, 3, 2, 9, tzinfo=UTC)),
            ("n2", "comment", "n1", dt.datetime(2026, 3, 2, 10, tzinfo=UTC))]


def test_items_csv_booleans_in_any_case_and_with_spaces(tmp_path: Path) -> None:
    csv = ("id,kind,created,text,own,deleted\n"
           "n1,post,2026-03-02T10:00:00+01:00,Öppet i dag,TRUE, False \n"
           "n2,comment,2026-03-02T11:00:00+01:00,Tack!, false ,True\n")
    fmt, items, skipped = parse(write(tmp_path / "c", {"items.csv": csv}))
    assert (fmt, skipped) == ("items", [])
    assert [(i.platform_id, i.is_own, i.deleted) for i in items] == [("n1", True, False), ("n2", False, True)]


def test_an_items_message_must_name_its_thread_whatever_came_before(tmp_path: Path) -> None:
    """The memo of accepted row shapes must tell kinds apart: the schema's if/const makes
    thread_id required for a message only."""
    rows = [{"id": "n1", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "Öppet"},
            {"id": "n2", "kind": "message", "created": "2026-03-02T10:00:00+01:00", "text": "Hej"}]
    export = write(tmp_path / "m", {"items.jsonl": "\n".join(json.dumps(r) for r in rows) + "\n"})
    with open_export(export) as source, pytest.raises(BadInputError) as err:
        list(read_export(source, "items"))
    assert "line 2: " in str(err.value) and "thread_id" in str(err.value)
    assert "line 1" not in str(err.value)


def test_youtube_comments_in_takeouts_json_variant(tmp_path: Path) -> None:
    rows = [{"Comment ID": "Ugw1", "Channel ID": "UCtorsby", "Comment create timestamp": "2025-03-02T09:00:00+00:00",
             "Parent comment ID": "", "Post ID": "", "Video ID": "vid1", "Comment text": "Tack för filmen!"},
            {"Comment ID": "Ugw2", "Channel ID": "UCtorsby", "Comment create timestamp": "2025-03-02T10:00:00+00:00",
             "Parent comment ID": "Ugw1", "Post ID": "", "Video ID": "vid1", "Comment text": "Gärna!"},
            {"Kommentar": "utan id"}]
    member = "Takeout/YouTube and YouTube Music/comments/comments.json"
    fmt, items, skipped = parse(write(tmp_path / "yt", {member: json.dumps(rows)}))
    assert (fmt, skipped) == ("youtube", [Skipped(f"yt:{member}[2]", "comment lacks an id or a valid timestamp")])
    assert [(i.platform_id, i.kind, i.parent_id, i.text, i.url, i.created) for i in items] == [
        ("Ugw1", "comment", "vid1", "Tack för filmen!", "https://www.youtube.com/watch?v=vid1&lc=Ugw1",
         dt.datetime(2025, 3, 2, 9, tzinfo=UTC)),
        ("Ugw2", "reply", "Ugw1", "Gärna!", "https://www.youtube.com/watch?v=vid1&lc=Ugw2",
         dt.datetime(2025, 3, 2, 10, tzinfo=UTC))]


@pytest.mark.parametrize(("cell", "text"), [
    ('{"text":"Hej Torsby"}', "Hej Torsby"),  # one segment, the older form
    ('{"text":"Hej "},{"text":"@Torsby","mention":{}}', "Hej @Torsby"),
    ('{"takeoutSegments":[{"text":"Tack "},{"text":"för svaret"}]}', "Tack för svaret"),
    ("{inte json", "{inte json"),
])
def test_youtube_comment_cells_in_each_of_their_forms(cell: str, text: str) -> None:
    assert comment_text(cell) == text


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(("members", "message"), [
    ({"your_instagram_activity/content/posts_1.html": "<html></html>"},
     "export.zip:your_instagram_activity/content/posts_1.html: this Instagram export is in HTML format; "
     "request a new one with Format: JSON"),
    # Broken at its first key: detection itself names the file and the line.
    ({"posts/your_posts_1.json": '{"a" 1}'},
     "export.zip:posts/your_posts_1.json line 1: is not valid JSON ("),
])
def test_exports_that_cannot_be_read_say_which_file_and_why(tmp_path: Path, members: dict[str, str],
                                                            message: str) -> None:
    with open_export(_zip(tmp_path / "export.zip", members)) as source, pytest.raises(BadInputError) as err:
        detect_format(source)
    assert str(err.value).startswith(message)  # the parser's own words follow for JSON
    assert str(err.value).endswith("JSON" if "HTML" in message else "); re-download the export")


def test_a_youtube_comment_without_an_id_is_skipped_naming_its_line(tmp_path: Path) -> None:
    member = "Takeout/YouTube and YouTube Music/comments/comments.csv"
    csv = ("Comment ID,Channel ID,Comment create timestamp,Price,Parent comment ID,Post ID,Video ID,Comment text\n"
           "Ugw1,UCtorsby,2025-03-02T09:00:00+00:00,0,,,vid1,Tack!\n"
           ",UCtorsby,2025-03-02T10:00:00+00:00,0,,,vid1,Utan id\n")
    fmt, items, skipped = parse(_zip(tmp_path / "export.zip", {member: csv}))
    assert (fmt, [i.platform_id for i in items]) == ("youtube", ["Ugw1"])
    assert skipped == [Skipped(f"export.zip:{member} line 3", "comment lacks an id or a valid timestamp")]


def test_an_unknown_script_file_in_an_export_is_listed_as_skipped(tmp_path: Path) -> None:
    posts = json.dumps([{"timestamp": 1735725600, "data": [{"post": "Välkommen!"}]}])
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": posts, "extra/analys.js": "var a = 1;",
                                     "extra/besok.CSV": "vecka;besök\n1;20\n", "extra/karta.xml": "<karta/>",
                                     "photos/bild.jpg": b"\xff\xd8"})
    fmt, items, skipped = parse(export)
    assert (fmt, [i.text for i in items]) == ("facebook", ["Välkommen!"])
    assert sorted(s.where for s in skipped) == ["fb:extra/analys.js", "fb:extra/besok.CSV", "fb:extra/karta.xml"]


def test_a_facebook_comment_names_its_author(tmp_path: Path) -> None:
    comments = {"comments_v2": [{"timestamp": 1735725600, "title": "Åsa Öberg kommenterade ett inlägg.",
                                 "data": [{"comment": {"timestamp": 1735725600, "comment": "Tack för infon!",
                                                       "author": "Åsa Öberg"}}]}]}
    fmt, items, skipped = parse(write(tmp_path / "fb", {"comments/comments.json": json.dumps(comments)}))
    assert (fmt, skipped) == ("facebook", [])
    assert [(i.kind, i.author_name, i.text) for i in items] == [("comment", "Åsa Öberg", "Tack för infon!")]


def test_x_edits_made_within_one_second_keep_the_order_x_lists_them_in(tmp_path: Path) -> None:
    """created_at has whole seconds; two quick edits tie, and editTweetIds decides."""
    path = generate_x_export(tmp_path / "x", as_zip=False)
    tweets_js = path / "data" / "tweets.js"
    prefix, _, body = tweets_js.read_text(encoding="utf-8").partition("= ")
    tweets = json.loads(body)
    first = next(t["tweet"] for t in tweets if t["tweet"]["full_text"].endswith("kl 18"))
    ids = first["edit_info"]["initial"]["editTweetIds"]
    by_id = {t["tweet"]["id_str"]: t["tweet"] for t in tweets}
    by_id[ids[2]]["created_at"] = by_id[ids[1]]["created_at"]
    # Saved by a Windows editor: a byte order mark before "window.YTD...".
    tweets_js.write_text("\ufeff" + prefix + "= " + json.dumps(tweets, ensure_ascii=False), encoding="utf-8")
    fmt, items, _ = parse(path)
    assert fmt == "x" and {i.author_handle for i in items if i.kind == "post"} == {"torsbykommun"}
    assert [i.text for i in items if i.platform_id == ids[0]] == [
        "Infomöte om nya skolan i kväll kl 18", "Infomöte om nya skolan i kväll kl 19",
        "Infomöte om nya skolan i kväll kl 19 i Aulan 🏫"]


def test_timestamps_outside_1990_to_2100_are_not_times() -> None:
    # 4,102,444,800 s is 2100-01-01T00:00:00Z; 631,152,000 s is 1990-01-01.
    assert as_epoch_ms(4_102_444_800_000) == 4_102_444_800_000
    assert as_epoch_ms(4_102_444_800_001) is None
    assert as_epoch_ms(4_106_000_000_000) is None
    assert as_epoch_ms(631_151_999_999) is None


def test_items_rows_that_are_not_objects_or_have_a_kind_in_another_case(tmp_path: Path) -> None:
    """The memo of accepted shapes must still read kind's value: "Post" after "post" is refused."""
    good = {"id": "n1", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "Öppet"}
    lines = [json.dumps(good), json.dumps({**good, "id": "n2", "kind": "Post"}), "[1, 2]"]
    export = write(tmp_path / "i", {"items.jsonl": "\n".join(lines) + "\n"})
    with open_export(export) as source, pytest.raises(BadInputError) as err:
        list(read_export(source, "items"))
    assert str(err.value) == (
        "i:items.jsonl: 2 rows do not fit the items format (line 2: kind must be one of post, comment, reply, "
        "message; line 3: row must be an object); fix them (schema: schemas/items.schema.json) and import again")


def test_a_bare_list_of_messenger_messages_is_a_thread_named_by_its_folder(tmp_path: Path) -> None:
    messages = [{"sender_name": "Åsa Öberg", "timestamp_ms": 1735729200000, "content": "Hej!"},
                {"sender_name": "Torsby kommun", "timestamp_ms": 1735732800000, "content": "Hej Åsa!"}]
    export = write(tmp_path / "fb", {"messages/inbox/asaoberg_k3j2/message_1.json": json.dumps(messages)})
    with open_export(export) as source:  # threads alone could be Instagram's too: the user says which
        items = list(read_export(source, "facebook"))
    assert [(i.kind, i.author_name, i.text, i.thread_id) for i in items] == [
        ("message", "Åsa Öberg", "Hej!", "asaoberg_k3j2"), ("message", "Torsby kommun", "Hej Åsa!", "asaoberg_k3j2")]


def test_instagram_owner_from_personal_information_signs_posts_and_comments(tmp_path: Path) -> None:
    path, counts = layouts.instagram_2020(tmp_path / "ig")
    _, items, _ = parse(path)
    assert Counter(i.kind for i in items) == counts
    assert {(i.author_handle, i.author_name) for i in items if i.kind in ("post", "comment")} == {
        ("torsbykommun", layouts.OWNER)}


def test_instagram_reels_wrapped_in_a_list_file_are_posts(tmp_path: Path) -> None:
    reels = [{"ig_reels_media": [{"media": [{"uri": "media/reels/202501/vinter.mp4",
                                             "creation_timestamp": 1735725600, "title": "Vinter i Torsby"}]}]}]
    export = write(tmp_path / "ig", {"your_instagram_activity/content/reels.json": json.dumps(reels),
                                     "media/reels/202501/vinter.mp4": b"\x00\x00\x00\x18ftypmp42"})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("instagram", [])
    assert [(i.kind, i.text, i.created, [m.path for m in i.media]) for i in items] == [
        ("post", "Vinter i Torsby", dt.datetime(2025, 1, 1, 10, tzinfo=UTC), ["media/reels/202501/vinter.mp4"])]


def test_a_tiktok_file_whose_profile_is_n_a_has_no_owner(tmp_path: Path) -> None:
    data = {"Profile": "N/A", "Video": {"Videos": {"VideoList": [
        {"Date": "2025-01-01 12:00:00", "Link": "https://www.tiktokv.com/share/video/7450000000000000001/",
         "Title": "Vinter"}]}}}
    fmt, items, skipped = parse(write(tmp_path / "tt", {"TikTok/user_data_tiktok.json": json.dumps(data)}))
    assert (fmt, skipped) == ("tiktok", [])
    assert [(i.text, i.author_handle, i.author_name) for i in items] == [("Vinter", None, None)]


def test_a_profile_file_over_4_mib_is_refused_unread(tmp_path: Path) -> None:
    """Instagram's personal information is a few KiB; one byte over 4 MiB is not a profile."""
    profile = json.dumps({"profile_user": [{"string_map_data": {"Username": {"value": "torsbykommun"}}}]})
    padded = profile + " " * (4 * 1024 * 1024 + 1 - len(profile))
    posts = json.dumps([{"media": [{"uri": "media/a.jpg", "creation_timestamp": 1735725600, "title": "Hej"}]}])
    export = write(tmp_path / "ig", {"personal_information/personal_information.json": padded,
                                     "content/posts_1.json": posts})
    with open_export(export) as source, pytest.raises(BadInputError) as err:
        list(read_export(source, "instagram"))
    assert str(err.value).startswith(
        "ig:personal_information/personal_information.json: is implausibly large for a profile file; ")


def test_tiktok_comment_and_chat_texts_are_read(tmp_path: Path) -> None:
    _, items, _ = parse(layouts.tiktok_2024(tmp_path / "tt.zip")[0])
    assert [i.text for i in items if i.kind == "comment"] == ["Så fint! ❄️"]
    assert [i.text for i in items if i.kind == "message"] == ["Hej, när öppnar badet?", "Hej! Kl 10."]


def test_an_instagram_profile_picture_in_a_post_list_is_skipped_as_such(tmp_path: Path) -> None:
    posts = [{"media": [{"uri": "media/a.jpg", "creation_timestamp": 1735725600, "title": "Hej"}]},
             {"ig_profile_picture": [{"uri": "media/profil.jpg"}]}]
    export = write(tmp_path / "ig", {"content/posts_1.json": json.dumps(posts), "media/a.jpg": b"\xff\xd8",
                                     "media/profil.jpg": b"\xff\xd8"})
    _, items, skipped = parse(export)
    assert [i.text for i in items] == ["Hej"]
    assert skipped == [Skipped("ig:content/posts_1.json[1]", "profile picture, not a post")]
