"""The importers' smaller rules, each as a user would see it: the record kept, the id it gets,
the file or entry skipped and where, the exact error.

Small exports are written out here by hand in the platforms' own key names and column
orders; expected values follow from the entries (derived ids from IdMinter's documented rule,
recomputed here with hashlib), never from the parsers. Longer than 400 lines because it is a
catalogue of one-rule tests, grouped by platform under headings, that mutation testing found
unguarded; splitting it by platform would scatter the shared helpers.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import warnings
import zipfile
from pathlib import Path

import jsonschema
import pytest
from test_imports_fields import write
from test_imports_layouts import parse

from archiver.errors import BadInputError
from archiver.items.imports import MediaRef, Skipped, open_export, read_export
from archiver.items.imports.jsonstream import iter_items
from archiver.items.imports.model import ExportLimits
from archiver.items.imports.neutral import _Shapes, schema

UTC = dt.UTC


def derived(prefix: str, *parts: str) -> str:
    """IdMinter's rule by hand: prefix + 16 hex digits of SHA-256 over the parts joined by US."""
    return f"{prefix}:{hashlib.sha256(chr(0x1F).join(parts).encode()).hexdigest()[:16]}"


def x_js(name: str, value: object) -> str:
    return f"window.YTD.{name}.part0 = {json.dumps(value, ensure_ascii=False, indent=2)}"


# --- ids derived where the export has none ---------------------------------------------------

def test_facebook_posts_without_an_id_or_media_get_ids_by_the_documented_rule(tmp_path: Path) -> None:
    """Same kind and second and no media file: the first keeps the plain key, the second gets
    its text mixed in, an identical third its place in the export."""
    post = {"timestamp": 1735725600, "data": [{"post": "Välkommen till biblioteket!"}]}
    other = {"timestamp": 1735725600, "data": [{"post": "Öppet i helgen"}]}
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": json.dumps([post, post, other, post])})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("facebook", [])
    assert [i.platform_id for i in items] == [
        derived("fb", "post", "1735725600", ""),
        derived("fb", "post", "1735725600", "", "Välkommen till biblioteket!"),
        derived("fb", "post", "1735725600", "", "Öppet i helgen"),
        derived("fb", "post", "1735725600", "", "Välkommen till biblioteket!", "2"),
    ]


# --- LinkedIn ------------------------------------------------------------------------------

SHARES_HEADER = "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"


def test_linkedin_shares_dates_links_and_an_impossible_date(tmp_path: Path) -> None:
    shares = SHARES_HEADER + (
        # A space after the time is still the time.
        "2024-03-01 09:30:00 ,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7170000000000000001,"
        "Välkommen till vår sida,,,MEMBER_NETWORK\n"
        "2024-02-30 10:00:00,https://www.linkedin.com/feed/update/urn:li:share:7170000000000000002,"
        "Fel datum,,,MEMBER_NETWORK\n"
        # No link: the id is derived from the kind, the time and the (empty) link.
        "2024-03-02 08:00:00,,Utan länk,,,MEMBER_NETWORK\n")
    fmt, items, skipped = parse(write(tmp_path / "li", {"Shares.csv": shares}))
    assert fmt == "linkedin"
    assert skipped == [Skipped("li:Shares.csv line 3", "share has no valid Date")]
    assert [(i.platform_id, i.created, i.text, i.url) for i in items] == [
        ("urn:li:share:7170000000000000001", dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC), "Välkommen till vår sida",
         "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7170000000000000001"),
        (derived("li", "post", str(int(dt.datetime(2024, 3, 2, 8, tzinfo=UTC).timestamp())), ""),
         dt.datetime(2024, 3, 2, 8, tzinfo=UTC), "Utan länk", None),
    ]


def test_a_linkedin_shares_file_with_only_its_header_holds_nothing(tmp_path: Path) -> None:
    assert parse(write(tmp_path / "li", {"Shares.csv": SHARES_HEADER})) == ("linkedin", [], [])


# --- X -------------------------------------------------------------------------------------

def _tweet(tweet_id: str, text: str, **more: object) -> dict[str, object]:
    return {"id_str": tweet_id, "full_text": text, "created_at": "Mon Mar 02 09:00:00 +0000 2026", **more}


@pytest.mark.parametrize("account_member", ["data/account.js", "data/mer/account.js"])
def test_x_account_file_names_the_author_before_the_manifest(tmp_path: Path, account_member: str) -> None:
    """account.js is the account's own record, wherever it sorts; the manifest is read only for
    what it lacks. The account file was re-saved with a byte-order mark: still the account file."""
    account = x_js("account", [{"account": {"accountId": "99", "username": "torsbykommun",
                                            "accountDisplayName": "Torsby kommun"}}])
    manifest = "window.__THAR_CONFIG = " + json.dumps({"userInfo": {
        "accountId": "99", "userName": "torsby_gammal", "displayName": "Torsby kommun (gammalt namn)"}})
    export = write(tmp_path / "x", {
        account_member: codecs.BOM_UTF8 + account.encode(), "data/manifest.js": manifest,
        "data/tweets.js": x_js("tweets", [{"tweet": _tweet("1500", "Hej Torsby!")}])})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("x", [])
    assert [(i.author_handle, i.author_name, i.url) for i in items] == [
        ("torsbykommun", "Torsby kommun", "https://x.com/torsbykommun/status/1500")]


def test_x_bare_tweets_and_a_video_keep_the_archived_best_mp4(tmp_path: Path) -> None:
    """Entries without the "tweet" wrapper are tweets too; a video's file in the archive is the
    MP4 variant of the highest bitrate (named after its URL without the query), not the thumbnail."""
    thumb = "https://pbs.twimg.com/ext_tw_video_thumb/1501/pu/img/tumme.jpg"
    small = "https://video.twimg.com/ext_tw_video/1501/pu/vid/640x360/liten.mp4?tag=12"
    large = "https://video.twimg.com/ext_tw_video/1501/pu/vid/1280x720/stor.mp4?tag=12"
    video = _tweet("1501", "Film från Torsby", entities={"media": [{"media_url_https": thumb}]},
                   extended_entities={"media": [{"media_url_https": thumb, "video_info": {"variants": [
                       {"bitrate": "832000", "content_type": "video/mp4", "url": small},
                       {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/pl/lista.m3u8"},
                       {"bitrate": "2176000", "content_type": "video/mp4", "url": large},
                       {"bitrate": "9999999", "content_type": "video/mp4"}]}}]})
    export = write(tmp_path / "x", {
        "data/tweets.js": x_js("tweets", [_tweet("1500", "Hej Torsby!"), video]),
        "data/tweets_media/1501-stor.mp4": b"\x00\x00\x00\x18ftypmp42",
        "data/tweets_media/1501-tumme.jpg": b"\xff\xd8"})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("x", [])
    assert [(i.platform_id, i.text, i.media) for i in items] == [
        ("1500", "Hej Torsby!", ()),
        ("1501", "Film från Torsby", (MediaRef("data/tweets_media/1501-stor.mp4", "video/mp4", large),))]


def test_x_long_tweet_file_is_read_and_an_empty_one_changes_nothing(tmp_path: Path) -> None:
    """note-tweet.js is read for the whole texts of cut tweets (test_imports_layouts covers
    those); an empty one is no skip and leaves short tweets as they are."""
    export = write(tmp_path / "x", {"data/tweets.js": x_js("tweets", [{"tweet": _tweet("1500", "Hej!")}]),
                                    "data/note-tweet.js": x_js("note_tweet", [])})
    fmt, items, skipped = parse(export)
    assert (fmt, [i.text for i in items]) == ("x", ["Hej!"])
    assert skipped == []


def test_a_broken_x_file_is_refused_naming_the_line_after_its_first_line(tmp_path: Path) -> None:
    tweets = ('window.YTD.tweets.part0 = [\n  {"tweet": {"id_str": "1500", "full_text": "Hej"}},\n'
              '  {"tweet": {"id_str": "1501" "full_text": "Trasig"}}\n]\n')
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "x", {"data/tweets.js": tweets}))
    message = str(err.value)
    assert message.startswith("x:data/tweets.js line 3: is not valid JSON (")
    assert message.endswith("); re-download the export")


