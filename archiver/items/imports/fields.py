"""Typed reading of untrusted export values.

Export JSON is data from outside: any field can be missing, null, a number where a
string belongs, or a list where an object belongs. These helpers return None for
anything not of the expected type, so a parser turns a bad entry into a ``Skipped``
instead of crashing the whole import.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from pathlib import PurePosixPath
from typing import Any

from archiver.items.imports.model import MediaRef
from archiver.items.imports.source import ExportSource, normalise_member

# Why a media file an entry names is left out; the entry's place names the file.
WEB_MEDIA = "media is a web address, not a file in the export (kept as named only)"
ESCAPING_MEDIA = "media path escapes the export folder"
MISSING_MEDIA = "media file listed but missing from the export"

# 1990-01-01 .. 2100-01-01: outside that, an epoch value is a bug in the export.
_EPOCH_MIN = 631_152_000
_EPOCH_MAX = 4_102_444_800


def get(obj: Any, key: str) -> Any:
    """``obj[key]`` if obj is a JSON object (a dict), else None."""
    return obj.get(key) if isinstance(obj, dict) else None


def get_str(obj: Any, key: str) -> str | None:
    value = get(obj, key)
    return value if isinstance(value, str) else None


def get_list(obj: Any, key: str) -> list[Any]:
    value = get(obj, key)
    return value if isinstance(value, list) else []


def as_int(value: Any) -> int | None:
    """An integer from a JSON number or a string of ASCII digits, else None.

    JSON numbers arrive as int or float (ijson is asked for floats, ``json.loads`` gives them).

    ``str.isdigit`` accepts "²" and other digits ``int`` cannot read; only 0-9 count here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        return int(value)
    return None


def as_epoch(value: Any) -> int | None:
    """An epoch-seconds value as int, or None if it is not a plausible one."""
    number = as_int(value)
    if number is not None and _EPOCH_MIN <= number <= _EPOCH_MAX:
        return number
    return None


def as_epoch_ms(value: Any) -> int | None:
    """An epoch-milliseconds value (Messenger's ``timestamp_ms``), or None."""
    number = as_int(value)
    if number is not None and _EPOCH_MIN * 1000 <= number <= _EPOCH_MAX * 1000:
        return number
    return None


def ms_utc(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


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
        return WEB_MEDIA
    norm = normalise_member(f"{base}/{uri}" if base else uri)
    if norm is None:
        return ESCAPING_MEDIA
    if not source.has_member(norm):
        return MISSING_MEDIA
    return MediaRef(path=norm, media_type=guess_media_type(norm), uri=remote or uri)


def media_near(source: ExportSource, member: str, uri: str) -> MediaRef | str:
    """A media uri resolved against the file's folder and each folder above it.

    Meta writes uris relative to the export's top, which a wrapping folder, a flattened
    copy or a single file handed over alone moves; the first folder, from the top down,
    that holds the file is the right one, so no layout's folder names need to be known.
    """
    if uri.startswith(("http://", "https://")):
        return WEB_MEDIA
    if normalise_member(uri) is None:
        return ESCAPING_MEDIA
    parts = member.split("/")[:-1]
    for depth in range(len(parts) + 1):  # the export's top first: where Meta's uris start
        ref = local_media(source, "/".join(parts[:depth]), uri)
        if isinstance(ref, MediaRef):
            return ref
    return MISSING_MEDIA
