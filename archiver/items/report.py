"""Yearly statistics per account (Torsby 4.3, S14): posts, comments, answered questions,
followers, removed items — as a table, CSV, JSON or an HTML page.

"Questions answered by the account": a visitor's comment or reply containing a
question mark that has a reply from the account itself. The HTML page states this and
the other columns' definitions in Swedish beside the table (`DEFINITIONS_SV`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.builder import E
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from archiver.accounts.publish import PLATFORM_NAMES
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


FIRST_YEAR = 2000
"""No municipality published on social media before this; an earlier --year is a mistake."""


def check_year(year: int, now: dt.datetime, tz: ZoneInfo) -> str | None:
    """Why *year* cannot be reported on (a two-digit or far-off year), or None."""
    this_year = now.astimezone(tz).year
    if FIRST_YEAR <= year <= this_year:
        return None
    return f"{year} is not a year to report on; give a four-digit year from {FIRST_YEAR} to {this_year}"


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


DEFINITIONS_SV = (
    ("Inlägg", "Inlägg som kontot publicerade under året."),
    ("Kommentarer", "Kommentarer och svar på kontot under året, från alla avsändare."),
    ("Besvarade frågor", "Kommentarer, svar och meddelanden från andra än kontot som innehåller "
                         "ett frågetecken och som kontot självt har svarat på."),
    ("Följare", "Antalet följare i årets senaste ögonblicksbild av kontot; – när ingen "
                "ögonblicksbild under året visade antalet."),
    ("Borttagna", "Poster som kontots moderatorer tog bort under året (markerade som borttagna "
                  "i arkivet), oavsett när de publicerades."),
)
NUMERIC = frozenset({"account", "posts", "comments", "questions_answered", "followers", "removed"})
NBSP = "\u00a0"


def number_sv(value: int | None) -> str:
    """12 345 with a no-break space between thousands, as Swedish writes numbers; – for none."""
    return "–" if value is None else f"{value:,}".replace(",", NBSP)


def _display(r: YearRow) -> tuple[object, ...]:
    return tuple(PLATFORM_NAMES.get(r.platform, r.platform) if c == "platform" else v
                 for c, v in zip(COLUMNS, astuple(r), strict=True))


def render_html(rows: list[YearRow], *, year: int, org_name: str, org_id: str,
                generated: dt.datetime) -> str:
    """A page to publish or print: styled table, generation date, what each column counts."""
    title = f"{org_name}: statistik för sociala medier {year}"
    body_rows = []
    for r in rows:
        cells = []
        for c, v in zip(COLUMNS, _display(r), strict=True):
            if c in NUMERIC:
                cells.append(E.td(number_sv(v if isinstance(v, int) else None), {"class": "num"}))
            else:
                cells.append(E.td(str(v)))
        body_rows.append(E.tr(*cells))
    headings = [E.th(h, {"scope": "col", **({"class": "num"} if c in NUMERIC else {})})
                for c, h in zip(COLUMNS, HEADINGS_SV, strict=True)]
    table = E.table(E.caption(title), E.thead(E.tr(*headings)), E.tbody(*body_rows))
    definitions = E.dl(*[part for term, text in DEFINITIONS_SV for part in (E.dt(term), E.dd(text))])
    page = E.html(
        E.head(E.meta(charset="utf-8"), E.title(title), E.style(_CSS)),
        E.body(E.main(
            E.h1(title),
            E.p(f"{org_name}, organisationsnummer {org_id}. Kalenderåret {year}. Framtagen ",
                E.time(generated.date().isoformat(), datetime=generated.isoformat()), "."),
            table if rows else E.p("Inga konton hade inlägg eller var öppna under året."),
            E.h2("Så räknas kolumnerna"), definitions)),
        lang="sv")
    return "<!DOCTYPE html>\n" + etree.tostring(page, encoding="unicode", method="html") + "\n"


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem; color: #111; line-height: 1.45; }
table { border-collapse: collapse; }
caption { text-align: left; font-weight: bold; padding: .5rem 0; }
th, td { border: 1px solid #888; padding: .35rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #e8eef4; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dt { font-weight: bold; margin-top: .5rem; }
dd { margin-left: 1.5rem; }
"""


def render(fmt: str, rows: list[YearRow], *, year: int, org_name: str, org_id: str,
           generated: dt.datetime, excel: bool = False) -> str:
    """*excel* (CSV only): semicolons, UTF-8 with BOM, Swedish headings, platform names shown."""
    if fmt == "json":
        return json.dumps({"year": year, "accounts": [asdict(r) for r in rows]},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        if excel:
            buf.write(csvcells.BOM)
        w = csvcells.writer(buf, lineterminator="\r\n", delimiter=";" if excel else ",")
        w.writerow(HEADINGS_SV if excel else COLUMNS)
        for r in rows:
            w.writerow(["" if v is None else v for v in (_display(r) if excel else astuple(r))])
        return buf.getvalue()
    if fmt == "html":
        return render_html(rows, year=year, org_name=org_name, org_id=org_id,
                           generated=generated)
    # As the page: counts right-aligned with Swedish thousands (14 287), names left-aligned.
    shown = [[_cell(c, v) for c, v in zip(COLUMNS, _display(r), strict=True)] for r in rows]
    widths = [max([len(h), *(len(row[i]) for row in shown)]) for i, h in enumerate(HEADINGS_SV)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if c in NUMERIC else v.ljust(w)
                         for c, v, w in zip(COLUMNS, cells, widths, strict=True)).rstrip()

    return "\n".join([line(HEADINGS_SV), *(line(row) for row in shown)]) + "\n"


def _cell(column: str, value: object) -> str:
    if column == "account":
        return str(value)  # an id, not a count
    if column in NUMERIC:
        return number_sv(value if isinstance(value, int) else None)
    return "–" if value is None else str(value)


def astuple(r: YearRow) -> tuple[object, ...]:
    return tuple(getattr(r, c) for c in COLUMNS)
