"""Post dates as platforms write them, resolved to aware datetimes.

Markup carries dates three ways: machine values (``<time datetime>``, Facebook's old
``abbr[data-utime]`` epoch seconds, ``data-*`` timestamps), absolute text ("4 juni kl.
17:33", "June 4 at 5:33 PM") and relative text ("igår", "3 tim", "2 d"). Machine values
are parsed here; text goes to dateparser (it knows Swedish and English and their
relative forms), resolved against the capture time in the home's time zone, since that
is the clock the platform's "3 tim" was written against.
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
    r"posted|updated|sändes|visades)\b\.?",
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


def parse_text(raw: str | None, now: dt.datetime, zone: str) -> dt.datetime | None:
    """Date text in Swedish or English, absolute or relative to ``now`` (aware)."""
    if not raw:
        return None
    text = " ".join(raw.split())
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
    cleaned = " ".join(_NOISE.sub(" ", text).split()).strip(" ·,")
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
