"""X (Twitter) account archive.

Structure (confirmed against public archive parsers and documentation, see
``fixtures/exports/README.md``, and the real 2020, 2022 and 2023 archives the tests read):
JavaScript files that assign one JSON array, ``window.YTD.tweets.part0 = [ {"tweet": {...}},
... ]``. Files are known by that first line (``sniff``), not by their names or folders:

* ``tweets`` (older archives: ``tweet``), more parts as ``part1``…; ``community_tweet``
  (tweets in communities, the same shape);
* ``deleted_tweets`` (with ``deleted_at``): flagged as deleted;
* ``account`` (``accountId``, ``username``, ``accountDisplayName``), or else the manifest's
  ``window.__THAR_CONFIG`` ``userInfo`` (``accountId``, ``userName``, ``displayName``);
* ``direct_messages`` / ``direct_messages_group`` (``dmConversation.conversationId``,
  ``messages[].messageCreate`` with ``senderId``, ``recipientId``).

A tweet has ``id_str``, ``created_at`` ("Wed Oct 10 20:19:24 +0000 2018"), ``full_text``
with ``&amp; &lt; &gt;`` escaped, ``in_reply_to_status_id_str`` and media under
``extended_entities.media`` whose files are ``data/tweets_media/<tweet id>-<file name>``.

Long tweets (X's "notes", over 280 characters): ``tweets.js`` keeps only their first 280 or
so characters, cut with "…" and followed by the tweet's t.co links; the whole text is in
``note-tweet.js`` (``noteTweet.core.text``, ``noteTweet.createdAt``), which names no tweet
id. A cut tweet takes the text of the note created in the same second that begins with
what the tweet shows, followed by the tweet's trailing links. (In a real 2024 archive 26
of 41 notes were cut in ``tweets.js``.)

Edits: every version of an edited tweet is its own tweet with its own id;
``edit_info.initial.editTweetIds`` (on the first) or
``edit_info.edit.initialTweetId`` (on later ones) ties them together. We yield every
version with the **initial tweet's id** as ``platform_id``, in edit order, the first
with ``edited=None`` and each later one with ``edited`` = its own ``created_at`` and
``created`` = the initial version's. The catalogue then stores them as versions of one
item; each version's ``url`` points at its own status id. Edited tweets are held back
until their file is read (only those: memory stays bounded by the number of edits).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from archiver.items.imports import fields as f
from archiver.items.imports.jsonstream import iter_items, load_small
from archiver.items.imports.model import ImportedItem, MediaRef, Skipped
from archiver.items.imports.sniff import OWNER, RECORDS, Found
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import clean_text

_MONTHS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
    "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}
_TWEET_FILES = ("tweets", "tweet", "community_tweet", "bad_prefix")
_CUT = re.compile(r"(?P<head>.*)\u2026(?P<links>(?:\s+https://t\.co/\w+)*)\s*", re.DOTALL)
_TCO = re.compile(r"https://t\.co/\w+")
_MENTIONS = re.compile(r"(?:@\w+\s+)+")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|#39);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#39": "'"}


def parse_created_at(value: str | None) -> dt.datetime | None:
    """Parse "Wed Oct 10 20:19:24 +0000 2018" without depending on the C locale."""
    parts = value.split() if value else []
    if len(parts) != 6 or parts[1] not in _MONTHS:
        return f.iso_utc(value)
    try:
        hh, mm, ss = (int(x) for x in parts[3].split(":"))
        sign = -1 if parts[4].startswith("-") else 1
        offset = sign * dt.timedelta(hours=int(parts[4][1:3]), minutes=int(parts[4][3:5]))
        local = dt.datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]), hh, mm, ss,
                            tzinfo=dt.timezone(offset))
    except ValueError:
        return None
    return local.astimezone(dt.UTC)


def unescape(text: str) -> str:
    """Undo X's HTML escaping of & < > in one pass, so "&amp;lt;" stays "&lt;"."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


