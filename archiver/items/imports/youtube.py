"""YouTube comments from a Google Takeout export (CSV).

Structure (confirmed against public Takeout parsers and their tests, see
``fixtures/exports/README.md``, and a real German export): ``Takeout/YouTube and YouTube
Music/comments/comments.csv``, named in the account's language (``Kommentare.csv``).
Files are known by their columns, in any language (``youtube_columns``); the columns have
moved and changed case over the years:

* before June 2024: ``Comment ID, Channel ID, Comment Create Timestamp, Price,
  Parent Comment ID, Video ID, Comment Text`` with the text as
  ``{"takeoutSegments":[{"text":"..."}]}``;
* from June 2024: ``Channel ID, Comment Create Timestamp, Price, Comment ID,
  Parent Comment ID, Video ID, Comment Text`` with the text as a comma-separated run of
  segments ``{"text":"..."},{"text":"\\n"}``;
* later: ``Comment ID, Channel ID, Comment create timestamp, Price, Parent comment ID,
  Post ID, Video ID, Comment text, Top-level comment ID``.

``live chats/live chats.csv`` (``Live Chat ID, Channel ID, Live Chat Create Timestamp,
Price, Video ID, Live Chat Text``) holds what the channel wrote in its streams' chats; each
message is read as a comment on the stream's video.
Takeout's JSON form of the same table (a list of objects keyed by the column names) is
read alike. Even older exports stored the text plain; a text that is not segment JSON is taken as is.
The channel's title comes from ``channels/channel.csv`` when present. A top-level
comment's parent is its video (or community post) id, a reply's is the comment it
answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from archiver.errors import BadInputError
from archiver.items.imports import fields as f
from archiver.items.imports import youtube_columns
from archiver.items.imports.csvstream import iter_lines
from archiver.items.imports.jsonstream import iter_items
from archiver.items.imports.model import ImportedItem, Skipped
from archiver.items.imports.sniff import OWNER, RECORDS, Found
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import clean_text
from archiver.items.imports.youtube_columns import Roles


def comment_text(cell: str) -> str:
    """The plain text of a Takeout comment cell, whichever of its forms it is in."""
    stripped = cell.strip()
    if not stripped.startswith("{"):
        return cell
    try:
        parsed: Any = json.loads(f"[{stripped}]")
    except (ValueError, RecursionError):
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


def _channels(source: ExportSource, found: list[Found]) -> dict[str, str]:
    names: dict[str, str] = {}
    for file in found:
        if file.role != OWNER:
            continue
        roles: Roles | None = None
        for _, cells in iter_lines(source, file.member):
            if roles is None:
                roles = youtube_columns.channel_roles(cells)
                if roles is None:
                    break
                continue
            channel, title = (_cell(cells, roles, "channel_id"), _cell(cells, roles, "title"))
            if channel and title:
                names[channel] = clean_text(title)
    return names


def _cell(cells: list[str], roles: Roles, role: str) -> str:
    index = roles.get(role)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _csv_rows(source: ExportSource, member: str) -> Iterator[tuple[str, dict[str, str]]]:
    label = source.label(member)
    header: list[str] | None = None
    roles: Roles | None = None
    for line, cells in iter_lines(source, member):
        if header is None:
            header = cells
            roles = youtube_columns.csv_roles(source, member, [h.strip().lower() for h in cells])
            if roles is None:
                raise BadInputError(f"{label}: its columns are not those of a YouTube comments "
                                    "file; check the file or the --format given")
            continue
        if not any(c.strip() for c in cells):
            continue  # Takeout ends its files with blank lines
        assert roles is not None
        raw_text = cells[roles["text"]] if roles["text"] < len(cells) else ""
        yield f"{label} line {line}", {role: _cell(cells, roles, role) for role in roles} | {
            "text": raw_text}


def _json_rows(source: ExportSource, member: str) -> Iterator[tuple[str, dict[str, str]]]:
    label = source.label(member)
    for index, entry in enumerate(iter_items(source, member)):
        where = f"{label}[{index}]"
        roles = youtube_columns.json_roles(entry.keys()) if isinstance(entry, dict) else None
        if roles is None or not isinstance(entry, dict):
            yield where, {}
            continue
        keys = list(entry)
        yield where, {role: entry[keys[i]] if isinstance(entry[keys[i]], str) else ""
                      for role, i in roles.items()}


def read(source: ExportSource, found: list[Found]) -> Iterator[ImportedItem | Skipped]:
    names = _channels(source, found)
    for file in sorted((x for x in found if x.role == RECORDS), key=lambda x: x.member):
        rows = _json_rows if file.kind == "comments_json" else _csv_rows
        for where, row in rows(source, file.member):
            comment_id = row.get("comment_id", "").strip()
            created = f.iso_utc(row.get("created"))
            if not comment_id or created is None:
                yield Skipped(where, "comment lacks an id or a valid timestamp")
                continue
            parent = row.get("parent_id", "").strip()
            video = row.get("video_id", "").strip()
            post = row.get("post_id", "").strip()
            channel = row.get("channel_id", "").strip() or None
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
                text=clean_text(comment_text(row.get("text", ""))),
                url=url,
            )
