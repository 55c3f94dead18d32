"""What Facebook's and Instagram's "Download your information" exports have in common.

Both come out of the same Meta export tool, so they share more than their look: posts
files and comments files are found by name wherever a wrapping folder puts them (which
moves the folder that media uris are relative to), the user picks JSON or HTML when
asking for the export and only JSON can be read, some lists are wrapped in an object and
others are not, no entry has an id, and everything in them is the account's own. The
two readers differ only in the shape of an entry; the rest is done once here so that a
fix for one platform cannot miss the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from archiver.errors import BadInputError
from archiver.items.imports import fields as f
from archiver.items.imports.jsonstream import iter_items, top_level_kind
from archiver.items.imports.model import ImportedItem, MediaRef, Skipped
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter

Owner = tuple[str | None, str | None]
"""The export's account as (handle, display name); either may be unknown."""

FileReader = Callable[[ExportSource, str, str, Owner, IdMinter], Iterator[ImportedItem | Skipped]]
"""Reads one posts or comments file: (source, member, media base, owner, minter)."""


@dataclass(frozen=True)
class MetaExport:
    """Where one Meta platform keeps its files, and how it is named to the user.

    ``posts`` and ``comments`` match member paths; their first group is the file's
    extension (``json`` or ``html``), and where the match starts is the top of the
    export as Meta wrote it, the folder media uris start from.
    """

    platform: str
    id_prefix: str
    posts: re.Pattern[str]
    comments: re.Pattern[str]

    def detect(self, source: ExportSource) -> bool:
        return any(self.posts.search(m) or self.comments.search(m) for m in source.members())

    def read(
        self,
        source: ExportSource,
        owner: Callable[[ExportSource], Owner],
        read_posts: FileReader,
        read_comments: FileReader,
    ) -> Iterator[ImportedItem | Skipped]:
        """Posts first, then comments, each file in sorted member order.

        Every file is checked for the HTML format before any is read, so an HTML export
        fails at once with the fix instead of after a partial import. One minter serves
        the whole export, because derived ids must not collide across files.
        """
        who = owner(source)
        posts, comments = [], []
        for member in source.members():
            if (m := self.posts.search(member)) is not None:
                posts.append((member, m))
            elif (m := self.comments.search(member)) is not None:
                comments.append((member, m))
        for member, match in posts + comments:
            if match.group(1) == "html":
                raise BadInputError(
                    f"{source.label(member)}: this {self.platform} export is in HTML format; "
                    "request a new one with Format: JSON"
                )
        minter = IdMinter(self.id_prefix)
        for member, match in posts:
            yield from read_posts(source, member, _base(member, match), who, minter)
        for member, match in comments:
            yield from read_comments(source, member, _base(member, match), who, minter)

    def comment_entries(
        self, source: ExportSource, member: str, keys: tuple[str, ...], expected: str
    ) -> Iterator[tuple[str, Any]]:
        """The entries of a comments file, whichever of ``keys`` wraps their list.

        Meta has moved comments between a bare list and lists under several keys; a
        file with none of them is not a comments file at all, so it fails the import
        rather than being skipped entry by entry. ``expected`` names what was missing.
        """
        prefix = top_level_kind(source, member, keys)
        if prefix is None:
            article = "an" if self.platform[:1] in "AEIOU" else "a"  # "an Instagram ..."
            raise BadInputError(
                f"{source.label(member)}: has no {expected}; this is not {article} "
                f"{self.platform} comments file (re-download the export in JSON format)"
            )
        return entries(source, member, prefix)


def _base(member: str, match: re.Match[str]) -> str:
    """The folder the export's relative media uris start from."""
    return member[: match.start()].strip("/")


def entries(source: ExportSource, member: str, prefix: str = "item") -> Iterator[tuple[str, Any]]:
    """Each entry of a JSON list with the place a ``Skipped`` names: ``label[index]``."""
    label = source.label(member)
    for index, entry in enumerate(iter_items(source, member, prefix)):
        yield f"{label}[{index}]", entry


def media_refs(
    source: ExportSource, base: str, uris: Iterable[str | None], where: str
) -> tuple[list[MediaRef], list[Skipped]]:
    """The files an entry names that the export holds, and why any others are left out.

    A missing or unsafe file costs the entry that file, not the entry itself.
    """
    refs: list[MediaRef] = []
    skipped: list[Skipped] = []
    for uri in uris:
        if not uri:
            continue
        ref = f.local_media(source, base, uri)
        if isinstance(ref, MediaRef):
            refs.append(ref)
        else:
            skipped.append(Skipped(where, ref))
    return refs, skipped


def post_id(minter: IdMinter, epoch: int, text: str, refs: list[MediaRef]) -> str:
    """A post's derived id, anchored on its first media file's name.

    The file name survives an edit of the caption, so the edited post keeps its id.
    """
    anchor = PurePosixPath(refs[0].path).name if refs else ""
    return minter.mint("post", epoch, anchor, text)


def own_item(
    owner: Owner,
    platform_id: str,
    kind: str,
    epoch: int,
    text: str,
    media: Iterable[MediaRef] = (),
    edited: int | None = None,
) -> ImportedItem:
    """An item of the export's own account: Meta gives neither a parent nor a URL."""
    return ImportedItem(
        platform_id=platform_id,
        kind=kind,
        parent_id=None,
        author_handle=owner[0],
        author_name=owner[1],
        is_own=True,
        created=f.epoch_utc(epoch),
        edited=f.epoch_utc(edited) if edited is not None and edited > epoch else None,
        text=text,
        url=None,
        media=tuple(media),
    )
