"""DRAWN_IN_BAND: is anything a person would see drawn in a band the raster shows blank?

It decides between keeping a blank band (nothing drawn: a genuinely empty stretch) and
shooting again, then failing (drawn, yet blank in the raster: Chromium's silent failure).
Text in the DOM that no one can see must not count, or a page laid out off screen fails
as a broken screenshot; text that shows through a transparent layer must count.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from archiver.capture import page_probes as probes
from archiver.chromium import launch_browser

pytestmark = pytest.mark.browser

FONT = "font:30px/36px sans-serif"
TEXT = "Kommunens inlägg om badplatsen. " * 20
# Every page: a line at the top, then the band under test from y=2000 to y=3000.
PAGE = ('<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="margin:0;background:#fff;overflow-x:hidden"><p style="margin:0">Överst</p>'
        '<div style="height:1982px"></div>%s<div style="height:3000px"></div></body></html>')

CASES: list[tuple[str, str, str | None]] = [
    ("text laid out left of the page",
     f'<div style="margin-left:-3000px;width:2000px;{FONT}">{TEXT}</div>', None),
    ("text right of the page",
     f'<div style="margin-left:1400px;width:2000px;{FONT}">{TEXT}</div>', None),
    ("text clipped by its own box",
     f'<div style="height:60px;overflow:hidden;{FONT}"><div style="height:60px"></div>{TEXT}</div>', None),
    ("text clipped by an ancestor",
     f'<div style="height:60px;overflow:hidden"><div style="height:60px"></div><p style="{FONT}">{TEXT}</p></div>',
     None),
    ("text under an opaque box of the page's colour",
     f'<div style="position:relative;{FONT}">{TEXT}<div style="position:absolute;inset:0;background:#fff"></div></div>',
     None),
    ("text under a sibling's opaque box",
     f'<div style="position:relative"><p style="{FONT}">{TEXT}</p>'
     '<div style="position:absolute;inset:0;background:#fff"></div></div>', None),
    ("white text on white is drawn (a person sees nothing, but Chromium paints it)",
     f'<div style="color:#fff;{FONT}">{TEXT}</div>', 'text "Kommunens inlägg om badplatsen. Kommunen"'),
    ("text under a transparent link layer shows through",
     f'<div style="position:relative;{FONT}">{TEXT}<a href="/p" style="position:absolute;inset:0"></a></div>',
     'text "Kommunens inlägg om badplatsen. Kommunen"'),
    ("a box with a background of its own",
     '<div style="height:200px;background:#ddeeff"></div>', "background rgb(221, 238, 255)"),
    ("an image", '<img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="'
                 ' width="50" height="50">', "img"),
    ("text in a cell parked at 1 % opacity (X's timeline before it measures a cell)",
     f'<div style="opacity:0.5"><div style="opacity:0.02;{FONT}">{TEXT}</div></div>', None),
    ("text at half opacity is drawn",
     f'<div style="opacity:0.5;{FONT}">{TEXT}</div>', 'text "Kommunens inlägg om badplatsen. Kommunen"'),
    ("nothing", "", None),
]


def _evaluate_all() -> list[tuple[Any, float, float]]:
    async def go() -> list[tuple[Any, float, float]]:
        async with launch_browser() as browser:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            results = []
            for _name, body, _expected in CASES:
                await page.set_content(PAGE % body)
                await page.evaluate("window.scrollTo(0, 120)")
                drawn = await page.evaluate(probes.DRAWN_IN_BAND, {"top": 2000, "bottom": 3000})
                results.append((drawn, 120.0, float(await page.evaluate("window.scrollY"))))
            return results

    return asyncio.run(go())


@pytest.fixture(scope="module")
def verdicts() -> list[tuple[Any, float, float]]:
    return _evaluate_all()


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_what_a_person_would_see_in_the_band(verdicts: list[tuple[Any, float, float]], index: int) -> None:
    drawn, scrolled, after = verdicts[index]
    assert drawn == CASES[index][2]
    assert after == scrolled  # the band was brought into view to look, then put back
