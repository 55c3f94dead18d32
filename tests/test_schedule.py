from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.schedule import (
    boundaries_between,
    boundary_instant,
    default_timezone,
    following_boundary,
    is_boundary,
    latest_boundary,
    next_boundary,
    parse_instant,
    period_of,
    previous_boundary,
)

STO = ZoneInfo("Europe/Stockholm")
NY = ZoneInfo("America/New_York")
AKL = ZoneInfo("Pacific/Auckland")
ZONES = [
    STO,
    NY,
    AKL,
    ZoneInfo("UTC"),
    UTC,
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("America/Lima"),
    ZoneInfo("Pacific/Apia"),
    timezone(timedelta(hours=-9, minutes=-30)),
]

SECOND = timedelta(seconds=1)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# fold means nothing for UTC, but hypothesis sets it and it would leak into
# local times built with astimezone() from fixed-offset zones
aware_instants = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(fold=0))
zones = st.sampled_from(ZONES)
boundaries = st.builds(
    date, st.integers(min_value=1901, max_value=2199), st.sampled_from([1, 7]), st.just(1)
)


# ------------------------------------------------------------------ fixed clocks


def test_default_timezone_is_stockholm() -> None:
    assert default_timezone() == STO


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2025, 12, 31, 22, 59, 59), date(2025, 7, 1)),  # 23:59:59 local, still 2025
        (utc(2025, 12, 31, 23, 0, 0), date(2026, 1, 1)),  # local midnight exactly
        (utc(2026, 1, 1, 0, 0, 0), date(2026, 1, 1)),
        (utc(2026, 6, 30, 21, 59, 59), date(2026, 1, 1)),  # 23:59:59 CEST
        (utc(2026, 6, 30, 22, 0, 0), date(2026, 7, 1)),  # midsummer boundary, UTC+2
        (utc(2026, 3, 29, 0, 59, 59), date(2026, 1, 1)),  # just before spring forward
        (utc(2026, 3, 29, 1, 0, 0), date(2026, 1, 1)),  # DST changes do not matter
        (utc(2026, 10, 25, 1, 0, 0), date(2026, 7, 1)),
        (utc(2026, 10, 25, 0, 30, 0), date(2026, 7, 1)),
    ],
)
def test_latest_boundary_stockholm(now: datetime, expected: date) -> None:
    assert latest_boundary(now, STO) == expected


def test_next_boundary_around_new_year() -> None:
    assert next_boundary(utc(2025, 12, 31, 22, 59, 59), STO) == date(2026, 1, 1)
    assert next_boundary(utc(2025, 12, 31, 23, 0, 0), STO) == date(2026, 7, 1)


def test_boundary_instants_stockholm() -> None:
    assert boundary_instant(date(2026, 1, 1), STO) == utc(2025, 12, 31, 23)
    assert boundary_instant(date(2026, 7, 1), STO) == utc(2026, 6, 30, 22)
    assert boundary_instant(date(2026, 1, 1), STO).tzinfo is UTC


@pytest.mark.parametrize(
    ("tz", "boundary", "instant"),
    [
        (NY, date(2026, 1, 1), utc(2026, 1, 1, 5)),  # EST, UTC-5
        (NY, date(2026, 7, 1), utc(2026, 7, 1, 4)),  # EDT, UTC-4
        (AKL, date(2026, 1, 1), utc(2025, 12, 31, 11)),  # NZDT, UTC+13
        (AKL, date(2026, 7, 1), utc(2026, 6, 30, 12)),  # NZST, UTC+12
        (ZoneInfo("UTC"), date(2026, 7, 1), utc(2026, 7, 1)),
        # 00:00 never happened in Lima on 1986-01-01 (UTC-5 -> UTC-4 at midnight):
        # the boundary is the first instant of that local date, the transition.
        (ZoneInfo("America/Lima"), date(1986, 1, 1), utc(1986, 1, 1, 5)),
        # Kathmandu moved from +05:30 to +05:45 at midnight on 1986-01-01.
        (ZoneInfo("Asia/Kathmandu"), date(1986, 1, 1), utc(1985, 12, 31, 18, 30)),
    ],
)
def test_boundary_instant_other_zones(tz: ZoneInfo, boundary: date, instant: datetime) -> None:
    assert boundary_instant(boundary, tz) == instant
    assert latest_boundary(instant, tz) == boundary
    assert latest_boundary(instant - SECOND, tz) == previous_boundary(boundary)
    # whatever the gap, the boundary instant shows the boundary date locally
    assert instant.astimezone(tz).date() == boundary
    assert (instant - SECOND).astimezone(tz).date() < boundary


