"""Instagram "Download your information" export, JSON format.

Structure (confirmed against public parsers of real exports, see
``fixtures/exports/README.md``):

* posts: ``your_instagram_activity/content/posts_<n>.json`` (2024 layout) or
  ``content/posts_<n>.json``: an array of ``{"media": [{"uri", "creation_timestamp",
  "title"}], "title"?, "creation_timestamp"?}``. A single-image post carries its caption
  and time on ``media[0]``; a carousel carries them on the entry itself.
* comments: ``.../comments/post_comments_<n>.json`` (an array) or the older
  ``comments/post_comments.json`` / ``comments.json`` (``{"comments_media_comments": [...]}``),
  and ``reels_comments.json`` (``{"comments_reels_comments": [...]}``); each entry is
  ``{"string_map_data": {"Comment": {"value"}, "Media Owner": {"value"},
  "Time": {"timestamp"}}}``.
* owner: ``personal_information/personal_information.json``:
  ``{"profile_user": [{"string_map_data": {"Username": {"value"}, "Name": {"value"}}}]}``.

Strings are Meta mojibake and are repaired. No ids and no link from a comment to its
post: ids are derived (``IdMinter``) and ``parent_id`` is None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from archiver.items.imports import fields as f
from archiver.items.imports.jsonstream import load_small
from archiver.items.imports.meta import MetaExport, Owner, entries, media_refs, own_item, post_id
from archiver.items.imports.model import ImportedItem, Skipped
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter, clean_text

_EXPORT = MetaExport(
    platform="Instagram",
    id_prefix="ig",
    posts=re.compile(
        r"(?:^|/)(?:your_instagram_activity/)?(?:content|media)/posts_\d+\.(json|html)$"
    ),
    comments=re.compile(
        r"(?:^|/)(?:your_instagram_activity/)?comments/"
        r"(?:post_comments(?:_\d+)?|reels_comments)\.(json|html)$"
    ),
)
_PROFILE = re.compile(
    r"(?:^|/)personal_information/(?:personal_information/)?personal_information\.json$"
)
_COMMENT_KEYS = ("comments_media_comments", "comments_reels_comments", "comments_story_comments")


def detect(source: ExportSource) -> bool:
    return _EXPORT.detect(source)


def _map_value(entry: Any, key: str, field: str = "value") -> Any:
    return f.get(f.get(f.get(entry, "string_map_data"), key), field)


def _owner(source: ExportSource) -> Owner:
    for member in source.members():
        if _PROFILE.search(member):
            users = f.get_list(load_small(source, member), "profile_user")
            user = users[0] if users else None
            handle, name = _map_value(user, "Username"), _map_value(user, "Name")
            return (
                clean_text(handle, meta=True) if isinstance(handle, str) else None,
                clean_text(name, meta=True) if isinstance(name, str) else None,
            )
    return None, None


def _posts(
    source: ExportSource, member: str, base: str, owner: Owner, minter: IdMinter
) -> Iterator[ImportedItem | Skipped]:
    for where, entry in entries(source, member):
        media = [m for m in f.get_list(entry, "media") if isinstance(m, dict)]
        if not isinstance(entry, dict) or not media:
            yield Skipped(where, "entry is not a post with media")
            continue
        first = media[0]
        epoch = f.as_epoch(entry.get("creation_timestamp")) or f.as_epoch(
            first.get("creation_timestamp")
        )
        if epoch is None:
            yield Skipped(where, "post has no valid creation_timestamp")
            continue
        caption = f.get_str(entry, "title")
        if caption is None:
            caption = f.get_str(first, "title") or ""
        text = clean_text(caption, meta=True)
        refs, missing = media_refs(source, base, (f.get_str(m, "uri") for m in media), where)
        yield from missing
        yield own_item(owner, post_id(minter, epoch, text, refs), "post", epoch, text, refs)


def _comments(
    source: ExportSource, member: str, base: str, owner: Owner, minter: IdMinter
) -> Iterator[ImportedItem | Skipped]:
    """Comments carry no media, so ``base`` goes unused."""
    for where, entry in _EXPORT.comment_entries(source, member, _COMMENT_KEYS, "list of comments"):
        text = _map_value(entry, "Comment")
        epoch = f.as_epoch(_map_value(entry, "Time", "timestamp"))
        if not isinstance(text, str) or epoch is None:
            yield Skipped(where, "comment lacks a text or a valid time")
            continue
        clean = clean_text(text, meta=True)
        on = _map_value(entry, "Media Owner")
        on_handle = clean_text(on, meta=True) if isinstance(on, str) else ""
        yield own_item(owner, minter.mint("comment", epoch, on_handle, clean), "comment", epoch, clean)


def read(source: ExportSource) -> Iterator[ImportedItem | Skipped]:
    """Posts first, then comments, each file in sorted member order."""
    return _EXPORT.read(source, _owner, _posts, _comments)
