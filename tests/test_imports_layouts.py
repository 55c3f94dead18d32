"""Every layout and language the real samples showed, from generated fixtures (no ../shared).

Each export is read as a zip, as a folder, nested deeper inside other folders, and where
it makes sense as one of its files alone: detection goes by content, never by path.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Cli, add_account

from archiver.errors import BadInputError, ExitCode
from archiver.items.imports import ImportedItem, Skipped, detect_format, open_export, read_export
from fixtures.exports import layouts

UTC = dt.UTC
LAYOUTS: dict[str, tuple[str, Callable[[Path], tuple[Path, dict[str, int]]]]] = {
    "facebook-2019": ("facebook", layouts.facebook_2019),
    "facebook-flat": ("facebook", lambda p: layouts.facebook_2019(p, flat=True)),
    "instagram-2020": ("instagram", layouts.instagram_2020),
    "instagram-2024": ("instagram", layouts.instagram_2024),
    "x-2020": ("x", layouts.x_2020),
    "x-2024-notes": ("x", layouts.x_2024_notes),
    "linkedin-quirks": ("linkedin", layouts.linkedin_quirks),
    "linkedin-2018": ("linkedin", layouts.linkedin_2018),
    "linkedin-2025": ("linkedin", layouts.linkedin_2025),
    "youtube-de": ("youtube", lambda p: layouts.youtube_localised(p, "de")),
    "youtube-unlisted-language": ("youtube", lambda p: layouts.youtube_localised(p, "xx")),
    "tiktok-2024": ("tiktok", layouts.tiktok_2024),
    "tiktok-2025": ("tiktok", layouts.tiktok_2025),
}


def parse(path: Path) -> tuple[str, list[ImportedItem], list[Skipped]]:
    with open_export(path) as source:
        fmt = detect_format(source)
        records = list(read_export(source, fmt))
    return (fmt, [r for r in records if isinstance(r, ImportedItem)],
            [r for r in records if isinstance(r, Skipped)])


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("shape", ["zip", "folder", "nested"])
def test_layout_is_detected_and_read_whole(tmp_path: Path, name: str, shape: str) -> None:
    platform, make = LAYOUTS[name]
    if shape == "zip":
        path, counts = make(tmp_path / f"{name}.zip")
    else:
        path, counts = make(tmp_path / "a" / "b" / name if shape == "nested" else tmp_path / name)
        path = tmp_path if shape == "nested" else path
    fmt, items, _ = parse(path)
    assert fmt == platform
    assert Counter(i.kind for i in items) == counts
    joined = " ".join(i.text for i in items)
    assert any(ch in joined for ch in "åäöÅÄÖ") and any(ord(ch) > 0x1F000 for ch in joined)
    assert "Ã" not in joined
    assert all(i.created is not None and i.created.utcoffset() == dt.timedelta(0) for i in items)


def test_facebook_posts_without_text_keep_what_the_export_shows(tmp_path: Path) -> None:
    _, items, skipped = parse(layouts.facebook_2019(tmp_path / "fb")[0])
    posts = {i.text: i for i in items if i.kind == "post"}
    assert posts[f"{layouts.OWNER} added a new photo."].media[0].path == (
        "posts/media/TimelinePhotos_a1/alg.png")
    assert posts["https://torsby.se/evenemang"].url == "https://torsby.se/evenemang"
    assert {"Torsby Finnskogscentrum", "Vinterfest på torget",
            "Vilken dag passar för skräpplockning?",
            f"{layouts.OWNER} wrote on Åsa Öberg's timeline."} <= set(posts)
    replies = [i for i in items if i.kind == "reply"]
    assert [r.text for r in replies] == [f"{layouts.OWNER} replied to Märta Håkansson's comment."]
    assert [s.where for s in skipped] == ["fb:likes_and_reactions/pages.json"]


def test_instagram_stories_and_archived_posts_are_posts(tmp_path: Path) -> None:
    """A story and a post the account archived were published; both are records."""
    _, items, skipped = parse(layouts.instagram_2024(tmp_path / "ig")[0])
    posts = {i.text: i for i in items if i.kind == "post"}
    assert set(posts) == {"Älgvandring i Överbyn på lördag ❄️🫎", "Snöröjningen är igång i hela kommunen 🚜",
                          "", "Julmarknad på torget i lördags"}
    story = posts["Snöröjningen är igång i hela kommunen 🚜"]
    assert story.created == dt.datetime.fromtimestamp(layouts.CLOCK + 60, UTC)
    assert [m.path for m in story.media] == ["media/stories/202402/s1.png"]
    assert story.is_own is True
    assert [m.path for m in posts["Julmarknad på torget i lördags"].media] == ["media/archived_posts/202312/old.png"]
    assert len({i.platform_id for i in items}) == len(items)
    assert [s.where for s in skipped] == ["ig:your_instagram_activity/content/profile_photos.json"]


@pytest.mark.parametrize("lang", ["en", "xx"])
def test_youtube_live_chat_messages_are_comments_on_the_stream(tmp_path: Path, lang: str) -> None:
    """Takeout's live chats file, by its English names or, in another language, by what its
    columns hold: each message the channel wrote is a comment on the stream's video."""
    folder = tmp_path / "Takeout" / "YouTube and YouTube Music" / "live chats"
    folder.mkdir(parents=True)
    (folder / "live chats.csv").write_text(
        ",".join(layouts.LIVE_CHAT_HEADERS[lang]) + "\n"
        'UgwsSD8y,UCtorsby,2018-09-02T05:16:35.510381+00:00,0,0vGCh85obuI,'
        '"{""takeoutSegments"":[{""text"":""Mötet börjar kl. 18 "",""bold"":true},'
        '{""text"":""https://torsby.se/kf"",""link"":{""linkUrl"":""https://torsby.se/kf""}}]}"\n\n',
        encoding="utf-8")
    fmt, items, skipped = parse(tmp_path)
    assert (fmt, skipped) == ("youtube", [])
    (chat,) = items
    assert (chat.kind, chat.platform_id, chat.parent_id, chat.author_handle) == (
        "comment", "UgwsSD8y", "0vGCh85obuI", "UCtorsby")
    assert chat.text == "Mötet börjar kl. 18 https://torsby.se/kf"
    assert chat.created == dt.datetime(2018, 9, 2, 5, 16, 35, 510381, tzinfo=UTC)