def test_auckland_is_already_in_the_new_year() -> None:
    # 2025-12-31T12:00Z is 01:00 on 1 January in Auckland but 13:00 on 31 December here
    now = utc(2025, 12, 31, 12)
    assert latest_boundary(now, AKL) == date(2026, 1, 1)
    assert latest_boundary(now, STO) == date(2025, 7, 1)
    assert latest_boundary(now, NY) == date(2025, 7, 1)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        latest_boundary(datetime(2026, 1, 1), STO)
    with pytest.raises(ValueError, match="aware"):
        next_boundary(datetime(2026, 1, 1), STO)
    with pytest.raises(ValueError, match="aware"):
        boundaries_between(datetime(2026, 1, 1), utc(2027, 1, 1), STO)


def test_previous_and_following() -> None:
    assert previous_boundary(date(2026, 7, 1)) == date(2026, 1, 1)
    assert previous_boundary(date(2026, 1, 1)) == date(2025, 7, 1)
    assert following_boundary(date(2026, 1, 1)) == date(2026, 7, 1)
    assert following_boundary(date(2026, 7, 1)) == date(2027, 1, 1)


def test_period_of() -> None:
    assert period_of(date(2026, 7, 1)) == (date(2026, 1, 1), date(2026, 7, 1))
    assert period_of(date(2026, 1, 1)) == (date(2025, 7, 1), date(2026, 1, 1))


def test_is_boundary() -> None:
    assert is_boundary(date(2026, 1, 1))
    assert is_boundary(date(2026, 7, 1))
    assert not is_boundary(date(2026, 7, 2))
    assert not is_boundary(date(2026, 6, 1))
    assert not is_boundary(date(2026, 12, 31))


def test_non_boundaries_and_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="1 January or 1 July"):
        previous_boundary(date(2026, 3, 1))
    with pytest.raises(ValueError, match="1 January or 1 July"):
        boundary_instant(date(2026, 1, 2), STO)
    with pytest.raises(ValueError, match="1 January or 1 July"):
        period_of(date(2026, 6, 30))
    with pytest.raises(TypeError):
        is_boundary(datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        boundary_instant(datetime(2026, 1, 1, tzinfo=UTC), STO)


def test_boundaries_between_is_half_open() -> None:
    jan = boundary_instant(date(2026, 1, 1), STO)
    jul = boundary_instant(date(2026, 7, 1), STO)
    assert boundaries_between(jan - SECOND, jan, STO) == [date(2026, 1, 1)]
    assert boundaries_between(jan, jan + SECOND, STO) == []
    assert boundaries_between(jan, jul, STO) == [date(2026, 7, 1)]
    assert boundaries_between(jan - SECOND, jul, STO) == [date(2026, 1, 1), date(2026, 7, 1)]
    assert boundaries_between(jul, jan, STO) == []
    assert boundaries_between(utc(2020, 2, 1), utc(2022, 2, 1), STO) == [
        date(2020, 7, 1),
        date(2021, 1, 1),
        date(2021, 7, 1),
        date(2022, 1, 1),
    ]


# --------------------------------------------------------------- parse_instant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01", utc(2026, 6, 30, 22)),
        ("2026-01-01", utc(2025, 12, 31, 23)),
        ("20260701", utc(2026, 6, 30, 22)),
        ("  2026-07-01\n", utc(2026, 6, 30, 22)),
        ("2026-07-01T12:00", utc(2026, 7, 1, 10)),
        ("2026-07-01 12:00:30", utc(2026, 7, 1, 10, 0, 30)),
        ("2026-01-15T12:00", utc(2026, 1, 15, 11)),
        ("2026-06-30T22:00:00Z", utc(2026, 6, 30, 22)),
        ("2026-07-01T00:00+02:00", utc(2026, 6, 30, 22)),
        ("2026-07-01T00:00:00.250000-04:00", datetime(2026, 7, 1, 4, 0, 0, 250000, tzinfo=UTC)),
        # ambiguous 02:30 on 2026-10-25 (CEST -> CET): the first occurrence, +02:00
        ("2026-10-25T02:30", utc(2026, 10, 25, 0, 30)),
        # non-existent 02:30 on 2026-03-29 (CET -> CEST): read with +01:00
        ("2026-03-29T02:30", utc(2026, 3, 29, 1, 30)),
    ],
)
def test_parse_instant_stockholm(text: str, expected: datetime) -> None:
    got = parse_instant(text, STO)
    assert got == expected
    assert got.tzinfo is UTC