class _Account:
    def __init__(self, source: ExportSource, found: list[Found]) -> None:
        self.id: str | None = None
        self.handle: str | None = None
        self.name: str | None = None
        for file in sorted(found, key=lambda x: x.kind != "account"):
            if file.role != OWNER:
                continue
            if file.kind == "account":
                data = load_small(source, file.member, js_prefix=True)
                acc = f.get(data[0] if isinstance(data, list) and data else None, "account")
                fields = ("accountId", "username", "accountDisplayName")
            else:
                acc = f.get(load_small(source, file.member, js_prefix=True), "userInfo")
                fields = ("accountId", "userName", "displayName")
            self.id = self.id or f.get_str(acc, fields[0])
            self.handle = self.handle or f.get_str(acc, fields[1])
            self.name = self.name or f.get_str(acc, fields[2])

    def status_url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.handle or 'i/web'}/status/{tweet_id}"


def _media(source: ExportSource, data_dir: str, tweet: Any, tweet_id: str,
           deleted: bool, where: str) -> tuple[list[MediaRef], list[Skipped]]:
    folder = f"{data_dir}/{'deleted_tweets_media' if deleted else 'tweets_media'}"
    entities = f.get(tweet, "extended_entities") or f.get(tweet, "entities")
    refs, skipped = [], []
    for media in f.get_list(entities, "media"):
        remote = f.get_str(media, "media_url_https") or f.get_str(media, "media_url")
        variants = [v for v in f.get_list(f.get(media, "video_info"), "variants")
                    if f.get_str(v, "url")]
        if variants:  # videos and GIFs: the archive keeps the best-bitrate MP4
            best = max(variants, key=_bitrate)
            remote = f.get_str(best, "url")
        if not remote:
            continue
        name = PurePosixPath(remote.split("?", 1)[0]).name
        ref = f.local_media(source, folder, f"{tweet_id}-{name}", remote)
        if isinstance(ref, MediaRef):
            if ref not in refs:
                refs.append(ref)
        else:
            skipped.append(Skipped(f"{where} {tweet_id}-{name}", ref))
    return refs, skipped


def _bitrate(variant: Any) -> int:
    return f.as_int(f.get(variant, "bitrate")) or 0


def _edit_group(tweet: Any, tweet_id: str) -> tuple[str, list[str]] | None:
    """(initial id, all version ids) if this tweet is one version of an edited tweet."""
    info = f.get(tweet, "edit_info")
    initial = f.get(info, "initial")
    if initial is not None:
        ids = [i for i in f.get_list(initial, "editTweetIds") if isinstance(i, str)]
        return (tweet_id, ids) if len(ids) > 1 else None
    edit = f.get(info, "edit")
    first = f.get_str(edit, "initialTweetId")
    if first and first != tweet_id:
        ids = f.get_list(f.get(edit, "editControlInitial"), "editTweetIds")
        return first, [i for i in ids if isinstance(i, str)]
    return None


Notes = dict[dt.datetime, list[str]]


def _notes(source: ExportSource, members: Iterable[str]) -> Notes:
    """Long tweets' whole texts by their creation second (bounded by the number of notes)."""
    notes: Notes = {}
    for member in members:
        for entry in iter_items(source, member, js_prefix=True):
            note = f.get(entry, "noteTweet")
            text = f.get_str(f.get(note, "core"), "text")
            created = f.iso_utc(f.get_str(note, "createdAt"))
            if text and created is not None:
                notes.setdefault(created.replace(microsecond=0), []).append(text)
    return notes


def full_text(text: str, created: dt.datetime, notes: Notes) -> str:
    """The whole text of a tweet that tweets.js cut short, from its note; else *text*.

    The two files shorten the same link to different t.co addresses, and a reply's
    leading @mentions are in the tweet but not in its note, so both are set aside when
    the note's beginning is compared with what the tweet shows; so is the last word the
    cut may have split (a link cut to "http…").
    """
    cut = _CUT.fullmatch(text) if notes else None
    if cut is None:
        return text
    head = cut["head"].rstrip()
    mentions = _MENTIONS.match(head)
    lead = mentions.group() if mentions else ""
    for note in notes.get(created.replace(microsecond=0), ()):
        shown = _TCO.sub("t.co", note)
        for prefix, rest in (("", head), (lead, head[len(lead):])):
            key = _TCO.sub("t.co", rest)
            whole_words = key.rsplit(None, 1)[0] if len(key.split()) > 1 else key
            if whole_words and shown.startswith(whole_words) and len(note) > len(rest):
                return prefix + note + cut["links"]
    return text


