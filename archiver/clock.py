"""Where "now" comes from: ``--now``, then ``ARCHIVE_NOW``, then the system clock.

Every command that depends on the time takes its clock from here, so schedules
(half-year boundaries, late captures, retention ages) can be tested with a fixed
instant. Library code never calls ``datetime.now()`` itself; it is handed ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from archiver.errors import BadInputError
from archiver.schedule import parse_instant

ENV_NOW = "ARCHIVE_NOW"


def resolve_now(option: str | None, env: Mapping[str, str], tz: ZoneInfo) -> dt.datetime:
    """Return the aware UTC instant the command should treat as now."""
    text = option if option is not None else env.get(ENV_NOW)
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        return parse_instant(text, tz)
    except ValueError as e:
        source = "--now" if option is not None else ENV_NOW
        raise BadInputError(f"{source}: {e}") from e