def test_long_tweets_take_their_whole_text_from_the_notes(tmp_path: Path) -> None:
    """tweets.js cuts a long tweet at about 280 characters; note-tweet.js has the rest."""
    _, items, _ = parse(layouts.x_2024_notes(tmp_path / "x")[0])
    by_id = {i.platform_id: i.text for i in items}
    assert by_id["1750000000000000001"] == layouts.LONG_TWEET + " https://t.co/ShowMore01"
    assert by_id["1750000000000000002"] == ("@erik_ek @anna_l Tack för frågan! "
                                            + layouts.LONG_TWEET[17:])
    # A tweet that merely has "…" before a link, with no note of its second, is left as it is.
    assert by_id["1750000000000000003"] == (
        "Citat ur protokollet: ”Beslutet gäller tills vidare…” https://t.co/Quote00001")


def test_tiktok_2025_posts_deleted_posts_and_chats(tmp_path: Path) -> None:
    """The 2025 layout's renamed sections (seen in a real export where the reader of the
    2024 names found 61 comments and silently none of its 10 posts and 2,788 messages)."""
    _, items, skipped = parse(layouts.tiktok_2025(tmp_path / "tt")[0])
    assert skipped == []
    posts = sorted((i for i in items if i.kind == "post"), key=lambda i: i.created)
    assert [(p.text, p.deleted) for p in posts] == [("", False), (layouts.NORDIC, False),
                                                    ("Fel tid i filmen", True)]
    assert posts[0].url == ("https://p16-sign.example-cdn.com/photomode/a1~tplv.jpeg"
                            "?x-expires=1764593352&x-signature=sa1")
    assert [p.platform_id for p in posts[1:]] == ["7460000000000000001", "7470000000000000001"]
    messages = {(m.thread_id, m.author_handle, m.text, m.is_own) for m in items if m.kind == "message"}
    assert messages == {("Group_Chat_7516994713120440594", "asa.oberg", "Är simhallen öppen i midsommar?", False),
                        ("erik.ek", "erik.ek", "Hej!", False),
                        ("erik.ek", "torsbykommun", "Hej Erik! Vad gäller det?", True)}


