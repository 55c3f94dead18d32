"""The catalogue's datetime column: aware UTC in, the same text SQLite's DateTime writes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from archiver.catalogue.types import UTCDateTime

SQLITE = sqlite.dialect()
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def test_sqlite_text_is_naive_utc_with_microseconds() -> None:
    bind = UTCDateTime().bind_processor(SQLITE)
    assert bind is not None
    summer = dt.datetime(2026, 7, 1, 0, 0, tzinfo=STOCKHOLM)  # CEST, two hours ahead of UTC
    assert bind(summer) == "2026-06-30 22:00:00.000000"
    assert bind(dt.datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)) == "0999-01-02 03:04:05.000006"
    assert bind(None) is None


def test_naive_datetimes_are_refused_on_every_dialect() -> None:
    naive = dt.datetime(2026, 1, 1, 12)
    for dialect in (SQLITE, postgresql.dialect()):
        bind = UTCDateTime().bind_processor(dialect)
        with pytest.raises(ValueError, match="naive datetime given to the catalogue"):
            bind(naive) if bind else UTCDateTime().process_bind_param(naive, dialect)


@given(st.datetimes(min_value=dt.datetime(1000, 1, 2), max_value=dt.datetime(9999, 12, 30),
                    timezones=st.sampled_from([dt.UTC, STOCKHOLM, dt.timezone(dt.timedelta(hours=-9))])))
def test_sqlite_text_equals_the_dialects_own_datetime_text(value: dt.datetime) -> None:
    """The fast path must write exactly what SQLAlchemy's SQLite DateTime writes, so rows
    written before and after it compare and sort alike."""
    ours = UTCDateTime().bind_processor(SQLITE)
    theirs = sa.DateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
    assert ours is not None and theirs is not None
    assert ours(value) == theirs(value.astimezone(dt.UTC).replace(tzinfo=None))


def test_round_trip_through_sqlite() -> None:
    engine = sa.create_engine("sqlite://")
    meta = sa.MetaData()
    table = sa.Table("t", meta, sa.Column("at", UTCDateTime()))
    meta.create_all(engine)
    value = dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=STOCKHOLM)
    with engine.begin() as c:
        c.execute(table.insert(), [{"at": value}, {"at": None}])
        rows = [r.at for r in c.execute(sa.select(table.c.at))]
    assert rows == [value.astimezone(dt.UTC), None]
    assert rows[0].tzinfo is dt.UTC
