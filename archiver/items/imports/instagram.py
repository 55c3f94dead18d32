"""Instagram "Download your information" export, JSON format, every year's layout.

Files are found by content (``sniff``): ``content/posts_1.json``,
``your_instagram_activity/content/posts_1.json``, ``media/posts_1.json`` or a bare
``posts_1.json`` read alike. Shapes read:

* posts: a list of ``{"media": [{"uri", "creation_timestamp", "title"}], "title"?,
  "creation_timestamp"?}``. A single-image post carries its caption and time on
  ``media[0]``; a carousel on the entry itself. IGTV and reels come as
  ``{"ig_igtv_media": [post, …]}`` / ``ig_reels_media``, alone or as entries of a list;
  Posts the account archived (hid from its profile) come as ``{"ig_archived_post_media":
  [post, …]}`` and are posts like the others: they were published. Stories come as
  ``{"ig_stories": [media, …]}``, each entry one media object with its own time and
  title, and are read as posts with that one file.
  ``ig_profile_picture`` entries are profile photos, not posts, and are skipped.
* comments: ``{"comments_media_comments" | "comments_reels_comments" | …: [...]}`` or a
  bare list; each entry is ``{"string_map_data": {"Comment": {"value"}, "Media Owner":
  {"value"}, "Time": {"timestamp"}}}`` (2022 on) or ``{"title": <media owner>,
  "string_list_data": [{"value", "timestamp"}]}`` (before).
* messages: the same thread format as Messenger (``meta``).
* owner: ``personal_information.json``: ``{"profile_user": [{"string_map_data":
  {"Username": {"value"}, "Name": {"value"}}}]}``.

Strings are Meta mojibake and are repaired. No ids and no link from a comment to its
post: ids are derived (``IdMinter``) and ``parent_id`` is None.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archiver.items.imports import fields as f
from archiver.items.imports import meta
from archiver.items.imports.jsonstream import load_small
from archiver.items.imports.meta import Owner, media_refs, own_item, post_id, text
from archiver.items.imports.model import ImportedItem, Skipped
from archiver.items.imports.sniff import OWNER, Found
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter

_POST_LISTS = ("ig_igtv_media", "ig_reels_media", "ig_archived_post_media")
_STORY_LISTS = ("ig_stories",)
_COMMENT_LISTS = ("comments_media_comments", "comments_reels_comments", "comments_story_comments")


def _map_value(entry: Any, key: str, field: str = "value") -> Any:
    return f.get(f.get(f.get(entry, "string_map_data"), key), field)


def _owner(source: ExportSource, found: list[Found]) -> Owner:
    for file in found:
        if file.role == OWNER:
            users = f.get_list(load_small(source, file.member), "profile_user")
            user = users[0] if users else None
            return (text(_map_value(user, "Username")), text(_map_value(user, "Name")))
    return None, None


def _post(source: ExportSource, member: str, where: str, entry: dict[str, Any], owner: Owner,
          minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    media = [m for m in f.get_list(entry, "media") if isinstance(m, dict)]
    if not media:
        yield Skipped(where, "entry is not a post with media")
        return
    first = media[0]
    epoch = f.as_epoch(entry.get("creation_timestamp")) or f.as_epoch(
        first.get("creation_timestamp"))
    if epoch is None:
        yield Skipped(where, "post has no valid creation_timestamp")
        return
    caption = text(entry.get("title"))
    body = caption if caption is not None else (text(first.get("title")) or "")
    refs, missing = media_refs(source, member, (f.get_str(m, "uri") for m in media), where)
    yield from missing
    yield own_item(owner, post_id(minter, epoch, body, refs), "post", epoch, body, refs)


def _comment(where: str, entry: Any, owner: Owner,
             minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    body = text(_map_value(entry, "Comment"))
    epoch = f.as_epoch(_map_value(entry, "Time", "timestamp"))
    on = text(_map_value(entry, "Media Owner"))
    if body is None:  # the older layout
        data = next((d for d in f.get_list(entry, "string_list_data") if isinstance(d, dict)), None)
        body = text(f.get(data, "value"))
        epoch = f.as_epoch(f.get(data, "timestamp"))
        on = text(f.get(entry, "title"))
    if body is None or epoch is None:
        yield Skipped(where, "comment lacks a text or a valid time")
        return
    yield own_item(owner, minter.mint("comment", epoch, on or "", body), "comment", epoch, body)


def _entry(source: ExportSource, file: Found, where: str, entry: Any, owner: Owner,
           minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    if file.prefix.removesuffix(".item") in _STORY_LISTS:  # the stories file's entries are media
        yield from _post(source, file.member, where, {"media": [entry]}, owner, minter)
        return
    if "ig_profile_picture" in entry:
        yield Skipped(where, "profile picture, not a post")
        return
    wrapped = next((k for k in (*_POST_LISTS, *_STORY_LISTS, *_COMMENT_LISTS)
                    if isinstance(entry.get(k), list)), None)
    if wrapped is not None:
        for n, inner in enumerate(entry[wrapped]):
            inner_where = f"{where}.{wrapped}[{n}]"
            if wrapped in _COMMENT_LISTS:
                yield from _comment(inner_where, inner, owner, minter)
            elif isinstance(inner, dict) and wrapped in _STORY_LISTS:
                yield from _post(source, file.member, inner_where, {"media": [inner]}, owner, minter)
            elif isinstance(inner, dict):
                yield from _post(source, file.member, inner_where, inner, owner, minter)
            else:
                yield Skipped(inner_where, "entry is not an object")
        return
    if file.kind == "comments" or "string_map_data" in entry or "string_list_data" in entry:
        yield from _comment(where, entry, owner, minter)
    else:
        yield from _post(source, file.member, where, entry, owner, minter)


def read(source: ExportSource, found: list[Found]) -> Iterator[ImportedItem | Skipped]:
    """Posts first, then comments, then message threads, each in sorted member order."""
    yield from meta.read_records(source, found, _owner(source, found), IdMinter("ig"), _entry)