def test_parse_instant_dst_gap_lands_after_the_gap() -> None:
    got = parse_instant("2026-03-29T02:30", STO)
    assert got.astimezone(STO).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


def test_parse_instant_other_zones() -> None:
    assert parse_instant("2026-01-01", NY) == utc(2026, 1, 1, 5)
    assert parse_instant("2026-07-01", AKL) == utc(2026, 6, 30, 12)
    assert parse_instant("2026-07-01", UTC) == utc(2026, 7, 1)
    # Lima 1986-01-01 00:00 did not exist; a date means the first instant of it
    assert parse_instant("1986-01-01", ZoneInfo("America/Lima")) == utc(1986, 1, 1, 5)


def test_parse_instant_date_equals_boundary_instant() -> None:
    for tz in ZONES:
        assert parse_instant("2026-07-01", tz) == boundary_instant(date(2026, 7, 1), tz)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "now", "yesterday", "2026-13-01", "2026-02-30", "2026-07-01T25:00",
     "01/07/2026", "2026-07-01T12:00+25:00", "0001-01-01T00:00+01:00", "9999-12-31T23:59-05:00",
     "\x00", "x" * 500],
)  # fmt: skip
def test_parse_instant_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_instant(text, STO)


def test_parse_instant_message_is_helpful_and_short() -> None:
    with pytest.raises(ValueError) as info:
        parse_instant("2026-13-01", STO)
    msg = str(info.value)
    assert "'2026-13-01'" in msg and "2026-07-01" in msg and "month" in msg
    with pytest.raises(ValueError) as info:
        parse_instant("y" * 1000, STO)
    assert len(str(info.value)) < 400


def test_parse_instant_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        parse_instant(20260701, STO)  # type: ignore[arg-type]


# ----------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(now=aware_instants, tz=zones)
def test_now_lies_between_latest_and_next(now: datetime, tz: ZoneInfo) -> None:
    latest = latest_boundary(now, tz)
    nxt = next_boundary(now, tz)
    assert is_boundary(latest) and is_boundary(nxt)
    assert nxt == following_boundary(latest)
    assert boundary_instant(latest, tz) <= now < boundary_instant(nxt, tz)
    assert latest <= now.astimezone(tz).date() < nxt


@settings(max_examples=100, deadline=None)
@given(now=aware_instants, tz=zones, offset_hours=st.integers(min_value=-14, max_value=14))
def test_result_does_not_depend_on_the_offset_now_is_given_in(
    now: datetime, tz: ZoneInfo, offset_hours: int
) -> None:
    shifted = now.astimezone(timezone(timedelta(hours=offset_hours)))
    assert latest_boundary(shifted, tz) == latest_boundary(now, tz)


