"""YouTube comments from a Google Takeout export (CSV).

Structure (confirmed against public Takeout parsers and their tests, see
``fixtures/exports/README.md``): ``Takeout/YouTube and YouTube Music/comments/comments.csv``.
Its columns have moved and changed case over the years, so they are read by name:

* before June 2024: ``Comment ID, Channel ID, Comment Create Timestamp, Price,
  Parent Comment ID, Video ID, Comment Text`` with the text as
  ``{"takeoutSegments":[{"text":"..."}]}``;
* from June 2024: ``Channel ID, Comment Create Timestamp, Price, Comment ID,
  Parent Comment ID, Video ID, Comment Text`` with the text as a comma-separated run of
  segments ``{"text":"..."},{"text":"\\n"}``;
* later: ``Comment ID, Channel ID, Comment create timestamp, Price, Parent comment ID,
  Post ID, Video ID, Comment text, Top-level comment ID``.

Even older exports stored the text plain; a text that is not segment JSON is taken as is.
The channel's title comes from ``channels/channel.csv`` when present. A top-level
comment's parent is its video (or community post) id, a reply's is the comment it
answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from archiver.items.imports import fields as f
from archiver.items.imports.csvstream import iter_rows, read_header
from archiver.items.imports.model import ImportedItem, Skipped
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import clean_text

_COMMENTS = re.compile(r"(?:^|/)YouTube[^/]*/comments/comments\.csv$", re.IGNORECASE)
_CHANNEL = re.compile(r"(?:^|/)YouTube[^/]*/channels?/channel\.csv$", re.IGNORECASE)


def detect(source: ExportSource) -> bool:
    for member in source.members():
        if _COMMENTS.search(member):
            header = read_header(source, member)
            return "comment id" in header and "video id" in header
    return False


def comment_text(cell: str) -> str:
    """The plain text of a Takeout comment cell, whichever of its forms it is in."""
    stripped = cell.strip()
    if not stripped.startswith("{"):
        return cell
    try:
        parsed: Any = json.loads(f"[{stripped}]")
    except ValueError:
        return cell
    segments = parsed
    if len(parsed) == 1 and isinstance(parsed[0], dict) and "takeoutSegments" in parsed[0]:
        segments = parsed[0]["takeoutSegments"]
    if not isinstance(segments, list):
        return cell
    texts = [f.get_str(s, "text") for s in segments]
    if not all(isinstance(t, str) for t in texts):
        return cell
    return "".join(t for t in texts if t is not None)


def _channels(source: ExportSource) -> dict[str, str]:
    names: dict[str, str] = {}
    for member in source.members():
        if _CHANNEL.search(member):
            for row in iter_rows(source, member):
                title = row.get("channel title (original)") or row.get("channel title")
                if row.get("channel id") and title:
                    names[row["channel id"]] = clean_text(title)
    return names


def read(source: ExportSource) -> Iterator[ImportedItem | Skipped]:
    names = _channels(source)
    for member in source.members():
        if not _COMMENTS.search(member):
            continue
        label = source.label(member)
        for index, row in enumerate(iter_rows(source, member), start=2):
            where = f"{label} row {index}"
            comment_id = row.get("comment id", "").strip()
            created = f.iso_utc(row.get("comment create timestamp"))
            if not comment_id or created is None:
                yield Skipped(where, "comment lacks an id or a valid timestamp")
                continue
            parent = row.get("parent comment id", "").strip()
            video = row.get("video id", "").strip()
            post = row.get("post id", "").strip()
            channel = row.get("channel id", "").strip() or None
            if video:
                url = f"https://www.youtube.com/watch?v={video}&lc={comment_id}"
            elif post:
                url = f"https://www.youtube.com/post/{post}?lc={comment_id}"
            else:
                url = None
            yield ImportedItem(
                platform_id=comment_id,
                kind="reply" if parent else "comment",
                parent_id=parent or video or post or None,
                author_handle=channel,
                author_name=names.get(channel or ""),
                is_own=True,
                created=created,
                edited=None,
                text=clean_text(comment_text(row.get("comment text", ""))),
                url=url,
            )
