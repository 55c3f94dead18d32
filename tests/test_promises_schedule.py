"""The half-year calendar's refusals, word for word, and the one kind of zone where the
local date runs backwards across a boundary (Phoenix, 1 January 1944)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from archiver.schedule import (
    boundaries_between,
    is_boundary,
    latest_boundary,
    parse_instant,
    previous_boundary,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HINT = ("cannot read {!r} as a date or date-time; use ISO 8601, e.g. "
        "2026-07-01 (local midnight), 2026-07-01T12:00 (local time) or "
        "2026-06-30T22:00:00Z / 2026-07-01T00:00+02:00 (an exact instant)")


class NoOffset(tzinfo):
    """A zone that knows no offset: as good as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


def message(exc: pytest.ExceptionInfo[BaseException]) -> str:
    return str(exc.value)


def test_phoenix_1944_local_date_goes_back_across_new_year() -> None:
    # Arizona left war time at 00:01 on 1 January 1944, back to 23:01 on 31 December: at
    # 06:30 UTC the clocks show 23:30 on New Year's Eve, but local midnight (06:00 UTC) has passed.
    phoenix = ZoneInfo("America/Phoenix")
    now = datetime(1944, 1, 1, 6, 30, tzinfo=UTC)
    assert now.astimezone(phoenix).date() == date(1943, 12, 31)
    assert latest_boundary(now, phoenix) == date(1944, 1, 1)
    assert boundaries_between(datetime(1943, 12, 31, tzinfo=UTC), now, phoenix) == [date(1944, 1, 1)]


def test_moments_must_be_aware_datetimes() -> None:
    with pytest.raises(TypeError) as t:
        latest_boundary("2026-07-01", STOCKHOLM)  # type: ignore[arg-type]
    assert message(t) == "now must be a datetime, got '2026-07-01'"
    with pytest.raises(ValueError) as naive:
        latest_boundary(datetime(2026, 7, 1), STOCKHOLM)
    assert message(naive) == ("now must be time-zone aware (got naive 2026-07-01T00:00:00); "
                              "attach a zone, e.g. datetime.now(UTC)")
    with pytest.raises(ValueError) as no_offset:
        latest_boundary(datetime(2026, 7, 1, tzinfo=NoOffset()), STOCKHOLM)
    assert message(no_offset).startswith("now must be time-zone aware (got naive 2026-07-01T00:00:00")
    aware = datetime(2026, 7, 1, tzinfo=UTC)
    with pytest.raises(ValueError) as start:
        boundaries_between(datetime(2026, 1, 1), aware, STOCKHOLM)
    assert message(start).startswith("start must be time-zone aware (got naive 2026-01-01T00:00:00)")
    with pytest.raises(ValueError) as end:
        boundaries_between(aware, datetime(2026, 1, 1), STOCKHOLM)
    assert message(end).startswith("end must be time-zone aware (got naive 2026-01-01T00:00:00)")


def test_boundaries_must_be_plain_dates_of_1_january_or_1_july() -> None:
    with pytest.raises(ValueError) as march:
        previous_boundary(date(2026, 3, 1))
    assert message(march) == "boundary must be 1 January or 1 July, got 2026-03-01"
    with pytest.raises(TypeError) as moment:
        previous_boundary(datetime(2026, 7, 1))  # type: ignore[arg-type]
    assert message(moment) == ("boundary must be a datetime.date (not a datetime), "
                               "got datetime.datetime(2026, 7, 1, 0, 0)")
    with pytest.raises(TypeError) as d:
        is_boundary(datetime(2026, 7, 1))
    assert message(d) == "d must be a datetime.date (not a datetime), got datetime.datetime(2026, 7, 1, 0, 0)"


def test_unreadable_instants_get_the_whole_hint() -> None:
    with pytest.raises(ValueError) as word:
        parse_instant("i morgon", STOCKHOLM)
    assert message(word) == HINT.format("i morgon")  # the library's echo of the input is dropped
    sixty = "x" * 60
    with pytest.raises(ValueError) as exact:
        parse_instant(sixty, STOCKHOLM)
    assert message(exact) == HINT.format(sixty)
    with pytest.raises(ValueError) as long:
        parse_instant("y" * 61, STOCKHOLM)
    assert message(long) == HINT.format("y" * 57 + "...")
    with pytest.raises(ValueError) as month:
        parse_instant("2026-13-01T00:00", STOCKHOLM)
    assert message(month) == HINT.format("2026-13-01T00:00") + " (month must be in 1..12)"
    with pytest.raises(TypeError) as t:
        parse_instant(20260701, STOCKHOLM)  # type: ignore[arg-type]
    assert message(t) == "expected an ISO 8601 string, got 20260701"
