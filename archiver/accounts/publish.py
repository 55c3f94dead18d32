"""The public register of accounts (förteckning, S10) as HTML, CSV or JSON.

The public versions hold only what the guidelines ask to publish: name,
platform, link, unit, purpose, opened and closed. Administrator names and
e-mail addresses appear only in the ``internal`` version.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from lxml import etree
from lxml.builder import E

from archiver.accounts.register import PLATFORM_NAMES, account_record
from archiver.catalogue.models import Account
from archiver.home import csvcells

FORMATS = ("html", "csv", "json")
PUBLIC_COLUMNS = ("name", "platform", "url", "unit", "purpose", "opened", "closed")
INTERNAL_COLUMNS = (*PUBLIC_COLUMNS, "responsible", "administrators", "close_reason", "closed_by")
HEADINGS_SV = {
    "name": "Konto",
    "platform": "Plattform",
    "url": "Länk",
    "unit": "Ansvarig enhet",
    "purpose": "Syfte",
    "opened": "Startat",
    "closed": "Avslutat",
    "responsible": "Ansvarig person",
    "administrators": "Administratörer",
    "close_reason": "Skäl för avslut",
    "closed_by": "Beslut om avslut",
}


def rows(accounts: Sequence[Account], internal: bool) -> list[dict[str, Any]]:
    columns = INTERNAL_COLUMNS if internal else PUBLIC_COLUMNS
    out = []
    for a in accounts:
        rec = account_record(a, internal=internal)
        out.append({c: rec.get(c) for c in columns})
    return out


def render_json(accounts: Sequence[Account], *, org_name: str, generated: dt.datetime,
                internal: bool = False) -> str:
    doc = {"organisation": org_name, "generated": generated.isoformat(),
           "accounts": rows(accounts, internal)}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render_csv(accounts: Sequence[Account], *, internal: bool = False, excel: bool = False) -> str:
    """Comma-separated with the JSON's field names; *excel*: what Excel set to Swedish opens
    as columns on a double click (semicolons, UTF-8 with a byte order mark, Swedish headings,
    platform names as the register shows them)."""
    columns = INTERNAL_COLUMNS if internal else PUBLIC_COLUMNS
    buf = io.StringIO()
    if excel:
        buf.write(csvcells.BOM)
    writer = csvcells.writer(buf, lineterminator="\r\n", delimiter=";" if excel else ",")
    writer.writerow([HEADINGS_SV[c] for c in columns] if excel else columns)
    for row in rows(accounts, internal):
        if excel:
            row = {**row, "platform": PLATFORM_NAMES.get(row["platform"], row["platform"])}
        writer.writerow([_cell_text(row[c]) for c in columns])
    return buf.getvalue()


def count_sv(n: int, singular: str, plural: str) -> str:
    """"1 avslutat konto", "2 avslutade konton", "inga avslutade konton": the adjective agrees
    too, so both forms are given; none is said in words, as a person writes it."""
    return f"{'inga' if n == 0 else n} {singular if n == 1 else plural}"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(f"{a['name']} <{a['email']}>" for a in value)
    return str(value)


URL_BREAKS = "/?&"
"""A link may break after these, as a printed address does, rather than inside a word."""


def breakable(text: str, after: str) -> list[Any]:
    """*text* as strings with a <wbr> after each character in *after* ("https://" kept
    whole), for lxml's builder: a narrow column then breaks an address at a slash, not in
    the middle of a name."""
    parts: list[Any] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in after and text[i + 1:i + 2] not in ("/", "") and text[i - 1:i] not in (":", "/"):
            parts += [text[start:i + 1], E.wbr()]
            start = i + 1
    parts.append(text[start:])
    return parts


def render_html(accounts: Sequence[Account], *, org_name: str, generated: dt.datetime,
                internal: bool = False) -> str:
    """A plain, accessible Swedish page: a real table with caption and header cells, no scripts."""
    columns = INTERNAL_COLUMNS if internal else PUBLIC_COLUMNS
    title = f"{org_name}: förteckning över konton i sociala medier"
    if internal:
        title = f"{org_name}: intern förteckning över konton i sociala medier, med administratörer"
    header = E.tr(*[E.th(HEADINGS_SV[c], scope="col") for c in columns])
    body_rows = []
    for row in rows(accounts, internal):
        cells: list[Any] = []
        for c in columns:
            value = row[c]
            if c == "name":
                cells.append(E.th(value, scope="row"))
            elif c == "url":
                cells.append(E.td(E.a(*breakable(value, URL_BREAKS), href=value), {"class": "url"}))
            elif c == "platform":
                cells.append(E.td(PLATFORM_NAMES.get(value, value)))
            elif c in ("opened", "closed"):
                cells.append(E.td(E.time(value, datetime=value)) if value else E.td("–"))
            elif c == "administrators":
                people = [E.li(a["name"], E.br(),
                               E.a(a["email"], {"class": "email"}, href=f"mailto:{a['email']}"))
                          for a in value or []]
                cells.append(E.td(E.ul(*people)) if people else E.td("–"))
            else:
                cells.append(E.td(_cell_text(value)))
        body_rows.append(E.tr(*cells))
    open_n = sum(1 for a in accounts if a.closed is None)
    closed_n = len(accounts) - open_n
    page = E.html(
        E.head(
            E.meta(charset="utf-8"),
            E.meta(name="viewport", content="width=device-width, initial-scale=1"),
            *([E.meta(name="robots", content="noindex, nofollow")] if internal else []),
            E.title(title),
            E.style(_CSS),
        ),
        E.body(
            E.main(
                *([E.p(INTERNAL_BANNER, {"class": "internal"})] if internal else []),
                E.h1(title),
                E.p(
                    f"Här finns alla konton som {org_name} har eller har haft i sociala medier, "
                    "med syfte och ansvarig enhet. Inlägg och kommentarer på kontona är allmänna "
                    "handlingar."
                ),
                E.p(f"{count_sv(open_n, 'aktivt konto', 'aktiva konton')} och "
                    f"{count_sv(closed_n, 'avslutat konto', 'avslutade konton')}. Uppdaterad ",
                    E.time(generated.date().isoformat(), datetime=generated.isoformat()), "."),
                E.table(
                    {"class": "internal-table"} if internal else {},
                    E.caption(f"Konton i sociala medier, {org_name}"),
                    E.thead(header),
                    E.tbody(*body_rows),
                ),
            )
        ),
        lang="sv",
    )
    html = etree.tostring(page, encoding="unicode", method="html")
    # lxml's HTML serialiser predates <wbr> and closes it; HTML5 has it void.
    return "<!DOCTYPE html>\n" + html.replace("<wbr></wbr>", "<wbr>") + "\n"


INTERNAL_BANNER = "Intern – ej för publicering"
"""Administrators' names and e-mail addresses are for staff; the page says so before anything else."""

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem; color: #111; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; padding: .5rem 0; }
th, td { border: 1px solid #888; padding: .4rem .6rem; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
td a { overflow-wrap: anywhere; }  /* a segment still too long wraps instead of widening the page */
td a.email { overflow-wrap: normal; }  /* whole on its line: the column widens to fit it */
table.internal-table { font-size: .875rem; }
time { white-space: nowrap; }
td.url { min-width: 17em; }  /* "https://www.facebook.com/" on one line */
td ul { margin: 0; padding-left: 1rem; }
.internal { background: #8a1c1c; color: #fff; font-weight: bold; padding: .5rem 1rem; }
thead th { background: #e8eef4; }
a { color: #0645ad; }
"""


def render(fmt: str, accounts: Sequence[Account], *, org_name: str, generated: dt.datetime,
           internal: bool = False, excel: bool = False) -> str:
    if fmt == "html":
        return render_html(accounts, org_name=org_name, generated=generated, internal=internal)
    if fmt == "csv":
        return render_csv(accounts, internal=internal, excel=excel)
    return render_json(accounts, org_name=org_name, generated=generated, internal=internal)