def test_a_tiktok_photo_post_keeps_its_id_when_its_links_are_signed_anew(tmp_path: Path) -> None:
    """A later download signs the same images with new expiry and signature parameters."""
    first = parse(layouts.tiktok_2025(tmp_path / "a")[0])[1]
    again = tmp_path / "b"
    layouts.tiktok_2025(again)
    data = (again / "TikTok" / "user_data_tiktok.json")
    data.write_text(data.read_text(encoding="utf-8").replace("x-expires=1764593352", "x-expires=1799999999"),
                    encoding="utf-8")
    second = parse(again)[1]
    assert {i.platform_id for i in first} == {i.platform_id for i in second}


def test_linkedin_2018_utf16_tabs_spaced_names_and_its_messages(tmp_path: Path) -> None:
    """2018's export: tab-separated UTF-16 with a BOM, "Share Link", slashed dates, and a
    Messages.csv whose Direction says who wrote; a UTF-16 file Bevara does not read is
    skipped by name, not a reason to refuse the export."""
    _, items, skipped = parse(layouts.linkedin_2018(tmp_path / "li")[0])
    (post,) = [i for i in items if i.kind == "post"]
    assert (post.platform_id, post.text, post.created) == (
        "urn:li:activity:6400000000000000001", layouts.NORDIC,
        dt.datetime(2018, 6, 8, 8, 15, 44, tzinfo=UTC))
    assert post.author_name == "Torsby kommun"
    messages = sorted((i for i in items if i.kind == "message"), key=lambda i: i.created)
    assert [(m.author_name, m.is_own, m.text, m.created, m.thread_id, m.recipients) for m in messages] == [
        ("Åsa Öberg", False, "Bygglov\n\nHej!\xa0Hur lång tid tar ett bygglov?",
         dt.datetime(2018, 10, 16, 20, 36, tzinfo=UTC), "Åsa Öberg", ("Torsby kommun",)),
        ("Torsby kommun", True, "Hej Åsa! Cirka fyra veckor.",
         dt.datetime(2018, 10, 17, 9, 5, tzinfo=UTC), "Åsa Öberg", ("Åsa Öberg",)),
    ]
    assert [s.where for s in skipped] == ["li:Account Status History.csv"]


def test_linkedin_2025_backslash_quotes_and_conversations(tmp_path: Path) -> None:
    _, items, skipped = parse(layouts.linkedin_2025(tmp_path / "li")[0])
    comments = sorted(i.text for i in items if i.kind == "comment")
    assert comments == ["Tack! 🙌", 'Vi skriver "Välkommen" på alla språk.\n\nTack för tipset!']
    messages = {(m.thread_id, m.author_name, m.is_own, m.text) for m in items if m.kind == "message"}
    assert messages == {
        ("2-AAA==", "Anna Lind", False, "Hej, finns det lediga jobb?"),
        ("2-AAA==", "Torsby kommun", True, "Se torsby.se/jobb"),
        ("2-BBB==", "Erik Ek", False, "Praktik\n\nTar ni emot praktikanter?"),
        ("2-BBB==", "Torsby kommun", True, "Ja! Hör av dig."),
    }
    assert [(s.where, s.reason) for s in skipped] == [
        ("li:messages.csv line 6", "a conversation event (someone joined or left), not a message: it has no sender")]


