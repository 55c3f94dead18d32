"""Site profiles: what the capture engine needs to know about one platform, read from TOML.

Platforms change their markup far more often than the engine changes, so everything
platform-specific (selectors, button texts, markers) is data in
``archiver/capture/profiles/<name>.toml``; a new platform is a new file, not new code.
Profiles are validated strictly — an unknown key is almost always a typo that would
otherwise silently disable, say, login detection.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.errors import ConfigError, NotFoundError

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
GENERIC = "generic"
ITEM_KINDS = ("post", "comment", "reply")


@dataclass(frozen=True)
class FieldSpec:
    """Where one value of an item lives: an element (``selector`` inside the item, "" = the
    item itself) and either an attribute of it or, when ``attr`` is None, its text.
    ``pattern`` (a regular expression) keeps only its first group (or its whole match) of
    that value: a YouTube video's id is the ``v=`` of its link, not the link."""

    selector: str = ""
    attr: str | None = None
    pattern: str | None = None


Field = tuple[FieldSpec, ...]
"""Where a value may live, tried in order: the first place that gives one is used (for
media, every place's values). A profile lists more than one for markup that differs, as
the fixture platform's does from a platform's own."""


@dataclass(frozen=True)
class ItemSpec:
    """How to recognise one kind of item (post, comment, reply) and read its fields."""

    kind: str
    container: str
    id: Field
    parent_id: Field = ()
    author_handle: Field = ()
    author_name: Field = ()
    created: Field = ()
    text: Field = ()
    url: Field = ()
    media: Field = ()


@dataclass(frozen=True)
class SiteProfile:
    """Everything platform-specific the engine uses; see archiver/capture/profiles/generic.toml."""

    name: str
    source: Path
    description: str = ""
    aliases: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    consent_selectors: tuple[str, ...] = ()
    consent_texts: tuple[str, ...] = ()
    logged_out_selectors: tuple[str, ...] = ()
    logged_out_texts: tuple[str, ...] = ()
    blocked_selectors: tuple[str, ...] = ()
    blocked_texts: tuple[str, ...] = ()
    expand_selectors: tuple[str, ...] = ()
    expand_texts: tuple[str, ...] = ()
    expand_patterns: tuple[str, ...] = ()
    expand_max_rounds: int = 25
    end_marker: str = ""
    end_texts: tuple[str, ...] = ()
    unsupported_browser_texts: tuple[str, ...] = ()
    javascript_required_texts: tuple[str, ...] = ()
    not_found_texts: tuple[str, ...] = ()
    stable_rounds: int = 3
    settle_ms: int = 600
    followers_selector: str = ""
    followers_attr: str | None = None
    items: tuple[ItemSpec, ...] = ()

    @property
    def has_items(self) -> bool:
        """Whether the profile can see posts at all (the generic profile cannot)."""
        return any(spec.kind == "post" for spec in self.items)


# Schema: TOML table → {key: (dataclass field, expected type)}.
_SECTIONS: dict[str, dict[str, tuple[str, type]]] = {
    "": {
        "name": ("name", str),
        "description": ("description", str),
        "aliases": ("aliases", list),
        "hosts": ("hosts", list),
    },
    "consent": {"selectors": ("consent_selectors", list), "texts": ("consent_texts", list)},
    "logged_out": {
        "selectors": ("logged_out_selectors", list),
        "texts": ("logged_out_texts", list),
    },
    "blocked": {"selectors": ("blocked_selectors", list), "texts": ("blocked_texts", list)},
    "expand": {
        "selectors": ("expand_selectors", list),
        "texts": ("expand_texts", list),
        "patterns": ("expand_patterns", list),
        "max_rounds": ("expand_max_rounds", int),
    },
    "feed": {
        "end_marker": ("end_marker", str),
        "end_texts": ("end_texts", list),
        "stable_rounds": ("stable_rounds", int),
        "settle_ms": ("settle_ms", int),
    },
    "interstitial": {
        "unsupported_browser": ("unsupported_browser_texts", list),
        "javascript_required": ("javascript_required_texts", list),
        "not_found": ("not_found_texts", list),
    },
    "followers": {"selector": ("followers_selector", str), "attr": ("followers_attr", str)},
}
_ITEM_FIELDS = (
    "id", "parent_id", "author_handle", "author_name", "created", "text", "url", "media"
)


def load_profile(name: str, directory: Path | None = None) -> SiteProfile:
    """Load ``<directory>/<name>.toml`` (default: the packaged profiles)."""
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise NotFoundError(f"no site profile named {name!r}; names are lower-case file stems")
    path = (directory or PROFILE_DIR) / f"{name}.toml"
    if not path.is_file():
        raise NotFoundError(
            f"no site profile {name!r} (looked for {path}); add a TOML file there to support it"
        )
    return load_profile_file(path)


def profile_names(directory: Path | None = None) -> list[str]:
    """The names ``load_profile`` (and an account's ``--profile``) accepts."""
    return sorted(p.stem for p in (directory or PROFILE_DIR).glob("*.toml"))


