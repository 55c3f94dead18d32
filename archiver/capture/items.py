"""Turning what the page scripts read into SeenItems, and keeping one per platform id.

Feeds are virtualised (posts leave the DOM as you scroll), so items are collected
round by round and merged here; the page's final DOM is never the only source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any
from urllib.parse import urlsplit

from archiver.capture.dates import parse_machine
from archiver.capture.model import SeenItem
from archiver.capture.site import ItemSpec, SiteProfile


def specs_for_page(profile: SiteProfile) -> list[dict[str, Any]]:
    """The profile's item specs as plain dicts for EXTRACT_ITEMS."""
    return [_spec_dict(spec) for spec in profile.items]


def _spec_dict(spec: ItemSpec) -> dict[str, Any]:
    return asdict(spec)


def parse_time(raw: str | None) -> dt.datetime | None:
    """Parse an ISO 8601 ``datetime`` attribute; naive values are taken as UTC."""
    if not raw:
        return None
    text = raw.strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            value = dt.datetime.fromtimestamp(float(text), tz=dt.UTC)  # epoch seconds
        except (ValueError, OverflowError):
            return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


_COUNT = re.compile(r"(\d+(?:[ \u00a0\u202f.,]\d+)*)\s*(tn|tusen|k|mn|milj|m)?\b", re.IGNORECASE)


def parse_count(raw: str | None) -> int | None:
    """Read a follower count like "12345", "12 345 följare", "1,2 tn", "3.4K" or "2 mn"."""
    if raw is None:
        return None
    match = _COUNT.search(raw.strip())
    if not match:
        return None
    number, unit = match.group(1), (match.group(2) or "").lower()
    if unit:
        value = float(re.sub(r"[ \u00a0\u202f]", "", number).replace(",", "."))
        factor = 1_000 if unit in ("tn", "tusen", "k") else 1_000_000
        return round(value * factor)
    return int(re.sub(r"\D", "", number))


class ItemCollector:
    """Merges items seen over many scroll rounds, keeping first-seen order.

    A later sighting wins field by field where it knows more (an expanded text, a
    loaded image), but never erases what an earlier sighting knew.
    """

    def __init__(self, resolve: Callable[[str | None], dt.datetime | None] | None = None,
                 by_id: Callable[[list[str]], dt.datetime | None] | None = None) -> None:
        self._items: dict[str, SeenItem] = {}
        self._resolve = resolve or parse_time
        self._by_id = by_id

    def _created(self, raw: dict[str, Any]) -> dt.datetime | None:
        """The item's time: a machine value among the reader's date candidates, else the
        time its id or permalink carries (``by_id``: `dates.from_post_id`), else the first
        candidate whose text parses.

        Exact before approximate: "2mo" is a month wide, and a reader's first date-like
        text may be a date the post mentions."""
        found = raw.get("created")
        candidates = [str(v) for v in (found if isinstance(found, list) else [found]) if v]
        exact = next((t for v in candidates if (t := parse_machine(v)) is not None), None)
        if exact is None and self._by_id is not None:
            exact = self._by_id([str(raw.get("id") or ""), str(raw.get("url") or "")])
        return exact or next((t for v in candidates if (t := self._resolve(v)) is not None), None)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[SeenItem]:
        return list(self._items.values())

    def add_raw(self, raw_items: list[dict[str, Any]]) -> int:
        """Merge one round's raw items; return how many ids were new."""
        new = 0
        for raw in raw_items:
            item = SeenItem(
                platform_id=str(raw["id"]),
                kind=str(raw["kind"]),
                parent_id=raw.get("parent") or None,
                author_handle=_clean(raw.get("author_handle"), handle=True),
                author_name=_clean(raw.get("author_name")),
                created=self._created(raw),
                text=raw.get("text") or "",
                url=raw.get("url") or None,
                media=tuple(raw.get("media") or ()),
                reader=str(raw.get("reader") or "profile"),
            )
            old = self._items.get(item.platform_id)
            if old is None:
                new += 1
                self._items[item.platform_id] = item
            else:
                self._items[item.platform_id] = _merge(old, item)
        return new

    def last_dated_post(self, account: str = "") -> SeenItem | None:
        """The dated post furthest down the feed (first seen last): once it is older than
        the period start, the feed has reached it.

        Not the oldest post seen: platforms pin a post, often years old, above the newest
        ones, and that post says nothing about how far the feed below it has loaded. Nor
        another author's post when the *account*'s own are recognisable among them (its
        handle, `account_handle`): a repost sits where it was reposted but shows when its
        author posted it, years earlier perhaps."""
        posts = [i for i in self._items.values() if i.kind == "post" and i.created]
        authors = {(i.author_handle or "").lower() for i in posts}
        if account and account in authors:
            posts = [i for i in posts if (i.author_handle or account).lower() == account]
        return posts[-1] if posts else None

    def posts(self, reader: str | None = None) -> list[SeenItem]:
        """Posts seen so far, optionally only those one reader found."""
        return [i for i in self._items.values()
                if i.kind == "post" and (reader is None or i.reader == reader)]

    def note_media_problems(self, problems: dict[str, str]) -> None:
        """Attach "<url>: <reason>" to every item showing a medium the platform did not serve."""
        for key, item in self._items.items():
            mine = tuple(f"{url}: {problems[url]}" for url in item.media if url in problems)
            if mine:
                self._items[key] = replace(item, media_problems=mine)


def account_handle(url: str) -> str:
    """The account's handle as its URL's last path part ("https://x.com/@Torsby" → "torsby")."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[-1].lstrip("@").lower() if parts else ""


def _clean(value: Any, *, handle: bool = False) -> str | None:
    """Strip white space (and a handle's leading "@") so sightings compare equal."""
    text = str(value).strip() if value is not None else ""
    if handle:
        text = text.lstrip("@")
    return text or None


def _merge(old: SeenItem, new: SeenItem) -> SeenItem:
    return SeenItem(
        platform_id=old.platform_id,
        kind=old.kind,
        parent_id=new.parent_id or old.parent_id,
        author_handle=new.author_handle or old.author_handle,
        author_name=new.author_name or old.author_name,
        created=new.created or old.created,
        text=new.text if len(new.text) >= len(old.text) else old.text,
        url=new.url or old.url,
        media=tuple(dict.fromkeys(old.media + new.media)),
        reader=old.reader,
    )
