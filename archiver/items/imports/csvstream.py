"""Streaming CSV rows out of export members (LinkedIn, Google Takeout).

Both platforms write RFC 4180 CSV in UTF-8, sometimes with a BOM, with quoted cells
that span lines. LinkedIn's exports of 2018 wrote some files as tab-separated UTF-16
with a byte-order mark instead; the mark names the encoding and byte order, so those are
read too, and the header line tells tabs from commas. The reader is strict, so a file
cut off inside a quoted cell is reported as truncated rather than silently yielding half
a post. Any other encoding is refused: guessing Latin-1 versus Windows-1252, or the byte
order of UTF-16 without its mark, would risk storing a wrong record.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from archiver.errors import BadInputError
from archiver.items.imports.source import ExportSource

_FIX = "re-download the export instead of re-saving the file"
_HEAD = 8192


def _encoding(head: bytes, label: str) -> str:
    """The codec the file's first bytes name: UTF-8 (BOM or not) or UTF-16 with its BOM."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise BadInputError(f"{label}: is UTF-32-encoded, but the export must be UTF-8; {_FIX}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:4]:
        raise BadInputError(f"{label}: is UTF-16-encoded without a byte-order mark, so its byte "
                            f"order would be a guess; {_FIX}")
    return "utf-8-sig"


def _header_line(head: bytes, encoding: str) -> str:
    return head.decode(encoding, errors="replace").split("\n", 1)[0]


def _delimiter(header_line: str) -> str:
    """Tab for the header line of LinkedIn's tab-separated files, else comma."""
    return "\t" if header_line.count("\t") > header_line.count(",") else ","


def iter_lines(source: ExportSource, member: str, *,
               backslash_quotes: bool = False) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, cells)`` for every row, the header included (line 1).

    ``line`` is where the row starts in the file, for messages that point at it.
    ``backslash_quotes`` reads ``\\"`` inside a quoted cell as a quote, as LinkedIn's
    newer Comments.csv writes them.
    """
    label = source.label(member)
    raw = source.open_member(member)
    buffered = io.BufferedReader(raw, buffer_size=_HEAD)  # type: ignore[type-var]
    try:
        head = buffered.peek(_HEAD)
        encoding = _encoding(head[:4], label)
    except BaseException:
        buffered.close()  # a refused file is not left open for the garbage collector
        raise
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="strict", newline="")
    line = 0
    try:
        reader = csv.reader(text, strict=True, delimiter=_delimiter(_header_line(head, encoding)),
                            escapechar="\\" if backslash_quotes else None)
        for row in reader:
            start = line + 1
            line = reader.line_num
            yield start, row
    except UnicodeDecodeError as exc:
        if encoding == "utf-16":
            raise BadInputError(f"{label}: is not valid UTF-16 (it ends in the middle of a "
                                f"character); {_FIX}") from None
        raise BadInputError(
            f"{label}: is not UTF-8 (found byte 0x{exc.object[exc.start]:02x}, likely Latin-1 "
            f"or Windows-1252); {_FIX}"
        ) from None
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            reason = "ends inside a quoted cell (truncated download)"
        else:
            reason = f"is not valid CSV near line {line + 1} ({exc})"
        raise BadInputError(f"{label}: {reason}; re-download the export") from None
    finally:
        text.close()


def iter_rows(source: ExportSource, member: str) -> Iterator[dict[str, str]]:
    """Yield each data row as ``{header: cell}``; headers are matched case-insensitively.

    Header names are lower-cased and stripped because Takeout has changed their
    capitalisation between versions ("Comment Text" vs "Comment text").
    """
    header: list[str] | None = None
    for _, row in iter_lines(source, member):
        if header is None:
            header = [h.strip().lower() for h in row]
            continue
        if not any(cell.strip() for cell in row):
            continue  # Takeout ends its files with blank lines
        yield dict(zip(header, row, strict=False))


def read_header(source: ExportSource, member: str) -> list[str]:
    """The lower-cased header row alone, for format detection."""
    label = source.label(member)
    raw = source.open_member(member)
    try:
        head = raw.read(_HEAD)
    finally:
        raw.close()
    encoding = _encoding(head[:4], label)
    first = _header_line(head, encoding)
    cells = next(csv.reader([first], delimiter=_delimiter(first)), [])
    return [h.strip().strip('"').lower() for h in cells]