# --- TikTok --------------------------------------------------------------------------------

def test_tiktok_older_video_links_and_a_video_without_a_date(tmp_path: Path) -> None:
    data = {"Video": {"Videos": {"VideoList": [
        {"Date": "igår", "Link": "https://www.tiktokv.com/share/video/7230000000000000009/"},
        {"Date": "2023-05-01 12:00:00", "VideoLink": "https://www.tiktokv.com/share/video/7230000000000000001/",
         "Description": "Våren i Torsby"}]}}}
    fmt, items, skipped = parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))
    assert fmt == "tiktok"
    assert skipped == [Skipped("tt:user_data_tiktok.json VideoList[0]", "video has no valid Date")]
    assert [(i.platform_id, i.text, i.url, i.created) for i in items] == [
        ("7230000000000000001", "Våren i Torsby", "https://www.tiktokv.com/share/video/7230000000000000001/",
         dt.datetime(2023, 5, 1, 12, tzinfo=UTC))]


# --- YouTube -------------------------------------------------------------------------------

def test_youtube_oldest_layout_in_an_unlisted_language_is_read_by_its_cells(tmp_path: Path) -> None:
    """Channel id first, then the time, price, comment id: the column names say nothing here."""
    member = "Takeout/YouTube och YouTube Music/kommentarer/kommentarer.csv"
    csv = ("Kanalens id,Skapad,Pris,Kommentarens id,Överordnad kommentar,Videons id,Kommentarstext\n"
           'UCtorsby,2025-03-02T09:00:00+00:00,0,Ugw1,,vid1,"{""text"":""Tack!""}"\n'
           'UCtorsby,2025-03-02T10:00:00+00:00,0,Ugw2,Ugw1,vid1,"{""text"":""Gärna""}"\n')
    fmt, items, skipped = parse(write(tmp_path / "yt", {member: csv}))
    assert (fmt, skipped) == ("youtube", [])
    assert [(i.platform_id, i.kind, i.parent_id, i.author_handle, i.text, i.created) for i in items] == [
        ("Ugw1", "comment", "vid1", "UCtorsby", "Tack!", dt.datetime(2025, 3, 2, 9, tzinfo=UTC)),
        ("Ugw2", "reply", "Ugw1", "UCtorsby", "Gärna", dt.datetime(2025, 3, 2, 10, tzinfo=UTC))]


def test_a_seven_column_csv_of_something_else_is_not_taken_for_youtube(tmp_path: Path) -> None:
    csv = "a,b,c,d,e,f,g\n1,2,3,4,5,6,7\n"
    posts = json.dumps([{"timestamp": 1735725600, "data": [{"post": "Hej"}]}])
    fmt, items, skipped = parse(write(tmp_path / "fb", {"posts/your_posts_1.json": posts, "extra/tabell.csv": csv}))
    assert (fmt, [i.text for i in items]) == ("facebook", ["Hej"])
    assert [s.where for s in skipped] == ["fb:extra/tabell.csv"]


def test_youtube_json_comment_on_a_community_post_without_a_video_column(tmp_path: Path) -> None:
    rows = [{"Comment ID": "Ugx9", "Channel ID": "UCtorsby", "Comment create timestamp": "2025-04-01T08:00:00+00:00",
             "Post ID": "UgkxPost1", "Comment text": "Snyggt!"}]
    member = "Takeout/YouTube and YouTube Music/comments/comments.json"
    fmt, items, skipped = parse(write(tmp_path / "yt", {member: json.dumps(rows)}))
    assert (fmt, skipped) == ("youtube", [])
    assert [(i.platform_id, i.parent_id, i.url) for i in items] == [
        ("Ugx9", "UgkxPost1", "https://www.youtube.com/post/UgkxPost1?lc=Ugx9")]


# --- Facebook posts known by their first entry ---------------------------------------------

@pytest.mark.parametrize("first", [
    {"timestamp": 1735725600, "attachments": [{"data": [{"media": {"uri": "photos/bild.jpg"}}]}]},
    {"timestamp": 1735725600, "place": {"name": "Torsby bibliotek"}},
    {"timestamp": 1735725600, "tags": [{"name": "Åsa Öberg"}]},
])
def test_a_facebook_posts_file_is_known_by_a_first_post_without_text(tmp_path: Path, first: dict) -> None:
    later = {"timestamp": 1735729200, "data": [{"post": "Välkommen!"}]}
    export = write(tmp_path / "fb", {"your_posts_1.json": json.dumps([first, later]),
                                     "photos/bild.jpg": b"\xff\xd8"})
    fmt, items, _ = parse(export)
    assert fmt == "facebook"
    assert "Välkommen!" in [i.text for i in items]


# --- the items format ----------------------------------------------------------------------

ROW = {"id": "a1", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "Hej"}


def test_items_files_are_read_in_name_order_and_a_bom_is_not_part_of_the_first_row(tmp_path: Path) -> None:
    second = json.dumps({**ROW, "id": "b1", "text": "Från b"}) + "\n"
    first = codecs.BOM_UTF8 + (json.dumps({**ROW, "text": "Från a"}) + "\n").encode()
    fmt, items, skipped = parse(write(tmp_path / "items", {"b.jsonl": second, "a.jsonl": first}))
    assert (fmt, skipped) == ("items", [])
    assert [(i.platform_id, i.text, i.created) for i in items] == [
        ("a1", "Från a", dt.datetime(2026, 3, 2, 9, tzinfo=UTC)),
        ("b1", "Från b", dt.datetime(2026, 3, 2, 9, tzinfo=UTC))]


def test_an_items_line_over_16_mib_is_a_finding_and_the_lines_after_it_are_still_checked(tmp_path: Path) -> None:
    long_line = '{"id": "a1", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "' + (
        "a" * (16 << 20)) + '"}\n'
    rows = long_line + json.dumps(ROW) + "\ninte json\n"
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "items", {"items.jsonl": rows}))
    assert str(err.value) == (
        "items:items.jsonl: 2 rows do not fit the items format (line 1: is longer than 16 MiB; no item is that "
        "long; line 3: is not JSON (Expecting value)); fix them (schema: schemas/items.schema.json) and import again")


