"""Each platform reader's whole behaviour on the paths a mutation sample found unpinned:
every record's exact values (ids by IdMinter's rule worked out by hand), every skip with
its place and reason, every refusal with its one line; inputs at each boundary.

Longer than 400 lines: one section per reader (LinkedIn, X, format detection, Meta, TikTok,
YouTube), kept in one file so that the imports mutation list names one file for them all."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from test_imports_fields import write
from test_imports_layouts import parse
from test_imports_rules import SHARES_HEADER, derived, x_js

from archiver.errors import BadInputError
from archiver.items.imports import ImportedItem, MediaRef, Skipped, detect_format, open_export, read_export
from archiver.items.imports.linkedin import _backslash_quotes, unwrap_lines
from archiver.items.imports.x import full_text, parse_created_at
from archiver.items.imports.youtube_columns import is_time

UTC = dt.UTC
PIXEL = bytes.fromhex("89504e470d0a1a0a")  # enough of a PNG for a media file
JPEG = bytes.fromhex("ffd8ffe0")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def epoch(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(at(year, month, day, hour, minute).timestamp())


# --- LinkedIn ------------------------------------------------------------------------------

PROFILE = "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary\nTorsby,kommun,,,,Kommun,\n"
MESSAGES_HEADER = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
TORSBY_URL = "https://www.linkedin.com/in/torsby-kommun"
ANNA_URL = "https://www.linkedin.com/in/anna-lind"


def li_message(thread: str, sender: str, url: str | None, created: dt.datetime, text: str, *,
               own: bool | None, to: str, anchor_thread: str | None = None) -> ImportedItem:
    """A messages.csv row as the reader must give it: its id by the rule, over the thread
    and the sender, the text left out (the first of its second)."""
    return ImportedItem(
        platform_id=derived("li", "message", str(int(created.timestamp())),
                            f"{anchor_thread or thread}\x1f{sender}"),
        kind="message", parent_id=None, author_handle=url, author_name=sender, is_own=own,
        created=created, edited=None, text=text, url=None, thread_id=thread, recipients=(to,))


def test_unwrap_lines_undoes_per_line_quoting_only_where_it_is_consistent() -> None:
    assert unwrap_lines("") == ""
    assert unwrap_lines("Hej Torsby") == "Hej Torsby"
    assert unwrap_lines('Han sa "hej"') == 'Han sa "hej"'
    assert unwrap_lines('första"\n"andra"\n"tredje') == "första\nandra\ntredje"
    assert unwrap_lines('första"\r\n"andra') == "första\nandra"
    assert unwrap_lines('första"\n""\n"') == "första"  # empty last lines are dropped
    # Inconsistent: kept as written, line ends made plain.
    assert unwrap_lines('första\n"andra') == 'första\n"andra'
    assert unwrap_lines('första"\r\nandra') == 'första"\nandra'
    assert unwrap_lines("rad ett\r\nrad två\r\n") == "rad ett\nrad två\n"
    assert unwrap_lines('första"\n"andra\n"tredje') == 'första"\n"andra\n"tredje'  # the middle line
    assert unwrap_lines('första"\n"andra  ') == "första\nandra  "  # only line ends are cut


def test_backslash_quotes_are_found_anywhere_in_the_file_even_across_reads(tmp_path: Path) -> None:
    head = "Date,Link,Message\n"
    row = "2024-03-01 10:00:00,https://www.linkedin.com/feed/update/urn:li:activity:42,Hej\n"
    filler = head + row * ((1 << 20) // len(row) + 1)
    cut = 1 << 20
    files: dict[str, str | bytes] = {
        "none.csv": filler,
        "early.csv": head + '2024-03-01 10:00:00,https://x,"Han sa \\"hej\\""\n' + row,
        # the backslash is the first read's last byte, the quote the next read's first
        "straddle.csv": filler[:cut - 1] + '\\"' + filler[cut - 1:],
        "apart.csv": filler[:cut - 1] + "\\ " + filler[cut - 1:] + '"',
        "empty.csv": "",
    }
    with open_export(write(tmp_path / "li", files)) as source:
        found = {name: _backslash_quotes(source, name) for name in files}
    assert found == {"none.csv": False, "early.csv": True, "straddle.csv": True, "apart.csv": False,
                     "empty.csv": False}


def test_linkedin_comments_name_the_profile_author_and_keep_backslashes_and_final_letters(
        tmp_path: Path) -> None:
    """A file without \\" is read without escapes, so a Windows path keeps its backslashes; a
    text is cut of trailing newlines only, never of its last letters."""
    link = ("https://www.linkedin.com/feed/update/urn:li:activity:42?commentUrn="
            "urn%3Ali%3Acomment%3A%28activity%3A42%2C99%29")
    comments = ("Date,Link,Message\n"
                f"2024-03-01 10:00:00,{link},Följ oss även på X\n"
                "2024-03-01 10:05:00,https://www.linkedin.com/feed/update/urn:li:share:7,"
                "Bilderna ligger i G:\\Kommun\\Bilder\n"
                "2024-13-01 10:05:00,https://www.linkedin.com/feed/update/urn:li:share:7,Omöjligt datum\n")
    shares = SHARES_HEADER + ("2024-03-01 09:30:00,https://www.linkedin.com/feed/update/urn:li:share:7,"
                              '"Nytt från XXX""\n""Läs mer på XX""\n""",,,PUBLIC\n'
                              "2024-03-01 09:40:00\n")
    fmt, items, skipped = parse(write(tmp_path / "li", {"Profile.csv": PROFILE, "Comments.csv": comments,
                                                       "Shares.csv": shares}))
    assert (fmt, skipped) == ("linkedin", [Skipped("li:Comments.csv line 4", "comment has no valid Date")])
    assert items == [
        ImportedItem(platform_id="urn:li:share:7", kind="post", parent_id=None, author_handle=None,
                     author_name="Torsby kommun", is_own=True, created=at(2024, 3, 1, 9, 30), edited=None,
                     text="Nytt från XXX\nLäs mer på XX",
                     url="https://www.linkedin.com/feed/update/urn:li:share:7"),
        # a row cut short after its date: an empty post without a link
        ImportedItem(platform_id=derived("li", "post", str(epoch(2024, 3, 1, 9, 40)), ""), kind="post",
                     parent_id=None, author_handle=None, author_name="Torsby kommun", is_own=True,
                     created=at(2024, 3, 1, 9, 40), edited=None, text="", url=None),
        ImportedItem(platform_id="urn:li:comment:(activity:42,99)", kind="comment",
                     parent_id="urn:li:activity:42", author_handle=None, author_name="Torsby kommun",
                     is_own=True, created=at(2024, 3, 1, 10), edited=None, text="Följ oss även på X",
                     url=link),
        ImportedItem(platform_id=derived("li", "comment", str(epoch(2024, 3, 1, 10, 5)),
                                         "https://www.linkedin.com/feed/update/urn:li:share:7"),
                     kind="comment", parent_id="urn:li:share:7", author_handle=None,
                     author_name="Torsby kommun", is_own=True, created=at(2024, 3, 1, 10, 5), edited=None,
                     text="Bilderna ligger i G:\\Kommun\\Bilder",
                     url="https://www.linkedin.com/feed/update/urn:li:share:7"),
    ]


