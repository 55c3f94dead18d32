"""Reading platforms' own data exports into plain records for the catalogue.

``open_export`` checks the archive's structure (paths, sizes, ratios, counts) before
anything is read; ``survey`` classifies every file by its content (``sniff``);
``detect_format`` names the platform from that; ``read_export`` streams ``ImportedItem``
and ``Skipped`` values with flat memory, and one ``Skipped`` per data file it does not read.
Every problem with the export itself is a ``BadInputError`` whose one line names the file,
the problem and the fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from archiver.errors import BadInputError
from archiver.items.imports import facebook, instagram, linkedin, neutral, tiktok, x, youtube
from archiver.items.imports.model import ExportLimits, ImportedItem, MediaRef, Skipped
from archiver.items.imports.sniff import META, OTHER, RECORDS, Found, classify, is_data_file, is_meta_html
from archiver.items.imports.source import DEFAULT_LIMITS, ExportSource, open_export

PLATFORM_FORMATS = ("facebook", "instagram", "x", "linkedin", "youtube", "tiktok")
FORMATS = (*PLATFORM_FORMATS, "items")
"""``items`` is the neutral format (``neutral``): it fits an account of any platform."""

_MODULES: dict[str, ModuleType] = {
    "facebook": facebook,
    "instagram": instagram,
    "x": x,
    "linkedin": linkedin,
    "youtube": youtube,
    "tiktok": tiktok,
    "items": neutral,
}

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "PLATFORM_FORMATS",
    "ExportLimits",
    "ExportSource",
    "Found",
    "ImportedItem",
    "MediaRef",
    "Skipped",
    "detect_format",
    "open_export",
    "read_export",
    "survey",
]


def _supported() -> str:
    return ", ".join(FORMATS)


def survey(source: ExportSource) -> tuple[list[Found], list[str]]:
    """Every data file classified, and those nothing recognises; computed once per source."""
    if source.survey is None:
        found: list[Found] = []
        unknown: list[str] = []
        for member in source.members():
            got = classify(source, member)
            if got is not None:
                found.append(got)
            elif is_data_file(member):
                unknown.append(member)
        source.survey = (found, unknown)
    return source.survey


def _platforms(found: list[Found]) -> list[str]:
    records = {f.platform for f in found if f.role == RECORDS} - {META}
    if not records:
        records = {f.platform for f in found} - {META}
    return [p for p in FORMATS if p in records]


def detect_format(source: ExportSource, hint: str | None = None) -> str:
    """Name the platform whose export this is, from what its files hold.

    Message threads look the same in Facebook's and Instagram's exports; a folder of
    threads alone belongs to whichever of the two ``hint`` (the account's platform) names.
    """
    found, _ = survey(source)
    platforms = _platforms(found)
    has_threads = any(f.platform == META for f in found)
    if has_threads and not platforms:
        if hint in ("facebook", "instagram"):
            return hint
        raise BadInputError(
            f"{source.name}: holds only message threads, which Facebook and Instagram export "
            "alike; use --format facebook or --format instagram"
        )
    if has_threads and platforms and platforms[0] not in ("facebook", "instagram"):
        platforms = sorted({*platforms, "facebook or instagram"})
    if len(platforms) == 1:
        return platforms[0]
    if not platforms:
        html = next((m for m in source.members() if is_meta_html(m)), None)
        if html is not None:
            raise BadInputError(_html_message(source, html))
        raise BadInputError(
            f"{source.name}: not a recognised export; supported: {_supported()} "
            "(use --format to choose)"
        )
    raise BadInputError(
        f"{source.name}: looks like more than one export ({', '.join(platforms)}); "
        "import each platform's export into its own account"
    )


def _html_message(source: ExportSource, member: str) -> str:
    platform = "Instagram" if "instagram" in member else "Facebook"
    return (f"{source.label(member)}: this {platform} export is in HTML format; request a new "
            "one with Format: JSON")


def read_export(source: ExportSource, fmt: str) -> Iterator[ImportedItem | Skipped]:
    """Stream the items of an export in a stable order (same export, same sequence).

    Files of the format are read; every other data file is one ``Skipped`` naming it.
    """
    module = _MODULES.get(fmt)
    if module is None:
        raise BadInputError(f"unknown export format {fmt!r}; supported: {_supported()}")
    found, unknown = survey(source)
    mine = [f for f in found if f.platform == fmt
            or (f.platform == META and fmt in ("facebook", "instagram"))]
    if not any(f.role == RECORDS for f in mine) and not (fmt == "x" and mine):
        html = next((m for m in source.members() if is_meta_html(m)), None)
        if html is not None and fmt in ("facebook", "instagram"):
            raise BadInputError(_html_message(source, html))
        raise BadInputError(
            f"{source.name}: does not contain the files of {an(fmt)} {fmt} export; check the "
            "file or the --format given"
        )
    others = sorted([f.member for f in found if f not in mine or f.role == OTHER] + unknown)
    return _read(source, module, mine, others)


def an(word: str) -> str:
    """The English article for *word*: "an instagram", "a facebook"; "an x" as it is said."""
    return "an" if word[:1].lower() in "aeiox" else "a"


def _read(source: ExportSource, module: ModuleType, mine: list[Found],
          others: list[str]) -> Iterator[ImportedItem | Skipped]:
    yield from module.read(source, mine)
    for member in others:
        yield Skipped(source.label(member), "file not read: it holds no posts, comments or "
                      "messages of this format")