@pytest.mark.parametrize(("valid", "refused"), [
    ({**ROW, "id": "a" * 200}, {**ROW, "id": "a" * 201}),  # maxLength 200
    ({**ROW, "id": "a"}, {**ROW, "id": ""}),  # minLength 1
    ({**ROW, "url": "https://x.se/" + "a" * 1987}, {**ROW, "url": "https://x.se/" + "a" * 1988}),  # 2000
    (ROW, {**ROW, "kind": "Post"}),  # enum
    ({**ROW, "kind": "message", "thread_id": "t1"}, {**ROW, "kind": "message"}),  # if const, then required
    (ROW, {**ROW, "created": "2026-03-02 10:00"}),  # pattern
])
def test_a_row_refused_by_the_schema_never_shares_a_shape_with_an_accepted_one(valid: dict, refused: dict) -> None:
    """Rows of an accepted shape skip validation, so the shape must see every line the schema
    draws; a fresh _Shapes (the module keeps one per process) reads the schema again."""
    validator = jsonschema.Draft202012Validator(schema())
    assert validator.is_valid(valid) and not validator.is_valid(refused)
    shapes = _Shapes(schema())
    assert shapes.usable
    assert shapes.shape(valid) != shapes.shape(refused)


# --- JSON streaming --------------------------------------------------------------------------

def test_many_small_entries_are_read_and_true_nesting_past_4096_is_refused(tmp_path: Path) -> None:
    """A 16 KiB piece of 5,000 closed {} holds more brackets than the depth limit and is fine;
    4,098 levels, most also holding a closed object, within one piece, are not."""
    wide = "[" + ",".join(["{}"] * 6000) + "]"
    deep = "[" * 100 + "[{}," * 3997 + "{}" + "]" * 4097
    root = write(tmp_path / "j", {"wide.json": wide, "deep.json": deep})
    with open_export(root) as source:
        assert list(iter_items(source, "wide.json")) == [{}] * 6000
        with pytest.raises(BadInputError) as err:
            list(iter_items(source, "deep.json"))
    assert str(err.value) == ("j:deep.json: is nested more than 4096 levels deep, which no export is; "
                              "re-download the export")


# --- Facebook: owner, order, skips, wrapped and mixed files, threads --------------------------

FB_PROFILE = {"profile_v2": {"name": {"full_name": "Torsby kommun"},
                             "profile_uri": "https://www.facebook.com/torsbykommun"}}


def test_facebook_posts_before_comments_with_their_ids_authors_and_skips(tmp_path: Path) -> None:
    """Posts come before comments whatever the files are called; a post with a photo is anchored
    on the photo's name; a comment without an author is the account's own."""
    posts = [
        {"timestamp": 1735725600, "data": [{"post": "Bilder från invigningen"}],
         "attachments": [{"data": [{"media": {"uri": "photos/invigning.jpg"}}]}]},
        {"timestamp": 1735729200, "data": [{"post": "Från en Windows-dator"}],
         "attachments": [{"data": [{"media": {"uri": "C:\\Users\\kommun\\bild.jpg"}}]}]},
        {"data": [{"post": "Utan tid"}]},
    ]
    comments = {"comments_v2": [
        {"timestamp": 1735732800, "title": "Torsby kommun kommenterade ett inlägg.",
         "data": [{"comment": {"timestamp": 1735732800, "comment": "Välkomna!"}}]},
        {"title": "Torsby kommun kommenterade ett inlägg.", "data": [{"comment": {"comment": "Utan tid"}}]},
    ]}
    export = write(tmp_path / "fb", {
        "a_comments/comments.json": json.dumps(comments), "posts/your_posts_1.json": json.dumps(posts),
        "profile_information/profile_information.json": json.dumps(FB_PROFILE),
        "photos/invigning.jpg": b"\xff\xd8"})
    fmt, items, skipped = parse(export)
    assert fmt == "facebook"
    assert [(i.platform_id, i.kind, i.author_handle, i.author_name, i.text, [m.path for m in i.media])
            for i in items] == [
        (derived("fb", "post", "1735725600", "invigning.jpg"), "post", "torsbykommun", "Torsby kommun",
         "Bilder från invigningen", ["photos/invigning.jpg"]),
        (derived("fb", "post", "1735729200", ""), "post", "torsbykommun", "Torsby kommun",
         "Från en Windows-dator", []),
        (derived("fb", "comment", "1735732800", ""), "comment", "torsbykommun", "Torsby kommun", "Välkomna!", []),
    ]
    assert skipped == [
        Skipped("fb:posts/your_posts_1.json[1] C:\\Users\\kommun\\bild.jpg", "media path escapes the export folder"),
        Skipped("fb:posts/your_posts_1.json[2]", "post has no valid timestamp"),
        Skipped("fb:a_comments/comments.json[1]", "comment has no valid timestamp"),
    ]


def test_facebook_activity_file_with_wrapped_group_posts_and_a_comment(tmp_path: Path) -> None:
    """Entries of a mixed file are read by their own shape: a group_posts_v2 wrapper holds
    posts (and anything else is skipped by its place), a data[].comment entry is a comment."""
    mixed = [
        {"timestamp": 1735725600, "data": [{"post": "Välkommen!"}]},
        {"group_posts_v2": [{"timestamp": 1735729200, "data": [{"post": "I gruppen Torsbybor"}]}, "skräp"]},
        {"timestamp": 1735732800, "title": "Torsby kommun kommenterade ett inlägg.",
         "data": [{"comment": {"timestamp": 1735732800, "comment": "Tack!", "author": "Torsby kommun"}}]},
    ]
    member = "your_facebook_activity/posts/aktivitet.json"
    fmt, items, skipped = parse(write(tmp_path / "fb", {member: json.dumps(mixed)}))
    assert fmt == "facebook"
    assert [(i.kind, i.text) for i in items] == [("post", "Välkommen!"), ("post", "I gruppen Torsbybor"),
                                                 ("comment", "Tack!")]
    assert skipped == [Skipped("fb:your_facebook_activity/posts/aktivitet.json[1].group_posts_v2[1]",
                               "entry is not an object")]


def test_messenger_thread_photo_and_a_thread_with_no_messages_left(tmp_path: Path) -> None:
    thread = {"participants": [{"name": "Åsa Öberg"}, {"name": "Torsby kommun"}],
              "messages": [{"sender_name": "Åsa Öberg", "timestamp_ms": 1735725600000, "content": "Se bilden",
                            "photos": [{"uri": "messages/inbox/asa_1/photos/skylt.jpg"}]},
                           {"timestamp_ms": 1735725700000, "content": "Utan avsändare"}],
              "title": "Åsa Öberg", "thread_path": "inbox/asa_1"}
    empty = {"participants": [{"name": "Per Persson"}, {"name": "Torsby kommun"}]}
    export = write(tmp_path / "fb", {
        "posts/your_posts_1.json": json.dumps([{"timestamp": 1735725600, "data": [{"post": "Hej"}]}]),
        "messages/inbox/asa_1/message_1.json": json.dumps(thread),
        "messages/inbox/per_1/message_1.json": json.dumps(empty),
        "messages/inbox/asa_1/photos/skylt.jpg": b"\xff\xd8"})
    fmt, items, skipped = parse(export)
    assert fmt == "facebook"
    message = next(i for i in items if i.kind == "message")
    assert (message.author_name, message.thread_id, message.recipients, [m.path for m in message.media]) == (
        "Åsa Öberg", "inbox/asa_1", ("Torsby kommun",), ["messages/inbox/asa_1/photos/skylt.jpg"])
    assert skipped == [Skipped("fb:messages/inbox/asa_1/message_1.json.messages[1]",
                               "message lacks a sender or a valid timestamp_ms")]


# --- more of X, LinkedIn, TikTok, YouTube, items -----------------------------------------------

