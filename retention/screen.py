"""Sensitive-data screen for captured posts, comments and messages.

A citizen's comment becomes an allmän handling the moment it is posted, so the
archive will hold whatever people chose to write: identity numbers, phone
numbers, home addresses, and details of illness or contact with the social
services. OSL 21:1, 21:3, 21:7 and 26:1 and DSL 3:10 make those details the
ones a records officer must consider before anything is released or shown.
This module *flags* them for that human review and can produce a masked
preview; it never decides anything by itself.

Design choices, and why:

* Identity numbers are validated by check digit and date with the
  ``personnummer`` package rather than a home-grown Luhn, so one audited
  implementation decides what counts as a number. Only validated candidates
  are flagged, which keeps order and invoice numbers out of the review queue.
* Every other detector is a regular expression compiled once: the built-in
  ones lazily on first use, the term list once per :class:`Terms`. Screening
  must keep up with bulk imports of hundreds of thousands of comments.
* The term list is data (``retention/data/sensitive_terms_sv.txt``, read by
  :mod:`retention.terms`) so that a municipality can adapt it without a code change.
* Findings carry spans into the *original* string. The text is never
  lower-cased or normalised first, because that can change its length and
  would make spans point at the wrong characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from personnummer import personnummer as _pnr

from retention.finding import ADDRESS, EMAIL, PERSONNUMMER, PHONE, SAMORDNINGSNUMMER, TERM, Finding
from retention.terms import Terms, default_terms, load_terms

__all__ = [
    "Finding",
    "Screen",
    "Terms",
    "load_terms",
    "mask",
    "screen_text",
]

_CATEGORY_LABELS: Mapping[str, str] = MappingProxyType(
    {"health": "hälsa", "social-services": "soc"}
)
"""Swedish placeholder labels for masked terms; unknown categories show their own name."""


# ----------------------------------------------------------------- fixed patterns

_SP = r"[ \u00a0]"  # a space as typed, including the no-break space word processors insert
_DASH = "-\u2010\u2011\u2012\u2013\u2212"  # hyphen-minus and the dashes that replace it

_STREET_SUFFIX = (
    "gatan|gata|vägen|väg|gränden|gränd|torget|torg|stigen|stig|backen|backe|"
    "allén|allé|allee|alle|platsen|plan|leden|kajen|gången|slingan|esplanaden|"
    "promenaden|stråket"
)
# Lower-case street names are common in comments, but only these suffixes are
# distinctive enough not to catch "arbetsplan 3" or "parkeringsplatsen 12".
_STREET_SUFFIX_LOWER = "gatan|vägen|gränden|gränd|allén"
_STREET_WORD_SEPARATE = "väg|gata|gränd|allé|torg|plan|backe|stig"
_STREET_PREFIX_WORD = "Östra|Västra|Norra|Södra|Stora|Lilla|Gamla|Nya|Övre|Nedre|Sankt|Sankta|S:t"
_UPPER = "A-ZÅÄÖÉÜ"
_UNITS = "km|m|mil|min|minuter|kr|kronor|st|år|dagar|gånger|meter|timmar|procent|sek|mm|cm"


class _Patterns(NamedTuple):
    digit: re.Pattern[str]
    identity: re.Pattern[str]
    phone: re.Pattern[str]
    phone_group: re.Pattern[str]
    not_phone: re.Pattern[str]
    email: re.Pattern[str]
    address: re.Pattern[str]


@functools.cache
def _patterns() -> _Patterns:
    # Compiled on first use, not at import, and then shared: they are immutable.
    identity = re.compile(
        r"(?<![0-9])(?<![0-9][-+.,/:])"
        r"(?P<century>[0-9]{2})?(?P<date>[0-9]{6})"
        rf"(?P<sep>[-+{_DASH[1:]} \u00a0]?)(?P<serial>[0-9]{{4}})"
        r"(?![0-9])(?![-+.,/:][0-9])"
    )
    phone = re.compile(
        r"(?<![\w+])(?<![0-9][-./:,])"
        rf"(?P<prefix>(?:\+|00)46{_SP}?(?:\(0\){_SP}?)?|0)"
        rf"(?P<body>[1-9][0-9]{{0,9}}(?:(?:{_SP}?[{_DASH}]{_SP}?|{_SP}|/)[0-9]{{1,8}}){{0,5}})"
        rf"(?!\w)(?![{_DASH}.,/:][0-9])"
    )
    not_phone = re.compile(
        # shaped like an identity number (valid ones are reported as such) or a date
        rf"[0-9]{{6}}[-+{_DASH[1:]} \u00a0][0-9]{{4}}"
        r"|[0-3]?[0-9][-./][01]?[0-9][-./][0-9]{2,4}"
    )
    email = re.compile(
        r"(?<![\w.%+\-])[\w.%+\-]{1,64}@"
        r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}(?![\w\-])"
    )
    street = (
        rf"(?:(?:{_STREET_PREFIX_WORD}){_SP}+)?"
        rf"(?:[{_UPPER}][\w\-]*?(?i:{_STREET_SUFFIX})"
        rf"|[a-zåäöéü][\w\-]*?(?:{_STREET_SUFFIX_LOWER}))(?!\w)"
        rf"|(?:[{_UPPER}][\w\-]*{_SP}+){{0,2}}[{_UPPER}][\w:\-]*s{_SP}+(?:{_STREET_WORD_SEPARATE})"
    )
    address = re.compile(
        rf"(?<![\w\-])(?:{street})"
        rf"{_SP}+[0-9]{{1,4}}(?![0-9])(?![.,:][0-9])(?!{_SP}?(?:%|(?:{_UNITS})(?!\w)))"
        rf"(?:{_SP}?[A-Z](?!\w)|[a-z](?!\w))?"
        rf"(?:,?{_SP}+[0-9]{{3}}{_SP}?[0-9]{{2}}(?![0-9])(?:{_SP}+[{_UPPER}][\w\-]*)?)?"
    )
    return _Patterns(
        digit=re.compile("[0-9]"),
        identity=identity,
        phone=phone,
        phone_group=re.compile("[0-9]+"),
        not_phone=not_phone,
        email=email,
        address=address,
    )


# ---------------------------------------------------------------------- screening


class Screen:
    """Holds compiled patterns and a term list; reuse one for bulk screening."""

    __slots__ = ("_terms", "_p")

    def __init__(self, terms: Terms | None = None) -> None:
        self._terms = terms if terms is not None else default_terms()
        self._p = _patterns()

    @property
    def terms(self) -> Terms:
        return self._terms

    def scan(self, text: str) -> list[Finding]:
        """All findings in *text*, sorted by start; kinds may overlap, a kind never does."""
        if not isinstance(text, str):
            raise TypeError(f"screen expects str, not {type(text).__name__}")
        findings: list[Finding] = []
        if self._p.digit.search(text):
            ids = self._identity_numbers(text)
            findings += ids
            findings += self._phones(text, ids)
            findings += [
                Finding(ADDRESS, m.start(), m.end(), m.group())
                for m in self._p.address.finditer(text)
            ]
        if "@" in text:
            findings += [
                Finding(EMAIL, m.start(), m.end(), m.group()) for m in self._p.email.finditer(text)
            ]
        findings += self._terms.find(text)
        findings.sort(key=lambda f: (f.start, f.end, f.kind))
        return findings

    def mask(self, text: str) -> str:
        """Shorthand for ``mask(text, self.scan(text))``."""
        return mask(text, self.scan(text))

    def _identity_numbers(self, text: str) -> list[Finding]:
        found = []
        for m in self._p.identity.finditer(text):
            sep = m["sep"]
            # personnummer's parser rejects spaces and typographic dashes; they
            # mean the same as "-" (the "+" of centenarians is kept as it is).
            if sep not in ("", "-", "+"):
                sep = "-"
            candidate = f"{m['century'] or ''}{m['date']}{sep}{m['serial']}"
            try:
                parsed = _pnr.parse(candidate)
            except (_pnr.PersonnummerException, ValueError):
                continue
            kind = SAMORDNINGSNUMMER if parsed.is_coordination_number() else PERSONNUMMER
            found.append(Finding(kind, m.start(), m.end(), m.group()))
        return found

    def _phones(self, text: str, ids: Sequence[Finding]) -> list[Finding]:
        p = self._p
        found = []
        pos = 0
        while (m := p.phone.search(text, pos)) is not None:
            # On rejection resume right after the match start: a rejected
            # candidate may have swallowed the start of a real number.
            pos = m.start() + 1
            # The regex may swallow a trailing number ("... 45 67 2 gånger");
            # drop trailing digit groups until the length fits a Swedish number.
            groups = list(p.phone_group.finditer(m["body"]))
            base = m.start("body")
            for n in range(len(groups), 0, -1):
                nsn = "".join(g.group() for g in groups[:n])
                end = base + groups[n - 1].end()
                kind = _phone_kind(nsn)
                if kind is None:
                    continue
                span = text[m.start() : end]
                if p.not_phone.fullmatch(span) or any(
                    f.start < end and m.start() < f.end for f in ids
                ):
                    break
                found.append(Finding(PHONE, m.start(), end, span, kind))
                pos = end
                break
        return found


def _phone_kind(nsn: str) -> str | None:
    """Classify a national significant number (digits after 0 or +46)."""
    if nsn.startswith("7"):
        return "mobile" if len(nsn) == 9 else None
    return "landline" if 7 <= len(nsn) <= 9 else None


def screen_text(text: str, *, terms: Terms | None = None) -> list[Finding]:
    """Screen one text; for many texts build one :class:`Screen` and call ``scan``."""
    return Screen(terms).scan(text)


# ------------------------------------------------------------------------ masking


def mask(text: str, findings: Sequence[Finding]) -> str:
    """Return *text* with each finding's sensitive part hidden, the rest kept readable.

    Identity numbers are starred whole ("******-****": the first six digits are the
    person's birth date, which with a name is enough to find them), phones keep their area code
    ("070-*** ** **"), e-mail addresses their domain ("a***@example.se"),
    street addresses their street and town with digits hidden, and terms turn
    into their category ("[hälsa]", "[soc]"; labels are chosen not to be terms
    themselves, so screening a masked text finds nothing new). Overlapping
    findings are merged: the widest is masked as its kind and the overhang has
    its letters and digits starred, so no flagged character survives.
    """
    for f in findings:
        if not (0 <= f.start <= f.end <= len(text)) or text[f.start : f.end] != f.match:
            raise ValueError(
                f"finding {f.kind} at {f.start}:{f.end} does not match the text; "
                "mask() needs the findings of this exact text"
            )
    ordered = sorted((f for f in findings if f.end > f.start), key=lambda f: (f.start, -f.end))
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(ordered):
        cluster = [ordered[i]]
        end = ordered[i].end
        i += 1
        while i < len(ordered) and ordered[i].start < end:
            cluster.append(ordered[i])
            end = max(end, ordered[i].end)
            i += 1
        start = cluster[0].start
        main = max(cluster, key=lambda f: f.end - f.start)
        out.append(text[pos:start])
        out.append(_blot(text[start : main.start]))
        out.append(_mask_one(main))
        out.append(_blot(text[main.end : end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _blot(s: str) -> str:
    return re.sub(r"[^\W_]", "*", s)


def _mask_one(f: Finding) -> str:
    s = f.match
    if f.kind in (PERSONNUMMER, SAMORDNINGSNUMMER):
        # every digit: the date part is the birth date, identifying together with a name
        return _blot(s)
    if f.kind == PHONE:
        return _mask_phone(s)
    if f.kind == EMAIL:
        local, at, domain = s.rpartition("@")
        return f"{local[:1]}***@{domain}" if at else _blot(s)
    if f.kind == ADDRESS:
        s = re.sub(r"(?<=[0-9])([ \u00a0]?)[A-Za-z](?!\w)", r"\1*", s)
        return re.sub("[0-9]", "*", s)
    if f.kind == TERM:
        return f"[{_CATEGORY_LABELS.get(f.detail, f.detail or 'känsligt')}]"
    return _blot(s)


def _mask_phone(s: str) -> str:
    m = re.match(r"(?:\+46|0046|0)?[ \u00a0]?(?:\(0\)[ \u00a0]?)?", s)
    head = m.group() if m else ""
    rest = s[len(head) :]
    first = re.match("[0-9]+", rest)
    if first is None:
        return head + re.sub("[0-9]", "*", rest)
    digits = first.group()
    keep = len(digits) if len(digits) <= 3 else (2 if digits.startswith("7") else 1)
    return head + rest[:keep] + re.sub("[0-9]", "*", rest[keep:])
