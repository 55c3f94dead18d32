"""Importer edges a mutation sample found unguarded, each as a user sees it: which records
come in, which are listed as skipped (and where), which exports are refused (and how)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from test_imports_fields import write
from test_imports_layouts import parse

from archiver.errors import BadInputError
from archiver.items.imports import ExportLimits, MediaRef, Skipped, detect_format, open_export, read_export

UTC = dt.UTC
PIXEL = bytes.fromhex("89504e470d0a1a0a")  # enough of a PNG for a media file


def meta_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_a_facebook_comment_keeps_its_photo_found_beside_the_file_and_names_a_missing_one(
        tmp_path: Path) -> None:
    """A copy where the comments folder was moved under another: its photo is found from the
    file's own folder; a photo the export lacks costs the comment that file, at its place."""
    comments = {"comments_v2": [
        {"timestamp": 1717500000, "title": "Torsby kommun commented on a post.",
         "data": [{"comment": {"timestamp": 1717500000, "comment": "Så här ser det ut nu!"}}],
         "attachments": [{"data": [{"media": {"uri": "photos/vag.png"}}]}]},
        {"timestamp": 1717500600, "title": "Torsby kommun commented on a post.",
         "data": [{"comment": {"timestamp": 1717500600, "comment": "Och här."}}],
         "attachments": [{"data": [{"media": {"uri": "photos/saknas.png"}}]}]},
    ]}
    root = write(tmp_path / "fb", {"arkiv/comments/comments.json": meta_json(comments),
                                   "arkiv/comments/photos/vag.png": PIXEL})
    _, items, skipped = parse(root)
    by_text = {i.text: i for i in items}
    assert [m.path for m in by_text["Så här ser det ut nu!"].media] == ["arkiv/comments/photos/vag.png"]
    assert by_text["Och här."].media == ()
    assert skipped == [Skipped("fb:arkiv/comments/comments.json[1] photos/saknas.png",
                               "media file listed but missing from the export")]


def test_two_linkedin_messages_in_one_second_are_two_records(tmp_path: Path) -> None:
    rows = ("CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
            "2-A==,,Anna Lind,https://www.linkedin.com/in/anna,Torsby kommun,2025-03-01 10:00:00 UTC,,Hej!,INBOX\n"
            "2-A==,,Anna Lind,https://www.linkedin.com/in/anna,Torsby kommun,2025-03-01 10:00:00 UTC,,"
            "Har ni lediga jobb?,INBOX\n")
    _, items, _ = parse(write(tmp_path / "li", {"messages.csv": rows}))
    assert sorted(i.text for i in items) == ["Har ni lediga jobb?", "Hej!"]
    assert len({i.platform_id for i in items}) == 2


def test_an_array_with_a_timestamp_and_nothing_facebook_writes_is_not_read(tmp_path: Path) -> None:
    """Only arrays whose objects carry what Meta writes beside a timestamp are Facebook's."""
    posts = [{"timestamp": 1717500000, "data": [{"post": "Välkomna till biblioteket!"}]}]
    root = write(tmp_path / "fb", {"posts/your_posts_1.json": meta_json(posts),
                                   "logs/pings.json": meta_json([{"timestamp": 1717500000, "ms": 12}])})
    fmt, items, skipped = parse(root)
    assert (fmt, [i.text for i in items]) == ("facebook", ["Välkomna till biblioteket!"])
    assert skipped == [Skipped("fb:logs/pings.json",
                               "file not read: it holds no posts, comments or messages of this format")]


def test_a_file_exactly_at_the_size_limit_is_read(tmp_path: Path) -> None:
    root = write(tmp_path / "li", {"Shares.csv": "Date,ShareLink,ShareCommentary\n2025-01-01 09:00:00,,Hej\n"})
    size = (root / "Shares.csv").stat().st_size
    with open_export(root, limits=ExportLimits(max_member_bytes=size)) as source:
        assert list(source.members()) == ["Shares.csv"]
    with pytest.raises(BadInputError, match=f"has {size:,} bytes, more than the per-file limit of {size - 1:,}"):
        open_export(root, limits=ExportLimits(max_member_bytes=size - 1))