def test_x_times_with_a_half_hour_offset_and_broken_files_name_their_line(tmp_path: Path) -> None:
    ist = _tweet("1500", "Namaste", created_at="Mon Mar 02 14:30:00 +0530 2026")
    fmt, items, _ = parse(write(tmp_path / "x", {"data/tweets.js": x_js("tweets", [{"tweet": ist}])}))
    assert [i.created for i in items] == [dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    # A tweets file saved without its first line, and an account file, each broken on line 3.
    bare = '[\n  {"tweet": {"id_str": "1500", "full_text": "a"}},\n  {"tweet": {"id_str": "1501" "x": 1}}\n]\n'
    account = 'window.YTD.account.part0 = [\n  {"account": {\n    "accountId": "99" "username": "t"}}\n]\n'
    for member, data in (("data/tweets.js", bare), ("data/account.js", account)):
        files = {member: data, "data/tweets.js": bare} if member == "data/tweets.js" else {
            member: data, "data/tweets.js": x_js("tweets", [])}
        with pytest.raises(BadInputError) as err:
            parse(write(tmp_path / member.replace("/", "_"), files))
        assert str(err.value).startswith(f"{member.replace('/', '_')}:{member} line 3: is not valid JSON (")


def test_linkedin_author_from_a_profile_row_shorter_than_its_header(tmp_path: Path) -> None:
    profile = "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary\nTorsby,kommun,,,,Kommun\n"
    shares = SHARES_HEADER + "2024-03-01 09:30:00,https://www.linkedin.com/feed/update/urn:li:share:7,Hej,,,PUBLIC\n"
    fmt, items, _ = parse(write(tmp_path / "li", {"Profile.csv": profile, "Shares.csv": shares}))
    assert [(i.platform_id, i.author_name) for i in items] == [("urn:li:share:7", "Torsby kommun")]


def test_tiktok_chat_comment_and_video_skips_name_their_place(tmp_path: Path) -> None:
    data = {"Comment": {"Comments": {"CommentsList": [{"date": "", "comment": "Utan datum"}]}},
            "Direct Messages": {"Chat History": {"ChatHistory": {"Chat History with asa_oberg:": [
                {"Date": "2025-01-02 10:00:00", "Content": "Utan avsändare"}]}}}}
    fmt, items, skipped = parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))
    assert (fmt, items) == ("tiktok", [])
    assert skipped == [
        Skipped("tt:user_data_tiktok.json CommentsList[0]", "comment has no valid date"),
        Skipped("tt:user_data_tiktok.json ChatHistory['Chat History with asa_oberg:'][0]",
                "message lacks a sender or a valid Date")]


def test_youtube_unlisted_language_file_longer_than_the_rows_sampled(tmp_path: Path) -> None:
    rows = "".join(f'UCtorsby,2025-03-02T09:{n:02}:00Z,0,Ugw{n},,vid1,"{{""text"":""Nr {n}""}}"\n' for n in range(30))
    csv = "Kanalens id,Skapad,Pris,Kommentarens id,Överordnad kommentar,Videons id,Kommentarstext\n" + rows
    fmt, items, skipped = parse(write(tmp_path / "yt", {"kommentarer.csv": csv}))
    assert (fmt, skipped) == ("youtube", [])
    assert [i.platform_id for i in items] == [f"Ugw{n}" for n in range(30)]
    assert items[29].created == dt.datetime(2025, 3, 2, 9, 29, tzinfo=UTC)


@pytest.mark.parametrize(("bad", "tail"), [(20, ""), (21, "; and 1 more")])
def test_an_items_error_names_twenty_rows_and_counts_the_rest(tmp_path: Path, bad: int, tail: str) -> None:
    rows = "".join(json.dumps({**ROW, "id": f"r{n}", "kind": "inlägg"}) + "\n" for n in range(bad))
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "items", {"items.jsonl": rows}))
    listed = "; ".join(f"line {n}: kind must be one of post, comment, reply, message" for n in range(1, 21))
    assert str(err.value) == (f"items:items.jsonl: {bad} rows do not fit the items format ({listed}{tail}); "
                              "fix them (schema: schemas/items.schema.json) and import again")


# --- Instagram -----------------------------------------------------------------------------

def test_instagram_posts_comments_and_every_skip(tmp_path: Path) -> None:
    profile = {"profile_user": [{"string_map_data": {"Username": {"value": "torsbykommun"},
                                                      "Name": {"value": "Torsby kommun"}}}]}
    posts = [
        {"media": [{"uri": "media/posts/202501/vinter.jpg", "creation_timestamp": 1735725600, "title": ""}],
         "title": "Vinter i Torsby"},
        {"title": "Ingen bild"},
        {"media": [{"uri": "media/posts/202501/utan_tid.jpg"}], "title": "Utan tid"},
        {"media": [{"uri": "media/posts/202501/borta.jpg", "creation_timestamp": 1735729200,
                    "title": "Bildtext i bilden"}]},
    ]
    comments = [
        {"string_map_data": {"Comment": {"value": "Fint!"}, "Media Owner": {"value": "visitvarmland"},
                             "Time": {"timestamp": 1735732800}}},
        {"string_list_data": [{"value": "Äldre sort", "timestamp": 1735736400}], "title": "visitvarmland"},
        {"string_list_data": [{"value": "Utan tid"}]},
    ]
    export = write(tmp_path / "ig", {
        "personal_information/personal_information.json": json.dumps(profile),
        "your_instagram_activity/content/posts_1.json": json.dumps(posts),
        "your_instagram_activity/comments/post_comments_1.json": json.dumps(comments),
        "media/posts/202501/vinter.jpg": b"\xff\xd8"})
    fmt, items, skipped = parse(export)
    assert fmt == "instagram"
    assert [(i.platform_id, i.kind, i.author_handle, i.author_name, i.text) for i in items] == [
        (derived("ig", "comment", "1735732800", "visitvarmland"), "comment", "torsbykommun", "Torsby kommun", "Fint!"),
        (derived("ig", "comment", "1735736400", "visitvarmland"), "comment", "torsbykommun", "Torsby kommun",
         "Äldre sort"),
        (derived("ig", "post", "1735725600", "vinter.jpg"), "post", "torsbykommun", "Torsby kommun", "Vinter i Torsby"),
        (derived("ig", "post", "1735729200", ""), "post", "torsbykommun", "Torsby kommun", "Bildtext i bilden"),
    ]
    comments_file, posts_file = ("ig:your_instagram_activity/comments/post_comments_1.json",
                                 "ig:your_instagram_activity/content/posts_1.json")
    assert skipped == [
        Skipped(f"{comments_file}[2]", "comment lacks a text or a valid time"),
        Skipped(f"{posts_file}[1]", "entry is not a post with media"),
        Skipped(f"{posts_file}[2]", "post has no valid creation_timestamp"),
        Skipped(f"{posts_file}[3] media/posts/202501/borta.jpg", "media file listed but missing from the export"),
    ]


# --- X tweets and messages -------------------------------------------------------------------

