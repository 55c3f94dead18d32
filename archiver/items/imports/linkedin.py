"""LinkedIn "Get a copy of your data" export (CSV files in a zip).

Structure (confirmed against public descriptions of real exports, see
``fixtures/exports/README.md``):

* ``Shares.csv``: ``Date, ShareLink, ShareCommentary, SharedUrl, MediaUrl, Visibility``;
  ``Date`` is "YYYY-MM-DD HH:MM:SS" in UTC, ``ShareLink`` is the post's URL and holds its
  URN (``urn:li:share:<n>``, ``urn:li:activity:<n>`` or ``urn:li:ugcPost:<n>``, often
  percent-encoded).
* ``Comments.csv``: ``Date, Link, Message``; ``Link`` is the post commented on, newer
  exports append ``?commentUrn=urn:li:comment:(activity:<n>,<m>)``.
* ``Profile.csv``: ``First Name, Last Name, ...`` for the author's name.

Post ids are the URN from the link; a comment's id is its commentUrn when present, else
derived (``IdMinter``: kind, time and the link commented on). A comment's parent is the
URN of the post in its link, so comments on the account's own posts attach to them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from urllib.parse import unquote

from archiver.items.imports import fields as f
from archiver.items.imports.csvstream import iter_rows
from archiver.items.imports.model import ImportedItem, Skipped
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter, clean_text

# LinkedIn zips are flat (sometimes inside one folder); the capitalised names keep a
# Takeout "comments/comments.csv" from matching.
_SHARES = re.compile(r"^(?:[^/]+/)?Shares\.csv$")
_COMMENTS = re.compile(r"^(?:[^/]+/)?Comments\.csv$")
_PROFILE = re.compile(r"^(?:[^/]+/)?Profile\.csv$")
_POST_URN = re.compile(r"urn:li:(share|activity|ugcPost):(\d+)")
_COMMENT_URN = re.compile(r"urn:li:comment:\([A-Za-z]+:\d+,\d+\)")


def detect(source: ExportSource) -> bool:
    return any(_SHARES.search(m) or _COMMENTS.search(m) for m in source.members())


def _date(value: str | None) -> dt.datetime | None:
    return f.iso_utc(value.replace(" ", "T", 1) if value else None)


def post_urn(link: str) -> str | None:
    match = _POST_URN.search(unquote(link))
    return f"urn:li:{match.group(1)}:{match.group(2)}" if match else None


def _author(source: ExportSource) -> str | None:
    for member in source.members():
        if _PROFILE.search(member):
            for row in iter_rows(source, member):
                name = " ".join(
                    p for p in (row.get("first name", ""), row.get("last name", "")) if p
                ).strip()
                return clean_text(name) or None
    return None


_IdRule = Callable[[IdMinter, str, dt.datetime, str], tuple[str, str | None]]
"""(minter, link, created, text) to the row's (platform id, parent id)."""


def _share_ids(minter: IdMinter, link: str, created: dt.datetime, text: str) -> tuple[str, str | None]:
    """A share is the URN in its link; one without gets a derived id."""
    urn = post_urn(link) if link else None
    return urn or minter.mint("post", int(created.timestamp()), link, text), None


def _comment_ids(minter: IdMinter, link: str, created: dt.datetime, text: str) -> tuple[str, str | None]:
    """A comment is its commentUrn where newer exports give one; its parent is the post linked."""
    own_urn = _COMMENT_URN.search(unquote(link))
    base_link = link.split("?", 1)[0]
    platform_id = (
        own_urn.group(0) if own_urn
        else minter.mint("comment", int(created.timestamp()), base_link, text)
    )
    return platform_id, post_urn(link) if link else None


def _items(
    source: ExportSource,
    files: re.Pattern[str],
    *,
    kind: str,
    what: str,
    link_column: str,
    text_column: str,
    ids: _IdRule,
    author: str | None,
    minter: IdMinter,
) -> Iterator[ImportedItem | Skipped]:
    """The rows of every CSV that ``files`` matches, as the account's own items.

    Shares.csv and Comments.csv are the same table under other column names: a UTC
    Date, a link and a text per row; they differ only in how ids are found. ``what``
    names the row in a Skipped reason.
    """
    for member in (m for m in source.members() if files.search(m)):
        label = source.label(member)
        for index, row in enumerate(iter_rows(source, member), start=2):  # row 1: header
            link = row.get(link_column, "").strip()
            created = _date(row.get("date"))
            if created is None:
                yield Skipped(f"{label} row {index}", f"{what} has no valid Date")
                continue
            text = clean_text(row.get(text_column, ""))
            platform_id, parent_id = ids(minter, link, created, text)
            yield ImportedItem(
                platform_id=platform_id,
                kind=kind,
                parent_id=parent_id,
                author_handle=None,
                author_name=author,
                is_own=True,
                created=created,
                edited=None,
                text=text,
                url=link or None,
            )


def read(source: ExportSource) -> Iterator[ImportedItem | Skipped]:
    """Shares first, then comments."""
    author = _author(source)
    minter = IdMinter("li")
    yield from _items(
        source, _SHARES, kind="post", what="share", link_column="sharelink",
        text_column="sharecommentary", ids=_share_ids, author=author, minter=minter,
    )
    yield from _items(
        source, _COMMENTS, kind="comment", what="comment", link_column="link",
        text_column="message", ids=_comment_ids, author=author, minter=minter,
    )