def test_a_file_that_grows_after_the_check_is_stopped_at_its_limit_in_small_reads(tmp_path: Path) -> None:
    """The counter adds up every read: a file swapped for a bigger one after open_export
    is refused once the bytes read pass the limit, however small each read is."""
    root = write(tmp_path / "li", {"Shares.csv": "x" * 1000})
    with open_export(root, limits=ExportLimits(max_member_bytes=1000)) as source:
        (root / "Shares.csv").write_text("x" * 5000, encoding="utf-8")
        stream = source.open_member("Shares.csv")
        with pytest.raises(BadInputError) as err:
            while stream.read(100):
                pass
        stream.close()
    assert str(err.value) == ("li:Shares.csv: decompresses to more than its allowed 1,000 bytes (zip bomb or "
                              "lying header); refusing to import it (re-download the export)")


def test_tiktok_videos_and_comments_are_the_accounts_own(tmp_path: Path) -> None:
    data = {"Comment": {"Comments": {"CommentsList": [{"date": "2025-01-02 10:00:00", "comment": "Fint!"}]}},
            "Post": {"Posts": {"VideoList": [{"Date": "2025-01-01 12:00:00", "Title": "Vinter i Torsby",
                                              "Link": "https://www.tiktokv.com/share/video/7450000000000000009/"}]}}}
    _, items, _ = parse(write(tmp_path / "tt", {"user_data_tiktok.json": meta_json(data)}))
    assert {(i.kind, i.is_own) for i in items} == {("post", True), ("comment", True)}


def test_a_tiktok_chat_without_the_accounts_user_name_names_no_recipient(tmp_path: Path) -> None:
    """The profile gives only a display name: a message the other party sent has no known
    recipient handle, so none is stored (never a made-up or empty one)."""
    data = {"Profile": {"Profile Info": {"ProfileMap": {"displayName": "Torsby kommun"}}},
            "Direct Message": {"Direct Messages": {"ChatHistory": {"Chat History with erik.ek:": [
                {"Date": "2025-07-16 09:59:09", "From": "erik.ek", "Content": "Hej!"}]}}}}
    _, items, _ = parse(write(tmp_path / "tt", {"user_data_tiktok.json": meta_json(data)}))
    (message,) = items
    assert (message.author_handle, message.recipients, message.thread_id) == ("erik.ek", (), "erik.ek")


@pytest.mark.parametrize(("fmt", "member", "platform"), [
    ("facebook", "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.html", "Facebook"),
    ("instagram", "your_instagram_activity/content/posts_1.html", "Instagram"),
])
def test_an_html_export_given_with_its_format_is_refused_naming_the_file(
        tmp_path: Path, fmt: str, member: str, platform: str) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, "<html><body>Inlägg</body></html>")
    with open_export(path) as source, pytest.raises(BadInputError) as err:
        list(read_export(source, fmt))
    assert str(err.value) == (f"export.zip:{member}: this {platform} export is in HTML format; request a new "
                              "one with Format: JSON")


def test_a_youtube_json_comment_with_a_null_parent_is_a_comment_on_its_video(tmp_path: Path) -> None:
    rows = [{"Comment ID": "Ugz1", "Channel ID": "UCtorsby", "Comment Create Timestamp": "2025-01-02T10:00:00Z",
             "Price": "0", "Parent Comment ID": None, "Video ID": "vid00000001",
             "Comment Text": "{\"text\":\"Tack för filmen!\"}"}]
    _, items, _ = parse(write(tmp_path / "yt", {"Takeout/YouTube/comments/comments.json": meta_json(rows)}))
    (item,) = items
    assert (item.kind, item.parent_id, item.text) == ("comment", "vid00000001", "Tack för filmen!")