def test_linkedin_messages_own_by_the_sender_found_in_most_conversations(tmp_path: Path) -> None:
    """The account is the sender in two conversations, Anna in one; events without a sender,
    rows without a date and a row cut short after its subject each come out as the rule says."""
    rows = MESSAGES_HEADER + (
        f"c1,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 10:00:00 UTC,,Välkommen!,INBOX\n"
        f"c1,,Anna Lind,{ANNA_URL},Torsby kommun,2025-03-01 10:05:00 UTC,,Tack!,INBOX\n"
        f"c2,,Torsby kommun,{TORSBY_URL},Erik Ek,2025-03-02 08:00:00 UTC,Möte,Ses &amp; hörs,INBOX\n"
        "c2,,,,,2025-03-02 08:01:00 UTC,,,INBOX\n"
        f"c2,,Erik Ek,https://www.linkedin.com/in/erik,Torsby kommun,igår,,Hej,INBOX\n"
        f"c3,,Torsby kommun,{TORSBY_URL},Erik Ek,2025-03-03 08:00:00 UTC,Kallelse\n"
        f"c4,,Torsby kommun,{TORSBY_URL},Erik Ek,2025-03-04 08:00:00 UTC\n"
        f"c5,,Torsby kommun,{TORSBY_URL},,2025-03-05 08:00:00 UTC,,Till ingen,INBOX\n"
        f'c6,,Torsby kommun,{TORSBY_URL},Erik Ek,"10/16/18, 8:36 AM",,Fel form,INBOX\n'
        "c7\n")
    fmt, items, skipped = parse(write(tmp_path / "li", {"messages.csv": rows}))
    assert fmt == "linkedin"
    assert items == [
        li_message("c1", "Torsby kommun", TORSBY_URL, at(2025, 3, 1, 10), "Välkommen!", own=True, to="Anna Lind"),
        li_message("c1", "Anna Lind", ANNA_URL, at(2025, 3, 1, 10, 5), "Tack!", own=False, to="Torsby kommun"),
        # only the 2018 layout is HTML-escaped
        li_message("c2", "Torsby kommun", TORSBY_URL, at(2025, 3, 2, 8), "Möte\n\nSes &amp; hörs", own=True,
                   to="Erik Ek"),
        li_message("c3", "Torsby kommun", TORSBY_URL, at(2025, 3, 3, 8), "Kallelse", own=True, to="Erik Ek"),
        li_message("c4", "Torsby kommun", TORSBY_URL, at(2025, 3, 4, 8), "", own=True, to="Erik Ek"),
        replace(li_message("c5", "Torsby kommun", TORSBY_URL, at(2025, 3, 5, 8), "Till ingen", own=True, to=""),
                recipients=()),
    ]
    assert skipped == [
        Skipped("li:messages.csv line 5", "a conversation event (someone joined or left), not a message: "
                "it has no sender"),
        Skipped("li:messages.csv line 6", "message has no valid Date"),
        Skipped("li:messages.csv line 10", "message has no valid Date"),  # 2018's date form, 2021's layout
        Skipped("li:messages.csv line 11", "message has no valid Date"),
    ]


def test_linkedin_rows_without_a_sender_url_do_not_count_toward_the_owner(tmp_path: Path) -> None:
    """Conversation events (no sender) and rows cut short (no URL) in three conversations do not
    outnumber the account's two."""
    rows = MESSAGES_HEADER + (
        f"c1,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 10:00:00 UTC,,Hej,INBOX\n"
        f"c2,,Torsby kommun,{TORSBY_URL},Erik Ek,2025-03-01 11:00:00 UTC,,Hej,INBOX\n"
        f"c1,,Anna Lind,{ANNA_URL},Torsby kommun,2025-03-01 12:00:00 UTC,,Svar,INBOX\n"
        + "".join(f"c{n},,,,,2025-03-02 08:00:00 UTC,,,INBOX\nc{n},,Torsby kommun\n" for n in (1, 2, 3)))
    _, items, _ = parse(write(tmp_path / "li", {"messages.csv": rows}))
    assert [(i.author_name, i.is_own) for i in items] == [
        ("Torsby kommun", True), ("Torsby kommun", True), ("Anna Lind", False)]


@pytest.mark.parametrize(("rows", "owns"), [
    # a tie (two conversations each): the profile's name decides
    (f"c1,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 10:00:00 UTC,,Hej,INBOX\n"
     f"c2,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 11:00:00 UTC,,Hej igen,INBOX\n"
     f"c1,,Anna Lind,{ANNA_URL},Torsby kommun,2025-03-01 12:00:00 UTC,,Svar,INBOX\n"
     f"c2,,Anna Lind,{ANNA_URL},Torsby kommun,2025-03-01 13:00:00 UTC,,Svar igen,INBOX\n",
     [True, True, None, None]),
    # one conversation is no evidence: the profile's name decides
    (f"c1,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 10:00:00 UTC,,Hej,INBOX\n"
     f"c1,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 11:00:00 UTC,,Hej igen,INBOX\n"
     f"c1,,Anna Lind,{ANNA_URL},Torsby kommun,2025-03-01 12:00:00 UTC,,Svar,INBOX\n",
     [True, True, None]),
    # one sender in two conversations, the other in one
    (f"c1,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 10:00:00 UTC,,Hej,INBOX\n"
     f"c2,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 11:00:00 UTC,,Hej igen,INBOX\n"
     f"c1,,Anna Lind,{ANNA_URL},Torsby kommun,2025-03-01 12:00:00 UTC,,Svar,INBOX\n",
     [True, True, False]),
], ids=["tie", "one-conversation", "two-against-one"])
def test_linkedin_messages_fall_back_on_the_profile_name_without_a_clear_owner(
        tmp_path: Path, rows: str, owns: list[bool | None]) -> None:
    _, items, _ = parse(write(tmp_path / "li", {"Profile.csv": PROFILE, "messages.csv": MESSAGES_HEADER + rows}))
    assert [i.is_own for i in items] == owns
    assert [(i.author_name, i.author_handle) for i in items][-1] == ("Anna Lind", ANNA_URL)


def test_linkedin_2018_messages_are_unescaped_owned_by_direction_and_threaded_by_the_other_party(
        tmp_path: Path) -> None:
    rows = ("From,To,Date,Subject,Content,Direction,Folder\n"
            'Anna Lind,Torsby kommun,"10/16/18, 8:36 AM",Fråga,Finns det &quot;lediga&quot; jobb?,INCOMING,INBOX\n'
            'Torsby kommun,Anna Lind,"10/16/18, 2:05 PM",,Ja &amp; välkommen,OUTGOING,SENT\n'
            'Torsby kommun,Erik Ek,"12/31/18, 12:30 PM",,God fortsättning,outgoing,SENT\n'
            'Erik Ek,Torsby kommun,"12/31/18, 12:05 AM",,Gott nytt år,INCOMING,INBOX\n'
            'Erik Ek,Torsby kommun,"13/31/18, 8:00 AM",,Fel datum,INCOMING,INBOX\n')
    fmt, items, skipped = parse(write(tmp_path / "li", {"messages.csv": rows}))
    assert fmt == "linkedin"
    assert items == [
        li_message("Anna Lind", "Anna Lind", None, at(2018, 10, 16, 8, 36), 'Fråga\n\nFinns det "lediga" jobb?',
                   own=False, to="Torsby kommun"),
        li_message("Anna Lind", "Torsby kommun", None, at(2018, 10, 16, 14, 5), "Ja & välkommen", own=True,
                   to="Anna Lind"),
        li_message("Erik Ek", "Torsby kommun", None, at(2018, 12, 31, 12, 30), "God fortsättning", own=True,
                   to="Erik Ek"),
        li_message("Erik Ek", "Erik Ek", None, at(2018, 12, 31, 0, 5), "Gott nytt år", own=False,
                   to="Torsby kommun"),
    ]
    assert skipped == [Skipped("li:messages.csv line 6", "message has no valid Date")]


