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
from typing import Any

from archiver.items.imports import fields as f
from archiver.items.imports.jsonstream import load_small
from archiver.items.imports.meta import MetaExport, Owner, entries, media_refs, own_item, post_id
from archiver.items.imports.model import ImportedItem, MediaRef, Skipped
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter, clean_text

_EXPORT = MetaExport(
    platform="Facebook",
    id_prefix="fb",
    posts=re.compile(
        r"(?:^|/)(?:your_facebook_activity/)?posts/"
        r"your_posts(?:__check_ins__photos_and_videos)?_\d+\.(json|html)$"
    ),
    comments=re.compile(
        r"(?:^|/)(?:your_facebook_activity/)?comments(?:_and_reactions)?/comments\.(json|html)$"
    ),
)
_PROFILE = re.compile(r"(?:^|/)profile_information/profile_information\.json$")
_REPLY_WORDS = ("replied to", "svarade på")


def detect(source: ExportSource) -> bool:
    return _EXPORT.detect(source)


def _owner(source: ExportSource) -> Owner:
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
    uris: list[str | None] = []
    links = False
    for attachment in f.get_list(entry, "attachments"):
        for datum in f.get_list(attachment, "data"):
            if f.get_str(f.get(datum, "external_context"), "url"):
                links = True
            uris.append(f.get_str(f.get(datum, "media"), "uri"))
            uris += [f.get_str(m, "uri") for m in f.get_list(f.get(datum, "note"), "media")]
    refs, skipped = media_refs(source, base, uris, where)
    return refs, skipped, links


def _posts(
    source: ExportSource, member: str, base: str, owner: Owner, minter: IdMinter
) -> Iterator[ImportedItem | Skipped]:
    for where, entry in entries(source, member):
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
        yield own_item(
            owner, post_id(minter, epoch, text, refs), "post", epoch, text, refs, edited=updated
        )


def _comments(
    source: ExportSource, member: str, base: str, owner: Owner, minter: IdMinter
) -> Iterator[ImportedItem | Skipped]:
    comments = _EXPORT.comment_entries(
        source, member, ("comments_v2", "comments"), "'comments_v2' list"
    )
    for where, entry in comments:
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
        # Comments on others' posts name their author; the owner is the fallback.
        written_by = (owner[0], clean_text(author, meta=True)) if author else owner
        yield own_item(written_by, minter.mint(kind, epoch, "", text), kind, epoch, text, refs)


def read(source: ExportSource) -> Iterator[ImportedItem | Skipped]:
    """Posts first, then comments, each file in sorted member order."""
    return _EXPORT.read(source, _owner, _posts, _comments)