def test_youtube_times_written_with_a_space_are_known_by_content(tmp_path: Path) -> None:
    header = "Kommentars-ID,Kanal-ID,Tidsstämpel,Pris,Överordnad kommentars-ID,Video-ID,Kommentarstext"
    row = 'c1,UCtorsby,2025-01-02 10:00:00+00:00,0,,v1,"{""text"":""Hej!""}"'
    _, items, _ = parse(write(tmp_path / "yt", {"Takeout/YouTube/kommentarer/kommentarer.csv": f"{header}\n{row}\n"}))
    (item,) = items
    assert (item.platform_id, item.created) == ("c1", dt.datetime(2025, 1, 2, 10, tzinfo=UTC))


def test_a_fb_media_ref_is_a_media_ref(tmp_path: Path) -> None:
    """(Guards the comment test's premise: the photo really is a MediaRef with its type.)"""
    root = write(tmp_path / "fb", {"comments/comments.json": meta_json({"comments_v2": [
        {"timestamp": 1717500000, "data": [{"comment": {"timestamp": 1717500000, "comment": "Bild"}}],
         "attachments": [{"data": [{"media": {"uri": "comments/p.png"}}]}]}]}),
        "comments/p.png": PIXEL})
    _, items, _ = parse(root)
    assert items[0].media == (MediaRef(path="comments/p.png", media_type="image/png", uri="comments/p.png"),)


def test_a_value_longer_than_4_mib_is_refused_across_reads(tmp_path: Path) -> None:
    """The run of bytes without a quote is counted across the reader's small reads."""
    root = write(tmp_path / "fb", {"posts/your_posts_1.json": b"[" + b"1" * (5 << 20) + b"]"})
    with open_export(root) as source, pytest.raises(BadInputError) as err:
        list(read_export(source, "facebook"))
    assert str(err.value) == ("fb:posts/your_posts_1.json: holds a single value longer than 4 MiB, which no "
                              "export does; re-download the export")


def _derived(prefix: str, *parts: str) -> str:
    """IdMinter's documented rule, by hand: SHA-256 over the parts joined by US, 16 hex digits."""
    return f"{prefix}:{hashlib.sha256(chr(0x1F).join(parts).encode()).hexdigest()[:16]}"


def test_messenger_ids_follow_the_rule_and_two_messages_in_one_millisecond_stay_two(tmp_path: Path) -> None:
    ms = 1717500000123
    thread = {"participants": [{"name": "Erik Ek"}, {"name": "Torsby kommun"}], "thread_path": "inbox/erik_99",
              "messages": [{"sender_name": "Erik Ek", "timestamp_ms": ms, "content": "Hej!"},
                           {"sender_name": "Erik Ek", "timestamp_ms": ms, "content": "Är simhallen öppen?"}]}
    root = write(tmp_path / "fb", {"messages/inbox/erik_99/message_1.json": meta_json(thread)})
    with open_export(root) as source:
        ids = {i.text: i.platform_id for i in read_export(source, "facebook") if not isinstance(i, Skipped)}
    anchor = "inbox/erik_99\x1fErik Ek"
    assert ids == {"Hej!": _derived("fb", "message", str(ms), anchor),
                   "Är simhallen öppen?": _derived("fb", "message", str(ms), anchor, "Är simhallen öppen?")}


def test_a_linkedin_share_with_neither_text_nor_link_is_kept_empty(tmp_path: Path) -> None:
    shares = ("Date,ShareLink,ShareCommentary,Visibility\n"
              "2025-01-01 09:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7100000000000000007,,PUBLIC\n")
    _, items, _ = parse(write(tmp_path / "li", {"Shares.csv": shares}))
    assert [(i.platform_id, i.text) for i in items] == [("urn:li:share:7100000000000000007", "")]


def test_only_meta_exports_are_repaired_as_mojibake(tmp_path: Path) -> None:
    """Text that merely looks like Meta's escaping, in another platform's export, is kept as written."""
    comments = ("Date,Link,Message\n2025-01-03 09:00:00,https://www.linkedin.com/feed/update/"
                "urn%3Ali%3Aactivity%3A7100000000000000005,Kodsidan visar \"VÃ¤lkommen\" fel\n")
    _, items, _ = parse(write(tmp_path / "li", {"Comments.csv": comments}))
    assert [i.text for i in items] == ['Kodsidan visar "VÃ¤lkommen" fel']