def test_linkedin_messages_without_a_profile_name_no_owner(tmp_path: Path) -> None:
    rows = MESSAGES_HEADER + f"c1,,Torsby kommun,{TORSBY_URL},Anna Lind,2025-03-01 10:00:00 UTC,,Hej,INBOX\n"
    _, items, _ = parse(write(tmp_path / "li", {"messages.csv": rows}))
    assert [i.is_own for i in items] == [None]


# --- X -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("Wed Oct 10 20:19:24 +0000 2018", at(2018, 10, 10, 20, 19, 24)),
    ("Mon Mar 02 14:30:59 +0530 2026", at(2026, 3, 2, 9, 0, 59)),
    ("Sun Dec 31 23:59:01 -0700 2023", at(2024, 1, 1, 6, 59, 1)),
    ("Mon Mar 02 20:00:00 +1000 2026", at(2026, 3, 2, 10)),
    ("2026-03-02T09:00:05.000Z", at(2026, 3, 2, 9, 0, 5)),  # ISO, as DMs and notes write it
    ("Wed Foo 10 20:19:24 +0000 2018", None),
    ("Wed Oct 32 20:19:24 +0000 2018", None),
    ("Wed Oct 10 20:19 +0000 2018", None),
    ("Wed Oct 10 20:19:24 +00x0 2018", None),
    ("", None),
    (None, None),
])
def test_x_created_at_is_read_to_the_second_in_utc(value: str | None, expected: dt.datetime | None) -> None:
    assert parse_created_at(value) == expected


def tweet(tweet_id: str, text: str, created: str, **more: object) -> dict[str, object]:
    return {"tweet": {"id_str": tweet_id, "full_text": text, "created_at": created, **more}}


def x_item(tweet_id: str, text: str, created: dt.datetime, *, platform_id: str | None = None,
           edited: dt.datetime | None = None, handle: str | None = "torsbykommun") -> ImportedItem:
    return ImportedItem(platform_id=platform_id or tweet_id, kind="post", parent_id=None,
                        author_handle=handle, author_name="Torsby kommun" if handle else None, is_own=True,
                        created=created, edited=edited, text=text,
                        url=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}")


ACCOUNT = x_js("account", [{"account": {"accountId": "99", "username": "torsbykommun",
                                        "accountDisplayName": "Torsby kommun"}}])


def test_x_edited_tweets_come_after_the_file_by_initial_id_each_in_its_own_order(tmp_path: Path) -> None:
    """Groups by their initial id as a number (900 before 1000, whatever the file order);
    within a group by the edit order the ids give, and by time where the ids say nothing."""
    def edit(initial: str, ids: list[str] | None = None) -> dict[str, object]:
        control = {"editControlInitial": {"editTweetIds": ids}} if ids else {}
        return {"edit_info": {"edit": {"initialTweetId": initial, **control}}}
    tweets = [
        {"tweet": {"full_text": "Utan id", "created_at": "Mon Mar 02 07:00:00 +0000 2026"}},
        tweet("1499", "Fel tid", "igår"),
        tweet("1001", "Tusen, rättat", "Mon Mar 02 10:01:00 +0000 2026", **edit("1000", ["1000", "1001"])),
        tweet("1000", "Tusen", "Mon Mar 02 10:00:00 +0000 2026",
              edit_info={"initial": {"editTweetIds": ["1000", "1001"]}}),
        tweet("902", "Nio, tredje", "Mon Mar 02 09:02:00 +0000 2026", **edit("900")),
        tweet("500", "Oredigerad", "Mon Mar 02 08:00:00 +0000 2026",
              edit_info={"initial": {"editTweetIds": ["500"]}}),
        tweet("900", "Nio", "Mon Mar 02 09:00:00 +0000 2026",
              edit_info={"initial": {"editTweetIds": ["900", "901", "902"]}}),
        tweet("901", "Nio, andra", "Mon Mar 02 09:01:00 +0000 2026", **edit("900")),
    ]
    fmt, items, skipped = parse(write(tmp_path / "x", {"data/account.js": ACCOUNT,
                                                       "data/tweets.js": x_js("tweets", tweets)}))
    assert (fmt, skipped) == ("x", [Skipped("x:data/tweets.js[0]", "tweet lacks an id or a text"),
                                    Skipped("x:data/tweets.js[1]", "tweet has no valid created_at")])
    assert items == [
        x_item("500", "Oredigerad", at(2026, 3, 2, 8)),
        x_item("900", "Nio", at(2026, 3, 2, 9)),
        x_item("901", "Nio, andra", at(2026, 3, 2, 9), platform_id="900", edited=at(2026, 3, 2, 9, 1)),
        x_item("902", "Nio, tredje", at(2026, 3, 2, 9), platform_id="900", edited=at(2026, 3, 2, 9, 2)),
        x_item("1000", "Tusen", at(2026, 3, 2, 10), platform_id="1000"),
        x_item("1001", "Tusen, rättat", at(2026, 3, 2, 10), platform_id="1000", edited=at(2026, 3, 2, 10, 1)),
    ]


NOTE = ("Läs mer på https://t.co/CCCC om bygget av nya simhallen i Torsby, som öppnar i höst med "
        "en bassäng på 25 meter, ett undervisningsbad och en ny bastu för alla kommuninvånare.")


def note(text: str | None, created: str | None) -> dict[str, object]:
    body: dict[str, object] = {"noteTweetId": "1", "core": {"urls": []}}
    if text is not None:
        body["core"] = {"text": text}
    if created is not None:
        body["createdAt"] = created
    return {"noteTweet": body}


def test_x_long_tweet_takes_its_note_across_a_link_and_notes_lacking_text_or_time_are_passed_over(
        tmp_path: Path) -> None:
    cut = "Läs mer på https://t.co/AAAA om bygget av nya simhallen i Torsby, som öppnar i… https://t.co/BBBB"
    notes = [note("Något helt annat", None), note(None, "2026-03-02T09:00:00.000Z"),
             note(NOTE, "2026-03-02T09:00:00.000Z")]
    fmt, items, skipped = parse(write(tmp_path / "x", {
        "data/account.js": ACCOUNT, "data/note-tweet.js": x_js("note_tweet", notes),
        "data/tweets.js": x_js("tweets", [tweet("1500", cut, "Mon Mar 02 09:00:00 +0000 2026")])}))
    assert (fmt, skipped) == ("x", [])
    assert items == [x_item("1500", NOTE + " https://t.co/BBBB", at(2026, 3, 2, 9))]


