"""EXTRACT_ITEMS reads an item again exactly when the page changed it, and leaves no trace.

The scroll rounds call it some 140 times on a 200-post feed; it compares only the items a
MutationObserver saw change, so these cases must each come back, and nothing else.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

import pytest

from archiver.capture import page_scripts as js
from archiver.capture.site import FieldSpec, ItemSpec
from archiver.chromium import launch_browser

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><main id="feed">
<div class="post" data-id="p1"><p class="text">Första inlägget</p>
  <div class="comment" data-id="c1"><span class="text">En kommentar</span></div></div>
<div class="post" data-id="p2"><p class="text">Andra inlägget</p><img src="/a.png"></div>
<div class="post" data-id="p3"><p class="text">Tredje inlägget</p></div>
<div class="post"><p class="text">Ett inlägg utan id än</p></div>
</main></body></html>"""

SPECS = [asdict(ItemSpec(kind="post", container=".post", id=(FieldSpec(attr="data-id"),),
                         text=(FieldSpec(selector=".text"),), media=(FieldSpec(selector="img", attr="src"),))),
         asdict(ItemSpec(kind="comment", container=".comment", id=(FieldSpec(attr="data-id"),),
                         text=(FieldSpec(selector=".text"),)))]

# Each step changes the page one way, then the items read after it are listed.
STEPS: list[tuple[str, str, list[str]]] = [
    ("nothing changed", "", []),
    ("a comment's text: the comment and the post holding it",
     "document.querySelector('[data-id=c1] .text').firstChild.data = 'Ändrad kommentar'",
     ["p1", "c1"]),
    ("an image's source", "document.querySelector('[data-id=p2] img').src = '/b.png'", ["p2"]),
    ("a post taken out, changed while out, put back",
     """const p = document.querySelector('[data-id=p3]'); p.remove();
        await new Promise((r) => setTimeout(r, 20));
        p.querySelector('.text').textContent = 'Tredje, rättat';
        await new Promise((r) => setTimeout(r, 20));
        document.getElementById('feed').append(p);""", ["p3"]),
    ("an attribute that is neither text nor image",
     "document.querySelector('[data-id=p1]').setAttribute('aria-label', 'x')", []),
    ("the post without an id gets one: read although its text did not change",
     "document.querySelector('.post:not([data-id])').setAttribute('data-id', 'p4')", ["p4"]),
    ("a post loses its id as its text changes: nothing to read",
     """const p = document.querySelector('[data-id=p2]'); p.removeAttribute('data-id');
        p.querySelector('.text').textContent = 'Andra, rättat';""", []),
    ("and gets it back: read again, though nothing it shows changed since",
     "document.querySelector('.post:not([data-id]) img').closest('.post').dataset.id = 'p2'",
     ["p2"]),
    ("a new post", """const d = document.createElement('div'); d.className = 'post';
        d.dataset.id = 'p5'; d.innerHTML = '<p class="text">Femte</p>';
        document.getElementById('feed').append(d);""", ["p5"]),
]


def test_items_are_read_again_exactly_when_changed() -> None:
    async def go() -> tuple[list[list[dict[str, Any]]], str]:
        async with launch_browser() as browser:
            page = await browser.new_page()
            await page.route("**/*", lambda route: route.fulfill(
                body=PAGE, content_type="text/html") if route.request.resource_type == "document"
                else route.fulfill(status=404))
            await page.goto("http://bevara.invalid/")  # routed: the page and its (missing) images
            first = await js.evaluate_json(page, js.EXTRACT_ITEMS, SPECS)
            rounds = [first]
            for _, change, _ in STEPS:
                if change:
                    await page.evaluate(f"async () => {{ {change} }}")
                rounds.append(await js.evaluate_json(page, js.EXTRACT_ITEMS, SPECS))
            return rounds, await page.content()

    rounds, html = asyncio.run(go())
    assert [i["id"] for i in rounds[0]] == ["p1", "p2", "p3", "c1"]
    for (what, _, wanted), items in zip(STEPS, rounds[1:], strict=True):
        assert sorted(i["id"] for i in items) == sorted(wanted), what
    texts = {i["id"]: i["text"] for items in rounds for i in items}
    assert texts["c1"] == "Ändrad kommentar" and texts["p3"] == "Tredje, rättat"
    assert [i["media"] for i in rounds[3]] == [["http://bevara.invalid/b.png"]]
    assert "bevara" not in html.replace("bevara.invalid", "")  # nothing left in the DOM