def test_a_facebook_timestamp_written_as_a_decimal_is_read(tmp_path: Path) -> None:
    posts = [{"timestamp": 1717500000.0, "data": [{"post": "Sommarlov!"}]}]
    _, items, _ = parse(write(tmp_path / "fb", {"posts/your_posts_1.json": meta_json(posts)}))
    assert [(i.text, i.created) for i in items] == [("Sommarlov!", dt.datetime.fromtimestamp(1717500000, UTC))]


def test_messenger_shared_links_and_entries_that_are_not_messages(tmp_path: Path) -> None:
    thread = {"participants": [{"name": "Erik Ek"}], "thread_path": "inbox/erik_99",
              "messages": [{"sender_name": "Erik Ek", "timestamp_ms": 1717500000000, "content": "Läs här",
                            "share": {"link": "https://torsby.se/simhall"}}, "trasig rad"]}
    root = write(tmp_path / "fb", {"messages/inbox/erik_99/message_1.json": meta_json(thread)})
    with open_export(root) as source:
        records = list(read_export(source, "facebook"))
    (message,) = [r for r in records if not isinstance(r, Skipped)]
    assert message.url == "https://torsby.se/simhall"
    assert [r for r in records if isinstance(r, Skipped)] == [
        Skipped("fb:messages/inbox/erik_99/message_1.json.messages[1]", "entry is not an object")]


def test_the_smallest_items_file_is_known_as_the_items_format(tmp_path: Path) -> None:
    root = write(tmp_path / "n", {"items.json": meta_json([
        {"id": "1", "kind": "post", "created": "2025-01-01T10:00:00+01:00"}])})
    with open_export(root) as source:
        assert detect_format(source) == "items"


def test_a_tar_over_the_total_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "big.tar"
    with tarfile.open(path, "w") as tf:
        for n in range(3):
            info = tarfile.TarInfo(f"Takeout/f{n}.csv")
            info.size = 400
            tf.addfile(info, io.BytesIO(b"x" * 400))
    with pytest.raises(BadInputError) as err:
        open_export(path, limits=ExportLimits(max_total_bytes=1000), scratch=tmp_path)
    assert str(err.value) == ("big.tar: declares more than 1,000 bytes in total; refusing to import it "
                              "(re-download the export, or raise the limit)")


def test_a_tiktok_chat_that_is_not_a_list_is_read_as_empty(tmp_path: Path) -> None:
    data = {"Direct Message": {"Direct Messages": {"ChatHistory": {"Chat History with erik.ek:": None,
                                                                    "Chat History with asa:": [
        {"Date": "2025-07-16 09:59:09", "From": "asa", "Content": "Hej!"}]}}}}
    _, items, _ = parse(write(tmp_path / "tt", {"user_data_tiktok.json": meta_json(data)}))
    assert [(i.thread_id, i.text) for i in items] == [("asa", "Hej!")]


def x_js(name: str, value: object) -> str:
    return f"window.YTD.{name}.part0 = {json.dumps(value, ensure_ascii=False)}"


def test_x_tweets_with_only_id_missing_media_and_dms_without_a_recipient(tmp_path: Path) -> None:
    tweets = [{"tweet": {"id": "1500", "full_text": "Äldre arkiv utan id_str",
                         "created_at": "Mon Mar 02 09:00:00 +0000 2026",
                         "extended_entities": {"media": [{"media_url_https": "https://pbs.twimg.com/media/saknas.jpg"}]}}}]
    dms = [{"dmConversation": {"conversationId": "42-99", "messages": [
        {"messageCreate": {"id": "7", "senderId": "99", "text": "Hej gruppen",
                           "createdAt": "2026-03-02T10:00:00.000Z"}}]}}]
    root = write(tmp_path / "x", {"data/tweets.js": x_js("tweets", tweets),
                                  "data/direct-messages-group.js": x_js("direct_messages_group", dms)})
    _, items, skipped = parse(root)
    by_kind = {i.kind: i for i in items}
    assert by_kind["post"].platform_id == "1500"
    assert by_kind["message"].recipients == ()
    assert skipped == [Skipped("x:data/tweets.js[0] 1500-saknas.jpg",
                               "media file listed but missing from the export")]