@pytest.mark.parametrize(("header", "row"), [
    # English, title case, no parent column (six columns)
    ("Comment ID,Channel ID,Comment Create Timestamp,Price,Video ID,Comment Text",
     'c1,UCtorsby,2026-08-26T14:51:06.211488+00:00,0,v1,"{""text"":""Välkomna! 🎉""}"'),
    # a language the reader does not list, eight columns (a post id, no top-level id)
    ("Kommentars-ID,Kanal-ID,Tidsstämpel,Pris,Överordnad kommentars-ID,Inläggs-ID,Video-ID,Kommentarstext",
     'c1,UCtorsby,2026-08-26T14:51:06.211488+00:00,0,,,v1,"{""text"":""Välkomna! 🎉""}"'),
])
def test_youtube_comments_in_the_other_column_layouts(tmp_path: Path, header: str, row: str) -> None:
    """Two more layouts Takeout has written, as other Takeout readers' tests show them."""
    folder = tmp_path / "Takeout" / "YouTube and YouTube Music" / "comments"
    folder.mkdir(parents=True)
    (folder / "comments.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    fmt, items, skipped = parse(tmp_path)
    assert (fmt, skipped) == ("youtube", [])
    (item,) = items
    assert (item.kind, item.platform_id, item.parent_id, item.text) == ("comment", "c1", "v1", "Välkomna! 🎉")
    assert item.created == dt.datetime(2026, 8, 26, 14, 51, 6, 211488, tzinfo=UTC)


def test_messenger_thread_has_sender_recipients_and_unsent(tmp_path: Path) -> None:
    _, items, _ = parse(layouts.facebook_2019(tmp_path / "fb.zip")[0])
    messages = sorted((i for i in items if i.kind == "message"), key=lambda m: m.created)
    assert [m.text for m in messages] == ["", "När töms återvinningen i Ränneberg? 🗑️",
                                          "Hej Åsa! Vi återkommer i ärendet."]
    assert [m.deleted for m in messages] == [True, False, False]
    assert [m.is_own for m in messages] == [False, False, True]
    assert messages[1].recipients == (layouts.OWNER,) and messages[2].recipients == ("Åsa Öberg",)
    assert {m.thread_id for m in messages} == {"inbox/asaoberg_k3j2"}
    assert messages[1].created == dt.datetime(2025, 1, 1, 9, 10, 50, 250000, tzinfo=UTC)


def test_linkedin_quoting_habits_are_read_as_the_text(tmp_path: Path) -> None:
    _, items, skipped = parse(layouts.linkedin_quirks(tmp_path / "li.zip")[0])
    assert not skipped
    by_kind = {i.kind + str(n): i for n, i in enumerate(items)}
    assert by_kind["post0"].text == layouts.LINKEDIN_SHARE  # one post for two media rows
    assert by_kind["post1"].text == "https://torsby.se/jobb"  # a share without commentary
    assert by_kind["comment2"].text == layouts.LINKEDIN_COMMENT
    assert by_kind["comment2"].parent_id == "urn:li:activity:7100000000000000005"


def test_tiktok_videos_deleted_posts_comments_and_chats(tmp_path: Path) -> None:
    _, items, _ = parse(layouts.tiktok_2024(tmp_path / "tt.zip")[0])
    video = next(i for i in items if i.text == layouts.NORDIC)
    assert video.platform_id == "7450000000000000001" and video.author_handle == "torsbykommun"
    assert [i.deleted for i in items if i.kind == "post"] == [False, True]
    chat = [i for i in items if i.kind == "message"]
    assert [(m.is_own, m.recipients, m.thread_id) for m in chat] == [
        (False, ("torsbykommun",), "asa.oberg"), (True, ("asa.oberg",), "asa.oberg")]


@pytest.mark.parametrize(("name", "member"), [
    ("instagram-2020", "content/posts_1.json"),
    ("youtube-de", "Takeout/YouTube und YouTube Music/Kommentare/Kommentare-de.csv"),
    ("linkedin-quirks", "Comments.csv"),
    ("tiktok-2024", "TikTok/user_data_tiktok.json"),
])
def test_a_single_file_is_an_export(tmp_path: Path, name: str, member: str) -> None:
    platform, make = LAYOUTS[name]
    folder, _ = make(tmp_path / "export")
    single = tmp_path / Path(member).name
    shutil.copy(folder / member, single)
    fmt, items, _ = parse(single)
    assert fmt == platform and items


def test_unknown_files_inside_an_export_are_skipped_by_name(tmp_path: Path) -> None:
    path, counts = layouts.x_2020(tmp_path / "x")
    (path / "data" / "notes.txt").write_text("anteckningar")
    (path / "data" / "photo.jpg").write_bytes(b"\xff\xd8")  # media, not a data file
    _, items, skipped = parse(path)
    assert Counter(i.kind for i in items) == counts
    assert sorted(s.where for s in skipped) == ["x:data/follower.js", "x:data/notes.txt"]


def test_two_platforms_in_one_folder_are_refused(tmp_path: Path) -> None:
    layouts.x_2020(tmp_path / "both" / "x")
    layouts.tiktok_2024(tmp_path / "both" / "tt")
    with open_export(tmp_path / "both") as source, pytest.raises(BadInputError) as err:
        detect_format(source)
    assert str(err.value) == ("both: looks like more than one export (x, tiktok); import each "
                              "platform's export into its own account")


def test_threads_alone_take_the_accounts_meta_platform(arc: Cli, tmp_path: Path) -> None:
    path = tmp_path / "dm.zip"
    with zipfile.ZipFile(layouts.instagram_2020(tmp_path / "ig.zip")[0]) as src, \
            zipfile.ZipFile(path, "w") as dst:
        dst.writestr("messages/inbox/erik_99/message_1.json",
                     src.read("messages/inbox/erik_99/message_1.json"))
    account = add_account(arc, "IG", "instagram", "https://www.instagram.com/torsbykommun")
    data = arc.json("import", str(account), str(path))
    assert (data["format"], data["new"]) == ("instagram", 1)
    x = add_account(arc, "X", "x", "https://x.com/torsbykommun")
    result = arc("import", str(x), str(path))
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == ("Error: dm.zip: holds only message threads, which Facebook and "
                             "Instagram export alike; use --format facebook or --format "
                             "instagram\n")


def test_an_export_of_another_platform_is_refused_even_with_format(arc: Cli, tmp_path: Path,
                                                                  tree) -> None:
    """Issue 17.4: an X export merged into a Facebook account, LinkedIn into Instagram."""
    from fixtures.exports.generate import generate_linkedin_export, generate_x_export

    facebook = add_account(arc)
    instagram = add_account(arc, "IG", "instagram", "https://www.instagram.com/torsbykommun")
    x_zip = generate_x_export(tmp_path / "x-export.zip", items=10)
    li_zip = generate_linkedin_export(tmp_path / "li.zip", items=10)
    before = tree(arc.home)
    result = arc("import", str(facebook), str(x_zip))
    assert (result.exit_code, result.stderr) == (ExitCode.bad_input, (
        "Error: x-export.zip: holds an export from X, but account 1 is on Facebook; import it "
        "into the municipality's X account instead\n"))
    result = arc("import", str(instagram), str(li_zip), "--format", "linkedin")
    assert (result.exit_code, result.stderr) == (ExitCode.bad_input, (
        "Error: account 2 is on Instagram; --format linkedin cannot import another "
        "platform's export into it (use --format instagram, or items for the neutral "
        "format)\n"))
    result = arc("import", str(instagram), str(li_zip), "--format", "instagram")
    assert result.exit_code == ExitCode.bad_input and "holds an export from LinkedIn" in result.stderr
    assert tree(arc.home) == before


def test_cli_lists_each_skipped_file_and_record(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    path, counts = layouts.facebook_2019(tmp_path / "fb.zip", flat=True)
    result = arc("import", str(account), str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Imported fb.zip (facebook) into account {account}: "
                                    f"{sum(counts.values())} new,")
    assert ("    fb.zip:pages.json: file not read: it holds no posts, comments or messages of "
            "this format\n") in result.stderr
    assert ("    fb.zip:your_posts_1.json[1] posts/media/TimelinePhotos_a1/alg.png: media file "
            "listed but missing from the export\n") in result.stderr