def test_x_replies_deleted_tweets_direct_messages_and_their_skips(tmp_path: Path) -> None:
    account = x_js("account", [{"account": {"accountId": "99", "username": "torsbykommun",
                                            "accountDisplayName": "Torsby kommun"}}])
    tweets = [{"tweet": _tweet("1500", "Fika &amp; prat: 3 &lt; 4", in_reply_to_status_id_str="1400")},
              {"tweet": _tweet("abc", "Fel id")},
              {"tweet": {"id_str": "1502"}},
              {"tweet": _tweet("1503", "Fel tid", created_at="i går")}]
    deleted = [{"tweet": _tweet("1600", "Borttagen", deleted_at="Tue Mar 03 09:00:00 +0000 2026", entities={
        "media": [{"media_url_https": "https://pbs.twimg.com/media/karta.jpg"}]})}]
    dms = [{"dmConversation": {"conversationId": "99-123", "messages": [
        {"messageCreate": {"id": "m1", "senderId": "123", "recipientId": "99", "text": "Hej kommunen",
                           "createdAt": "2026-03-02T09:00:00.000Z"}},
        {"joinConversation": {"initiatingUserId": "123"}},
        {"messageCreate": {"id": "m2", "senderId": "99", "recipientId": "123", "text": "Hej!",
                           "createdAt": "2026-03-02T09:05:00.000Z"}},
        {"messageCreate": {"senderId": "99", "text": "Utan id", "createdAt": "2026-03-02T09:06:00.000Z"}},
        {"messageCreate": {"id": "m4", "senderId": "123", "recipientId": "99", "text": "Tack",
                           "createdAt": "2026-03-02T09:07:00.000Z"}}]}}]
    export = write(tmp_path / "x", {
        "data/account.js": account, "data/tweets.js": x_js("tweets", tweets),
        "data/deleted-tweets.js": x_js("deleted_tweets", deleted),
        "data/direct-messages.js": x_js("direct_messages", dms),
        "data/deleted_tweets_media/1600-karta.jpg": b"\xff\xd8"})
    fmt, items, skipped = parse(export)
    assert fmt == "x"
    assert [(i.platform_id, i.kind, i.parent_id, i.text, i.deleted, [m.path for m in i.media]) for i in items
            if i.kind != "message"] == [
        ("1500", "reply", "1400", "Fika & prat: 3 < 4", False, []),
        ("1600", "post", None, "Borttagen", True, ["data/deleted_tweets_media/1600-karta.jpg"])]
    assert [(i.platform_id, i.author_handle, i.author_name, i.is_own, i.thread_id, i.recipients, i.created)
            for i in items if i.kind == "message"] == [
        ("dm:m1", "123", None, False, "99-123", ("99",), dt.datetime(2026, 3, 2, 9, tzinfo=UTC)),
        ("dm:m2", "torsbykommun", "Torsby kommun", True, "99-123", ("123",), dt.datetime(2026, 3, 2, 9, 5, tzinfo=UTC)),
        ("dm:m4", "123", None, False, "99-123", ("99",), dt.datetime(2026, 3, 2, 9, 7, tzinfo=UTC))]
    assert skipped == [
        Skipped("x:data/tweets.js[1]", "tweet lacks an id or a text"),
        Skipped("x:data/tweets.js[2]", "tweet lacks an id or a text"),
        Skipped("x:data/tweets.js[3]", "tweet has no valid created_at"),
        Skipped("x:data/direct-messages.js[0].messages[3]", "message lacks an id, text, time or conversation")]


# --- files that cannot be read: one line naming the file, the fault and the fix ---------------

@pytest.mark.parametrize(("files", "message"), [
    ({"posts/your_posts_1.json": "[]".encode("utf-32")},
     "e:posts/your_posts_1.json: is UTF-32-encoded, but exports are UTF-8; re-download the export instead of "
     "re-saving the file"),
    ({"posts/your_posts_1.json": b'[{"timestamp": 1735725600, "data": [{"post": "V\xe4lkommen"}]}]'},
     "e:posts/your_posts_1.json: holds bytes that are not UTF-8; re-download the export"),
    ({"data/tweets.js": "var tweets = [];"},
     "e:data/tweets.js: does not start with the 'window.YTD.<name>.part<N> =' line of an X archive file; "
     "re-download the export"),
    ({"Shares.csv": SHARES_HEADER.encode() + b"2024-03-01 09:30:00,,V\xe4lkommen,,,PUBLIC\n"},
     "e:Shares.csv: is not UTF-8 (found byte 0xe4, likely Latin-1 or Windows-1252); re-download the export "
     "instead of re-saving the file"),
    ({"Shares.csv": SHARES_HEADER + '2024-03-01 09:30:00,,"Hej" igen,,,PUBLIC\n'},
     "e:Shares.csv: is not valid CSV near line 2 (',' expected after '\"'); re-download the export"),
    ({"Shares.csv": SHARES_HEADER + '2024-03-01 09:30:00,,"Avbruten'},
     "e:Shares.csv: ends inside a quoted cell (truncated download); re-download the export"),
    ({"user_data_tiktok.json": b'{"Video": {"Videos": {"VideoList": [{"Title": "V\xe4r"}]}}}'},
     "e:user_data_tiktok.json: holds bytes that are not UTF-8; re-download the export; Bevara does not repair "
     "a broken file"),
    ({"user_data_tiktok.json": '{"Video": {"Videos": {"VideoList": [{"Title": "Vår",}]}}}'},
     "e:user_data_tiktok.json line 1: is not valid JSON (Expecting property name enclosed in double quotes); "
     "re-download the export; Bevara does not repair a broken file"),
    ({"posts/your_posts_1.json": '[{"timestamp": 1}]'.encode("utf-16-le")},
     "e:posts/your_posts_1.json: is UTF-16-encoded, but exports are UTF-8; re-download the export instead of "
     "re-saving the file"),
    ({"Shares.csv": SHARES_HEADER.encode("utf-16-le")},
     "e:Shares.csv: is UTF-16-encoded without a byte-order mark, so its byte order would be a guess; "
     "re-download the export instead of re-saving "
     "the file"),
    ({"items.csv": "id,kind,created,text\na1,post,2026-03-02T10:00:00+01:00\n"},
     "e:items.csv: 1 row do not fit the items format (line 2: has 3 cells, the header 4); fix them (schema: "
     "schemas/items.schema.json) and import again"),
])
def test_a_file_that_cannot_be_read_is_refused_in_one_line(tmp_path: Path, files: dict, message: str) -> None:
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "e", files))
    assert str(err.value) == message


# --- more of each platform's rules -------------------------------------------------------------

def test_facebook_note_media_wrapped_comments_and_own_messages(tmp_path: Path) -> None:
    """A note's pictures are the post's media; a comments_v2 list inside an activity file holds
    comments; a message the account sent carries the account's handle."""
    mixed = [
        {"timestamp": 1735725600, "attachments": [{"data": [{"note": {
            "title": "Nyheter", "text": "Biblioteket öppnar", "media": [{"uri": "photos/notbild.jpg"}]}}]}]},
        {"comments_v2": [{"timestamp": 1735729200, "title": "Torsby kommun svarade på en kommentar.",
                          "data": [{"comment": {"timestamp": 1735729200, "comment": "Varsågod!"}}]}]},
        {"sender_name": "Torsby kommun", "timestamp_ms": 1735732800000, "content": "Vi svarar snart"},
    ]
    export = write(tmp_path / "fb", {
        "your_facebook_activity/posts/aktivitet.json": json.dumps(mixed),
        "profile_information/profile_information.json": json.dumps(FB_PROFILE), "photos/notbild.jpg": b"\xff\xd8"})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("facebook", [])
    assert [(i.kind, i.text, i.author_handle, i.author_name, i.is_own, [m.path for m in i.media]) for i in items] == [
        ("post", "Nyheter\nBiblioteket öppnar", "torsbykommun", "Torsby kommun", True, ["photos/notbild.jpg"]),
        ("reply", "Varsågod!", "torsbykommun", "Torsby kommun", True, []),
        ("message", "Vi svarar snart", "torsbykommun", "Torsby kommun", True, []),
    ]


