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
from pathlib import PurePosixPath
from typing import Any

from archiver.errors import BadInputError
from archiver.imports import fields as f
from archiver.imports.jsonstream import iter_items, load_small, top_level_kind
from archiver.imports.model import ImportedItem, MediaRef, Skipped
from archiver.imports.source import ExportSource
from archiver.imports.textfix import IdMinter, clean_text

_POSTS = re.compile(
    r"(?:^|/)(?:your_instagram_activity/)?(?:content|media)/posts_\d+\.(json|html)$"
)
_COMMENTS = re.compile(
    r"(?:^|/)(?:your_instagram_activity/)?comments/"
    r"(?:post_comments(?:_\d+)?|reels_comments)\.(json|html)$"
)
_PROFILE = re.compile(
    r"(?:^|/)personal_information/(?:personal_information/)?personal_information\.json$"
)
_COMMENT_KEYS = ("comments_media_comments", "comments_reels_comments", "comments_story_comments")

Owner = tuple[str | None, str | None]


def detect(source: ExportSource) -> bool:
    return any(_POSTS.search(m) or _COMMENTS.search(m) for m in source.members())


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
    label = source.label(member)
    for index, entry in enumerate(iter_items(source, member)):
        where = f"{label}[{index}]"
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
        refs: list[MediaRef] = []
        for item in media:
            uri = f.get_str(item, "uri")
            if not uri:
                continue
            ref = f.local_media(source, base, uri)
            if isinstance(ref, MediaRef):
                refs.append(ref)
            else:
                yield Skipped(where, ref)
        anchor = PurePosixPath(refs[0].path).name if refs else ""
        yield ImportedItem(
            platform_id=minter.mint("post", epoch, anchor, text),
            kind="post",
            parent_id=None,
            author_handle=owner[0],
            author_name=owner[1],
            is_own=True,
            created=f.epoch_utc(epoch),
            edited=None,
            text=text,
            url=None,
            media=tuple(refs),
        )


def _comments(
    source: ExportSource, member: str, owner: Owner, minter: IdMinter
) -> Iterator[ImportedItem | Skipped]:
    label = source.label(member)
    prefix = top_level_kind(source, member, _COMMENT_KEYS)
    if prefix is None:
        raise BadInputError(
            f"{label}: has no list of comments; this is not an Instagram comments file "
            "(re-download the export in JSON format)"
        )
    for index, entry in enumerate(iter_items(source, member, prefix)):
        where = f"{label}[{index}]"
        text = _map_value(entry, "Comment")
        epoch = f.as_epoch(_map_value(entry, "Time", "timestamp"))
        if not isinstance(text, str) or epoch is None:
            yield Skipped(where, "comment lacks a text or a valid time")
            continue
        clean = clean_text(text, meta=True)
        on = _map_value(entry, "Media Owner")
        on_handle = clean_text(on, meta=True) if isinstance(on, str) else ""
        yield ImportedItem(
            platform_id=minter.mint("comment", epoch, on_handle, clean),
            kind="comment",
            parent_id=None,
            author_handle=owner[0],
            author_name=owner[1],
            is_own=True,
            created=f.epoch_utc(epoch),
            edited=None,
            text=clean,
            url=None,
        )


def read(source: ExportSource) -> Iterator[ImportedItem | Skipped]:
    """Posts first, then comments, each file in sorted member order."""
    owner = _owner(source)
    posts, comments = [], []
    for member in source.members():
        if (m := _POSTS.search(member)) is not None:
            posts.append((member, m))
        elif (m := _COMMENTS.search(member)) is not None:
            comments.append((member, m))
    for member, match in posts + comments:
        if match.group(1) == "html":
            raise BadInputError(
                f"{source.label(member)}: this Instagram export is in HTML format; request a "
                "new one with Format: JSON"
            )
    minter = IdMinter("ig")
    for member, match in posts:
        yield from _posts(source, member, member[: match.start()].strip("/"), owner, minter)
    for member, _ in comments:
        yield from _comments(source, member, owner, minter)
