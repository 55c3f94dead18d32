"""Which column of a Takeout comments file is which, in whatever language it was written.

Google Takeout names files and columns in the account's language: a German account gets
``Kommentare.csv`` with ``Kommentar-ID``, ``Zeitstempel der Erstellung des Kommentars`` …,
a Swedish one Swedish names. Known spellings are matched first (English in all three
layouts Takeout has used, German as in the real sample); for any other language the
columns are recognised by what they hold, since the layouts themselves are few and fixed:
a column of ISO 8601 times is the creation time, a column of ``{"text": …}`` segments is
the text, and the time's position tells the layout and so every other column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from archiver.items.imports.csvstream import iter_lines
from archiver.items.imports.source import ExportSource

Roles = dict[str, int]
"""Role name to column index: comment_id, channel_id, created, parent_id, post_id, video_id,
text, top_id."""

_NAMES: dict[str, tuple[str, ...]] = {
    "comment_id": ("comment id", "kommentar-id", "live chat id"),
    "channel_id": ("channel id", "kanal-id"),
    "created": ("comment create timestamp", "zeitstempel der erstellung des kommentars",
                "live chat create timestamp"),
    "parent_id": ("parent comment id", "übergeordnete kommentar-id"),
    "post_id": ("post id", "beitrags-id"),
    "video_id": ("video id", "video-id"),
    "text": ("comment text", "kommentartext", "live chat text"),
    "top_id": ("top-level comment id", "kommentar-id der obersten ebene"),
}
# Column orders Takeout has used; "price" is the Super Thanks amount, not read.
_LAYOUTS: tuple[tuple[str, ...], ...] = (
    ("comment_id", "channel_id", "created", "price", "parent_id", "post_id", "video_id", "text",
     "top_id"),
    ("comment_id", "channel_id", "created", "price", "parent_id", "post_id", "video_id", "text"),
    ("comment_id", "channel_id", "created", "price", "parent_id", "video_id", "text"),
    ("channel_id", "created", "price", "comment_id", "parent_id", "video_id", "text"),
    # comments without a parent column, as some exports write them; and live chats/live
    # chats.csv, what the channel wrote in a stream's chat (a comment on the stream)
    ("comment_id", "channel_id", "created", "price", "video_id", "text"),
)
_CHANNEL_NAMES = {
    "channel_id": ("channel id", "kanal-id"),
    "title": ("channel title (original)", "channel title", "kanaltitel (original)", "kanaltitel"),
}
_SAMPLE_ROWS = 20


def _by_name(header: list[str], names: dict[str, tuple[str, ...]]) -> Roles:
    index = {h.strip().lower(): i for i, h in enumerate(header)}
    return {role: index[n] for role, spellings in names.items() for n in spellings if n in index}


def _complete(roles: Roles) -> bool:
    return {"comment_id", "created", "text"} <= set(roles) and bool(
        {"video_id", "post_id"} & set(roles))


def is_time(cell: str) -> bool:
    text = cell.strip()
    if len(text) < 19 or text[4:5] != "-" or text[10:11] not in ("T", " "):
        return False
    try:
        dt.datetime.fromisoformat(text)  # reads a trailing Z since Python 3.11
    except ValueError:
        return False
    return True


def is_segments(cell: str) -> bool:
    text = cell.lstrip()
    return text.startswith(('{"text"', '{"takeoutSegments"'))


def by_content(header: list[str], rows: Iterable[list[str]]) -> Roles | None:
    """Roles from the cells of the first rows, for headers in a language we do not list."""
    sample = [r for r in rows if any(c.strip() for c in r)]
    if not sample:
        return None
    width = len(header)
    times = {i for i in range(width) if all(i < len(r) and is_time(r[i]) for r in sample)}
    texts = {i for i in range(width)
             if any(i < len(r) and is_segments(r[i]) for r in sample)}
    for layout in _LAYOUTS:
        if len(layout) == width and layout.index("created") in times and (
                layout.index("text") in texts):
            return {role: i for i, role in enumerate(layout) if role != "price"}
    return None


def csv_roles(source: ExportSource, member: str, header: list[str]) -> Roles | None:
    """The roles of a comments CSV's columns, or None if it is not one."""
    roles = _by_name(header, _NAMES)
    if _complete(roles):
        return roles
    if len(header) not in {len(layout) for layout in _LAYOUTS}:
        return None
    sample: list[list[str]] = []
    for n, (_, row) in enumerate(iter_lines(source, member)):
        if n == 0:
            continue
        sample.append(row)
        if len(sample) >= _SAMPLE_ROWS:
            break
    return by_content(header, sample)


def json_roles(keys: Iterable[str]) -> Roles | None:
    """Roles of a JSON comments record's keys (Takeout's JSON variant of the same table)."""
    names = list(keys)
    roles = _by_name(names, _NAMES)
    return roles if _complete(roles) else None


def channel_roles(header: list[str]) -> Roles | None:
    roles = _by_name(header, _CHANNEL_NAMES)
    return roles if {"channel_id", "title"} <= set(roles) else None