def test_a_bare_message_list_is_known_by_a_first_message_of_only_sender_and_time(tmp_path: Path) -> None:
    messages = [{"sender_name": "Åsa Öberg", "timestamp_ms": 1735725600000},
                {"sender_name": "Åsa Öberg", "timestamp_ms": 1735725660000, "content": "Hallå?"}]
    posts = json.dumps([{"timestamp": 1735725600, "data": [{"post": "Hej"}]}])
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": posts,
                                     "messages/inbox/asa_1/message_1.json": json.dumps(messages)})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("facebook", [])
    assert [(i.kind, i.text, i.thread_id) for i in items if i.kind == "message"] == [
        ("message", "", "asa_1"), ("message", "Hallå?", "asa_1")]


def test_linkedin_comments_ids_parents_and_a_message_over_several_lines(tmp_path: Path) -> None:
    """A comment is its commentUrn when the link has one, else an id from the post link without
    its query; an unquoted multi-line message arrives as rows that do not start with a date."""
    post = "https://www.linkedin.com/feed/update/urn:li:activity:7170000000000000001"
    comments = ("Date,Link,Message\n"
                f"2024-03-01 10:00:00,{post}?commentUrn=urn%3Ali%3Acomment%3A%28activity%3A7170000000000000001"
                "%2C7170000000000000099%29,Tack för infon\n"
                f"2024-03-01 11:00:00,{post}?trk=share?x=1,Första raden\nandra, med komma\n")
    fmt, items, skipped = parse(write(tmp_path / "li", {"Comments.csv": comments}))
    assert (fmt, skipped) == ("linkedin", [])
    stamp = str(int(dt.datetime(2024, 3, 1, 11, tzinfo=UTC).timestamp()))
    assert [(i.platform_id, i.kind, i.parent_id, i.text) for i in items] == [
        ("urn:li:comment:(activity:7170000000000000001,7170000000000000099)", "comment",
         "urn:li:activity:7170000000000000001", "Tack för infon"),
        (derived("li", "comment", stamp, post), "comment", "urn:li:activity:7170000000000000001",
         "Första raden\nandra, med komma"),
    ]


def test_tiktok_two_comments_in_one_second_on_one_video_get_two_ids(tmp_path: Path) -> None:
    url = "https://www.tiktokv.com/share/video/7450000000000000001/"
    data = {"Comment": {"Comments": {"CommentsList": [
        {"date": "2025-01-02 10:00:00", "comment": "Fint!", "url": url},
        {"date": "2025-01-02 10:00:00", "comment": "Riktigt  fint!", "url": url}]}}}
    fmt, items, skipped = parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))
    stamp = str(int(dt.datetime(2025, 1, 2, 10, tzinfo=UTC).timestamp()))
    assert (fmt, skipped) == ("tiktok", [])
    assert [i.platform_id for i in items] == [derived("tt", "comment", stamp, url),
                                              derived("tt", "comment", stamp, url, "Riktigt fint!")]


def test_x_older_tweets_with_text_and_youtube_times_with_an_offset(tmp_path: Path) -> None:
    old = {"id_str": "1400", "text": "Från 2012", "created_at": "Mon Mar 05 09:00:00 +0000 2012"}
    fmt, items, _ = parse(write(tmp_path / "x", {"data/tweet.js": x_js("tweet", [{"tweet": old}])}))
    assert [(i.platform_id, i.text) for i in items] == [("1400", "Från 2012")]
    csv = ("Comment ID,Channel ID,Comment create timestamp,Price,Parent comment ID,Post ID,Video ID,Comment text\n"
           "Ugw1,UCtorsby,2025-03-02T10:00:00+01:00,0,,,vid1,Tack!\n")
    fmt, items, _ = parse(write(tmp_path / "yt", {"comments.csv": csv}))
    assert [(i.platform_id, i.created) for i in items] == [("Ugw1", dt.datetime(2025, 3, 2, 9, tzinfo=UTC))]


def test_an_items_line_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    rows = json.dumps(ROW).encode() + b'\n{"id": "a2", "text": "V\xe4lkommen"}\n'
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "items", {"items.jsonl": rows}))
    assert str(err.value) == ("items:items.jsonl: 1 row do not fit the items format (line 2: is not UTF-8); "
                              "fix them (schema: schemas/items.schema.json) and import again")



# --- zips that are refused before anything is read ---------------------------------------------

POSTS = json.dumps([{"timestamp": 1735725600, "data": [{"post": "Hej"}]}])


def _zip_with(path: Path, *members: tuple[zipfile.ZipInfo | str, str]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate name
        with zipfile.ZipFile(path, "w") as zf:
            for info, data in members:
                zf.writestr(info, data)
    return path


def _info(name: str, *, mode: int = 0o100644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = mode << 16
    return info


@pytest.mark.parametrize(("members", "message"), [
    ([(_info("posts/länk.json", mode=0o120777), "/etc/passwd")],
     "export.zip: member 'posts/länk.json' is a symbolic link; refusing to import it (re-download the export)"),
    ([("posts/your_posts_1.json", POSTS), ("posts\\your_posts_1.json", POSTS)],
     "export.zip: member 'posts/your_posts_1.json' appears twice; refusing an ambiguous export (re-download the "
     "export)"),
])
def test_a_zip_with_a_link_or_a_doubled_member_is_refused(tmp_path: Path, members: list,
                                                             message: str) -> None:
    with pytest.raises(BadInputError) as err:
        open_export(_zip_with(tmp_path / "export.zip", *members))
    assert str(err.value) == message



# --- from the third fresh sample -----------------------------------------------------------------

def test_a_facebook_check_in_without_text_is_described_by_its_place(tmp_path: Path) -> None:
    posts = [{"timestamp": 1735725600, "place": {"name": "Torsby bibliotek"}, "title": "Torsby kommun var här."}]
    fmt, items, _ = parse(write(tmp_path / "fb", {"posts/your_posts_1.json": json.dumps(posts)}))
    assert [(i.kind, i.text) for i in items] == [("post", "Torsby bibliotek")]


@pytest.mark.parametrize(("padding", "read"), [(200 - len("window.YTD.tweets.part0"), True),
                                               (201 - len("window.YTD.tweets.part0"), False)])
def test_an_x_files_first_line_must_assign_within_200_bytes(tmp_path: Path, padding: int, read: bool) -> None:
    tweets = "window.YTD.tweets.part0" + " " * padding + "= " + json.dumps([{"tweet": _tweet("1500", "Hej")}])
    export = write(tmp_path / "x", {"data/tweets.js": tweets})
    if read:
        assert [i.platform_id for i in parse(export)[1]] == ["1500"]
        return
    with pytest.raises(BadInputError) as err:
        parse(export)
    assert str(err.value) == ("x:data/tweets.js: does not start with the 'window.YTD.<name>.part<N> =' line of an "
                              "X archive file; re-download the export")


def test_linkedin_shares_are_the_accounts_own_and_keep_their_trailing_spaces(tmp_path: Path) -> None:
    shares = SHARES_HEADER + (
        '2024-03-01 09:30:00,https://www.linkedin.com/feed/update/urn:li:share:7,"Hej  ",,,PUBLIC\n')
    fmt, items, _ = parse(write(tmp_path / "li", {"Shares.csv": shares}))
    assert [(i.text, i.is_own) for i in items] == [("Hej  ", True)]


def test_tiktok_owner_without_a_display_name_is_named_by_the_user_name(tmp_path: Path) -> None:
    data = {"Profile": {"Profile Information": {"ProfileMap": {"userName": "torsbykommun"}}},
            "Video": {"Videos": {"VideoList": [{"Date": "2025-01-01 12:00:00", "Title": "Vinter",
                                                "Link": "https://www.tiktokv.com/share/video/7450000000000000001/"}]}}}
    fmt, items, _ = parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))
    assert [(i.author_handle, i.author_name) for i in items] == [("torsbykommun", "torsbykommun")]


