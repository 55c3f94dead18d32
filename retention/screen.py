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
* The term list is data (``retention/data/sensitive_terms_sv.txt``) so that a
  municipality can adapt it without a code change; see :func:`load_terms`.
* Findings carry spans into the *original* string. The text is never
  lower-cased or normalised first, because that can change its length and
  would make spans point at the wrong characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from personnummer import personnummer as _pnr

__all__ = [
    "Finding",
    "Screen",
    "Terms",
    "load_terms",
    "mask",
    "screen_text",
]

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
TERM = "term"

DEFAULT_TERMS_RESOURCE = "sensitive_terms_sv.txt"

_CATEGORY_LABELS: Mapping[str, str] = MappingProxyType(
    {"health": "hälsa", "social-services": "soc"}
)
"""Swedish placeholder labels for masked terms; unknown categories show their own name."""


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


# --------------------------------------------------------------------------- terms


class Terms:
    """A compiled, immutable list of sensitive-matter terms grouped by category.

    Each term is matched as a whole word and case-insensitively; a trailing
    ``*`` makes it a word prefix and a leading ``*`` lets it end a compound.
    Exceptions are phrases inside which term hits are ignored (for example
    "beroende på", *depending on*), which is cheaper and clearer than making
    every term pattern context-aware.
    """

    __slots__ = ("_categories", "_exceptions", "_pattern", "_group_category", "_exception_re")

    def __init__(
        self, categories: Mapping[str, Iterable[str]], exceptions: Iterable[str] = ()
    ) -> None:
        cats: dict[str, tuple[str, ...]] = {}
        for name, specs in categories.items():
            if not name or not name.strip():
                raise ValueError("a term category needs a non-empty name")
            cats[name] = tuple(s.strip() for s in specs if s.strip())
        self._categories: Mapping[str, tuple[str, ...]] = MappingProxyType(cats)
        self._exceptions = tuple(e.strip() for e in exceptions if e.strip())
        for spec in (*(s for specs in cats.values() for s in specs), *self._exceptions):
            _check_spec(spec)

        # One pattern, one capturing group per category: ``lastindex`` names the
        # category of a hit. Each group is a character trie of its terms, so a
        # word start costs one walk down the trie instead of a try of every
        # term (a plain alternation of ~130 terms was eight times slower).
        # Inside a category longer terms win ("psykisk ohälsa" before
        # "psykisk"); between categories, the one listed first wins.
        groups = [(cat, _trie_regex(specs)) for cat, specs in cats.items() if specs]
        self._group_category: tuple[str, ...] = ("",) + tuple(cat for cat, _ in groups)
        self._pattern: re.Pattern[str] | None = None
        if groups:
            body = "|".join(f"({rx})" for _, rx in groups)
            self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
        self._exception_re: re.Pattern[str] | None = None
        if self._exceptions:
            body = "|".join(_term_regex(e) for e in self._exceptions)
            self._exception_re = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    @classmethod
    def parse(cls, source: str, *, origin: str = "<string>") -> Terms:
        """Read the term-file format (see the data file's header); errors name the line."""
        categories: dict[str, list[str]] = {}
        exceptions: list[str] = []
        current: list[str] | None = None
        for lineno, raw in enumerate(source.splitlines(), start=1):
            line = re.sub(r"(?:^|\s)#.*$", "", raw).strip()
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                name = line[1:-1].strip()
                if not name:
                    raise ValueError(f"{origin}:{lineno}: empty category header")
                current = categories.setdefault(name, [])
            elif line.startswith("!"):
                exceptions.append(_located(line[1:].strip(), origin, lineno))
            elif current is None:
                raise ValueError(
                    f"{origin}:{lineno}: term {line!r} comes before any [category] header"
                )
            else:
                current.append(_located(line, origin, lineno))
        return cls(categories, exceptions)

    @property
    def categories(self) -> Mapping[str, tuple[str, ...]]:
        return self._categories

    @property
    def exceptions(self) -> tuple[str, ...]:
        return self._exceptions

    def find(self, text: str) -> list[Finding]:
        """Term findings in *text*, in order and non-overlapping."""
        if self._pattern is None:
            return []
        found = [
            Finding(TERM, m.start(), m.end(), m.group(), self._group_category[m.lastindex or 0])
            for m in self._pattern.finditer(text)
        ]
        if found and self._exception_re is not None:
            shields = [m.span() for m in self._exception_re.finditer(text)]
            if shields:
                found = [
                    f for f in found if not any(s <= f.start and f.end <= e for s, e in shields)
                ]
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Terms):
            return NotImplemented
        # category order is part of the value: it decides ties between categories
        return (tuple(self._categories.items()), self._exceptions) == (
            tuple(other._categories.items()),
            other._exceptions,
        )

    def __hash__(self) -> int:
        return hash((tuple(self._categories.items()), self._exceptions))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self._categories.items())
        return f"Terms({sizes}; exceptions={len(self._exceptions)})"


