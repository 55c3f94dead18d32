"""What each file of an export is, told from its content rather than its path.

Platforms rename and move their files between years (Facebook's ``posts/your_posts_1.json``
became ``your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json``),
users unpack exports into other folders or hand over a single file, and Takeout translates
file names into the account's language. The shape of the data is what stays, so every file
is classified by the first few keys it holds: a JSON file by its top-level keys (or the
keys of its list's first entry), an X ``.js`` file by its ``window.YTD.<name>`` line, a CSV
by its header. Reading stops as soon as a key decides, so a large posts file costs one
entry. A file nothing recognises is reported as skipped with its name, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import ijson

from archiver.items.imports import youtube_columns
from archiver.items.imports.csvstream import read_header
from archiver.items.imports.jsonstream import error_line, open_json, wrap_errors
from archiver.items.imports.source import ExportSource

RECORDS = "records"  # posts, comments or messages
OWNER = "owner"  # who the account is (profile, account.js, manifest)
OTHER = "other"  # a known file that holds no posts, comments or messages
META = "meta"  # Messenger / Instagram threads: the same format on both platforms


@dataclass(frozen=True)
class Found:
    """One classified file: which platform wrote it, what it holds, and where its list is.

    ``prefix`` is the ijson prefix of the entry list (``item`` for a bare array,
    ``comments_v2.item`` for a wrapped one, ``""`` for a file read whole), ``kind``
    what the file holds as the platform names it (``shares``, ``deleted_tweets``, …).
    """

    member: str
    platform: str
    role: str
    kind: str = ""
    prefix: str = ""


_FB_LISTS = {
    "comments_v2": "comments", "group_comments_v2": "comments", "comments": "comments",
    "group_posts_v2": "posts", "status_updates_v2": "posts",
}
_IG_LISTS = {
    "comments_media_comments": "comments", "comments_reels_comments": "comments",
    "comments_story_comments": "comments", "ig_igtv_media": "posts", "ig_reels_media": "posts",
    "ig_archived_post_media": "posts", "ig_stories": "posts",
}
_IG_OTHER = ("ig_profile_picture", "account_history_registration_info")
_TIKTOK_TOP = ("Activity", "Ads and data", "App Settings", "Comment", "Direct Messages",
               "Direct Message", "Income Plus Wallet Transactions", "Location Review", "Poi Review",
               "Post", "Profile", "Tiktok Live", "Tiktok Shopping", "TikTok Shop", "Video",
               "Your Activity")
_YTD = re.compile(rb"^\s*window\.YTD\.([A-Za-z0-9_]+)\.part\d+\s*=")
_THAR = re.compile(rb"^\s*window\.__THAR_CONFIG\s*=")
_X_RECORDS = ("tweets", "tweet", "community_tweet", "deleted_tweets", "direct_messages",
              "direct_messages_group", "note_tweet", "deleted_note_tweet")
_ITEMS_KEYS = {"id", "kind", "created"}
_META_HTML = re.compile(r"(?:^|/)(?:your_facebook_activity/|your_instagram_activity/)?"
                        r"(?:posts|comments(?:_and_reactions)?|content|media|messages)/[^/]+\.html?$")


def classify(source: ExportSource, member: str) -> Found | None:
    """The file's classification, or None when nothing Bevara reads recognises it."""
    suffix = PurePosixPath(member).suffix.lower()
    if suffix == ".json":
        return _json(source, member)
    if suffix == ".js":
        return _js(source, member)
    if suffix == ".csv":
        return _csv(source, member)
    if suffix in (".jsonl", ".ndjson"):
        return Found(member, "items", RECORDS, "jsonl")
    return None


def is_meta_html(member: str) -> bool:
    """A Meta export file in HTML format: the user asked for the wrong format."""
    return _META_HTML.search(member) is not None


def is_data_file(member: str) -> bool:
    """Files that could hold records; others (photos, videos) are media, not skips."""
    return PurePosixPath(member).suffix.lower() in (
        ".json", ".js", ".csv", ".jsonl", ".ndjson", ".html", ".htm", ".txt", ".xml", ".zip")


def _first_events(source: ExportSource, member: str) -> Iterator[tuple[str, str, Any]]:
    stream = open_json(source, member)
    try:
        yield from wrap_errors(ijson.parse(stream), source.label(member),
                               lambda: error_line(source, member))
    finally:
        stream.close()