def test_x_time_west_of_utc(tmp_path: Path) -> None:
    tweet = _tweet("1500", "Hej från New York", created_at="Mon Mar 02 04:30:00 -0500 2026")
    fmt, items, _ = parse(write(tmp_path / "x", {"data/tweets.js": x_js("tweets", [{"tweet": tweet}])}))
    assert [i.created for i in items] == [dt.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)]


def test_an_export_read_as_another_platform_is_refused_word_for_word(tmp_path: Path) -> None:
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": POSTS})
    with open_export(export) as source, pytest.raises(BadInputError) as err:
        list(read_export(source, "x"))
    assert str(err.value) == "fb: does not contain the files of an x export; check the file or the --format given"


def test_a_folder_file_swapped_for_a_link_outside_after_opening_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "hemligt.json"
    outside.write_text(POSTS, encoding="utf-8")
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": POSTS})
    with open_export(export) as source:
        member = export / "posts" / "your_posts_1.json"
        member.unlink()
        member.symlink_to(outside)
        with pytest.raises(BadInputError) as err:
            source.open_member("posts/your_posts_1.json")
    assert str(err.value) == "fb:posts/your_posts_1.json: now points outside the export folder; refusing it"


# --- from the fourth fresh sample ----------------------------------------------------------------

def test_facebook_shared_links_name_what_a_post_without_text_shows_and_a_comments_link(tmp_path: Path) -> None:
    link = {"external_context": {"name": "Evenemang i Torsby", "url": "https://torsby.se/evenemang"}}
    posts = [{"timestamp": 1735725600, "attachments": [{"data": [link]}]}]
    comments = {"comments_v2": [{"timestamp": 1735729200, "title": "Torsby kommun kommenterade ett inlägg.",
                                 "data": [{"comment": {"timestamp": 1735729200, "comment": "Se här"}}],
                                 "attachments": [{"data": [link]}]}]}
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": json.dumps(posts),
                                     "comments/comments.json": json.dumps(comments)})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("facebook", [])
    assert [(i.kind, i.text, i.url) for i in items] == [
        ("post", "Evenemang i Torsby", "https://torsby.se/evenemang"),
        ("comment", "Se här", "https://torsby.se/evenemang")]


def test_a_json_file_over_4_mib_of_short_texts_is_not_one_long_value(tmp_path: Path) -> None:
    entries = ['"' + "å" * 50 + '"'] * 45_000  # 103 bytes each: 4.6 MB, no stretch without a quote
    root = write(tmp_path / "j", {"texts.json": "[" + ",".join(entries) + "]"})
    with open_export(root) as source:
        assert sum(1 for _ in iter_items(source, "texts.json")) == 45_000


def test_items_media_are_found_beside_an_items_file_in_a_subfolder(tmp_path: Path) -> None:
    row = json.dumps({**ROW, "media": ["bilder/skylt.jpg"]})
    fmt, items, _ = parse(write(tmp_path / "items", {"leverans/items.jsonl": row + "\n",
                                                     "leverans/bilder/skylt.jpg": b"\xff\xd8"}))
    assert [[m.path for m in i.media] for i in items] == [["leverans/bilder/skylt.jpg"]]


def test_x_manifest_alone_names_the_account_and_older_media_and_iso_times_are_read(tmp_path: Path) -> None:
    manifest = "window.__THAR_CONFIG = " + json.dumps({"userInfo": {
        "accountId": "99", "userName": "torsbykommun", "displayName": "Torsby kommun"}})
    tweet = {"id_str": "1500", "full_text": "Gammal bild", "created_at": "2026-03-02T09:00:00.000Z",
             "entities": {"media": [{"media_url": "http://pbs.twimg.com/media/gammal.jpg"}]}}
    export = write(tmp_path / "x", {"data/manifest.js": manifest,
                                    "data/tweets.js": x_js("tweets", [{"tweet": tweet}]),
                                    "data/tweets_media/1500-gammal.jpg": b"\xff\xd8"})
    fmt, items, skipped = parse(export)
    assert (fmt, skipped) == ("x", [])
    assert [(i.author_handle, i.author_name, i.created, [m.path for m in i.media]) for i in items] == [
        ("torsbykommun", "Torsby kommun", dt.datetime(2026, 3, 2, 9, tzinfo=UTC),
         ["data/tweets_media/1500-gammal.jpg"])]


def test_instagram_profile_picture_file_is_listed_as_not_read(tmp_path: Path) -> None:
    posts = [{"media": [{"uri": "media/a.jpg", "creation_timestamp": 1735725600, "title": "Hej"}]}]
    export = write(tmp_path / "ig", {"content/posts_1.json": json.dumps(posts), "media/a.jpg": b"\xff\xd8",
                                     "media/profile_photos.json": json.dumps(
                                         {"ig_profile_picture": [{"uri": "media/a.jpg"}]})})
    fmt, items, skipped = parse(export)
    assert (fmt, [i.text for i in items]) == ("instagram", ["Hej"])
    assert skipped == [Skipped("ig:media/profile_photos.json",
                               "file not read: it holds no posts, comments or messages of this format")]


def test_a_folder_file_over_the_per_file_limit_is_refused(tmp_path: Path) -> None:
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": POSTS})
    with pytest.raises(BadInputError) as err:
        open_export(export, limits=ExportLimits(max_member_bytes=10))
    assert str(err.value) == (f"fb: 'posts/your_posts_1.json' has {len(POSTS)} bytes, more than the per-file limit "
                              "of 10; refusing to import it (raise the limit if it is genuine)")


def test_a_tiktok_video_without_a_link_gets_a_derived_id(tmp_path: Path) -> None:
    data = {"Video": {"Videos": {"VideoList": [{"Date": "2025-01-01 12:00:00", "Title": "Utan länk"}]}}}
    fmt, items, _ = parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))
    stamp = str(int(dt.datetime(2025, 1, 1, 12, tzinfo=UTC).timestamp()))
    assert [(i.platform_id, i.url) for i in items] == [(derived("tt", "post", stamp, ""), None)]


def test_a_folder_over_the_total_limit_is_refused(tmp_path: Path) -> None:
    export = write(tmp_path / "fb", {"posts/your_posts_1.json": POSTS, "posts/your_posts_2.json": POSTS})
    with pytest.raises(BadInputError) as err:
        open_export(export, limits=ExportLimits(max_total_bytes=len(POSTS) + 1))
    assert str(err.value) == (f"fb: holds more than {len(POSTS) + 1:,} bytes; refusing to import it (raise the "
                              "limit if it is genuine)")


# --- from the fifth fresh sample -----------------------------------------------------------------

