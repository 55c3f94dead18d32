"""TikTok "Download your data" export, JSON format (``user_data_tiktok.json``).

One JSON object whose top-level sections are named in English whatever the account's
language (``Activity``, ``Comment``, ``Direct Messages``, ``Profile``, ``Video`` …); the
2024 layout, as in the real sample the tests read, holds:

* ``Video.Videos.VideoList``: ``[{"Date", "Link", "Likes", "Sound", "Location", "Title"}]``
  (older: ``VideoLink``, ``Description``); ``Video.RecentlyDeletedPosts.PostList`` the same
  for posts deleted in the last 30 days, flagged as deleted;
* ``Comment.Comments.CommentsList``: ``[{"date", "comment", "photo", "url"}]``;
* ``Direct Messages.Chat History.ChatHistory``: ``{"Chat History with <user>:": [{"Date",
  "From", "Content"}]}``, one thread per other user;
* ``Profile.Profile Information.ProfileMap``: ``userName``, ``displayName``.

The 2025 layout renames three sections: ``Post.Posts.VideoList`` and ``Post.Recently
Deleted Posts.PostList`` for the videos, ``Direct Message.Direct Messages.ChatHistory``
for the chats (and ``Your Activity`` for ``Activity``). So the lists are found by their
own names (``VideoList``, ``PostList``, ``ChatHistory``) anywhere inside the video and
message sections, under whatever the section in between is called; a list under a
"deleted" key holds deleted posts. A photo post's ``Link`` is its image addresses, one per
line; its first is the post's address.

Dates are "YYYY-MM-DD HH:MM:SS" in UTC. A video's id is the number in its link; comments
and messages have none and get derived ids (``IdMinter``). The file is read whole with the
standard library's parser, which names the line of a syntax error (TikTok's files are a
few MB; the 256 MiB cap keeps memory bounded), so a file that is not valid JSON (the
real sample has trailing commas) is refused with its line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from archiver.errors import BadInputError
from archiver.items.imports import fields as f
from archiver.items.imports.model import ImportedItem, Skipped
from archiver.items.imports.sniff import RECORDS, Found
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter, clean_text

_MAX_BYTES = 256 * 1024 * 1024
_VIDEO_ID = re.compile(r"/video/(\d+)")
_CHAT_WITH = re.compile(r"^Chat History with (.+?):?$")
_FIX = "re-download the export; Bevara does not repair a broken file"


def _load(source: ExportSource, member: str) -> Any:
    label = source.label(member)
    if source.member_size(member) > _MAX_BYTES:
        raise BadInputError(f"{label}: is larger than {_MAX_BYTES:,} bytes, more than a TikTok "
                            "data file holds; check the file")
    with source.open_member(member) as fh:
        raw = fh.read()
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BadInputError(f"{label}: holds bytes that are not UTF-8; {_FIX}") from None
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{label} line {exc.lineno}: is not valid JSON ({exc.msg}); "
                            f"{_FIX}") from None
    except RecursionError:
        raise BadInputError(f"{label}: is nested too deeply to be a TikTok data file; "
                            f"{_FIX}") from None


_VIDEO_SECTIONS = ("Video", "Post")
_MESSAGE_SECTIONS = ("Direct Messages", "Direct Message")


def _path(data: Any, *keys: str) -> Any:
    for key in keys:
        data = f.get(data, key)
    return data


def _lists(data: Any, sections: tuple[str, ...], leaf: str) -> Iterator[tuple[str, Any]]:
    """(the key above it, value) of every *leaf* one or two levels inside the sections."""
    for section in sections:
        top = f.get(data, section)
        for key, value in top.items() if isinstance(top, dict) else []:
            if key == leaf:
                yield section, value
            elif isinstance(value, dict) and leaf in value:
                yield key, value[leaf]


def _date(value: Any) -> dt.datetime | None:
    return f.iso_utc(value.replace(" ", "T", 1)) if isinstance(value, str) else None


def _text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) and value != "N/A" else ""


def _videos(label: str, entries: Any, section: str, owner: tuple[str | None, str | None],
            minter: IdMinter, deleted: bool) -> Iterator[ImportedItem | Skipped]:
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        where = f"{label} {section}[{index}]"
        created = _date(f.get(entry, "Date"))
        if created is None:
            yield Skipped(where, "video has no valid Date")
            continue
        links = (f.get_str(entry, "Link") or f.get_str(entry, "VideoLink") or "").split()
        link = links[0] if links else None
        match = _VIDEO_ID.search(link or "")
        body = (_text(f.get(entry, "Title")) or _text(f.get(entry, "Description"))
                or _text(f.get(entry, "Location")))
        yield ImportedItem(
            # without a video id in the link, the link minus its query (a signature that
            # expires, so another download of the same post differs there) anchors the id
            platform_id=match.group(1) if match else minter.mint(
                "post", int(created.timestamp()), (link or "").split("?", 1)[0], body),
            kind="post", parent_id=None, author_handle=owner[0], author_name=owner[1],
            is_own=True, created=created, edited=None, text=body, url=link or None,
            deleted=deleted)


def read(source: ExportSource, found: list[Found]) -> Iterator[ImportedItem | Skipped]:
    minter = IdMinter("tt")
    for file in sorted((x for x in found if x.role == RECORDS), key=lambda x: x.member):
        label = source.label(file.member)
        data = _load(source, file.member)
        if not isinstance(data, dict):
            raise BadInputError(f"{label}: is not a TikTok data file (no top-level object); "
                                "check the file or the --format given")
        sections = f.get(data, "Profile")
        profile = next((v["ProfileMap"] for v in sections.values()
                        if isinstance(v, dict) and "ProfileMap" in v), None) if isinstance(
                            sections, dict) else None
        owner = (f.get_str(profile, "userName"),
                 f.get_str(profile, "displayName") or f.get_str(profile, "userName"))
        for leaf in ("VideoList", "PostList"):
            for above, entries in _lists(data, _VIDEO_SECTIONS, leaf):
                yield from _videos(label, entries, leaf, owner, minter,
                                   "deleted" in above.lower())
        yield from _comments(label, data, owner, minter)
        yield from _messages(label, data, owner, minter)


def _comments(label: str, data: Any, owner: tuple[str | None, str | None],
              minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    entries = _path(data, "Comment", "Comments", "CommentsList")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        where = f"{label} CommentsList[{index}]"
        created = _date(f.get(entry, "date") or f.get(entry, "Date"))
        body = _text(f.get(entry, "comment") or f.get(entry, "Comment"))
        if created is None:
            yield Skipped(where, "comment has no valid date")
            continue
        url = f.get_str(entry, "url") or None
        yield ImportedItem(
            platform_id=minter.mint("comment", int(created.timestamp()), url or "", body),
            kind="comment", parent_id=None, author_handle=owner[0], author_name=owner[1],
            is_own=True, created=created, edited=None, text=body, url=url)


def _messages(label: str, data: Any, owner: tuple[str | None, str | None],
              minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    threads: dict[str, Any] = {}
    for _, found in _lists(data, _MESSAGE_SECTIONS, "ChatHistory"):
        threads.update(found if isinstance(found, dict) else {})
    for title, entries in sorted(threads.items()):
        match = _CHAT_WITH.match(title.strip())
        other = match.group(1).strip() if match else title.strip()
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            where = f"{label} ChatHistory[{title!r}][{index}]"
            created = _date(f.get(entry, "Date"))
            sender = f.get_str(entry, "From")
            if created is None or not sender:
                yield Skipped(where, "message lacks a sender or a valid Date")
                continue
            body = _text(f.get(entry, "Content"))
            own = sender == owner[0] if owner[0] else (False if sender == other else None)
            recipients = (other,) if sender != other else ((owner[0],) if owner[0] else ())
            yield ImportedItem(
                platform_id=minter.mint("message", int(created.timestamp()),
                                        f"{other}\x1f{sender}", body),
                kind="message", parent_id=None, author_handle=sender,
                author_name=owner[1] if own else sender, is_own=own, created=created,
                edited=None, text=body, url=None, thread_id=other, recipients=recipients)