def test_x_media_files_are_named_by_the_url_before_its_query_and_deleted_tweets_have_their_own_folder(
        tmp_path: Path) -> None:
    photo = "https://pbs.twimg.com/media/bild.jpg?format=jpg?name=large"
    gone = "https://pbs.twimg.com/media/borta.jpg"
    fmt, items, skipped = parse(write(tmp_path / "x", {
        "data/account.js": ACCOUNT,
        "data/tweets.js": x_js("tweets", [tweet("1500", "Bild", "Mon Mar 02 09:00:00 +0000 2026",
                                                extended_entities={"media": [{"media_url_https": photo}]})]),
        "data/tweets_media/1500-bild.jpg": JPEG,
        "data/deleted-tweets.js": x_js("deleted_tweets", [tweet(
            "1600", "Borttagen", "Mon Mar 02 10:00:00 +0000 2026", deleted_at="Mon Mar 02 11:00:00 +0000 2026",
            extended_entities={"media": [{"media_url_https": gone}]})]),
        "data/deleted_tweets_media/1600-borta.jpg": JPEG}))
    assert (fmt, skipped) == ("x", [])
    assert [(i.platform_id, i.deleted, i.media) for i in items] == [
        ("1500", False, (MediaRef("data/tweets_media/1500-bild.jpg", "image/jpeg", photo),)),
        ("1600", True, (MediaRef("data/deleted_tweets_media/1600-borta.jpg", "image/jpeg", gone),))]


def test_full_text_takes_only_a_note_longer_than_what_the_tweet_shows() -> None:
    created = at(2026, 3, 2, 9)
    notes = {created: ["Simhallen öppnar"]}
    assert full_text("Simhallen öppnar… https://t.co/BBBB", created, notes) == "Simhallen öppnar… https://t.co/BBBB"
    assert full_text("Simhallen öppnar… https://t.co/BBBB", created, {created: ["Simhallen öppnar!"]}) == (
        "Simhallen öppnar! https://t.co/BBBB")
    assert full_text("@anna Simhallen öppnar…", created, {created: ["Simhallen öppnar i höst"]}) == (
        "@anna Simhallen öppnar i höst")
    assert full_text("Simhallen öppnar…", at(2026, 3, 2, 9, 0, 1), notes) == "Simhallen öppnar…"
    assert full_text("Simhallen öppnar…", created, {}) == "Simhallen öppnar…"
    assert full_text("Simhallen öppnar", created, {created: ["Simhallen öppnar i höst"]}) == "Simhallen öppnar"
    # the space before the cut is not what the tweet shows, so one more character is enough
    assert full_text("Simhallen öppnar …", created, {created: ["Simhallen öppnar!"]}) == "Simhallen öppnar!"
    # without leading mentions nothing is set aside: a note that begins later is not this tweet's
    assert full_text("RT: Simhallen öppnar…", created, {created: ["Simhallen öppnar i höst"]}) == (
        "RT: Simhallen öppnar…")
    # every whole word shown must begin the note; only the last, which the cut may split, is set aside
    assert full_text("Simhallen öppnar idag…", created, {created: ["Simhallen stänger idag för städning"]}) == (
        "Simhallen öppnar idag…")
    assert full_text("Läs http… https://t.co/BBBB", created, {created: ["Läs https://t.co/CCCC och mer"]}) == (
        "Läs https://t.co/CCCC och mer https://t.co/BBBB")
    assert full_text(" Simhallen…", created, {created: ["Simhallen öppnar i höst"]}) == " Simhallen…"
    assert full_text("… https://t.co/BBBB", created, {created: ["Simhallen öppnar i höst"]}) == "… https://t.co/BBBB"


def test_x_manifest_alone_names_the_account_and_owns_its_messages(tmp_path: Path) -> None:
    manifest = "window.__THAR_CONFIG = " + json.dumps({"userInfo": {
        "accountId": "99", "userName": "torsbykommun", "displayName": "Torsby kommun"}})
    dms = x_js("direct_messages", [{"dmConversation": {"conversationId": "99-123", "messages": [
        {"messageCreate": {"id": "5", "text": "Hej!", "createdAt": "2026-03-02T09:00:00.000Z",
                           "senderId": "99", "recipientId": "123"}},
        {"messageCreate": {"id": "6", "text": "Tack", "createdAt": "2026-03-02T09:01:00.000Z",
                           "senderId": "123", "recipientId": "99"}}]}}])
    fmt, items, skipped = parse(write(tmp_path / "x", {"data/manifest.js": manifest,
                                                       "data/direct-messages.js": dms}))
    assert (fmt, skipped) == ("x", [])
    assert [(i.platform_id, i.is_own, i.author_handle, i.author_name, i.recipients) for i in items] == [
        ("dm:5", True, "torsbykommun", "Torsby kommun", ("123",)),
        ("dm:6", False, "123", None, ("99",))]


@pytest.mark.parametrize("account", [
    None, [], {"account": {"accountId": "99", "username": "torsbykommun"}}], ids=["none", "empty", "not-a-list"])
def test_x_without_a_readable_account_names_no_author_and_owns_no_message(
        tmp_path: Path, account: object) -> None:
    dms = x_js("direct_messages", [{"dmConversation": {"conversationId": "99-123", "messages": [
        {"messageCreate": {"id": "5", "text": "Hej!", "createdAt": "2026-03-02T09:00:00.000Z",
                           "senderId": "99", "recipientId": "123"}}]}}])
    files = {"data/direct-messages.js": dms,
             "data/tweets.js": x_js("tweets", [tweet("1500", "Hej!", "Mon Mar 02 09:00:00 +0000 2026")])}
    if account is not None:
        files["data/account.js"] = x_js("account", account)
    fmt, items, skipped = parse(write(tmp_path / "x", files))
    assert (fmt, skipped) == ("x", [])
    assert items == [
        x_item("1500", "Hej!", at(2026, 3, 2, 9), handle=None),
        ImportedItem(platform_id="dm:5", kind="message", parent_id=None, author_handle="99", author_name=None,
                     is_own=None, created=at(2026, 3, 2, 9), edited=None, text="Hej!", url=None,
                     thread_id="99-123", recipients=("123",))]


def test_x_times_are_utc_whatever_the_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert parse_created_at("Wed Oct 10 20:19:24 +0000 2018").isoformat() == "2018-10-10T20:19:24+00:00"
        assert parse_created_at("Mon Mar 02 14:30:59 +0530 2026").isoformat() == "2026-03-02T09:00:59+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()


# --- which export it is, and refusals --------------------------------------------------------

def test_an_x_archive_with_only_its_account_file_is_an_empty_x_export(tmp_path: Path) -> None:
    fmt, items, skipped = parse(write(tmp_path / "x", {"data/account.js": ACCOUNT}))
    assert (fmt, items, skipped) == ("x", [], [])


def test_a_platforms_stray_owner_file_does_not_make_a_second_export(tmp_path: Path) -> None:
    fmt, items, skipped = parse(write(tmp_path / "x", {
        "data/account.js": ACCOUNT, "Profile.csv": PROFILE,
        "data/tweets.js": x_js("tweets", [tweet("1500", "Hej!", "Mon Mar 02 09:00:00 +0000 2026")])}))
    assert (fmt, items) == ("x", [x_item("1500", "Hej!", at(2026, 3, 2, 9))])
    assert skipped == [Skipped("x:Profile.csv", "file not read: it holds no posts, comments or messages of "
                               "this format")]


