"""Post dates as platforms write them (archiver/capture/dates.py)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archiver.capture.dates import from_post_id, parse_machine, parse_text, resolve

NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)  # 10:00 in Stockholm
ZONE = "Europe/Stockholm"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("4 juni kl. 17:33", utc(2026, 6, 4, 15, 33)),      # Swedish summer time, UTC+2
    ("June 4 at 5:33 PM", utc(2026, 6, 4, 15, 33)),
    ("12 dec. 2025", utc(2025, 12, 11, 23, 0)),         # winter time, UTC+1
    ("igår", utc(2026, 6, 30, 8, 0)),
    ("3 tim", utc(2026, 7, 1, 5, 0)),
    ("2 d", utc(2026, 6, 29, 8, 0)),
    ("5 min", utc(2026, 7, 1, 7, 55)),
    ("för 2 dagar sedan", utc(2026, 6, 29, 8, 0)),
    ("2 days ago", utc(2026, 6, 29, 8, 0)),
    ("Streamed 2 years ago", utc(2024, 7, 1, 8, 0)),
    ("igår kl. 10:12", utc(2026, 6, 30, 8, 12)),
    ("i går kl. 10:12", utc(2026, 6, 30, 8, 12)),
    ("idag kl. 07:05", utc(2026, 7, 1, 5, 5)),
    ("4 juni kl 17:33", utc(2026, 6, 4, 15, 33)),
    ("1w", utc(2026, 6, 24, 8, 0)),                     # LinkedIn's short English age
    ("1 v", utc(2026, 6, 24, 8, 0)),                    # and its Swedish one
    # Facebook's plural short ages (dateparser knows only "1 wk", "1 yr", "1 mo")
    ("2 wks", utc(2026, 6, 17, 8, 0)),
    ("2 yrs", utc(2024, 7, 1, 8, 0)),
    ("4 mths", utc(2026, 3, 1, 8, 0)),
    ("11 mos", utc(2025, 8, 1, 8, 0)),
    # a weekday alone is the last one before the capture day (1 July 2026 is a Wednesday),
    # at local midnight
    ("on Sat", utc(2026, 6, 26, 22, 0)),
    ("last Tue", utc(2026, 6, 29, 22, 0)),
    ("i lördags", utc(2026, 6, 26, 22, 0)),
    ("i går", utc(2026, 6, 30, 8, 0)),
    ("Just nu", NOW),
    ("nyss", NOW),
    ("Just now", NOW),
    # LinkedIn's header line, seen on saved company and activity pages: age, edit mark and
    # audience between bullets, in English and Swedish; Facebook's age and audience icon
    ("1w •", utc(2026, 6, 24, 8, 0)),
    ("17h • Edited •", utc(2026, 6, 30, 15, 0)),
    ("7mo • Edited • Visible to anyone", utc(2025, 12, 1, 8, 0)),
    ("2 mån • Redigerat •", utc(2026, 5, 1, 8, 0)),
    ("3 tim · 🌍", utc(2026, 7, 1, 5, 0)),
    ("Publicerad • 4 juni", utc(2026, 6, 3, 22, 0)),    # a label before the bullet
    ("Uppdaterad · igår", utc(2026, 6, 30, 8, 0)),
    ("Edited • 2mo", utc(2026, 5, 1, 8, 0)),
])
def test_date_text_in_swedish_and_english(text: str, expected: dt.datetime) -> None:
    assert parse_text(text, NOW, ZONE) == expected


def test_relative_dates_follow_the_capture_time_not_the_clock() -> None:
    later = NOW + dt.timedelta(days=10)
    assert parse_text("igår", later, ZONE) == utc(2026, 7, 10, 8, 0)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-01-02T10:00:00Z", utc(2026, 1, 2, 10)),
    ("2026-01-02T10:00:00", utc(2026, 1, 2, 10)),        # naive machine values are UTC
    ("1710000000", utc(2024, 3, 9, 16)),                 # abbr[data-utime]: epoch seconds
    ("1710000000000", utc(2024, 3, 9, 16)),              # data-* in milliseconds
])
def test_machine_values(raw: str, expected: dt.datetime) -> None:
    assert parse_machine(raw) == expected
    assert resolve(raw, NOW, ZONE) == expected


@pytest.mark.parametrize("raw", ["", "12", "Hej på er alla 2 gånger", "x" * 200, "999", "2M", "3.9M",
                                 "1,2 tn", "192.1K", "Öppet på lördag", "Nu kör vi!", "Saturday market",
                                 "Öppet på lördag • 10–14", "• Följ •"])
def test_what_is_not_a_date_is_none(raw: str) -> None:
    assert resolve(raw, NOW, ZONE) is None


@given(st.sampled_from(["igår kl.", "i går kl.", "igår klockan", "Yesterday at", "igår"]),
       st.integers(0, 23), st.integers(0, 59))
def test_yesterday_with_a_time_keeps_the_time_of_day(day: str, hour: int, minute: int) -> None:
    """"igår kl. 10:12" is 10:12 Stockholm time yesterday, not the capture's time of day."""
    value = parse_text(f"{day} {hour:02d}:{minute:02d}", NOW, ZONE)
    assert value is not None
    local = value.astimezone(ZoneInfo(ZONE))
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 6, 30), hour, minute)


