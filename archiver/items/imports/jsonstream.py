"""Streaming JSON arrays out of export members, with clear errors for broken files.

A Facebook page's posts file can be hundreds of MB; ``json.load`` would hold it all in
memory several times over. ijson (yajl C backend) yields one entry at a time, so memory
stays flat whatever the export's size.

ijson keeps, for every open level, the path to it as a string ("item.item.item…"), so a
file nested 100,000 deep costs it 25 GB. ``_DepthGuard`` refuses such nesting before
ijson sees it: it counts brackets per 16 KiB piece (C-speed ``bytes.count``) and looks
closer only at a piece that is mostly opening brackets. It does not parse strings, so a
text full of unbalanced ``[`` could count too; real exports nest a dozen levels deep. It
also counts the bytes since the last quote, to refuse a value too long to be real.
"""

from __future__ import annotations

import codecs
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import ijson

from archiver.errors import BadInputError
from archiver.items.imports.source import ExportSource

_FIX = "re-download the export"


def _check_encoding(head: bytes, label: str) -> int:
    """Return how many leading bytes to skip (a UTF-8 BOM), or raise for non-UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return 3
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        enc = "UTF-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4]:
        enc = "UTF-16"
    else:
        return 0
    raise BadInputError(
        f"{label}: is {enc}-encoded, but exports are UTF-8; re-download the export "
        "instead of re-saving the file"
    )


class _Prefixed:
    """A read() stream that starts with bytes already taken from the underlying one."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0 or size >= len(self._head):
                out, self._head = self._head, b""
                more = self._rest.read(-1 if size < 0 else size - len(out))
                return out + more
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._rest.read(size)

    def close(self) -> None:
        self._rest.close()


MAX_DEPTH = 4096
"""Deeper nesting than this is refused (ijson's memory grows with the square of the depth)."""
MAX_VALUE = 4 << 20
"""A stretch this long without a quote is refused: no export holds a text or number of
4 MiB (a post's text is at most some 63,000 characters, 60 times less), and ijson reads
a long string at about 1 MiB/s here, so a 2 GiB line would cost it half an hour."""
_PIECE = 16 * 1024


class _DepthGuard:
    """A read() stream that refuses JSON nested deeper than MAX_DEPTH (see the module docstring)."""

    def __init__(self, stream: _Prefixed, label: str) -> None:
        self._stream = stream
        self._label = label
        self._depth = 0
        self._unquoted = 0  # bytes read since the last quote

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(min(size, _PIECE) if size >= 0 else -1)
        opens = chunk.count(b"[") + chunk.count(b"{")
        if opens:
            peak = self._depth + opens
            if peak > MAX_DEPTH:
                peak = self._depth + max(itertools.accumulate(
                    1 if c in b"[{" else -1 if c in b"]}" else 0 for c in chunk), default=0)
            if peak > MAX_DEPTH:
                raise BadInputError(f"{self._label}: is nested more than {MAX_DEPTH} levels deep, which no "
                                    f"export is; {_FIX}")
        self._depth = max(0, self._depth + opens - chunk.count(b"]") - chunk.count(b"}"))
        last_quote = chunk.rfind(b'"')
        self._unquoted = len(chunk) - 1 - last_quote if last_quote >= 0 else self._unquoted + len(chunk)
        if self._unquoted > MAX_VALUE:
            raise BadInputError(f"{self._label}: holds a single value longer than {MAX_VALUE >> 20} MiB, which no "
                                f"export does; {_FIX}")
        return chunk

    def close(self) -> None:
        self._stream.close()


def open_json(source: ExportSource, member: str, *, js_prefix: bool = False) -> _DepthGuard:
    label = source.label(member)
    stream = source.open_member(member)
    try:
        head = stream.read(4096)
        head = head[_check_encoding(head, label):]
        if js_prefix:
            head = _strip_js_assignment(head, label)
    except BaseException:
        stream.close()  # a refused file is not left open for the garbage collector
        raise
    return _DepthGuard(_Prefixed(head, stream), label)


def _strip_js_assignment(head: bytes, label: str) -> bytes:
    """Drop X's ``window.YTD.tweets.part0 =`` so the rest is plain JSON."""
    stripped = head.lstrip()
    if stripped[:1] in (b"[", b"{"):
        return stripped
    eq = stripped.find(b"=")
    if not stripped.startswith(b"window.") or eq < 0 or eq > 200:
        raise BadInputError(
            f"{label}: does not start with the 'window.YTD.<name>.part<N> =' line of an X "
            f"archive file; {_FIX}"
        )
    return stripped[eq + 1 :]


def error_line(source: ExportSource, member: str, *, js_prefix: bool = False) -> int | None:
    """The line of a file's first JSON syntax error, found again with the stdlib parser.

    ijson reports no position, and a line number is what lets a user look at the fault.
    Only files up to 64 MiB are read a second time; larger ones are reported without one.
    """
    if source.member_size(member) > 64 * 1024 * 1024:
        return None
    with source.open_member(member) as fh:
        raw = fh.read().removeprefix(codecs.BOM_UTF8)
    # The same cut as open_json's, so the line is counted from the file's own first line.
    body = _strip_js_assignment(raw, source.label(member)) if js_prefix else raw
    offset = raw[: len(raw) - len(body)].count(b"\n")
    try:
        json.loads(body.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        return exc.lineno + offset
    except (ValueError, RecursionError):
        return None
    return None


def wrap_errors(items: Iterator[Any], label: str,
                locate: Callable[[], int | None] | None = None) -> Iterator[Any]:
    """ijson's errors as one BadInputError naming the file, the fault and, if known, the line."""
    try:
        yield from items
    except ijson.JSONError as exc:
        # yajl hands its message over as bytes when the text it quotes is not UTF-8.
        said = exc.args[0] if exc.args else ""
        text = said.decode("utf-8", errors="replace") if isinstance(said, bytes) else str(said)
        first = text.strip().splitlines()[0] if text.strip() else "malformed"
        if "premature EOF" in first or isinstance(exc, ijson.IncompleteJSONError) and (
            "EOF" in first
        ):
            reason = "ends in the middle of the data (truncated download)"
        elif "UTF8" in first:
            reason = "holds bytes that are not UTF-8"
        else:
            reason = f"is not valid JSON ({first})"
        line = locate() if locate is not None else None
        where = f"{label} line {line}" if line else label
        raise BadInputError(f"{where}: {reason}; {_FIX}") from None


def iter_items(
    source: ExportSource, member: str, prefix: str = "item", *, js_prefix: bool = False
) -> Iterator[Any]:
    """Yield the entries under ``prefix`` one by one; raise BadInputError on broken JSON."""
    label = source.label(member)
    stream = open_json(source, member, js_prefix=js_prefix)
    try:
        yield from wrap_errors(ijson.items(stream, prefix, use_float=True), label,
                               lambda: error_line(source, member, js_prefix=js_prefix))
    finally:
        stream.close()


def load_small(source: ExportSource, member: str, *, js_prefix: bool = False) -> Any:
    """Read a small whole JSON value (profile, account files), capped at 4 MiB."""
    label = source.label(member)
    if source.member_size(member) > 4 * 1024 * 1024:
        raise BadInputError(f"{label}: is implausibly large for a profile file; {_FIX}")
    stream = open_json(source, member, js_prefix=js_prefix)
    try:
        values = list(wrap_errors(ijson.items(stream, "", use_float=True), label,
                                  lambda: error_line(source, member, js_prefix=js_prefix)))
    finally:
        stream.close()
    return values[0] if values else None
