"""HTML of the item renderings that go into packages as PDF/A (printed by archiver.pdf.document).

An account's items for a period are shown thread by thread (a post with its comments and
replies indented); a single item for registration is shown in its thread with the item
itself highlighted, so a reader sees what it answered and what answered it. Every value is
escaped; the page loads nothing.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from archiver.catalogue.models import Account, Item

STYLE = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; color: #111; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11pt; margin: 14pt 0 4pt; }
p.meta { color: #444; margin: 0 0 10pt; }
div.item { border-left: 2pt solid #bbb; padding: 3pt 6pt; margin: 4pt 0; page-break-inside: avoid; }
div.item.hl { border-left: 4pt solid #b00; background: #fff4f4; }
div.head { color: #444; font-size: 8.5pt; } div.text { white-space: pre-wrap; margin-top: 2pt; }
span.mark { font-weight: bold; color: #800; }
"""


def _when(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "okänd tid"


def _threads(items: Sequence[Item]) -> list[tuple[Item, int]]:
    """Items in thread order with their depth; orphans (parent not in the set) start threads."""
    by_id = {i.platform_id: i for i in items}
    children: dict[str, list[Item]] = {}
    roots = []
    for i in items:
        if i.parent_platform_id and i.parent_platform_id in by_id:
            children.setdefault(i.parent_platform_id, []).append(i)
        else:
            roots.append(i)
    out: list[tuple[Item, int]] = []

    def walk(i: Item, depth: int) -> None:
        out.append((i, depth))
        for c in sorted(children.get(i.platform_id, []), key=lambda x: (x.created_at or x.first_seen_at, x.id)):
            walk(c, depth + 1)

    for r in sorted(roots, key=lambda x: (x.created_at or x.first_seen_at, x.id)):
        walk(r, 0)
    return out


def _item_html(i: Item, depth: int, tz: ZoneInfo, highlight: bool) -> str:
    e = html.escape
    marks = "".join(f' <span class="mark">[{e(m.kind)}{": " + e(m.case_ref) if m.case_ref else ""}'
                    f'{": " + e(m.law) if m.law else ""}]</span>' for m in i.marks)
    text = "(innehållet är raderat)" if i.content_purged else i.text
    who = e(i.author_name or i.author_handle or "okänd")
    return (f'<div class="item{" hl" if highlight else ""}" style="margin-left:{depth * 14}pt">'
            f'<div class="head">{e(i.kind)} {e(i.platform_id)} · {who} · {_when(i.created_at, tz)}{marks}</div>'
            f'<div class="text">{e(text)}</div></div>')


def _page(title: str, meta: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>'
            f'<p class="meta">{html.escape(meta)}</p>{body}</body></html>')


def account_items_html(account: Account, items: Sequence[Item], period: str, tz: ZoneInfo,
                       generated: dt.datetime) -> str:
    body = "".join(_item_html(i, d, tz, False) for i, d in _threads(items))
    return _page(f"{account.name}: inlägg och kommentarer {period}",
                 f"{account.platform} · {account.url} · {len(items)} poster · "
                 f"utskrivet {_when(generated, tz)} av Bevara", body or "<p>Inga poster.</p>")


def item_in_thread_html(account: Account, item: Item, thread: Sequence[Item], tz: ZoneInfo,
                        generated: dt.datetime) -> str:
    body = "".join(_item_html(i, d, tz, i.id == item.id) for i, d in _threads(thread))
    return _page(f"{account.name}: {item.kind} {item.platform_id}",
                 f"{account.platform} · {item.url or account.url} · markerad post i sin tråd · "
                 f"utskrivet {_when(generated, tz)} av Bevara", body)