def test_threads_beside_another_platforms_export_are_two_exports(tmp_path: Path) -> None:
    thread = {"participants": [{"name": "Erik Ek"}], "messages": [
        {"sender_name": "Erik Ek", "timestamp_ms": 1717500000000, "content": "Hej!"}]}
    root = write(tmp_path / "blandat", {
        "messages/inbox/erik_1/message_1.json": json.dumps(thread),
        "data/tweets.js": x_js("tweets", [tweet("1500", "Hej!", "Mon Mar 02 09:00:00 +0000 2026")])})
    with open_export(root) as source, pytest.raises(BadInputError) as err:
        detect_format(source)
    assert str(err.value) == ("blandat: looks like more than one export (facebook or instagram, x); "
                              "import each platform's export into its own account")
    with open_export(root) as source:  # read as X, the threads are a file not read
        records = list(read_export(source, "x"))
    assert records == [x_item("1500", "Hej!", at(2026, 3, 2, 9), handle=None),
                       Skipped("blandat:messages/inbox/erik_1/message_1.json",
                               "file not read: it holds no posts, comments or messages of this format")]


def test_threads_alone_are_the_hinted_meta_platforms_and_no_others(tmp_path: Path) -> None:
    thread = {"participants": [{"name": "Erik Ek"}], "messages": [
        {"sender_name": "Erik Ek", "timestamp_ms": 1717500000000, "content": "Hej!"}]}
    root = write(tmp_path / "dm", {"messages/inbox/erik_1/message_1.json": json.dumps(thread)})
    with open_export(root) as source:
        assert [detect_format(source, hint) for hint in ("facebook", "instagram")] == ["facebook", "instagram"]
        for hint in (None, "x", "linkedin"):
            with pytest.raises(BadInputError) as err:
                detect_format(source, hint)
            assert str(err.value) == ("dm: holds only message threads, which Facebook and Instagram export alike; "
                                      "use --format facebook or --format instagram")


def test_a_format_whose_files_are_absent_is_refused_naming_it(tmp_path: Path) -> None:
    linkedin = write(tmp_path / "li", {"Profile.csv": PROFILE,
                                       "Shares.csv": SHARES_HEADER + "2024-03-01 09:30:00,,Hej,,,PUBLIC\n"})
    html = write(tmp_path / "fb", {"posts/your_posts_1.html": "<html><body>Inlägg</body></html>"})
    profile_only = write(tmp_path / "fbprofil", {"profile_information/profile_information.json": json.dumps(
        {"profile_v2": {"name": {"full_name": "Torsby kommun"}}})})
    cases = [(linkedin, "facebook", "li: does not contain the files of a facebook export"),
             (linkedin, "instagram", "li: does not contain the files of an instagram export"),
             (html, "linkedin", "fb: does not contain the files of a linkedin export"),
             (profile_only, "facebook", "fbprofil: does not contain the files of a facebook export"),
             (linkedin, "x", "li: does not contain the files of an x export")]
    for root, fmt, message in cases:
        with open_export(root) as source, pytest.raises(BadInputError) as err:
            read_export(source, fmt)
        assert str(err.value) == f"{message}; check the file or the --format given"


# --- Facebook, Instagram and their message threads -------------------------------------------

def test_a_facebook_comment_takes_its_own_time_before_the_entrys(tmp_path: Path) -> None:
    comments = {"comments_v2": [
        {"timestamp": 1717500000, "title": "Torsby kommun commented on a post.",
         "data": [{"comment": {"timestamp": 1717400000, "comment": "Egen tid", "author": "Torsby kommun"}}]},
        {"timestamp": 1717500600, "title": "Torsby kommun replied to Erik's comment.",
         "data": [{"comment": {"comment": "Postens tid", "author": "Torsby kommun"}}]},
        {"timestamp": "igår", "title": "Torsby kommun commented on a post.",
         "data": [{"comment": {"timestamp": 1717500900, "comment": "Ogiltig post, giltig kommentar",
                               "author": "Anna Lind"}}]},
        {"timestamp": 1717501200, "data": [{"comment": {"timestamp": 1717501200}}]},
    ]}
    profile = {"profile_v2": {"name": {"full_name": "Torsby kommun"},
                              "profile_uri": "https://www.facebook.com/torsbykommun"}}
    fmt, items, skipped = parse(write(tmp_path / "fb", {
        "comments/comments.json": json.dumps(comments),
        "profile_information/profile_information.json": json.dumps(profile)}))
    assert (fmt, skipped) == ("facebook", [])
    assert [(i.platform_id, i.kind, i.created, i.text, i.author_handle, i.author_name) for i in items] == [
        (derived("fb", "comment", "1717400000", ""), "comment", at(2024, 6, 3, 7, 33, 20), "Egen tid",
         "torsbykommun", "Torsby kommun"),
        (derived("fb", "reply", "1717500600", ""), "reply", at(2024, 6, 4, 11, 30), "Postens tid",
         "torsbykommun", "Torsby kommun"),
        (derived("fb", "comment", "1717500900", ""), "comment", at(2024, 6, 4, 11, 35),
         "Ogiltig post, giltig kommentar", "torsbykommun", "Anna Lind"),
        # nothing but a time: still a record, empty, by the owner
        (derived("fb", "comment", "1717501200", ""), "comment", at(2024, 6, 4, 11, 40), "",
         "torsbykommun", "Torsby kommun")]


def test_facebook_posts_files_come_before_comments_files_and_threads_last(tmp_path: Path) -> None:
    """Parents before the replies that could name them, whatever the files are called, and
    every thread file after them; two comments of one second get the rule's ids, the second
    with its text mixed in."""
    posts = {"group_posts_v2": [{"timestamp": 1717400000, "data": [{"post": "Välkomna till gruppen"}]},
                                "inte ett objekt"]}
    comments = {"comments_v2": [
        {"timestamp": 1717500000, "data": [{"comment": {"timestamp": 1717500000, "comment": "Tack!"}}]},
        {"timestamp": 1717500000, "data": [{"comment": {"timestamp": 1717500000, "comment": "Tack  igen!"}}]}]}
    def thread(name: str, ms: int) -> str:
        return json.dumps({"participants": [{"name": name}, {"name": "Torsby kommun"}],
                           "messages": [{"sender_name": name, "timestamp_ms": ms, "content": f"Hej från {name}"}]})
    fmt, items, skipped = parse(write(tmp_path / "fb", {
        "a_comments/comments.json": json.dumps(comments), "b_groups/group_posts.json": json.dumps(posts),
        "a_inbox/anna_1/message_1.json": thread("Anna Lind", 1717300000000),
        "a_inbox/erik_2/message_1.json": thread("Erik Ek", 1717300000000)}))
    assert (fmt, skipped) == ("facebook", [Skipped("fb:b_groups/group_posts.json[1]", "entry is not an object")])
    assert [(i.platform_id, i.kind, i.text) for i in items] == [
        (derived("fb", "post", "1717400000", ""), "post", "Välkomna till gruppen"),
        (derived("fb", "comment", "1717500000", ""), "comment", "Tack!"),
        (derived("fb", "comment", "1717500000", "", "Tack igen!"), "comment", "Tack  igen!"),
        (derived("fb", "message", "1717300000000", "anna_1\x1fAnna Lind"), "message", "Hej från Anna Lind"),
        (derived("fb", "message", "1717300000000", "erik_2\x1fErik Ek"), "message", "Hej från Erik Ek")]