def _check_spec(spec: str) -> None:
    core = spec.removeprefix("*").removesuffix("*")
    if not core.strip() or "*" in core:
        raise ValueError(f"bad term {spec!r}: '*' is allowed only at the start or the end")


def _located(spec: str, origin: str, lineno: int) -> str:
    try:
        _check_spec(spec)
    except ValueError as exc:
        raise ValueError(f"{origin}:{lineno}: {exc}") from None
    return spec


def _term_regex(spec: str) -> str:
    lead, trail = spec.startswith("*"), spec.endswith("*") and len(spec) > 1
    core = spec.removeprefix("*").removesuffix("*")
    body = r"\s+".join(re.escape(word) for word in core.split())
    return (r"\w*" if lead else "") + body + (r"\w*" if trail else "")


_END_EXACT = "\0exact"
_END_PREFIX = "\0prefix"


def _trie_regex(specs: Iterable[str]) -> str:
    """Regex for a set of term specs, factored into a character trie.

    Terms with a leading ``*`` cannot start a trie walk (they begin anywhere in
    a word), so they are appended as plain alternatives; lists use them sparingly.
    """
    root: dict[str, dict] = {}
    compound: list[str] = []
    for spec in specs:
        if spec.startswith("*"):
            compound.append(_term_regex(spec.lower()))
            continue
        prefix = spec.endswith("*")
        node = root
        for i, word in enumerate(spec.removesuffix("*").lower().split()):
            if i:
                node = node.setdefault(" ", {})
            for ch in word:
                node = node.setdefault(ch, {})
        node[_END_PREFIX if prefix else _END_EXACT] = {}
    alternatives = [_node_regex(root)] if root else []
    return "|".join(alternatives + compound)


def _node_regex(node: dict[str, dict]) -> str:
    # Children come before the end-of-term marker so that, with the greedy
    # "?" below, the longest term is tried first.
    parts = [
        (r"\s+" if tok == " " else re.escape(tok)) + _node_regex(child)
        for tok, child in sorted(node.items())
        if len(tok) == 1  # the end markers are longer than one character
    ]
    if _END_PREFIX in node:
        parts.append(r"\w*")
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    if not parts:
        return ""
    inner = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?:{inner})?" if _END_EXACT in node else inner


def load_terms(path: Path | None = None) -> Terms:
    """Load a term file; without *path*, the Swedish list shipped with the package.

    Reading goes through importlib.resources so the default list also works
    from a wheel or zip, not only from a source checkout.
    """
    if path is None:
        ref = resources.files("retention").joinpath("data", DEFAULT_TERMS_RESOURCE)
        return Terms.parse(ref.read_text(encoding="utf-8"), origin=DEFAULT_TERMS_RESOURCE)
    path = Path(path)
    return Terms.parse(path.read_text(encoding="utf-8"), origin=str(path))


@functools.cache
def _default_terms() -> Terms:
    # An immutable memo, filled on first use: screen_text() without terms must
    # not re-read and re-compile the list for every one of 100,000 comments.
    return load_terms()


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
        self._terms = terms if terms is not None else _default_terms()
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

    Identity numbers keep their date ("811228-****"), phones their area code
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
        # the last four digits are the ones that make the number identify someone
        return re.sub(r"[0-9]{4}$", "****", s) if re.search(r"[0-9]{4}$", s) else _blot(s)
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
