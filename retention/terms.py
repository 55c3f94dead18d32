"""The sensitive-matter term list: data a municipality can edit, compiled once.

Health and social-services matters are recognised by words, not by a pattern, and each
municipality words them a little differently, so the list is a text file
(``retention/data/sensitive_terms_sv.txt`` by default) rather than code. One regular
expression is built per category as a trie of the terms, so screening 100,000 comments
costs one match per category and comment.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from retention.finding import TERM, Finding

DEFAULT_TERMS_RESOURCE = "sensitive_terms_sv.txt"


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
def default_terms() -> Terms:
    # An immutable memo, filled on first use: screen_text() without terms must
    # not re-read and re-compile the list for every one of 100,000 comments.
    return load_terms()


