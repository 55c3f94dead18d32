"""Post dates as platforms write them, resolved to aware datetimes.

Markup carries dates three ways: machine values (``<time datetime>``, Facebook's old
``abbr[data-utime]`` epoch seconds, ``data-*`` timestamps), absolute text ("4 juni kl.
17:33", "June 4 at 5:33 PM") and relative text ("igår", "3 tim", "2 d"). Machine values
are parsed here; text goes to dateparser (it knows Swedish and English and their
relative forms), resolved against the capture time in the home's time zone, since that
is the clock the platform's "3 tim" was written against.

Three platforms also write the time into a post's id (`from_post_id`): X's status ids and
LinkedIn's activity, share, ugcPost and groupPost URNs are snowflakes (milliseconds in the bits above
22), Instagram's shortcodes encode a media id with milliseconds since its own epoch above
bit 23. That time is exact where the text says "2mo", and the only one an Instagram grid
shows at all.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

import dateparser

LANGUAGES = ["sv", "en"]
EPOCH_MIN = 946_684_800  # 2000-01-01: smaller numbers are not timestamps of posts
EPOCH_MS_MIN = EPOCH_MIN * 1000
MAX_TEXT = 60
"""Longer strings are sentences, not dates; dateparser would find a date in many."""

# Words dateparser does not expect between date and time ("kl.", "at") or around a
# relative date ("Streamed", "Publicerad"); removed before parsing.
# The dot goes after the closing \b: "kl." ends in a non-word character, so a "\.?" inside
# the word would be given up to let \b match, leaving "igår . 10:12", whose time
# dateparser then drops.
_NOISE = re.compile(
    r"\b(kl|klockan|at|um|streamed|premiered|publicerad|publicerades|uppdaterad|"
    r"posted|updated|sändes|visades|edited|redigerad|redigerat)\b\.?",
    re.IGNORECASE,
)
# Short ages dateparser does not know: LinkedIn's "1w" (week; "3 v" is known), Facebook's
# "2 wks", "2 yrs", "4 mths", "11 mos" (it knows only the singular "1 wk", "1 yr", "1 mo").
_SHORT_AGE = re.compile(r"^(\d+)\s*(w|wks?|yrs?|mths?|mos)$", re.IGNORECASE)
_AGE_UNITS = {"w": "weeks", "wk": "weeks", "wks": "weeks", "yr": "years", "yrs": "years",
              "mth": "months", "mths": "months", "mos": "months"}
# The moment itself ("Just now", "Just nu", "nyss") and a weekday alone, Facebook's "on Sat",
# "last Tue" or Swedish "i lördags": the whole text must be that, or a post saying "Öppet
# på lördag" would be read as a date.
_NOW = re.compile(r"^(just now|now|just nu|nu|nyss)$", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"^(?:on |last |i )?(mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)s?$", re.IGNORECASE)
# LinkedIn writes a post's age, its edit mark and its audience as one line between
# bullets ("17h • Edited • Visible to anyone", "2 mån • Redigerat •"), Facebook the age
# and its audience icon ("3 tim · 🌍"): the date is the part before the first bullet.
_SEPARATORS = re.compile(r"\s*[•·]\s*")
_NUMBER = re.compile(r"^\d{9,13}(\.\d+)?$")
_COUNT = re.compile(r"^\d+([.,]\d+)?\s*([KMB]|tn|mn|milj)\.?$|^\d+[.,]\d+\s*[a-z]*$")
_NUMERIC_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}")


def parse_machine(raw: str | None) -> dt.datetime | None:
    """ISO 8601 or epoch seconds/milliseconds; naive ISO values are taken as UTC."""
    if not raw:
        return None
    text = raw.strip()
    if _NUMBER.match(text):
        value = float(text)
        if value >= EPOCH_MS_MIN:
            value /= 1000
        if value < EPOCH_MIN:
            return None
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


X_EPOCH_MS = 1_288_834_974_657  # 2010-11-04, Twitter's snowflake epoch
INSTAGRAM_EPOCH_MS = 1_314_220_021_721  # 2011-08-24
_SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_X_STATUS = re.compile(r"/status(?:es)?/(\d{15,20})(?!\d)")
_LINKEDIN_URN = re.compile(r"urn(?::|%3A)li(?::|%3A)(?:(?:activity|share|ugcPost)(?::|%3A)|groupPost(?::|%3A)\d+-)"
                           r"(\d{16,20})(?!\d)|-activity-(\d{16,20})-", re.IGNORECASE)
_INSTAGRAM_CODE = re.compile(r"/(?:p|reel|reels|tv)/([A-Za-z0-9_-]{10,12})(?![A-Za-z0-9_-])")
EARLIEST_POST = dt.datetime(2006, 3, 21, tzinfo=dt.UTC)  # the first tweet: nothing is older


def from_post_id(platform: str, values: list[str], now: dt.datetime) -> dt.datetime | None:
    """The creation time an X, LinkedIn or Instagram post id or permalink carries, if any
    of *values* holds one; None for other platforms and for a time outside 2006..now."""
    ms: int | None = None
    for value in values:
        if platform == "x" and (m := _X_STATUS.search(value)):
            ms = (int(m.group(1)) >> 22) + X_EPOCH_MS
        elif platform == "linkedin" and (m := _LINKEDIN_URN.search(value)):
            ms = int(m.group(1) or m.group(2)) >> 22
        elif platform == "instagram" and (m := _INSTAGRAM_CODE.search(value)):
            number = 0
            for char in m.group(1):
                number = number * 64 + _SHORTCODE_ALPHABET.index(char)
            ms = (number >> 23) + INSTAGRAM_EPOCH_MS
        if ms is not None:
            break
    if ms is None:
        return None
    created = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return created if EARLIEST_POST <= created <= now + dt.timedelta(days=1) else None


def parse_text(raw: str | None, now: dt.datetime, zone: str) -> dt.datetime | None:
    """Date text in Swedish or English, absolute or relative to ``now`` (aware)."""
    if not raw:
        return None
    text = " ".join(raw.split())
    # Labels first ("Publicerad • 4 juni", "Edited • 2mo"), then the part before a bullet.
    text = next((part.strip() for part in _SEPARATORS.split(_NOISE.sub(" ", text)) if part.strip()), "")
    if _NOW.match(text):
        return now.astimezone(dt.UTC).replace(microsecond=0)
    weekday = _WEEKDAY.match(text)
    if weekday:
        return _parse_cached(weekday.group(1).lower(), _local(now, zone).isoformat(), zone)
    if not text or len(text) > MAX_TEXT or not re.search(r"\d|igår|i går|idag|i dag|yesterday|today",
                                                          text, re.I):
        return None
    if re.fullmatch(r"[\d\s.,:]+", text) and not _NUMERIC_DATE.search(text):
        return None  # a count ("12", "1.234"), not a date
    if _COUNT.match(text):
        return None  # "2M" views, "1,2 tn" followers
    cleaned = " ".join(text.split()).strip(" ,")  # the labels went above
    age = _SHORT_AGE.match(cleaned)
    if age:
        cleaned = f"{age.group(1)} {_AGE_UNITS[age.group(2).lower()]} ago"
    return _parse_cached(cleaned, _local(now, zone).isoformat(), zone)


def _local(now: dt.datetime, zone: str) -> dt.datetime:
    return now.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)


@lru_cache(maxsize=4096)
def _parse_cached(text: str, local_now: str, zone: str) -> dt.datetime | None:
    settings = {
        "RELATIVE_BASE": dt.datetime.fromisoformat(local_now),
        "PREFER_DATES_FROM": "past",
        "TIMEZONE": zone,
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    try:
        value = dateparser.parse(text, languages=LANGUAGES, settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if value is None:
        return None
    return value.astimezone(dt.UTC)


def resolve(raw: str | None, now: dt.datetime, zone: str) -> dt.datetime | None:
    """Whatever a reader found: a machine value first, else date text."""
    return parse_machine(raw) or parse_text(raw, now, zone)
