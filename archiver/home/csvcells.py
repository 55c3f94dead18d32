"""CSV that a spreadsheet opens as data, never as formulas (OWASP's CSV injection rule).

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
tab or carriage return let such a cell hide behind white space. An account's purpose
or a post's text comes from people outside the archive, so every text cell we write
that starts with one of these gets a leading apostrophe, which the spreadsheet shows
as text and does not evaluate. Numbers are written as they are: they cannot carry a
formula, and a negative count stays a number. Every CSV the engine writes goes through
`writer`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def neutralise(value: Any) -> Any:
    """The cell as a spreadsheet should take it: text starting with a trigger is quoted."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` with every text cell neutralised."""

    def __init__(self, out: _Writable, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(v) for v in row])


def writer(out: _Writable, **kwargs: Any) -> SafeWriter:
    return SafeWriter(out, **kwargs)


BOM = "\ufeff"
"""Written first, it tells Excel the file is UTF-8 (without it Excel reads å, ä, ö as cp1252)."""
