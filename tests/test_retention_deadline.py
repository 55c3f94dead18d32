"""Gallringsfrist arithmetic with fixed clocks: year end, half-year, leap years, DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retention.deadline import (
    ACCOUNT_CLOSED,
    CASE_CLOSED,
    IMMEDIATE,
    INACTUAL,
    YEARS,
    Frist,
    HalfYears,
    eligible_from,
    end_of_halfyears,
)

STHLM = ZoneInfo("Europe/Stockholm")


def utc(*a: int) -> dt.datetime:
    return dt.datetime(*a, tzinfo=dt.UTC)


def local(*a: int) -> dt.datetime:
    return dt.datetime(*a, tzinfo=STHLM).astimezone(dt.UTC)


@pytest.mark.parametrize(("published", "expected"), [
    # Published in H1 2025: the half-year after it (H2 2025) ends at local midnight 1 Jan 2026.
    (local(2025, 3, 1, 12), local(2026, 1, 1)),
    (local(2025, 6, 30, 23, 59), local(2026, 1, 1)),
    # One minute later it is H2 2025: eligible from 1 July 2026.
    (local(2025, 7, 1, 0, 0), local(2026, 7, 1)),
    # 22:30 UTC on 30 June is already 1 July in Stockholm (CEST, +2).
    (utc(2025, 6, 30, 22, 30), local(2026, 7, 1)),
    (utc(2025, 6, 30, 21, 59), local(2026, 1, 1)),
    # New Year's Eve 23:30 UTC is 00:30 on 1 January in Stockholm (CET, +1).
    (utc(2025, 12, 31, 23, 30), local(2027, 1, 1)),
    # A leap day sits in H1 like any other day.
    (local(2024, 2, 29, 12), local(2025, 1, 1)),
])
def test_vid_inaktualitet_after_the_following_half_year(published: dt.datetime, expected: dt.datetime) -> None:
    assert eligible_from(Frist(INACTUAL, halfyears=1), published, STHLM) == expected


def test_the_boundary_instants_are_local_midnight_in_utc() -> None:
    assert local(2026, 1, 1) == utc(2025, 12, 31, 23)
    assert local(2026, 7, 1) == utc(2026, 6, 30, 22)


@pytest.mark.parametrize(("published", "years", "expected"), [
    # Örebro: a handling from 2013 with a 2-year frist may be culled in January 2016.
    (local(2013, 5, 2), 2, local(2016, 1, 1)),
    (local(2013, 12, 31, 23, 59), 2, local(2016, 1, 1)),
    (utc(2013, 12, 31, 23, 30), 2, local(2017, 1, 1)),  # already 2014 in Stockholm
    (local(2024, 2, 29), 1, local(2026, 1, 1)),
    (local(2020, 2, 29), 7, local(2028, 1, 1)),
])
def test_years_after_the_end_of_the_year(published: dt.datetime, years: int, expected: dt.datetime) -> None:
    assert eligible_from(Frist(YEARS, years=years), published, STHLM) == expected


def test_day_counts_step_local_days_across_dst_and_leap_days() -> None:
    # 2026-03-29 02:00 CET -> CEST; 30 days from 1 March 10:00 is local midnight 31 March.
    got = eligible_from(Frist(INACTUAL, days=30), local(2026, 3, 1, 10), STHLM)
    assert got == local(2026, 3, 31) == utc(2026, 3, 30, 22)
    # Across the autumn change (25 October 2026) the offset goes back to +1.
    assert eligible_from(Frist(INACTUAL, days=10), local(2026, 10, 20, 9), STHLM) == utc(2026, 10, 29, 23)
    # 2024 is a leap year: 1 Feb + 29 days = 1 March, not 2 March.
    assert eligible_from(Frist(INACTUAL, days=29), local(2024, 2, 1, 9), STHLM) == local(2024, 3, 1)
    assert eligible_from(Frist(INACTUAL, days=29), local(2025, 2, 1, 9), STHLM) == local(2025, 3, 2)


def test_events_and_immediate() -> None:
    p = local(2025, 3, 1)
    assert eligible_from(Frist(IMMEDIATE), p, STHLM) == p
    assert eligible_from(Frist(CASE_CLOSED), p, STHLM) is None
    assert eligible_from(Frist(ACCOUNT_CLOSED), p, STHLM) is None
    assert eligible_from(Frist(ACCOUNT_CLOSED, halfyears=1), p, STHLM,
                         account_closed=dt.date(2025, 8, 15)) == local(2026, 7, 1)


moments = st.datetimes(min_value=dt.datetime(1991, 1, 1), max_value=dt.datetime(2090, 1, 1),
                       timezones=st.just(dt.UTC))


@given(moments, st.integers(0, 6), st.sampled_from(["Europe/Stockholm", "America/Lima", "Pacific/Apia", "UTC"]))
def test_bisection_agrees_with_the_schedule(moment: dt.datetime, n: int, zone: str) -> None:
    tz = ZoneInfo(zone)
    halves = HalfYears(tz)
    assert halves.end_after(moment.timestamp(), n) == end_of_halfyears(moment, n, tz).timestamp()
    if zone in ("Europe/Stockholm", "UTC"):  # no clock change at midnight: the local date decides
        local_day = moment.astimezone(tz)
        assert halves.label(moment.timestamp()) == f"{local_day.year}-H{1 if local_day.month < 7 else 2}"