def test_a_youtube_row_cut_short_has_no_parent_rather_than_a_made_up_one(tmp_path: Path) -> None:
    header = "Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Video ID,Comment Text"
    rows = ('c1,UCtorsby,2025-01-02T10:00:00+00:00,0,,v1,"{""text"":""Hela raden""}"\n'
            "c2,UCtorsby,2025-01-02T11:00:00+00:00\n")
    _, items, _ = parse(write(tmp_path / "yt", {"Takeout/YouTube/comments/comments.csv": f"{header}\n{rows}"}))
    cut = next(i for i in items if i.platform_id == "c2")
    assert (cut.kind, cut.parent_id, cut.text) == ("comment", None, "")


def test_a_photo_post_without_text_is_its_photo_description_and_web_media_is_named(tmp_path: Path) -> None:
    posts = [{"timestamp": 1717500000, "attachments": [{"data": [{"media": {
                 "uri": "posts/media/a.png", "description": "Isen har lagt sig på Frykensjön"}}]}]},
             {"timestamp": 1717500600, "data": [{"post": "Länkar"}], "attachments": [{"data": [
                 {"media": {"uri": "http://cdn.example.com/a.jpg"}}, {"media": {"uri": "https://cdn.example.com/b.jpg"}}]}]}]
    root = write(tmp_path / "fb", {"posts/your_posts_1.json": meta_json(posts), "posts/media/a.png": PIXEL})
    _, items, skipped = parse(root)
    assert sorted(i.text for i in items) == ["Isen har lagt sig på Frykensjön", "Länkar"]
    reason = "media is a web address, not a file in the export (kept as named only)"
    assert skipped == [Skipped("fb:posts/your_posts_1.json[1] http://cdn.example.com/a.jpg", reason),
                       Skipped("fb:posts/your_posts_1.json[1] https://cdn.example.com/b.jpg", reason)]


def test_an_instagram_carousel_takes_the_posts_own_time(tmp_path: Path) -> None:
    posts = [{"media": [{"uri": "media/posts/a.png", "creation_timestamp": 1717000000, "title": ""}],
              "title": "Karusell", "creation_timestamp": 1717500000}]
    root = write(tmp_path / "ig", {"content/posts_1.json": meta_json(posts), "media/posts/a.png": PIXEL})
    _, items, _ = parse(root)
    assert [(i.text, i.created) for i in items] == [("Karusell", dt.datetime.fromtimestamp(1717500000, UTC))]


def test_an_items_csv_with_a_blank_line_reads_on(tmp_path: Path) -> None:
    rows = ("id,kind,created,text\n1,post,2025-01-01T10:00:00+01:00,Första\n\n"
            "2,post,2025-01-02T10:00:00+01:00,Andra\n")
    _, items, _ = parse(write(tmp_path / "n", {"items.csv": rows}))
    assert [i.text for i in items] == ["Första", "Andra"]


def test_the_smallest_linkedin_shares_file_is_linkedins(tmp_path: Path) -> None:
    root = write(tmp_path / "li", {"Shares.csv": "Date,ShareLink\n2025-01-01 09:00:00,"
                                   "https://www.linkedin.com/feed/update/urn:li:share:7100000000000000008\n"})
    fmt, items, _ = parse(root)
    assert (fmt, [i.platform_id for i in items]) == ("linkedin", ["urn:li:share:7100000000000000008"])


