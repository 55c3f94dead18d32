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
# LinkedIn's short ages that dateparser does not know: "1w" (week), "3 v" is known.
_SHORT_WEEKS = re.compile(r"^(\d+)\s*w$", re.IGNORECASE)
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
    if not text or len(text) > MAX_TEXT or not re.search(r"\d|igår|idag|i dag|yesterday|today", text, re.I):
        return None
    if re.fullmatch(r"[\d\s.,:]+", text) and not _NUMERIC_DATE.search(text):
        return None  # a count ("12", "1.234"), not a date
    if _COUNT.match(text):
        return None  # "2M" views, "1,2 tn" followers
    local = now.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
    cleaned = " ".join(_NOISE.sub(" ", text).split()).strip(" ·,")
    cleaned = _SHORT_WEEKS.sub(r"\1 weeks ago", cleaned)
    return _parse_cached(cleaned, local.isoformat(), zone)


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
