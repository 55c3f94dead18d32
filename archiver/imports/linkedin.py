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
from collections.abc import Iterator
from urllib.parse import unquote

from archiver.imports import fields as f
from archiver.imports.csvstream import iter_rows
from archiver.imports.model import ImportedItem, Skipped
from archiver.imports.source import ExportSource
from archiver.imports.textfix import IdMinter, clean_text

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


def read(source: ExportSource) -> Iterator[ImportedItem | Skipped]:
    """Shares first, then comments."""
    author = _author(source)
    minter = IdMinter("li")
    members = list(source.members())
    for member in (m for m in members if _SHARES.search(m)):
        label = source.label(member)
        for index, row in enumerate(iter_rows(source, member), start=2):
            where = f"{label} row {index}"
            link = row.get("sharelink", "").strip()
            created = _date(row.get("date"))
            if created is None:
                yield Skipped(where, "share has no valid Date")
                continue
            text = clean_text(row.get("sharecommentary", ""))
            urn = post_urn(link) if link else None
            yield ImportedItem(
                platform_id=urn or minter.mint("post", int(created.timestamp()), link, text),
                kind="post",
                parent_id=None,
                author_handle=None,
                author_name=author,
                is_own=True,
                created=created,
                edited=None,
                text=text,
                url=link or None,
            )
    for member in (m for m in members if _COMMENTS.search(m)):
        label = source.label(member)
        for index, row in enumerate(iter_rows(source, member), start=2):
            where = f"{label} row {index}"
            link = row.get("link", "").strip()
            created = _date(row.get("date"))
            if created is None:
                yield Skipped(where, "comment has no valid Date")
                continue
            text = clean_text(row.get("message", ""))
            own_urn = _COMMENT_URN.search(unquote(link))
            base_link = link.split("?", 1)[0]
            yield ImportedItem(
                platform_id=own_urn.group(0) if own_urn
                else minter.mint("comment", int(created.timestamp()), base_link, text),
                kind="comment",
                parent_id=post_urn(link) if link else None,
                author_handle=None,
                author_name=author,
                is_own=True,
                created=created,
                edited=None,
                text=text,
                url=link or None,
            )
