"""Yearly statistics per account (Torsby 4.3, S14): posts, comments, answered questions,
followers, removed items — as a table, CSV, JSON or an HTML page.

"Questions answered by the account": a visitor's comment or reply containing a
question mark that has a reply from the account itself.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.builder import E
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from archiver.catalogue.models import Account, Item, ItemMark, Snapshot
from archiver.home import csvcells


@dataclass(frozen=True)
class YearRow:
    account: int
    name: str
    platform: str
    posts: int
    comments: int
    questions_answered: int
    followers: int | None
    removed: int


def yearly(session: Session, year: int, tz: ZoneInfo) -> list[YearRow]:
    start = dt.datetime(year, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    in_year = and_(Item.created_at >= start, Item.created_at < end)
    rows = []
    for account in session.scalars(select(Account).order_by(Account.id)):
        def count(*where: Any, account_id: int = account.id) -> int:
            return session.scalar(select(func.count()).select_from(Item).where(
                Item.account_id == account_id, in_year, *where)) or 0

        reply = aliased(Item)
        answered = session.scalar(
            select(func.count(func.distinct(Item.id))).select_from(Item)
            .join(reply, and_(reply.account_id == Item.account_id,
                              reply.parent_platform_id == Item.platform_id,
                              reply.is_own.is_(True)))
            .where(Item.account_id == account.id, in_year, Item.is_own.isnot(True),
                   Item.kind.in_(("comment", "reply", "message")), Item.text.contains("?"))) or 0
        removed_marked = session.scalar(
            select(func.count(func.distinct(ItemMark.item_id))).join(Item, Item.id == ItemMark.item_id)
            .where(Item.account_id == account.id, ItemMark.kind == "removed",
                   ItemMark.marked_at >= start, ItemMark.marked_at < end)) or 0
        followers = session.scalar(
            select(Snapshot.followers).where(Snapshot.account_id == account.id,
                                             Snapshot.followers.isnot(None),
                                             Snapshot.captured_at >= start, Snapshot.captured_at < end)
            .order_by(Snapshot.captured_at.desc()).limit(1))
        if account.opened.year > year and not count():  # opened after the year: no row of zeros
            continue
        rows.append(YearRow(account.id, account.name, account.platform,
                            posts=count(Item.kind == "post"),
                            comments=count(Item.kind.in_(("comment", "reply"))),
                            questions_answered=answered, followers=followers,
                            removed=removed_marked))
    return rows


COLUMNS = ("account", "name", "platform", "posts", "comments", "questions_answered", "followers",
           "removed")
HEADINGS_SV = ("Nr", "Konto", "Plattform", "Inlägg", "Kommentarer", "Besvarade frågor",
               "Följare", "Borttagna")


def render(fmt: str, rows: list[YearRow], *, year: int, org_name: str) -> str:
    if fmt == "json":
        return json.dumps({"year": year, "accounts": [asdict(r) for r in rows]},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csvcells.writer(buf, lineterminator="\r\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(["" if v is None else v for v in astuple(r)])
        return buf.getvalue()
    if fmt == "html":
        title = f"{org_name}: statistik för sociala medier {year}"
        table = E.table(
            E.caption(title),
            E.thead(E.tr(*[E.th(h, scope="col") for h in HEADINGS_SV])),
            E.tbody(*[E.tr(*[E.td("–" if v is None else str(v)) for v in astuple(r)]) for r in rows]))
        page = E.html(E.head(E.meta(charset="utf-8"), E.title(title)),
                      E.body(E.main(E.h1(title), table)), lang="sv")
        return "<!DOCTYPE html>\n" + etree.tostring(page, encoding="unicode", method="html") + "\n"
    widths = [max(len(h), *(len(str(v)) for v in col)) if rows else len(h)
              for h, col in zip(HEADINGS_SV, zip(*[astuple(r) for r in rows], strict=True) if rows
                                else [()] * len(HEADINGS_SV), strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADINGS_SV, widths, strict=True))]
    for r in rows:
        lines.append("  ".join(("–" if v is None else str(v)).ljust(w)
                               for v, w in zip(astuple(r), widths, strict=True)))
    return "\n".join(lines) + "\n"


def astuple(r: YearRow) -> tuple[object, ...]:
    return tuple(getattr(r, c) for c in COLUMNS)
