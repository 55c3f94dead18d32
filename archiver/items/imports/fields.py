"""Typed reading of untrusted export values.

Export JSON is data from outside: any field can be missing, null, a number where a
string belongs, or a list where an object belongs. These helpers return None for
anything not of the expected type, so a parser turns a bad entry into a ``Skipped``
instead of crashing the whole import.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Mapping
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from archiver.items.imports.model import MediaRef
from archiver.items.imports.source import ExportSource, normalise_member

# 1990-01-01 .. 2100-01-01: outside that, an epoch value is a bug in the export.
_EPOCH_MIN = 631_152_000
_EPOCH_MAX = 4_102_444_800


def get(obj: Any, key: str) -> Any:
    """``obj[key]`` if obj is a mapping, else None."""
    return obj.get(key) if isinstance(obj, Mapping) else None


def get_str(obj: Any, key: str) -> str | None:
    value = get(obj, key)
    return value if isinstance(value, str) else None


def get_list(obj: Any, key: str) -> list[Any]:
    value = get(obj, key)
    return value if isinstance(value, list) else []


def as_epoch(value: Any) -> int | None:
    """An epoch-seconds value as int, or None if it is not a plausible one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | float):
        if not value.is_finite() if isinstance(value, Decimal) else value != value:
            return None
        value = int(value)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and _EPOCH_MIN <= value <= _EPOCH_MAX:
        return value
    return None


def epoch_utc(epoch: int | None) -> dt.datetime | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def iso_utc(value: str | None) -> dt.datetime | None:
    """Parse an ISO 8601 timestamp into aware UTC; naive values are taken as UTC."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def guess_media_type(path: str) -> str | None:
    return mimetypes.guess_type(PurePosixPath(path).name, strict=False)[0]


def local_media(
    source: ExportSource, base: str, uri: str, remote: str | None = None
) -> MediaRef | str:
    """A MediaRef for a file the export names, or the reason it cannot be one.

    ``base`` is the folder the export's relative uris start from (the export's top,
    or the folder an extra wrapping directory adds).
    """
    if uri.startswith(("http://", "https://")):
        return f"media {uri!r} is a web address, not a file in the export"
    norm = normalise_member(f"{base}/{uri}" if base else uri)
    if norm is None:
        return f"media path {uri!r} escapes the export folder"
    if not source.has_member(norm):
        return f"media file {norm!r} is listed but missing from the export"
    return MediaRef(path=norm, media_type=guess_media_type(norm), uri=remote or uri)