@given(st.text(max_size=80))
def test_any_text_gives_an_aware_time_or_none(raw: str) -> None:
    value = resolve(raw, NOW, ZONE)
    assert value is None or value.tzinfo is not None


SHARED = Path(os.environ.get("BEVARA_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
EXPORTS = SHARED / "reference" / "real" / "exports"
needs_exports = pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/reference is not present")


@pytest.mark.parametrize(("platform", "value", "expected"), [
    # an X status (a tweet of 22 March 2017, created_at "Wed Mar 22 07:41:49 +0000 2017")
    ("x", "https://x.com/someone/status/844454048556355584", utc(2017, 3, 22, 7, 41, 49)),
    # a LinkedIn share posted 2021-06-15 08:40:56 (its export's Date), URL-encoded as exported
    ("linkedin", "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A6810486256754036736",
     utc(2021, 6, 15, 8, 40, 56)),
    ("linkedin", "urn:li:activity:6810486256754036736", utc(2021, 6, 15, 8, 40, 56)),
    # Instagram: shortcode C5lwbPYIzMs is media id 3343291276561953580 (base 64), whose bits
    # above 23 are 2024-04-10 17:49:59.561 UTC in ms since 2011-08-24
    ("instagram", "https://www.instagram.com/reel/C5lwbPYIzMs/", utc(2024, 4, 10, 17, 49, 59)),
])
def test_a_post_id_carries_its_time(platform: str, value: str, expected: dt.datetime) -> None:
    found = from_post_id(platform, ["", value], NOW)
    assert found is not None and abs(found - expected) < dt.timedelta(seconds=1)


@pytest.mark.parametrize(("platform", "value"), [
    ("facebook", "https://www.facebook.com/kommun/posts/844454048556355584"),  # no time in it
    ("x", "https://x.com/someone/status/20"),            # 2006, before snowflakes: too short
    ("x", "https://x.com/someone/photo/844454048556355584"),
    ("linkedin", "urn:li:company:12345"),
    ("linkedin", "urn:li:activity6810486256754036736"),   # not a URN
    ("instagram", "https://www.instagram.com/torsbykommun/"),  # a profile, not a post
    ("x", "https://x.com/a/status/" + str((10**19) // 2)),  # a time after the capture
])
def test_what_carries_no_post_time_is_none(platform: str, value: str) -> None:
    assert from_post_id(platform, [value], NOW) is None


@needs_exports
def test_every_real_tweet_and_linkedin_share_is_dated_by_its_id() -> None:
    """The exports' own creation times against the ids: 1,163 tweets to the second
    (ids carry milliseconds, created_at whole seconds), 292 LinkedIn shares within the
    few minutes their export's Date may lag the post."""
    text = (EXPORTS / "x/dsajgiouawj-ja/data/tweet.js").read_text(encoding="utf-8")
    for entry in json.loads(text[text.index("["):]):
        tweet = entry.get("tweet", entry)
        made = dt.datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
        found = from_post_id("x", [f"/status/{tweet['id_str']}"], NOW)
        assert found is not None and dt.timedelta(0) <= found - made < dt.timedelta(seconds=1), tweet["id_str"]
    for folder in ("femi10-2021", "apk0703-2024"):
        with (EXPORTS / "linkedin" / folder / "Shares.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                made = dt.datetime.fromisoformat(row["Date"]).replace(tzinfo=dt.UTC)
                found = from_post_id("linkedin", [unquote(row["ShareLink"])], NOW)
                assert found is not None and abs(found - made) < dt.timedelta(minutes=10), row["ShareLink"]