def test_exact_limits_are_allowed_for_folders_and_tars(tmp_path: Path) -> None:
    root = write(tmp_path / "li", {"Shares.csv": "Date,ShareLink\n", "Comments.csv": "Date,Link,Message\n"})
    total = sum(p.stat().st_size for p in root.iterdir())
    with open_export(root, limits=ExportLimits(max_total_bytes=total)):
        pass
    path = tmp_path / "t.tar"
    with tarfile.open(path, "w") as tf:
        info = tarfile.TarInfo("Takeout/a.csv")
        info.size = 500
        tf.addfile(info, io.BytesIO(b"x" * 500))
    with open_export(path, limits=ExportLimits(max_member_bytes=500, max_total_bytes=500), scratch=tmp_path):
        pass


def test_tiktok_message_ids_follow_the_documented_rule(tmp_path: Path) -> None:
    data = {"Direct Message": {"Direct Messages": {"ChatHistory": {"Chat History with asa:": [
        {"Date": "2025-07-16 09:59:09", "From": "asa", "Content": "Hej!"}]}}}}
    _, items, _ = parse(write(tmp_path / "tt", {"user_data_tiktok.json": meta_json(data)}))
    epoch = int(dt.datetime(2025, 7, 16, 9, 59, 9, tzinfo=UTC).timestamp())
    assert [i.platform_id for i in items] == [_derived("tt", "message", str(epoch), "asa\x1fasa")]


def test_a_wrapped_group_post_finds_its_photo_beside_the_file_and_names_a_missing_one(tmp_path: Path) -> None:
    member = "your_facebook_activity/posts/aktivitet.json"
    posts = [{"group_posts_v2": [
        {"timestamp": 1735729200, "data": [{"post": "Bild från gruppen"}],
         "attachments": [{"data": [{"media": {"uri": "torg.jpg"}}]}]},
        {"timestamp": 1735729300, "data": [{"post": "Saknad bild"}],
         "attachments": [{"data": [{"media": {"uri": "your_facebook_activity/posts/media/borta.jpg"}}]}]}]}]
    fmt, items, skipped = parse(write(tmp_path / "fb", {member: json.dumps(posts),
                                                         "your_facebook_activity/posts/torg.jpg": b"\xff\xd8"}))
    assert fmt == "facebook"
    assert [(i.text, [m.path for m in i.media]) for i in items] == [
        ("Bild från gruppen", ["your_facebook_activity/posts/torg.jpg"]), ("Saknad bild", [])]
    assert skipped == [Skipped(f"fb:{member}[0].group_posts_v2[1] your_facebook_activity/posts/media/borta.jpg",
                               "media file listed but missing from the export")]


def test_a_thread_message_is_the_accounts_own_only_when_the_account_sent_it(tmp_path: Path) -> None:
    profile = {"profile_v2": {"name": {"full_name": "Torsby kommun"},
                              "profile_uri": "https://www.facebook.com/torsbykommun"}}
    thread = {"participants": [{"name": "Åsa Öberg"}, {"name": "Torsby kommun"}],
              "messages": [{"sender_name": "Åsa Öberg", "timestamp_ms": 1735725600000, "content": "Fråga"},
                           {"sender_name": "Torsby kommun", "timestamp_ms": 1735725700000, "content": "Svar"}],
              "title": "Åsa Öberg", "thread_path": "inbox/asa_1"}
    _, items, _ = parse(write(tmp_path / "fb", {
        "profile_information/profile_information.json": json.dumps(profile),
        "messages/inbox/asa_1/message_1.json": json.dumps(thread)}))
    assert [(i.text, i.author_handle, i.author_name, i.is_own) for i in items if i.kind == "message"] == [
        ("Fråga", None, "Åsa Öberg", False), ("Svar", "torsbykommun", "Torsby kommun", True)]


def test_items_whose_lists_differ_only_in_what_they_hold_are_each_checked(tmp_path: Path) -> None:
    """Rows of one shape are checked once; a list's shape is that of what it holds."""
    row = {"id": "a1", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "Hej"}
    rows = json.dumps({**row, "media": ["a.jpg"]}) + "\n" + json.dumps({**row, "id": "a2", "media": [5]}) + "\n"
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "items", {"items.jsonl": rows, "a.jpg": b"\xff\xd8"}))
    assert str(err.value) == ("items:items.jsonl: 1 row do not fit the items format (line 2: media.0 must be a "
                              "string); fix them (schema: schemas/items.schema.json) and import again")


