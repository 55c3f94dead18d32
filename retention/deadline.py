"""When an item becomes eligible for a retention review: gallringsfrist arithmetic.

Fristerna in an informationshanteringsplan count from the end of a period, not from the
day: "2 år efter årets utgång" for a handling from 2013 allows culling in January 2016
(Örebro; RA-FS 2023:1 counts the same way), and "vid inaktualitet" is a judgement the
engine turns into "eligible for review" once an item is older than the end of the
half-year after the one it was published in. Periods end at local midnight in the home's
time zone, so every boundary goes through archiver.schedule, which owns that conversion;
day counts step local calendar days, so a DST change never shifts a deadline by an hour.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from archiver.schedule import boundary_instant, following_boundary, next_boundary

INACTUAL = "vid inaktualitet"
IMMEDIATE = "omedelbart"
YEARS = "år efter årets utgång"
CASE_CLOSED = "efter avslutat ärende"
ACCOUNT_CLOSED = "efter stängt konto"


@dataclass(frozen=True)
class Frist:
    """A rule's gallringsfrist. ``halfyears``/``days`` is the minimum age for review."""

    kind: str  # one of the constants above
    years: int = 0
    halfyears: int = 0
    days: int = 0


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def end_of_halfyears(moment: dt.datetime, n: int, tz: ZoneInfo) -> dt.datetime:
    """The end of the n-th half-year after the one *moment* falls in (n=0: its own)."""
    b = next_boundary(moment, tz)
    for _ in range(n):
        b = following_boundary(b)
    return boundary_instant(b, tz)


def after_minimum(start: dt.datetime, frist: Frist, tz: ZoneInfo) -> dt.datetime:
    if frist.halfyears:
        start = end_of_halfyears(start, frist.halfyears, tz)
    if frist.days:
        start = local_midnight(start.astimezone(tz).date() + dt.timedelta(days=frist.days), tz)
    return start


def eligible_from(frist: Frist, published: dt.datetime, tz: ZoneInfo, *,
                  account_closed: dt.date | None = None) -> dt.datetime | None:
    """The first instant the item may be reviewed for culling; None while its event is pending.

    ``case-closed`` has no date in the catalogue yet (items in a case are never culled), so
    a rule counting from it never makes anything eligible.
    """
    if frist.kind == IMMEDIATE:
        return published
    if frist.kind == INACTUAL:
        return after_minimum(published, frist, tz)
    if frist.kind == YEARS:
        year = published.astimezone(tz).year
        return local_midnight(dt.date(year + frist.years + 1, 1, 1), tz)
    if frist.kind == ACCOUNT_CLOSED:
        if account_closed is None:
            return None
        return after_minimum(max(published, local_midnight(account_closed, tz)), frist, tz)
    return None


def halfyear_label(moment: dt.datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.year}-H{1 if local.month < 7 else 2}"


class HalfYears:
    """Half-year boundaries as UTC timestamps, for answering "which half-year?" by bisection.

    A review asks this a million times; going through archiver.schedule for each item
    costs microseconds that add up to seconds, so the boundaries it computes are laid out
    once (1990–2100, enough for any record this archive holds) and searched.
    """

    def __init__(self, tz: ZoneInfo, first_year: int = 1990, last_year: int = 2100) -> None:
        self.days = [dt.date(y, m, 1) for y in range(first_year, last_year + 1) for m in (1, 7)]
        self.stamps = [boundary_instant(d, tz).timestamp() for d in self.days]
        self.labels = [f"{d.year - 1}-H2" if d.month == 1 else f"{d.year}-H1" for d in self.days]

    def index(self, ts: float) -> int:
        """Index of the first boundary strictly after *ts* (the end of its half-year)."""
        return bisect.bisect_right(self.stamps, ts)

    def label(self, ts: float) -> str:
        """2025-H1 for January–June 2025: the half-year that ends at the next boundary."""
        return self.labels[self.index(ts)]

    def end_after(self, ts: float, n: int) -> float:
        """The end of the n-th half-year after the one *ts* is in, as a timestamp."""
        return self.stamps[self.index(ts) + n]
