"""Where "now" comes from: ``--now``, then ``ARCHIVE_NOW``, then the system clock.

``--now`` decides what is due, which period a capture covers and what a read-only
command reports. It never sets a recorded time: on an ordinary home a command that
writes refuses it, and only a home made with ``archive init --simulated-clock`` (demos,
tests) records the given time, every record there saying "simulated clock".

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


SIMULATED = "simulated clock"
"""What every record made on a simulated-clock home says about its times."""


def now_source(option: str | None, env: Mapping[str, str]) -> str | None:
    """Which of ``--now`` and ``ARCHIVE_NOW`` sets the time, or None for the system clock."""
    if option is not None:
        return "--now"
    return ENV_NOW if env.get(ENV_NOW) else None


def refuse_set_time(source: str) -> BadInputError:
    """The error for a write that would record a time other than the real one."""
    return BadInputError(
        f"{source} cannot set the time of a change on this archive home, which records the "
        f"real time; run the command without {source} (only a home made with "
        "archive init --simulated-clock takes a simulated time)")


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


def local_minute(instant: dt.datetime | str, tz: ZoneInfo) -> str:
    """An instant as a person in the home's zone reads it, the zone named: 2026-07-10 05:00 CEST."""
    when = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    local = when.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def local_second(instant: dt.datetime | str, tz: ZoneInfo) -> str:
    """As local_minute with the seconds, for one record's own times: 2026-07-10 05:00:12 CEST."""
    when = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    local = when.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def local_date(instant: dt.datetime | str, tz: ZoneInfo) -> str:
    """The home's calendar date of an instant (22:30 UTC on 18 June is 2026-06-19 in Stockholm)."""
    when = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    return when.astimezone(tz).date().isoformat()


def local_iso(instant: dt.datetime, tz: ZoneInfo) -> str:
    """An instant for a record a person reads: local time with its offset, whole seconds
    (2026-07-10T05:00:00+02:00); the same instant as the UTC value it was stored as."""
    return instant.astimezone(tz).replace(microsecond=0).isoformat()