def test_a_bare_list_of_messages_keeps_its_photos_found_beside_it(tmp_path: Path) -> None:
    photo = "messages/inbox/anna_1/photos/bild.png"
    messages = [{"sender_name": "Anna Lind", "timestamp_ms": 1717500000000, "content": "Bilden",
                 "photos": [{"uri": photo}]},
                {"sender_name": "Anna Lind", "timestamp_ms": "igår", "content": "Utan tid"}]
    root = write(tmp_path / "fb", {"messages/inbox/anna_1/message_1.json": json.dumps(messages), photo: PIXEL})
    with open_export(root) as source:
        records = list(read_export(source, "facebook"))
    assert records == [ImportedItem(
        platform_id=derived("fb", "message", "1717500000000", "anna_1\x1fAnna Lind"), kind="message",
        parent_id=None, author_handle=None, author_name="Anna Lind", is_own=None,
        created=at(2024, 6, 4, 11, 20), edited=None, text="Bilden", url=None,
        media=(MediaRef(photo, "image/png", photo),), thread_id="anna_1", recipients=()),
        Skipped("fb:messages/inbox/anna_1/message_1.json[1]", "message lacks a sender or a valid timestamp_ms")]


def test_instagram_comments_ids_by_the_rule_with_and_without_a_media_owner(tmp_path: Path) -> None:
    def comment(text: str, when: int, owner: str | None) -> dict[str, object]:
        data: dict[str, object] = {"Comment": {"value": text}, "Time": {"timestamp": when}}
        if owner is not None:
            data["Media Owner"] = {"value": owner}
        return {"string_map_data": data}
    comments = {"comments_media_comments": [
        comment("Fint!", 1717500000, "visitvarmland"), comment("Så  fint!", 1717500000, "visitvarmland"),
        comment("Utan ägare", 1717500060, None),
        # the older layout: the media owner is the title, the first object of the list the comment
        {"title": "visitvarmland", "string_list_data": ["skräp", {"value": "Gammal stil", "timestamp": 1600000000}]},
        {"title": "visitvarmland", "string_list_data": [{"value": "Utan tid"}]},
        {"title": "visitvarmland", "string_list_data": ["inget objekt"]},
        {"title": "visitvarmland"}]}  # in a comments file: a comment without its text
    profile: dict[str, list[object]] = {"profile_user": []}
    fmt, items, skipped = parse(write(tmp_path / "ig", {
        "your_instagram_activity/comments/post_comments_1.json": json.dumps(comments),
        "personal_information/personal_information/personal_information.json": json.dumps(profile)}))
    where = "ig:your_instagram_activity/comments/post_comments_1.json"
    assert (fmt, skipped) == ("instagram", [Skipped(f"{where}[4]", "comment lacks a text or a valid time"),
                                            Skipped(f"{where}[5]", "comment lacks a text or a valid time"),
                                            Skipped(f"{where}[6]", "comment lacks a text or a valid time")])
    assert [(i.platform_id, i.author_handle, i.author_name, i.created, i.text) for i in items] == [
        (derived("ig", "comment", "1717500000", "visitvarmland"), None, None, at(2024, 6, 4, 11, 20), "Fint!"),
        # the second of one second and one media owner mixes in its text, spaces normalised
        (derived("ig", "comment", "1717500000", "visitvarmland", "Så fint!"), None, None,
         at(2024, 6, 4, 11, 20), "Så  fint!"),
        (derived("ig", "comment", "1717500060", ""), None, None, at(2024, 6, 4, 11, 21), "Utan ägare"),
        (derived("ig", "comment", "1600000000", "visitvarmland"), None, None, at(2020, 9, 13, 12, 26, 40),
         "Gammal stil")]


def test_instagram_stories_wrapped_in_a_list_are_posts_with_their_one_file(tmp_path: Path) -> None:
    story = "media/stories/202406/midsommar.jpg"
    stories = [{"ig_stories": [
        {"uri": story, "creation_timestamp": 1717500000, "title": "Midsommar i Torsby"},
        {"uri": "media/stories/202406/saknas.jpg", "creation_timestamp": 1717500060, "title": ""},
        "inte ett objekt"]}]
    profile = {"profile_user": [{"string_map_data": {"Username": {"value": "torsbykommun"},
                                                     "Name": {"value": "Torsby kommun"}}}]}
    fmt, items, skipped = parse(write(tmp_path / "ig", {
        "your_instagram_activity/content/stories.json": json.dumps(stories), story: JPEG,
        "personal_information/personal_information/personal_information.json": json.dumps(profile)}))
    assert fmt == "instagram"
    assert items == [
        ImportedItem(platform_id=derived("ig", "post", "1717500000", "midsommar.jpg"), kind="post",
                     parent_id=None, author_handle="torsbykommun", author_name="Torsby kommun", is_own=True,
                     created=at(2024, 6, 4, 11, 20), edited=None, text="Midsommar i Torsby", url=None,
                     media=(MediaRef(story, "image/jpeg", story),)),
        ImportedItem(platform_id=derived("ig", "post", "1717500060", ""), kind="post", parent_id=None,
                     author_handle="torsbykommun", author_name="Torsby kommun", is_own=True,
                     created=at(2024, 6, 4, 11, 21), edited=None, text="", url=None)]
    where = "ig:your_instagram_activity/content/stories.json[0].ig_stories"
    assert skipped == [Skipped(f"{where}[1] media/stories/202406/saknas.jpg",
                               "media file listed but missing from the export"),
                       Skipped(f"{where}[2]", "entry is not an object")]


def test_instagram_stories_file_and_comments_wrapped_in_a_list(tmp_path: Path) -> None:
    """A stories file's entries are each one media object; comments may come wrapped as
    entries of a bare list, each read with its place in the wrapper."""
    story = "media/stories/202406/midsommar.jpg"
    stories = {"ig_stories": [{"uri": story, "creation_timestamp": 1717500000, "title": "Midsommar"},
                              {"uri": story, "title": "Utan tid"}]}
    comments = [{"comments_media_comments": [
        {"string_map_data": {"Comment": {"value": "Fint!"}, "Media Owner": {"value": "visitvarmland"},
                             "Time": {"timestamp": 1717500000}}},
        {"string_map_data": {"Comment": {"value": "Utan tid"}}}]}]
    reel = "media/reels/202406/reel.mp4"
    reels = [{"ig_reels_media": [{"media": [{"uri": reel, "creation_timestamp": 1717500600, "title": "Reel"}]},
                                 {"title": "Utan media"}]}]
    fmt, items, skipped = parse(write(tmp_path / "ig", {
        "your_instagram_activity/content/stories.json": json.dumps(stories), story: JPEG,
        "your_instagram_activity/content/reels.json": json.dumps(reels), reel: b"\x00\x00\x00\x18ftypmp42",
        "your_instagram_activity/comments/post_comments_1.json": json.dumps(comments)}))
    assert fmt == "instagram"
    # a bare list is a mixed file, read with the posts files, in member order
    assert [(i.platform_id, i.kind, i.text, i.media) for i in items] == [
        (derived("ig", "comment", "1717500000", "visitvarmland"), "comment", "Fint!", ()),
        (derived("ig", "post", "1717500600", "reel.mp4"), "post", "Reel", (MediaRef(reel, "video/mp4", reel),)),
        (derived("ig", "post", "1717500000", "midsommar.jpg"), "post", "Midsommar",
         (MediaRef(story, "image/jpeg", story),))]
    assert skipped == [
        Skipped("ig:your_instagram_activity/comments/post_comments_1.json[0].comments_media_comments[1]",
                "comment lacks a text or a valid time"),
        Skipped("ig:your_instagram_activity/content/reels.json[0].ig_reels_media[1]", "entry is not a post with media"),
        Skipped("ig:your_instagram_activity/content/stories.json[1]", "post has no valid creation_timestamp")]


