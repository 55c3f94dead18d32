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
* ``messages.csv``: ``CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO,
  DATE, SUBJECT, CONTENT, FOLDER`` (2021 on; ``DATE`` "YYYY-MM-DD HH:MM:SS UTC"), or in
  2018 ``From, To, Date, Subject, Content, Direction, Folder`` with ``Date`` as
  "10/16/18, 8:36 AM" (no zone given; read as UTC), ``Direction`` INCOMING or OUTGOING
  and the content HTML-escaped. Each row is a ``message``; its thread is the
  conversation id, or in 2018 the other party.

2018 exports wrote some files as tab-separated UTF-16 (``csvstream`` reads them) with
spaced column names (``Share Link``, ``Share Commentary``) and dates as
"2017/06/08 08:15:44 UTC"; names are compared without spaces and both date forms read.
Newer ``Comments.csv`` files escape a quote inside a quoted cell with a backslash
(``\\"``) instead of doubling it; a file that holds that sequence is read so.

Files are known by their header row (``sniff``), wherever they sit. Two LinkedIn habits
are read as the text they stand for: a multi-line ``ShareCommentary`` has each of its
lines wrapped in its own doubled quotes (``"first""\n""second""\n""third"``), and a
multi-line ``Message`` in ``Comments.csv`` is written without any quoting, so its later
lines arrive as rows of their own that do not start with a date. LinkedIn writes one
Shares row per attached media URL; consecutive rows of one share are one post.

Post ids are the URN from the link; a comment's id is its commentUrn when present, else
derived (``IdMinter``: kind, time and the link commented on). A comment's parent is the
URN of the post in its link, so comments on the account's own posts attach to them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator
from urllib.parse import unquote

from archiver.items.imports import fields as f
from archiver.items.imports.csvstream import iter_lines, iter_rows
from archiver.items.imports.model import ImportedItem, Skipped
from archiver.items.imports.sniff import OWNER, RECORDS, Found, squash
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import IdMinter, clean_text

_POST_URN = re.compile(r"urn:li:(share|activity|ugcPost):(\d+)")
_COMMENT_URN = re.compile(r"urn:li:comment:\([A-Za-z]+:\d+,\d+\)")
_ROW_DATE = re.compile(r"^\d{4}[-/]\d\d[-/]\d\d \d\d:\d\d:\d\d(?: UTC)?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}), (\d{1,2}):(\d\d) ([AP])M$")


def _date(value: str | None) -> dt.datetime | None:
    """"2024-05-01 10:00:00", "2021-06-15 16:37:00 UTC", "2017/06/08 08:15:44 UTC"."""
    if not value:
        return None
    text = value.strip().removesuffix(" UTC")
    if _ROW_DATE.match(text):
        text = text.replace("/", "-")
    return f.iso_utc(text.replace(" ", "T", 1))


def _us_date(value: str | None) -> dt.datetime | None:
    """2018's "10/16/18, 8:36 AM" (month first, as LinkedIn wrote it); UTC assumed."""
    match = _US_DATE.match((value or "").strip())
    if match is None:
        return _date(value)
    month, day, year, hour, minute, half = match.groups()
    try:
        return dt.datetime(2000 + int(year), int(month), int(day), int(hour) % 12
                           + (12 if half == "P" else 0), int(minute), tzinfo=dt.UTC)
    except ValueError:
        return None


def _backslash_quotes(source: ExportSource, member: str) -> bool:
    """Whether the file escapes quotes as backslash-quote (newer Comments.csv)."""
    tail = b""
    with source.open_member(member) as fh:
        while chunk := fh.read(1 << 20):
            if b'\\"' in tail + chunk:
                return True
            tail = chunk[-1:]
    return False


def post_urn(link: str) -> str | None:
    match = _POST_URN.search(unquote(link))
    return f"urn:li:{match.group(1)}:{match.group(2)}" if match else None


def _author(source: ExportSource, found: list[Found]) -> str | None:
    for file in found:
        if file.role == OWNER:
            for row in iter_rows(source, file.member):
                name = " ".join(
                    p for p in (row.get("first name", ""), row.get("last name", "")) if p
                ).strip()
                return clean_text(name) or None
    return None


def unwrap_lines(cell: str) -> str:
    """Undo LinkedIn's per-line quoting of a multi-line cell, where it is consistent.

    Every line but the first must start with a quote and every line but the last end
    with one; anything else is taken as written, so genuine quotes are never lost.
    """
    lines = cell.replace("\r\n", "\n").split("\n")
    if len(lines) < 2:
        return cell  # one line: no line end to make plain
    if not all(line.startswith('"') for line in lines[1:]) or not all(
            line.endswith('"') for line in lines[:-1]):
        return cell.replace("\r\n", "\n")
    inner = [lines[0][:-1], *(line[1:-1] for line in lines[1:-1]), lines[-1][1:]]
    return "\n".join(inner).rstrip("\n")


def rows(source: ExportSource, member: str, *,
         starts_row: Callable[[list[str]], bool] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` with unquoted continuation lines joined back onto their row.

    A row starts with a date; a line that does not is the rest of the previous row's
    last cell (its commas were read as separators, so its cells are joined with them).
    """
    header: list[str] | None = None
    current: tuple[int, list[str]] | None = None
    for line, cells in iter_lines(source, member, backslash_quotes=_backslash_quotes(source, member)):
        if header is None:
            header = [squash(h) for h in cells]
            continue
        starts = bool(cells) and (starts_row(cells) if starts_row is not None
                                  else _ROW_DATE.match(cells[0].strip()) is not None)
        if current is not None and not starts:
            current[1][-1] += "\n" + ",".join(cells)
            continue
        if current is not None:
            yield current[0], dict(zip(header, current[1], strict=False))
        current = (line, list(cells)) if cells else None
    if current is not None and header is not None:
        yield current[0], dict(zip(header, current[1], strict=False))


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
    members: list[str],
    *,
    kind: str,
    what: str,
    link_column: str,
    text_column: str,
    ids: _IdRule,
    author: str | None,
    minter: IdMinter,
) -> Iterator[ImportedItem | Skipped]:
    """The rows of every CSV in ``members``, as the account's own items.

    Shares.csv and Comments.csv are the same table under other column names: a UTC
    Date, a link and a text per row; they differ only in how ids are found. ``what``
    names the row in a Skipped reason.
    """
    for member in members:
        label = source.label(member)
        last_link: str | None = None
        for line, row in rows(source, member):
            link = row.get(link_column, "").strip()
            if kind == "post" and link and link == last_link:
                continue  # another media URL of the share just read
            last_link = link
            created = _date(row.get("date"))
            if created is None:
                yield Skipped(f"{label} line {line}", f"{what} has no valid Date")
                continue
            body = clean_text(unwrap_lines(row.get(text_column, "")).rstrip("\n"))
            if not body and kind == "post":
                body = clean_text(row.get("sharedurl", "").strip())
            platform_id, parent_id = ids(minter, link, created, body)
            yield ImportedItem(
                platform_id=platform_id,
                kind=kind,
                parent_id=parent_id,
                author_handle=None,
                author_name=author,
                is_own=True,
                created=created,
                edited=None,
                text=body,
                url=link or None,
            )


def _owner_url(source: ExportSource, member: str) -> str | None:
    """The account's own profile URL: the sender found in the most conversations (the
    export says nowhere which sender it is, and its display name need not be Profile.csv's)."""
    seen: dict[str, set[str]] = {}
    for _, row in rows(source, member, starts_row=_any_row):
        url, conversation = row.get("senderprofileurl", "").strip(), row.get("conversationid", "")
        if url and conversation:
            seen.setdefault(url, set()).add(conversation)
    ranked = sorted(((len(c), u) for u, c in seen.items()), reverse=True)
    if ranked and ranked[0][0] >= 2 and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
        return ranked[0][1]
    return None


def _any_row(cells: list[str]) -> bool:
    return True


def _messages(source: ExportSource, members: list[str], author: str | None,
              minter: IdMinter) -> Iterator[ImportedItem | Skipped]:
    for member in members:
        label = source.label(member)
        owner_url = _owner_url(source, member)
        for line, row in rows(source, member, starts_row=_any_row):
            old = "direction" in row  # the 2018 layout
            created = _us_date(row.get("date")) if old else _date(row.get("date"))
            sender = clean_text(row.get("from", "")).strip()
            if created is not None and not sender:
                yield Skipped(f"{label} line {line}", "a conversation event (someone joined or "
                              "left), not a message: it has no sender")
                continue
            if created is None:
                yield Skipped(f"{label} line {line}", "message has no valid Date")
                continue
            other = clean_text(row.get("to", "")).strip()
            body = row.get("content", "")
            subject = row.get("subject", "").strip()
            url = row.get("senderprofileurl", "").strip()
            own: bool | None
            if old:
                body, subject = html.unescape(body), html.unescape(subject)
                own = row.get("direction", "").upper() == "OUTGOING"
            elif owner_url is not None:
                own = url == owner_url
            else:
                own = True if author and sender == author else None
            body = clean_text(f"{subject}\n\n{body}" if subject else body).strip()
            thread = row.get("conversationid", "").strip() or (sender if old and not own else other)
            yield ImportedItem(
                platform_id=minter.mint("message", int(created.timestamp()), f"{thread}\x1f{sender}", body),
                kind="message", parent_id=None,
                author_handle=url or None,
                author_name=sender, is_own=own, created=created, edited=None, text=body,
                url=None, thread_id=thread, recipients=(other,) if other else ())


def read(source: ExportSource, found: list[Found]) -> Iterator[ImportedItem | Skipped]:
    """Shares first, then comments, then messages."""
    author = _author(source, found)
    minter = IdMinter("li")
    shares = sorted(x.member for x in found if x.role == RECORDS and x.kind == "shares")
    comments = sorted(x.member for x in found if x.role == RECORDS and x.kind == "comments")
    yield from _items(
        source, shares, kind="post", what="share", link_column="sharelink",
        text_column="sharecommentary", ids=_share_ids, author=author, minter=minter,
    )
    yield from _items(
        source, comments, kind="comment", what="comment", link_column="link",
        text_column="message", ids=_comment_ids, author=author, minter=minter,
    )
    messages = sorted(x.member for x in found if x.role == RECORDS and x.kind == "messages")
    yield from _messages(source, messages, author, minter)