def test_csv_rows_are_numbered_from_line_1_and_an_error_there_says_line_1(tmp_path: Path) -> None:
    from archiver.items.imports.csvstream import iter_lines

    folder = write(tmp_path / "li", {"Shares.csv": "Date,ShareCommentary\n2024-05-01 10:00:00,Hej\n",
                                     "Bad.csv": 'Date,"Share"Commentary\n'})
    with open_export(folder) as source:
        assert [line for line, _ in iter_lines(source, "Shares.csv")] == [1, 2]
        with pytest.raises(BadInputError) as err:
            list(iter_lines(source, "Bad.csv"))
    assert str(err.value).startswith(f"{folder.name}:Bad.csv: is not valid CSV near line 1 (")


def test_a_utf16_csv_that_ends_inside_a_character_is_refused_in_words(tmp_path: Path) -> None:
    from archiver.items.imports.csvstream import iter_lines

    data = "Date\tMessage\n2018-04-11\tHej\n".encode("utf-16") + b"\x00"  # the BOM, then one byte too many
    folder = write(tmp_path / "li", {"Messages.csv": data})
    with open_export(folder) as source, pytest.raises(BadInputError) as err:
        list(iter_lines(source, "Messages.csv"))
    assert str(err.value) == (f"{folder.name}:Messages.csv: is not valid UTF-16 (it ends in the middle of a "
                              "character); re-download the export instead of re-saving the file")


def test_epoch_milliseconds_are_read_from_1990_on() -> None:
    from archiver.items.imports.fields import as_epoch_ms

    assert as_epoch_ms(631_152_000_000) == 631_152_000_000  # 1990-01-01T00:00:00Z
    assert as_epoch_ms(631_151_999_999) is None
    assert as_epoch_ms(4_102_444_800_000) == 4_102_444_800_000  # 2100-01-01
    assert as_epoch_ms(4_102_444_800_001) is None


def test_a_youtube_json_comments_file_goes_on_after_an_entry_that_is_not_a_comment(tmp_path: Path) -> None:
    def comment(cid: str, text: str) -> dict[str, str]:
        return {"Comment ID": cid, "Channel ID": "UCtorsby", "Comment Create Timestamp": "2025-01-02T10:00:00+00:00",
                "Video ID": "vid00000001", "Comment Text": json.dumps({"text": text})}

    member = "Takeout/YouTube and YouTube Music/comments/comments.json"
    data = [comment("UgzA1", "Första"), "skräp", comment("UgzA2", "Efter skräpet")]
    fmt, items, skipped = parse(write(tmp_path / "yt", {member: json.dumps(data)}))
    assert fmt == "youtube"
    assert [(i.platform_id, i.text) for i in items] == [("UgzA1", "Första"), ("UgzA2", "Efter skräpet")]
    assert skipped == [Skipped(f"yt:{member}[1]", "comment lacks an id or a valid timestamp")]


def test_columns_known_by_content_need_the_time_in_every_sampled_row() -> None:
    """A sampled row too short to reach the time column leaves the columns unknown; one
    that reaches it counts like a whole row."""
    from archiver.items.imports.youtube_columns import by_content

    header = ["Livechatt-ID", "Kanal-ID", "Tidsstämpel", "Pris", "Video-ID", "Text"]
    full = ["UgwChat1", "UCtorsby", "2025-01-03T18:00:05+00:00", "0", "vidlive0001",
            json.dumps({"takeoutSegments": [{"text": "Välkomna!"}]})]
    assert by_content(header, [full, full[:2]]) is None
    assert by_content(header, [full, full[:3]]) == {"comment_id": 0, "channel_id": 1, "created": 2,
                                                   "video_id": 4, "text": 5}
    # The text column is known by Takeout's segments; plain text there is not a comment table.
    assert by_content(header, [[*full[:5], "Välkomna!"]]) is None
