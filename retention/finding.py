"""What the screen reports: a flagged span of a text, and the kinds of finding."""

from __future__ import annotations

from dataclasses import dataclass

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
TERM = "term"
KINDS = (PERSONNUMMER, SAMORDNINGSNUMMER, PHONE, EMAIL, ADDRESS, TERM)


@dataclass(frozen=True)
class Finding:
    """One flagged span of a text.

    ``start``/``end`` index the original ``str`` (end exclusive) and ``match``
    is exactly ``text[start:end]``, so callers can highlight or mask without
    re-searching. ``detail`` carries the term category for ``kind == "term"``
    and ``"mobile"``/``"landline"`` for phones.
    """

    kind: str
    start: int
    end: int
    match: str
    detail: str = ""