# --- TikTok --------------------------------------------------------------------------------

def test_tiktok_owner_display_name_locations_and_chats_of_any_title(tmp_path: Path) -> None:
    data = {
        "Profile": {"Profile Information": {"ProfileMap": {"userName": "torsbykommun",
                                                            "displayName": "Torsby kommun"}}},
        "Video": {"Videos": {"VideoList": [
            {"Date": "2025-01-02 10:00:00", "Link": "https://www.tiktokv.com/share/video/7001/",
             "Title": "N/A", "Location": "Torsby"},
            {"Date": "2025-01-03 10:00:00", "Link": "https://www.tiktokv.com/share/video/7002/",
             "Title": "", "Description": "Vinter", "Location": "Torsby"},
            {"Date": "2025-01-03 11:00:00", "Title": "Utan länk"},
            {"Date": "2025-01-03 11:00:00", "Title": "Utan  länk igen"},
            {"Date": "2025-01-03 12:00:00", "Title": "Foto",
             "Link": "https://p16-sign.tiktokcdn.com/obj/foto.jpeg?x-expires=1?sig=ab https://p16/2.jpeg"}]}},
        "Direct Messages": {"Chat History": {"ChatHistory": {"anna_lind": [
            {"Date": "2025-01-04 10:00:00", "From": "anna_lind", "Content": "Hej!"},
            {"Date": "2025-01-04 10:01:00", "From": "torsbykommun", "Content": "Hej Anna"}]}}}}
    fmt, items, skipped = parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))
    assert (fmt, skipped) == ("tiktok", [])
    assert [i.url for i in items[:5]] == ["https://www.tiktokv.com/share/video/7001/",
                                         "https://www.tiktokv.com/share/video/7002/", None, None,
                                         "https://p16-sign.tiktokcdn.com/obj/foto.jpeg?x-expires=1?sig=ab"]
    assert [(i.platform_id, i.author_handle, i.author_name, i.is_own, i.text, i.thread_id, i.recipients)
            for i in items] == [
        ("7001", "torsbykommun", "Torsby kommun", True, "Torsby", None, ()),
        ("7002", "torsbykommun", "Torsby kommun", True, "Vinter", None, ()),
        (derived("tt", "post", str(epoch(2025, 1, 3, 11)), ""), "torsbykommun", "Torsby kommun", True,
         "Utan länk", None, ()),
        (derived("tt", "post", str(epoch(2025, 1, 3, 11)), "", "Utan länk igen"), "torsbykommun", "Torsby kommun",
         True, "Utan  länk igen", None, ()),
        (derived("tt", "post", str(epoch(2025, 1, 3, 12)), "https://p16-sign.tiktokcdn.com/obj/foto.jpeg"),
         "torsbykommun", "Torsby kommun", True, "Foto", None, ()),
        (derived("tt", "message", str(epoch(2025, 1, 4, 10)), "anna_lind\x1fanna_lind"), "anna_lind",
         "anna_lind", False, "Hej!", "anna_lind", ("torsbykommun",)),
        (derived("tt", "message", str(epoch(2025, 1, 4, 10, 1)), "anna_lind\x1ftorsbykommun"), "torsbykommun",
         "Torsby kommun", True, "Hej Anna", "anna_lind", ("anna_lind",))]


def test_tiktok_with_only_a_display_name_knows_only_the_other_partys_messages(tmp_path: Path) -> None:
    data = {"Profile": {"Profile Info": {"ProfileMap": {"displayName": "Torsby kommun"}}},
            "Direct Message": {"Direct Messages": {"ChatHistory": {"Chat History with erik.ek:": [
                {"Date": "2025-07-16 09:58:00", "Content": "Utan avsändare"},
                {"Date": "2025-07-16 09:59:09", "From": "erik.ek", "Content": "Hej!"},
                {"Date": "2025-07-16 10:00:00", "From": "torsbykommun", "Content": "Hej Erik"}]}}}}
    fmt, items, skipped = parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))
    assert skipped == [Skipped("tt:user_data_tiktok.json ChatHistory['Chat History with erik.ek:'][0]",
                               "message lacks a sender or a valid Date")]
    assert [(i.author_handle, i.author_name, i.is_own, i.thread_id, i.recipients) for i in items] == [
        ("erik.ek", "erik.ek", False, "erik.ek", ()),
        ("torsbykommun", "torsbykommun", None, "erik.ek", ("erik.ek",))]


def test_tiktok_without_a_profile_map_owns_what_the_other_party_did_not_send(tmp_path: Path) -> None:
    data = {"Profile": {"Profile Information": {"PlatformInfo": {}}},
            "Direct Message": {"Direct Messages": {"ChatHistory": {"Chat History with erik.ek:": [
                {"Date": "2025-07-16 09:59:09", "From": "erik.ek", "Content": "Hej!"},
                {"Date": "2025-07-16 10:00:00", "From": "Torsby kommun", "Content": "Hej Erik"}]}}}}
    fmt, items, skipped = parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)}))
    assert (fmt, skipped) == ("tiktok", [])
    assert [(i.author_handle, i.author_name, i.is_own, i.thread_id, i.recipients) for i in items] == [
        ("erik.ek", "erik.ek", False, "erik.ek", ()),
        ("Torsby kommun", "Torsby kommun", None, "erik.ek", ("erik.ek",))]


@pytest.mark.parametrize(("extra", "message"), [
    (1, "tt:user_data_tiktok.json: is larger than 268,435,456 bytes, more than a TikTok data file holds; "
        "check the file"),
    (0, "tt:user_data_tiktok.json line 1: is not valid JSON (Extra data); re-download the export; Bevara "
        "does not repair a broken file"),
])
def test_a_tiktok_file_over_256_mib_is_refused_before_it_is_read(tmp_path: Path, extra: int, message: str) -> None:
    """A sparse file: its size is real, its disk use nothing. At the limit it is read (and
    refused only for what it holds); one byte over, it is refused by its size alone."""
    path = tmp_path / "tt" / "user_data_tiktok.json"
    path.parent.mkdir()
    with path.open("wb") as fh:
        fh.write(b'{"Profile": {}}')
        fh.truncate(256 * 1024 * 1024 + extra)
    with pytest.raises(BadInputError) as err:
        parse(tmp_path / "tt")
    assert str(err.value) == message


@pytest.mark.parametrize(("data", "message"), [
    (b'{"Profile": {"Profile Information": {"ProfileMap": {"userName": "torsby\xff"}}}}',
     "tt:user_data_tiktok.json: holds bytes that are not UTF-8; re-download the export; Bevara does not "
     "repair a broken file"),
    (b'{"Profile": ' + b"[" * 3000 + b"]" * 3000 + b"}",  # within the streaming reader's 4096 levels
     "tt:user_data_tiktok.json: is nested too deeply to be a TikTok data file; re-download the export; Bevara "
     "does not repair a broken file"),
    (b'{"Profile": {},\n "Video": {"Videos": {"VideoList": [],}}}',
     "tt:user_data_tiktok.json line 2: is not valid JSON (Expecting property name enclosed in double quotes); "
     "re-download the export; Bevara does not repair a broken file"),
], ids=["not-utf8", "too-deep", "trailing-comma"])
def test_a_broken_tiktok_file_is_refused_in_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(BadInputError) as err:
        parse(write(tmp_path / "tt", {"user_data_tiktok.json": data}))
    assert str(err.value) == message