def profile_for(platform: str, directory: Path | None = None) -> SiteProfile:
    """Return the profile for a platform name or alias, or the generic profile if none fits.

    Unknown platforms still get a working (item-less) capture rather than an error,
    because the generic profile is designed to work on any page.
    """
    folder = directory or PROFILE_DIR
    key = platform.strip().lower()
    if re.fullmatch(r"[a-z0-9_-]+", key) and (folder / f"{key}.toml").is_file():
        return load_profile(key, folder)
    for path in sorted(folder.glob("*.toml")):
        profile = load_profile_file(path)
        if key in profile.aliases:
            return profile
    return load_profile(GENERIC, folder)


def load_profile_file(path: Path) -> SiteProfile:
    """Parse and validate one profile file; every problem names the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read site profile {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"site profile {path} is not valid TOML: {exc}") from exc
    values: dict[str, Any] = {"source": path}
    for section, table in data.items():
        if section == "items":
            values["items"] = _parse_items(path, table)
            continue
        if section in _SECTIONS and section:
            if not isinstance(table, dict):
                raise ConfigError(f"site profile {path}: {section} must be a table")
            for key, value in table.items():
                values.update(_typed(path, section, key, value))
        elif section in _SECTIONS[""]:
            values.update(_typed(path, "", section, data[section]))
        else:
            raise ConfigError(f"site profile {path}: unknown key {section!r}")
    if "name" not in values:
        values["name"] = path.stem
    for key in ("expand_patterns",):
        for pattern in values.get(key, ()):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"site profile {path}: expand.patterns has a bad regular expression "
                    f"{pattern!r}: {exc}"
                ) from exc
    for key in ("stable_rounds", "expand_max_rounds"):
        if key in values and values[key] < 1:
            raise ConfigError(f"site profile {path}: {key} must be at least 1")
    return SiteProfile(**values)


def _typed(path: Path, section: str, key: str, value: Any) -> dict[str, Any]:
    """Check one scalar/list key against the schema and map it to its dataclass field."""
    dotted = f"{section}.{key}" if section else key
    schema = _SECTIONS[section]
    if key not in schema:
        raise ConfigError(f"site profile {path}: unknown key {dotted!r}")
    field_name, expected = schema[key]
    if expected is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise ConfigError(f"site profile {path}: {dotted} must be an integer")
    if expected is str and not isinstance(value, str):
        raise ConfigError(f"site profile {path}: {dotted} must be a string")
    if expected is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"site profile {path}: {dotted} must be a list of strings")
        value = tuple(value)
    return {field_name: value}


def _parse_items(path: Path, table: Any) -> tuple[ItemSpec, ...]:
    """Parse ``[items.post]``, ``[items.comment]``, ``[items.reply]``."""
    if not isinstance(table, dict):
        raise ConfigError(f"site profile {path}: items must be a table")
    specs = []
    for kind, spec in table.items():
        where = f"items.{kind}"
        if kind not in ITEM_KINDS:
            raise ConfigError(
                f"site profile {path}: unknown key {where!r} (kinds: {', '.join(ITEM_KINDS)})"
            )
        if not isinstance(spec, dict):
            raise ConfigError(f"site profile {path}: {where} must be a table")
        unknown = set(spec) - {"container", *_ITEM_FIELDS}
        if unknown:
            raise ConfigError(f"site profile {path}: unknown key {where}.{sorted(unknown)[0]!r}")
        if not isinstance(spec.get("container"), str) or not spec["container"]:
            raise ConfigError(f"site profile {path}: {where}.container must be a CSS selector")
        if "id" not in spec:
            raise ConfigError(
                f"site profile {path}: {where}.id is required (items are de-duplicated by it)"
            )
        fields = {
            name: _field(path, f"{where}.{name}", spec[name])
            for name in _ITEM_FIELDS
            if name in spec
        }
        specs.append(ItemSpec(kind=kind, container=spec["container"], **fields))
    return tuple(specs)


def _field(path: Path, where: str, value: Any) -> Field:
    """Parse ``{ selector = "...", attr = "...", pattern = "..." }`` (all optional), or an
    array of such tables, tried in order."""
    if isinstance(value, list) and value:
        return tuple(_place(path, f"{where}[{n}]", v) for n, v in enumerate(value))
    return (_place(path, where, value),)


def _place(path: Path, where: str, value: Any) -> FieldSpec:
    if not isinstance(value, dict):
        raise ConfigError(
            f'site profile {path}: {where} must be a table like {{ selector = "…", attr = "…" }} '
            "or an array of them"
        )
    unknown = set(value) - {"selector", "attr", "pattern"}
    if unknown:
        raise ConfigError(f"site profile {path}: unknown key {where}.{sorted(unknown)[0]!r}")
    selector = value.get("selector", "")
    attr = value.get("attr")
    pattern = value.get("pattern")
    if not isinstance(selector, str) or any(
            v is not None and not isinstance(v, str) for v in (attr, pattern)):
        raise ConfigError(
            f"site profile {path}: {where}.selector, .attr and .pattern must be strings")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"site profile {path}: {where}.pattern is not a regular expression "
                f"{pattern!r}: {exc}") from exc
    return FieldSpec(selector=selector, attr=attr, pattern=pattern)