def test_a_linkedin_cell_whose_quotes_are_the_authors_is_kept_as_written(tmp_path: Path) -> None:
    shares = SHARES_HEADER + ('2024-03-01 09:30:00,https://www.linkedin.com/feed/update/urn:li:share:7,'
                              '"Han sa ""hej""\nsedan gick han",,,PUBLIC\n')
    fmt, items, _ = parse(write(tmp_path / "li", {"Shares.csv": shares}))
    assert [i.text for i in items] == ['Han sa "hej"\nsedan gick han']


def test_facebook_older_profile_key_and_a_life_event_without_text(tmp_path: Path) -> None:
    profile = {"profile": {"name": {"full_name": "Torsby kommun"}, "profile_uri": "https://www.facebook.com/torsby"}}
    posts = [{"timestamp": 1735725600, "attachments": [{"data": [{"life_event": {"title": "Ny kommunchef"}}]}]}]
    fmt, items, _ = parse(write(tmp_path / "fb", {"profile_information/profile_information.json": json.dumps(profile),
                                                  "posts/your_posts_1.json": json.dumps(posts)}))
    assert [(i.author_handle, i.author_name, i.text) for i in items] == [("torsby", "Torsby kommun", "Ny kommunchef")]


def test_instagram_older_comments_file_and_a_reels_wrapper_skip(tmp_path: Path) -> None:
    comments = [{"string_list_data": [{"value": "Fint!", "timestamp": 1735725600}], "title": "visitvarmland"}]
    reels = [{"ig_reels_media": ["skräp"]}]
    fmt, items, skipped = parse(write(tmp_path / "ig", {"comments/post_comments.json": json.dumps(comments),
                                                        "content/reels.json": json.dumps(reels)}))
    assert (fmt, [i.text for i in items]) == ("instagram", ["Fint!"])
    assert skipped == [Skipped("ig:content/reels.json[0].ig_reels_media[0]", "entry is not an object")]


def test_x_media_without_an_address_does_not_hide_the_next(tmp_path: Path) -> None:
    tweet = _tweet("1500", "Två bilder", extended_entities={"media": [
        {"type": "photo"}, {"media_url_https": "https://pbs.twimg.com/media/andra.jpg"}]})
    export = write(tmp_path / "x", {"data/tweets.js": x_js("tweets", [{"tweet": tweet}]),
                                    "data/tweets_media/1500-andra.jpg": b"\xff\xd8"})
    assert [[m.path for m in i.media] for i in parse(export)[1]] == [["data/tweets_media/1500-andra.jpg"]]


def test_a_broken_json_file_over_64_mib_is_refused_without_a_line(tmp_path: Path) -> None:
    """Finding the line means reading the file again whole; past 64 MiB the error goes without it."""
    broken = b'[{"timestamp" 1}' + b" " * (64 * 1024 * 1024 + 1 - 16)
    export = write(tmp_path / "e", {"posts/your_posts_1.json": broken})
    with pytest.raises(BadInputError) as err:
        parse(export)
    assert str(err.value).startswith("e:posts/your_posts_1.json: is not valid JSON (")


def test_a_single_file_export_finds_a_photo_beside_it_of_exactly_the_per_file_limit(tmp_path: Path) -> None:
    posts = json.dumps([{"timestamp": 1735725600, "data": [{"post": "Bild"}],
                         "attachments": [{"data": [{"media": {"uri": "photos/bild.jpg"}}]}]}])
    photo = b"\xff\xd8" + b"\x00" * len(posts)
    folder = write(tmp_path / "lös", {"your_posts_1.json": posts, "photos/bild.jpg": photo})
    with open_export(folder / "your_posts_1.json", limits=ExportLimits(max_member_bytes=len(photo))) as source:
        records = list(read_export(source, "facebook"))
    assert [[m.path for m in r.media] for r in records] == [["photos/bild.jpg"]]


# --- from the sixth fresh sample -----------------------------------------------------------------

def test_x_first_line_without_a_space_and_tweets_of_an_unknown_account(tmp_path: Path) -> None:
    tweets = "window.YTD.tweets.part0=" + json.dumps([{"tweet": _tweet("1500", "Hej")}])
    items = parse(write(tmp_path / "x", {"data/tweets.js": tweets}))[1]
    assert [(i.platform_id, i.author_handle, i.url) for i in items] == [
        ("1500", None, "https://x.com/i/web/status/1500")]


def test_linkedin_comments_in_one_second_on_one_post_and_a_message_that_starts_on_a_new_line(tmp_path: Path) -> None:
    post = "https://www.linkedin.com/feed/update/urn:li:activity:7170000000000000001"
    comments = ("Date,Link,Message\n"
                f'2024-03-01 10:00:00,{post},"\nTack!\n"\n'
                f"2024-03-01 10:00:00,{post},Bra\n")
    fmt, items, _ = parse(write(tmp_path / "li", {"Comments.csv": comments}))
    stamp = str(int(dt.datetime(2024, 3, 1, 10, tzinfo=UTC).timestamp()))
    assert [(i.platform_id, i.text) for i in items] == [(derived("li", "comment", stamp, post), "\nTack!"),
                                                        (derived("li", "comment", stamp, post, "Bra"), "Bra")]


def test_a_message_without_a_sender_in_a_facebook_activity_file_is_skipped_by_its_place(tmp_path: Path) -> None:
    mixed = [{"timestamp": 1735725600, "data": [{"post": "Hej"}]}, {"sender_name": "", "timestamp_ms": 1735725600000}]
    fmt, items, skipped = parse(write(tmp_path / "fb", {"your_facebook_activity/posts/a.json": json.dumps(mixed)}))
    assert skipped == [Skipped("fb:your_facebook_activity/posts/a.json[1]",
                               "message lacks a sender or a valid timestamp_ms")]


def test_items_csv_empty_text_ndjson_and_a_media_field_that_is_not_a_list(tmp_path: Path) -> None:
    csv = "id,kind,created,text\na1,post,2026-03-02T10:00:00+01:00,\n"
    assert [i.text for i in parse(write(tmp_path / "c", {"items.csv": csv}))[1]] == [""]
    assert [i.platform_id for i in parse(write(tmp_path / "n", {"items.ndjson": json.dumps(ROW) + "\n"}))[1]] == ["a1"]
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "m", {"items.jsonl": json.dumps({**ROW, "media": "a.jpg"}) + "\n"}))
    assert "(line 1: media must be a list)" in str(err.value)


def test_instagram_posts_come_before_comments_and_an_empty_list_file_is_listed(tmp_path: Path) -> None:
    posts = [{"media": [{"uri": "media/a.jpg", "creation_timestamp": 1735725600, "title": "Hej"}]}]
    comments = {"comments_media_comments": [{"string_map_data": {
        "Comment": {"value": "Fint!"}, "Time": {"timestamp": 1735729200}}}]}
    export = write(tmp_path / "ig", {"z_posts/posts_1.json": json.dumps(posts), "a_comments/comments.json":
                                     json.dumps(comments), "media/a.jpg": b"\xff\xd8", "tom/lista.json": "[]"})
    fmt, items, skipped = parse(export)
    assert (fmt, [i.kind for i in items]) == ("instagram", ["post", "comment"])
    assert skipped == [Skipped("ig:tom/lista.json",
                               "file not read: it holds no posts, comments or messages of this format")]


def test_a_tiktok_title_of_n_a_is_no_text(tmp_path: Path) -> None:
    data = {"Video": {"Videos": {"VideoList": [{"Date": "2025-01-01 12:00:00", "Title": "N/A",
                                                "Description": "Vinter i Torsby"}]}}}
    assert [i.text for i in parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))[1]] == [
        "Vinter i Torsby"]
