"""Search text folded the way a Swedish reader matches words: case and accents, not å, ä, ö.

SQLite's ``lower()`` and ``LIKE`` fold ASCII only, so "SNÖRÖJNING" never found
"snöröjning". ``fold`` is what both sides of a search pass through: Unicode case
folding, accents dropped (é → e, ü → u) except the ring and diaeresis that make å, ä
and ö letters of their own, and the Danish and Norwegian æ and ø read as ä and ö, as
Swedish dictionaries sort them. SQLite gets it as the function ``bevara_fold``;
PostgreSQL's own ``lower()`` already folds case in a UTF-8 database (accents there stay).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import Text, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

_KEEP = {"a\u030a": "å", "a\u0308": "ä", "o\u0308": "ö"}
_NORDIC = str.maketrans({"æ": "ä", "ø": "ö"})


def fold(text: str | None) -> str | None:
    """The form a search compares: see the module docstring."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.casefold().translate(_NORDIC))
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            pair = (out[-1] if out else "") + ch
            if pair in _KEEP:
                out[-1] = _KEEP[pair]
            continue
        out.append(ch)
    return "".join(out)


def contains(column: Any, text: str) -> Any:
    """A condition: *column* holds *text*, both folded by the database's own function.

    The pattern goes through the same SQL function as the column, so SQLite and
    PostgreSQL each compare like with like; the text's own % and _ are literal.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return folded(column).like(folded(literal("%" + escaped + "%")), escape="\\")


class folded(GenericFunction[str]):  # noqa: N801 - SQL function names are lower case
    """``folded(column)`` in a query: bevara_fold on SQLite, lower() on PostgreSQL."""

    type = Text()
    name = "bevara_fold"
    inherit_cache = True


@compiles(folded, "postgresql")
def _postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def register_sqlite(dbapi_conn: Any) -> None:
    dbapi_conn.create_function("bevara_fold", 1, fold, deterministic=True)