@settings(max_examples=100, deadline=None)
@given(boundary=boundaries, tz=zones)
def test_boundary_instant_is_the_first_local_instant(boundary: date, tz: ZoneInfo) -> None:
    instant = boundary_instant(boundary, tz)
    assert instant.tzinfo is UTC
    assert latest_boundary(instant, tz) == boundary
    assert latest_boundary(instant - SECOND, tz) == previous_boundary(boundary)
    assert instant.astimezone(tz).date() == boundary
    assert (instant - SECOND).astimezone(tz).date() < boundary


@settings(max_examples=100, deadline=None)
@given(boundary=boundaries)
def test_periods_chain_without_gaps(boundary: date) -> None:
    start, end = period_of(boundary)
    assert end == boundary
    assert following_boundary(start) == end
    assert period_of(start)[1] == start  # the previous period ends where this one starts
    assert period_of(following_boundary(boundary))[0] == boundary
    assert previous_boundary(following_boundary(boundary)) == boundary
    assert 181 <= (end - start).days <= 184


@settings(max_examples=100, deadline=None)
@given(d=st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31)))
def test_is_boundary_matches_definition(d: date) -> None:
    assert is_boundary(d) == (d.day == 1 and d.month in (1, 7))


@settings(max_examples=60, deadline=None)
@given(a=aware_instants, b=aware_instants, tz=zones)
def test_boundaries_between_matches_brute_force(a: datetime, b: datetime, tz: ZoneInfo) -> None:
    start, end = min(a, b), max(a, b)
    if end - start > timedelta(days=366 * 20):
        end = start + timedelta(days=366 * 20)
    got = boundaries_between(start, end, tz)
    assert all(start < boundary_instant(x, tz) <= end for x in got)
    assert got == sorted(got)
    assert all(following_boundary(x) == y for x, y in zip(got, got[1:], strict=False))
    # nothing missing at either end
    if got:
        assert boundary_instant(previous_boundary(got[0]), tz) <= start
        assert boundary_instant(following_boundary(got[-1]), tz) > end
    else:
        assert latest_boundary(end, tz) == latest_boundary(start, tz)


@settings(max_examples=100, deadline=None)
@given(now=aware_instants, tz=zones)
def test_boundaries_between_consecutive_runs_partition(now: datetime, tz: ZoneInfo) -> None:
    mid = now + timedelta(days=200)
    end = mid + timedelta(days=200)
    assert boundaries_between(now, mid, tz) + boundaries_between(mid, end, tz) == (
        boundaries_between(now, end, tz)
    )


@settings(max_examples=150, deadline=None)
@given(now=aware_instants, tz=zones)
def test_parse_instant_round_trips_aware_iso(now: datetime, tz: ZoneInfo) -> None:
    assert parse_instant(now.isoformat(), tz) == now
    local = now.astimezone(tz)
    assert parse_instant(local.isoformat(), STO) == now
    assert parse_instant(now.isoformat().replace("+00:00", "Z"), tz) == now


@settings(max_examples=150, deadline=None)
@given(now=aware_instants, tz=zones)
def test_parse_instant_naive_local_time(now: datetime, tz: ZoneInfo) -> None:
    local = now.astimezone(tz)
    got = parse_instant(local.replace(tzinfo=None).isoformat(), tz)
    if local.fold == 0:
        assert got == now
    else:  # the second occurrence of a repeated wall time reads as the first
        assert got < now
        assert got.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)


@settings(max_examples=100, deadline=None)
@given(d=st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31)), tz=zones)
def test_parse_instant_date_is_local_midnight(d: date, tz: ZoneInfo) -> None:
    got = parse_instant(d.isoformat(), tz)
    assert got == datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC)
    assert got.astimezone(tz).date() == d
