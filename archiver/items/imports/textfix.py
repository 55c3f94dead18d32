"""Text repair and the rule for deriving ids where an export has none.

Meta's exports (Facebook, Instagram) write every non-ASCII character as one ``\\u00XX``
escape per UTF-8 byte, so "ä" arrives as "Ã¤". A public record must keep the exact text,
so the bytes are put back together, but only when doing so is unambiguous: the string
must consist of code points below 256 only and those must form valid UTF-8. Correct
text almost never passes that test (any "ä" typed as itself is a lone 0xE4, invalid
UTF-8; any emoji is above 255), so correct text is left untouched.
"""

from __future__ import annotations

import hashlib
import unicodedata


def repair_mojibake(text: str) -> str:
    """Undo Meta's byte-per-escape encoding when the string round-trips, else return it as is."""
    if text.isascii():
        return text
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return text  # has characters above U+00FF, so it was not byte-escaped
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return text  # genuine Latin-1 range text such as "Välkommen"


def clean_text(text: str, *, meta: bool = False) -> str:
    """The form stored in the catalogue: repaired (for Meta exports) and NFC-normalised.

    NFC so that the same visible text from two exports (one decomposed, one composed)
    compares equal when the catalogue looks for edits.
    """
    if meta:
        text = repair_mojibake(text)
    return unicodedata.normalize("NFC", text)


def mojibake(text: str) -> str:
    """Escape text the way Meta's exports do; the fixtures and tests need the inverse."""
    return text.encode("utf-8").decode("latin-1")


class IdMinter:
    """Derives stable ids for items the export gives no id.

    Rule: ``<prefix>:`` + the first 16 hex digits of SHA-256 over
    ``kind \\x1f creation-epoch-seconds \\x1f anchor``, where ``anchor`` is something the
    platform keeps fixed across edits (the basename of the first media file, or the
    URL of the thing commented on), or empty. The text is deliberately left out so that
    an edited post keeps its id in the next export and becomes a new *version* of the
    same item instead of a new item.

    Two entries of one export with the same key (two text-only posts in the same second)
    would collide; the second and later get the normalised text mixed in
    (``... \\x1f text``), which is stable as long as that text is not edited. One
    entry per export-wide key is remembered, which costs a few MB for 100,000 items.
    """

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._seen: set[str] = set()

    def _digest(self, *parts: str) -> str:
        joined = "\x1f".join(parts).encode("utf-8")
        return f"{self._prefix}:{hashlib.sha256(joined).hexdigest()[:16]}"

    def mint(self, kind: str, epoch: int | None, anchor: str, text: str) -> str:
        stamp = "" if epoch is None else str(epoch)
        first = self._digest(kind, stamp, anchor)
        if first not in self._seen:
            self._seen.add(first)
            return first
        norm = " ".join(unicodedata.normalize("NFC", text).split())
        n = 1
        candidate = self._digest(kind, stamp, anchor, norm)
        while candidate in self._seen:
            n += 1  # identical text too: fall back to the order within the export
            candidate = self._digest(kind, stamp, anchor, norm, str(n))
        self._seen.add(candidate)
        return candidate
