"""Facebook "Download your information" export, JSON format.

Structure (confirmed against public parsers and sample excerpts of real exports, see
``fixtures/exports/README.md``):

* posts: ``your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_<n>.json``
  (2024 layout) or ``posts/your_posts_<n>.json`` (older): a JSON array of
  ``{"timestamp": epoch, "data": [{"post": text}, {"update_timestamp": epoch}],
  "attachments": [{"data": [{"media": {"uri": ...}} | {"external_context": {"url": ...}}]}],
  "title": "..."}``
* comments: ``your_facebook_activity/comments_and_reactions/comments.json`` (or
  ``comments_and_reactions/comments.json``, ``comments/comments.json``):
  ``{"comments_v2": [{"timestamp", "data": [{"comment": {"timestamp", "comment",
  "author"}}], "title": "X replied to Y's comment."}]}``
* owner: ``profile_information/profile_information.json`` with ``profile_v2.name.full_name``
  and ``profile_v2.profile_uri``.

Every string is Meta mojibake and is repaired. The export gives no ids and does not
say which post a comment belongs to, so ids are derived (``IdMinter``) and comments'
``parent_id`` is None. Replies are told from comments by the entry title ("replied to",
Swedish "svarade på").
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
    r"(?:^|/)(?:your_facebook_activity/)?posts/"
    r"your_posts(?:__check_ins__photos_and_videos)?_\d+\.(json|html)$"
)
_COMMENTS = re.compile(
    r"(?:^|/)(?:your_facebook_activity/)?comments(?:_and_reactions)?/comments\.(json|html)$"
)
_PROFILE = re.compile(r"(?:^|/)profile_information/profile_information\.json$")
_REPLY_WORDS = ("replied to", "svarade på")


def _base(member: str, match: re.Match[str]) -> str:
    """The folder the export's relative media uris start from."""
    return member[: match.start()].strip("/")


def detect(source: ExportSource) -> bool:
    return any(_POSTS.search(m) or _COMMENTS.search(m) for m in source.members())


def _owner(source: ExportSource) -> tuple[str | None, str | None]:
    for member in source.members():
        if _PROFILE.search(member):
            data = load_small(source, member)
            profile = f.get(data, "profile_v2") or f.get(data, "profile")
            name = f.get_str(f.get(profile, "name"), "full_name")
            uri = f.get_str(profile, "profile_uri")
            handle = uri.rstrip("/").rsplit("/", 1)[-1] if uri else None
            return (
                clean_text(handle, meta=True) if handle else None,
                clean_text(name, meta=True) if name else None,
            )
    return None, None


def _media(
    source: ExportSource, base: str, entry: Any, where: str
) -> tuple[list[MediaRef], list[Skipped], bool]:
    """Media files of an entry, the reasons for any left out, and whether it links out."""
    refs: list[MediaRef] = []
    skipped: list[Skipped] = []
    links = False
    for attachment in f.get_list(entry, "attachments"):
        for datum in f.get_list(attachment, "data"):
            if f.get_str(f.get(datum, "external_context"), "url"):
                links = True
            media = f.get(datum, "media")
            uris = [f.get_str(media, "uri")]
            uris += [f.get_str(m, "uri") for m in f.get_list(f.get(datum, "note"), "media")]
            for uri in uris:
                if not uri:
                    continue
                ref = f.local_media(source, base, uri)
                if isinstance(ref, MediaRef):
                    refs.append(ref)
                else:
                    skipped.append(Skipped(where, ref))
    return refs, skipped, links


def _posts(
    source: ExportSource, member: str, base: str, owner: tuple[str | None, str | None],
    minter: IdMinter,
) -> Iterator[ImportedItem | Skipped]:
    label = source.label(member)
    for index, entry in enumerate(iter_items(source, member)):
        where = f"{label}[{index}]"
        if not isinstance(entry, dict):
            yield Skipped(where, "entry is not an object")
            continue
        epoch = f.as_epoch(entry.get("timestamp"))
        if epoch is None:
            yield Skipped(where, "post has no valid timestamp")
            continue
        text = ""
        updated: int | None = None
        for datum in f.get_list(entry, "data"):
            post = f.get_str(datum, "post")
            if post is not None:
                text = clean_text(post, meta=True)
            stamp = f.as_epoch(f.get(datum, "update_timestamp"))
            if stamp is not None:
                updated = stamp
        refs, missing, links = _media(source, base, entry, where)
        yield from missing
        if not text and not refs and not links:
            yield Skipped(where, "entry has no text, media or link (a check-in or life event)")
            continue
        anchor = PurePosixPath(refs[0].path).name if refs else ""
        yield ImportedItem(
            platform_id=minter.mint("post", epoch, anchor, text),
            kind="post",
            parent_id=None,
            author_handle=owner[0],
            author_name=owner[1],
            is_own=True,
            created=f.epoch_utc(epoch),
            edited=f.epoch_utc(updated) if updated is not None and updated > epoch else None,
            text=text,
            url=None,
            media=tuple(refs),
        )


def _comments(
    source: ExportSource, member: str, base: str, owner: tuple[str | None, str | None],
    minter: IdMinter,
) -> Iterator[ImportedItem | Skipped]:
    label = source.label(member)
    prefix = top_level_kind(source, member, ("comments_v2", "comments"))
    if prefix is None:
        raise BadInputError(
            f"{label}: has no 'comments_v2' list; this is not a Facebook comments file "
            "(re-download the export in JSON format)"
        )
    for index, entry in enumerate(iter_items(source, member, prefix)):
        where = f"{label}[{index}]"
        if not isinstance(entry, dict):
            yield Skipped(where, "entry is not an object")
            continue
        comment = next(
            (f.get(d, "comment") for d in f.get_list(entry, "data") if f.get(d, "comment")), None
        )
        if not isinstance(comment, dict):
            yield Skipped(where, "entry holds no comment")
            continue
        epoch = f.as_epoch(comment.get("timestamp")) or f.as_epoch(entry.get("timestamp"))
        if epoch is None:
            yield Skipped(where, "comment has no valid timestamp")
            continue
        text = clean_text(f.get_str(comment, "comment") or "", meta=True)
        author = f.get_str(comment, "author")
        title = clean_text(f.get_str(entry, "title") or "", meta=True).lower()
        kind = "reply" if any(word in title for word in _REPLY_WORDS) else "comment"
        refs, missing, _ = _media(source, base, entry, where)
        yield from missing
        yield ImportedItem(
            platform_id=minter.mint(kind, epoch, "", text),
            kind=kind,
            parent_id=None,
            author_handle=owner[0],
            author_name=clean_text(author, meta=True) if author else owner[1],
            is_own=True,
            created=f.epoch_utc(epoch),
            edited=None,
            text=text,
            url=None,
            media=tuple(refs),
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
                f"{source.label(member)}: this Facebook export is in HTML format; request a "
                "new one with Format: JSON"
            )
    minter = IdMinter("fb")
    for member, match in posts:
        yield from _posts(source, member, _base(member, match), owner, minter)
    for member, match in comments:
        yield from _comments(source, member, _base(member, match), owner, minter)
