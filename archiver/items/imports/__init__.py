"""Reading platforms' own data exports into plain records for the catalogue.

``open_export`` checks the archive's structure (paths, sizes, ratios, counts) before
anything is read; ``detect_format`` names the platform; ``read_export`` streams
``ImportedItem`` and ``Skipped`` values with flat memory. Every problem with the export
itself is a ``BadInputError`` whose one line names the file, the problem and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType

from archiver.errors import BadInputError
from archiver.items.imports import facebook, instagram, linkedin, x, youtube
from archiver.items.imports.model import ExportLimits, ImportedItem, MediaRef, Skipped
from archiver.items.imports.source import DEFAULT_LIMITS, ExportSource, open_export

FORMATS = ("facebook", "instagram", "x", "linkedin", "youtube")

_MODULES: dict[str, ModuleType] = {
    "facebook": facebook,
    "instagram": instagram,
    "x": x,
    "linkedin": linkedin,
    "youtube": youtube,
}

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "ExportLimits",
    "ExportSource",
    "ImportedItem",
    "MediaRef",
    "Skipped",
    "detect_format",
    "open_export",
    "read_export",
]


def _supported() -> str:
    return ", ".join(FORMATS)


def detect_format(source: ExportSource) -> str:
    """Name the platform whose export this is, from the files it contains."""
    found = [name for name in FORMATS if _MODULES[name].detect(source)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise BadInputError(
            f"{source.name}: not a recognised export; supported: {_supported()} "
            "(use --format to choose)"
        )
    raise BadInputError(
        f"{source.name}: looks like more than one export ({', '.join(found)}); "
        "use --format to choose"
    )


def read_export(source: ExportSource, fmt: str) -> Iterator[ImportedItem | Skipped]:
    """Stream the items of an export in a stable order (same export, same sequence)."""
    module = _MODULES.get(fmt)
    if module is None:
        raise BadInputError(f"unknown export format {fmt!r}; supported: {_supported()}")
    if not module.detect(source):
        raise BadInputError(
            f"{source.name}: does not contain a {fmt} export's files; check the file or "
            "the --format given"
        )
    reader: Callable[[ExportSource], Iterator[ImportedItem | Skipped]] = module.read
    return reader(source)