def _json(source: ExportSource, member: str) -> Found | None:
    for prefix, event, value in _first_events(source, member):
        if prefix == "" and event == "start_array":
            return _array(source, member)
        if prefix == "" and event == "map_key":
            found = _object_key(member, value)
            if found is not None:
                return found
        if prefix == "" and event in ("end_map", "string", "number", "boolean", "null"):
            return None
    return None


def _object_key(member: str, key: str) -> Found | None:
    """Decide on a top-level key of a JSON object, or None to read the next one."""
    if key in _FB_LISTS:
        return Found(member, "facebook", RECORDS, _FB_LISTS[key], f"{key}.item")
    if key in ("profile_v2", "profile"):
        return Found(member, "facebook", OWNER, "profile")
    if key in _IG_LISTS:
        return Found(member, "instagram", RECORDS, _IG_LISTS[key], f"{key}.item")
    if key == "profile_user":
        return Found(member, "instagram", OWNER, "profile")
    if key in _IG_OTHER:
        return Found(member, "instagram", OTHER)
    if key in ("messages", "participants", "thread_path"):
        return Found(member, META, RECORDS, "thread")
    if key in _TIKTOK_TOP:
        return Found(member, "tiktok", RECORDS, "user_data")
    return None


def _array(source: ExportSource, member: str) -> Found | None:
    """A bare array: the keys of its first object decide."""
    stream = open_json(source, member)
    try:
        first = next(wrap_errors(ijson.items(stream, "item", use_float=True),
                                 source.label(member), lambda: error_line(source, member)), None)
    finally:
        stream.close()
    if not isinstance(first, dict):
        return None
    keys = set(first)
    if keys >= _ITEMS_KEYS:
        return Found(member, "items", RECORDS, "json", "item")
    if {"sender_name", "timestamp_ms"} <= keys:
        return Found(member, META, RECORDS, "messages", "item")
    if "string_map_data" in keys or "string_list_data" in keys or "media" in keys or (
            keys & set(_IG_LISTS) or keys & set(_IG_OTHER)):
        return Found(member, "instagram", RECORDS, "mixed", "item")
    if keys & set(_FB_LISTS) or ("timestamp" in keys and keys & {
            "data", "attachments", "title", "tags", "place"}):
        return Found(member, "facebook", RECORDS, "mixed", "item")
    if youtube_columns.json_roles(keys) is not None:
        return Found(member, "youtube", RECORDS, "comments_json", "item")
    return None


def _js(source: ExportSource, member: str) -> Found | None:
    stream = source.open_member(member)
    try:
        head = stream.read(512)
    finally:
        stream.close()
    head = head.removeprefix(b"\xef\xbb\xbf")
    if _THAR.match(head):
        return Found(member, "x", OWNER, "manifest")
    match = _YTD.match(head)
    if match is None:
        # Without its first line only the name says what it was meant to be; reading it
        # as tweets gives the user the precise error (or the tweets, for bare JSON).
        if re.search(r"(?:^|/)data/(?:tweets?|deleted-tweets)(?:-part\d+)?\.js$", member):
            return Found(member, "x", RECORDS, "bad_prefix")
        return None
    name = match.group(1).decode()
    if name in _X_RECORDS:
        return Found(member, "x", RECORDS, name)
    if name == "account":
        return Found(member, "x", OWNER, "account")
    return Found(member, "x", OTHER, name)


def squash(name: str) -> str:
    """A LinkedIn column name as compared: lower case without spaces (2018's "Share Link"
    is "sharelink"), here for detection and in the reader for its rows alike."""
    return name.strip().lower().replace(" ", "")


def _csv(source: ExportSource, member: str) -> Found | None:
    header = read_header(source, member)
    cols = set(header)
    squashed = {squash(c) for c in cols}
    if {"date", "sharelink"} <= squashed:
        return Found(member, "linkedin", RECORDS, "shares")
    if {"date", "link", "message"} <= squashed:
        return Found(member, "linkedin", RECORDS, "comments")
    if {"from", "to", "date", "content"} <= squashed and (
            "conversationid" in squashed or "direction" in squashed):
        return Found(member, "linkedin", RECORDS, "messages")
    if {"firstname", "lastname"} <= squashed and ("headline" in squashed or "maidenname" in squashed):
        return Found(member, "linkedin", OWNER, "profile")
    if cols >= _ITEMS_KEYS:
        return Found(member, "items", RECORDS, "csv")
    if youtube_columns.csv_roles(source, member, header) is not None:
        return Found(member, "youtube", RECORDS, "comments")
    if youtube_columns.channel_roles(header) is not None:
        return Found(member, "youtube", OWNER, "channel")
    return None
