"""Half-year boundary calendar for snapshot captures.

SKR's guidance is to keep an ögonblicksbild of each social-media account
"varje halvår", so a capture is due at every half-year boundary: 1 January and
1 July, at local midnight in the municipality's time zone (Europe/Stockholm
unless configured otherwise). The archive stores instants in UTC, and the
conversion is where off-by-one errors live: local midnight on 1 January in
Stockholm is 23:00 UTC on 31 December, and on 1 July it is 22:00 UTC on
30 June. Everything here works on aware instants to keep that in one place.

Rules, and why:

* A *boundary* is a :class:`datetime.date` (1 Jan or 1 Jul). Its *instant* is
  the first moment of that local date: ``datetime.combine(d, time(0),
  tzinfo=tz)`` with ``fold=0``, in UTC. Under PEP 495 that is right even in
  the odd zones where a clock change falls at midnight: in a gap (Lima,
  1986-01-01: 00:00 never happened) fold 0 reads midnight with the old offset,
  which lands exactly on the transition, i.e. the first instant that shows the
  new date; if midnight repeats, fold 0 picks the first occurrence.
* Which boundary is "latest" is decided by comparing instants, never local
  dates, so the answers stay consistent with :func:`boundary_instant`.
* Every function taking a moment refuses naive datetimes: a naive value is
  ambiguous exactly when it matters (around New Year and DST changes).
* Supported years are 2..9998; outside them the date arithmetic raises.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TIMEZONE",
    "boundaries_between",
    "boundary_instant",
    "default_timezone",
    "following_boundary",
    "is_boundary",
    "latest_boundary",
    "next_boundary",
    "parse_instant",
    "period_of",
    "previous_boundary",
]

DEFAULT_TIMEZONE = "Europe/Stockholm"
"""The time zone Swedish municipalities schedule in; pass ``ZoneInfo(DEFAULT_TIMEZONE)``."""

_BOUNDARY_MONTHS = (1, 7)


def _require_date(d: object, name: str) -> date:
    # datetime is a subclass of date; accepting one here would silently drop
    # its time of day and time zone, which is always a caller's mistake.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{name} must be a datetime.date (not a datetime), got {d!r}")
    return d


def _require_aware(moment: object, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name} must be time-zone aware (got naive {moment.isoformat()}); "
            "attach a zone, e.g. datetime.now(UTC)"
        )
    return moment


def _require_boundary(d: object, name: str = "boundary") -> date:
    d = _require_date(d, name)
    if not is_boundary(d):
        raise ValueError(f"{name} must be 1 January or 1 July, got {d.isoformat()}")
    return d


def is_boundary(d: date) -> bool:
    """True for 1 January and 1 July, the days a half-year snapshot is due."""
    d = _require_date(d, "d")
    return d.day == 1 and d.month in _BOUNDARY_MONTHS


def previous_boundary(boundary: date) -> date:
    """The boundary before *boundary*: 1 Jul 2026 -> 1 Jan 2026 -> 1 Jul 2025."""
    b = _require_boundary(boundary)
    return date(b.year, 1, 1) if b.month == 7 else date(b.year - 1, 7, 1)


def following_boundary(boundary: date) -> date:
    """The boundary after *boundary*: 1 Jan 2026 -> 1 Jul 2026 -> 1 Jan 2027."""
    b = _require_boundary(boundary)
    return date(b.year, 7, 1) if b.month == 1 else date(b.year + 1, 1, 1)


def period_of(boundary: date) -> tuple[date, date]:
    """The half-year a boundary closes, as ``(start, end)`` with *end* exclusive.

    A snapshot taken at 1 July 2026 documents 1 January up to (not including)
    1 July 2026; consecutive periods therefore chain without gap or overlap.
    """
    b = _require_boundary(boundary)
    return previous_boundary(b), b


def boundary_instant(boundary: date, tz: tzinfo) -> datetime:
    """Local midnight of *boundary* in *tz*, as an aware UTC datetime (see module notes)."""
    b = _require_boundary(boundary)
    return datetime.combine(b, time(0), tzinfo=tz).astimezone(UTC)


def _guess(local_day: date) -> date:
    return date(local_day.year, 7 if local_day.month >= 7 else 1, 1)


def latest_boundary(now: datetime, tz: tzinfo) -> date:
    """The latest boundary whose local midnight is at or before *now*.

    A capture run at 2025-12-31T23:00:00Z in Stockholm belongs to 1 January
    2026: that is exactly local midnight. One second earlier it still belongs
    to 1 July 2025.
    """
    now = _require_aware(now, "now")
    b = _guess(now.astimezone(tz).date())
    # The local-date guess is right except where a zone's clock change makes
    # local dates non-monotonic; settle it by comparing instants.
    while boundary_instant(b, tz) > now:
        b = previous_boundary(b)
    while boundary_instant(following_boundary(b), tz) <= now:
        b = following_boundary(b)
    return b


def next_boundary(now: datetime, tz: tzinfo) -> date:
    """The first boundary whose local midnight is strictly after *now*."""
    return following_boundary(latest_boundary(now, tz))


def boundaries_between(start: datetime, end: datetime, tz: tzinfo) -> list[date]:
    """Every boundary whose instant lies in ``(start, end]``, oldest first.

    Half-open so that consecutive scheduler runs, each covering
    ``(previous run, this run]``, see each boundary exactly once. An empty
    list when ``end <= start``.
    """
    start = _require_aware(start, "start")
    end = _require_aware(end, "end")
    found: list[date] = []
    if end <= start:
        return found
    b = latest_boundary(end, tz)
    while boundary_instant(b, tz) > start:
        found.append(b)
        b = previous_boundary(b)
    found.reverse()
    return found


def parse_instant(text: str, tz: tzinfo) -> datetime:
    """Read a ``--now`` / ``ARCHIVE_NOW`` value and return an aware UTC datetime.

    Accepted (ISO 8601 as Python 3.11's ``fromisoformat`` reads it):

    * a date, ``2026-07-01``: local midnight of that date in *tz*, the same
      instant as :func:`boundary_instant` gives for a boundary;
    * a date-time without offset, ``2026-07-01T12:00``: local wall-clock time
      in *tz*;
    * a date-time with ``Z`` or an offset, ``2026-06-30T22:00:00Z``: that instant.

    Local times that a DST change makes ambiguous or non-existent are read
    with ``fold=0``, deterministically: an ambiguous time (2026-10-25T02:30 in
    Stockholm happens twice) means its *first* occurrence (00:30Z); a time
    inside a gap (2026-03-29T02:30 never happens) is read with the offset in
    force *before* the change, so it lands as far past the gap as it pointed
    into it (01:30Z, shown locally as 03:30). Write an explicit offset to get
    any other reading.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected an ISO 8601 string, got {text!r}")
    value = text.strip()
    shown = value if len(value) <= 60 else value[:57] + "..."
    hint = (
        f"cannot read {shown!r} as a date or date-time; use ISO 8601, e.g. "
        "2026-07-01 (local midnight), 2026-07-01T12:00 (local time) or "
        "2026-06-30T22:00:00Z / 2026-07-01T00:00+02:00 (an exact instant)"
    )
    if not value:
        raise ValueError(hint)
    try:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            moment = datetime.fromisoformat(value)
        else:
            moment = datetime.combine(day, time(0))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz, fold=0)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        # Keep the library's reason ("month must be in 1..12") but not its
        # echo of the whole input, which the hint already shows.
        reason = "" if value in str(exc) else f" ({exc})"
        raise ValueError(hint + reason) from None


def default_timezone() -> ZoneInfo:
    """The municipality default, built on demand rather than at import."""
    return ZoneInfo(DEFAULT_TIMEZONE)