def test_two_tiktok_files_are_read_in_name_order_and_same_second_messages_stay_two(tmp_path: Path) -> None:
    def export(video: str, when: str) -> str:
        return json.dumps({"Video": {"Videos": {"VideoList": [
            {"Date": when, "Link": f"https://www.tiktokv.com/share/video/{video}/", "Title": video}]}},
            "Direct Messages": {"Chat History": {"ChatHistory": {"Chat History with erik.ek:": [
                {"Date": when, "From": "erik.ek", "Content": "Hej!"},
                {"Date": when, "From": "erik.ek", "Content": "Hej  igen!"}]}}}})
    fmt, items, skipped = parse(write(tmp_path / "tt", {
        "b/user_data_tiktok.json": export("7002", "2025-01-03 10:00:00"),
        "a/user_data_tiktok.json": export("7001", "2025-01-02 10:00:00")}))
    assert (fmt, skipped) == ("tiktok", [])
    first, second = str(epoch(2025, 1, 2, 10)), str(epoch(2025, 1, 3, 10))
    anchor = "erik.ek\x1ferik.ek"
    assert [(i.platform_id, i.text) for i in items] == [
        ("7001", "7001"), (derived("tt", "message", first, anchor), "Hej!"),
        (derived("tt", "message", first, anchor, "Hej igen!"), "Hej  igen!"),
        ("7002", "7002"), (derived("tt", "message", second, anchor), "Hej!"),
        (derived("tt", "message", second, anchor, "Hej igen!"), "Hej  igen!")]


def test_tiktok_lists_that_are_not_lists_hold_nothing(tmp_path: Path) -> None:
    data = {"Video": {"Videos": {"VideoList": {"Date": "2025-01-02 10:00:00"}},
                      "Recently Deleted Posts": {"PostList": "inga"}},
            "Comment": {"Comments": {"CommentsList": {"date": "2025-01-02 10:00:00"}}},
            "Direct Messages": {"Chat History": {"ChatHistory": {"Chat History with erik.ek:": {"Date": "x"}}}},
            "Direct Message": {"Direct Messages": {"ChatHistory": "ingen"}}}
    assert parse(write(tmp_path / "tt", {"user_data_tiktok.json": json.dumps(data)})) == ("tiktok", [], [])


def test_a_tiktok_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    data = {"Profile": {"Profile Information": {"ProfileMap": {"userName": "torsbykommun"}}},
            "Comment": {"Comments": {"CommentsList": [{"date": "2025-01-02 10:00:00", "comment": "Hej"}]}}}
    bom = b"\xef\xbb\xbf"
    fmt, items, _ = parse(write(tmp_path / "tt", {"user_data_tiktok.json": bom + json.dumps(data).encode()}))
    assert [(i.author_handle, i.text) for i in items] == [("torsbykommun", "Hej")]


# --- YouTube -------------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "expected"), [
    ("2024-05-01T10:00:00", True),  # 19 characters, the shortest
    ("2024-05-01 10:00:00", True),
    (" 2024-05-01T10:00:00.123+00:00 ", True),
    ("2024-05-01T10:00:00Z", True),
    ("2024-05-01T10:00:0", False),
    ("2024-05-01T10:00", False),
    ("2024-05-01", False),
    ("2024-05-01X10:00:00", False),
    ("2024-13-01T10:00:00", False),
    ("2024W01T10 +01:00:00", False),  # a week date Python reads, not a Takeout time
    ("20240501T10:00:00.000", False),
    ("", False),
])
def test_is_time_knows_takeouts_times_only(cell: str, expected: bool) -> None:
    assert is_time(cell) is expected


@pytest.mark.parametrize("channel_file", ["channels/channel.csv", "vår kanal/channel.csv"])
def test_youtube_channel_title_names_the_author_only_where_given(tmp_path: Path, channel_file: str) -> None:
    """Wherever the channel file sorts, before the comments or after them."""
    top = "Takeout/YouTube and YouTube Music"
    comments = ("Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Video ID,Comment Text\n"
                'Ugw1,UCtorsby,2025-03-02T09:00:00Z,0,,vid1,"{""takeoutSegments"":[{""text"":""Hej""}]}"\n'
                'Ugw2,UCnamnlos,2025-03-02T09:05:00Z,0,Ugw1,vid1,Svar\n'
                "Ugw3,UCtorsby,2025-03-02T09:10:00Z,0,,vid1\n"
                "Ugw4,UCtorsby,2025-03-02T09:15:00Z,0,,,Utan video\n")
    channels = ("Channel ID,Channel Title (Original),Channel Visibility\n"
                "UCtorsby,Torsby kommun,Public\nUCnamnlos,,Public\n")
    fmt, items, skipped = parse(write(tmp_path / "yt", {f"{top}/comments/comments.csv": comments,
                                                       f"{top}/{channel_file}": channels}))
    assert (fmt, skipped) == ("youtube", [])
    assert items == [
        ImportedItem(platform_id="Ugw1", kind="comment", parent_id="vid1", author_handle="UCtorsby",
                     author_name="Torsby kommun", is_own=True, created=at(2025, 3, 2, 9), edited=None,
                     text="Hej", url="https://www.youtube.com/watch?v=vid1&lc=Ugw1"),
        ImportedItem(platform_id="Ugw2", kind="reply", parent_id="Ugw1", author_handle="UCnamnlos",
                     author_name=None, is_own=True, created=at(2025, 3, 2, 9, 5), edited=None,
                     text="Svar", url="https://www.youtube.com/watch?v=vid1&lc=Ugw2"),
        # a row cut short before its text: an empty comment
        ImportedItem(platform_id="Ugw3", kind="comment", parent_id="vid1", author_handle="UCtorsby",
                     author_name="Torsby kommun", is_own=True, created=at(2025, 3, 2, 9, 10), edited=None,
                     text="", url="https://www.youtube.com/watch?v=vid1&lc=Ugw3"),
        # neither a video nor a post: nothing to link to or hang under
        ImportedItem(platform_id="Ugw4", kind="comment", parent_id=None, author_handle="UCtorsby",
                     author_name="Torsby kommun", is_own=True, created=at(2025, 3, 2, 9, 15), edited=None,
                     text="Utan video", url=None)]


def test_a_youtube_json_comment_without_a_channel_column_has_no_author(tmp_path: Path) -> None:
    rows = [{"Comment ID": "Ugx9", "Comment create timestamp": "2025-04-01T08:00:00+00:00",
             "Video ID": "vid1", "Comment text": '{"text":"Snyggt!"}'}]
    fmt, items, skipped = parse(write(tmp_path / "yt", {
        "Takeout/YouTube and YouTube Music/comments/comments.json": json.dumps(rows)}))
    assert (fmt, skipped) == ("youtube", [])
    assert items == [ImportedItem(
        platform_id="Ugx9", kind="comment", parent_id="vid1", author_handle=None, author_name=None, is_own=True,
        created=at(2025, 4, 1, 8), edited=None, text="Snyggt!", url="https://www.youtube.com/watch?v=vid1&lc=Ugx9")]
