"""Streaming CSV rows out of export members (LinkedIn, Google Takeout).

Both platforms write RFC 4180 CSV in UTF-8, sometimes with a BOM, with quoted cells
that span lines. The reader is strict, so a file cut off inside a quoted cell is
reported as truncated rather than silently yielding half a post. Any other encoding
is refused: guessing Latin-1 versus Windows-1252 would risk storing a wrong record.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from archiver.errors import BadInputError
from archiver.items.imports.source import ExportSource

_FIX = "re-download the export instead of re-saving the file"


def _reject_non_utf8_bom(head: bytes, label: str) -> None:
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        enc = "UTF-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4]:
        enc = "UTF-16"
    else:
        return
    raise BadInputError(f"{label}: is {enc}-encoded, but the export must be UTF-8; {_FIX}")


def iter_lines(source: ExportSource, member: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, cells)`` for every row, the header included (line 1).

    ``line`` is where the row starts in the file, for messages that point at it.
    """
    label = source.label(member)
    raw = source.open_member(member)
    buffered = io.BufferedReader(raw)  # type: ignore[type-var]
    try:
        _reject_non_utf8_bom(buffered.peek(4)[:4], label)
    except BaseException:
        buffered.close()  # a refused file is not left open for the garbage collector
        raise
    text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="strict", newline="")
    line = 0
    try:
        reader = csv.reader(text, strict=True)
        for row in reader:
            start = line + 1
            line = reader.line_num
            yield start, row
    except UnicodeDecodeError as exc:
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
        head = raw.read(8192)
    finally:
        raw.close()
    _reject_non_utf8_bom(head[:4], label)
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    return [h.strip().strip('"').lower() for h in next(csv.reader([first]), [])]