def _tweets(source: ExportSource, members: Iterable[str], account: _Account,
            deleted: bool, notes: Notes) -> Iterator[ImportedItem | Skipped]:
    held: dict[str, list[tuple[int, ImportedItem]]] = {}
    for member in members:
        label = source.label(member)
        data_dir = str(PurePosixPath(member).parent)
        for index, entry in enumerate(iter_items(source, member, js_prefix=True)):
            where = f"{label}[{index}]"
            tweet = f.get(entry, "tweet") if f.get(entry, "tweet") is not None else entry
            tweet_id = f.get_str(tweet, "id_str") or f.get_str(tweet, "id")
            text = f.get_str(tweet, "full_text")
            if text is None:
                text = f.get_str(tweet, "text")
            if not tweet_id or not (tweet_id.isascii() and tweet_id.isdigit()) or text is None:
                yield Skipped(where, "tweet lacks an id or a text")
                continue
            created = parse_created_at(f.get_str(tweet, "created_at"))
            if created is None:
                yield Skipped(where, "tweet has no valid created_at")
                continue
            refs, missing = _media(source, data_dir, tweet, tweet_id, deleted, where)
            yield from missing
            parent = f.get_str(tweet, "in_reply_to_status_id_str")
            item = ImportedItem(
                platform_id=tweet_id,
                kind="reply" if parent else "post",
                parent_id=parent or None,
                author_handle=account.handle,
                author_name=account.name,
                is_own=True,
                created=created,
                edited=None,
                text=clean_text(full_text(unescape(text), created, notes)),
                url=account.status_url(tweet_id),
                media=tuple(refs),
                deleted=deleted,
            )
            group = _edit_group(tweet, tweet_id)
            if group is None:
                yield item
                continue
            first, ids = group
            order = ids.index(tweet_id) if tweet_id in ids else len(ids)
            held.setdefault(first, []).append((order, item))
    for first in sorted(held, key=lambda i: (len(i), i)):
        versions = sorted(held[first], key=lambda pair: (pair[0], pair[1].created))
        original = versions[0][1]
        for n, (_, item) in enumerate(versions):
            yield ImportedItem(
                **{**item.__dict__, "platform_id": first, "created": original.created,
                   "edited": None if n == 0 else item.created})


def _messages(source: ExportSource, members: Iterable[str],
              account: _Account) -> Iterator[ImportedItem | Skipped]:
    for member in members:
        label = source.label(member)
        for index, entry in enumerate(iter_items(source, member, js_prefix=True)):
            conv = f.get(entry, "dmConversation")
            thread = f.get_str(conv, "conversationId")
            for n, message in enumerate(f.get_list(conv, "messages")):
                where = f"{label}[{index}].messages[{n}]"
                create = f.get(message, "messageCreate")
                if create is None:
                    continue  # joins, leaves and renames of group conversations
                msg_id = f.get_str(create, "id")
                text = f.get_str(create, "text")
                created = f.iso_utc(f.get_str(create, "createdAt"))
                if not msg_id or text is None or created is None or not thread:
                    yield Skipped(where, "message lacks an id, text, time or conversation")
                    continue
                sender = f.get_str(create, "senderId")
                own = None if account.id is None or sender is None else sender == account.id
                recipient = f.get_str(create, "recipientId")
                yield ImportedItem(
                    platform_id=f"dm:{msg_id}",
                    kind="message",
                    parent_id=None,
                    author_handle=account.handle if own else sender,
                    author_name=account.name if own else None,
                    is_own=own,
                    created=created,
                    edited=None,
                    text=clean_text(text),
                    url=None,
                    thread_id=thread,
                    recipients=(recipient,) if recipient else (),
                )


def read(source: ExportSource, found: list[Found]) -> Iterator[ImportedItem | Skipped]:
    """Tweets, then deleted tweets, then direct messages; long tweets' notes first."""
    account = _Account(source, found)
    records = sorted((x for x in found if x.role == RECORDS), key=lambda x: x.member)
    tweets = [x.member for x in records if x.kind in _TWEET_FILES]
    deleted = [x.member for x in records if x.kind == "deleted_tweets"]
    dms = [x.member for x in records if x.kind in ("direct_messages", "direct_messages_group")]
    notes = _notes(source, [x.member for x in records if x.kind in ("note_tweet", "deleted_note_tweet")])
    yield from _tweets(source, tweets, account, False, notes)
    yield from _tweets(source, deleted, account, True, notes)
    yield from _messages(source, dms, account)
