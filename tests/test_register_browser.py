"""The public register as a visitor sees it in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Cli, add_account


@pytest.mark.browser
def test_register_page_in_chromium(arc: Cli, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from archiver.chromium import find_chromium

    add_account(arc)
    closed = add_account(arc, "Torsby bibliotek", "instagram", "https://www.instagram.com/torsbybibliotek")
    arc.ok("accounts", "close", str(closed), "--reason", "Ersatt", "--decided-by", "Chef",
           "--no-final-snapshot")
    page_file = tmp_path / "konton.html"
    arc.ok("accounts", "register", "-o", str(page_file))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_chromium()), headless=True,
                                    args=["--disable-background-networking", "--no-first-run"])
        page = browser.new_page(java_script_enabled=False)
        page.goto(page_file.as_uri())
        assert page.get_attribute("html", "lang") == "sv"
        assert page.locator("h1").inner_text() == ("Torsby kommun: förteckning över konton i "
                                                   "sociala medier")
        headers = page.locator("thead th").all_inner_texts()
        assert headers == ["Konto", "Plattform", "Länk", "Ansvarig enhet", "Syfte", "Startat", "Avslutat"]
        rows = [r.locator("th, td").all_inner_texts() for r in page.locator("tbody tr").all()]
        assert rows[0][:4] == ["Torsby kommun", "Facebook", "https://www.facebook.com/torsbykommun",
                               "Kommunikationsenheten"]
        assert rows[1][1] == "Instagram" and rows[1][6] == "2026-07-01"
        assert "anna.berg" not in page.content()
        assert page.get_by_role("link", name="https://www.facebook.com/torsbykommun").count() == 1
        browser.close()


LINES_OF = """sel => [...document.querySelectorAll(sel)].map(
    e => new Set([...e.getClientRects()].map(r => Math.round(r.top))).size)"""
"""How many lines each element matching the selector is drawn on."""
LINES_OF_TEXT_NODES = """sel => [...document.querySelectorAll(sel)].flatMap(e => [...e.childNodes]
    .filter(n => n.nodeType === Node.TEXT_NODE && n.textContent.length)
    .map(n => { const r = document.createRange(); r.selectNodeContents(n);
                return [n.textContent,
                        new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]; }))"""
"""Each stretch of text of the matching elements and how many lines it is drawn on."""


@pytest.mark.browser
def test_internal_register_says_so_and_fits_1400_px(arc: Cli, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from archiver.chromium import find_chromium

    for i in range(6):
        add_account(arc, f"Torsby kommun konto {i} med ett längre namn", "facebook",
                    f"https://www.facebook.com/torsbykommun.kultur.och.fritid.{i}?ref=kommunens_webbplats")
    page_file = tmp_path / "intern.html"
    arc.ok("accounts", "register", "--internal", "-o", str(page_file))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_chromium()), headless=True,
                                    args=["--disable-background-networking", "--no-first-run"])
        page = browser.new_page(java_script_enabled=True, viewport={"width": 1400, "height": 900})
        page.goto(page_file.as_uri())
        assert page.title() == ("Torsby kommun: intern förteckning över konton i sociala medier, "
                                "med administratörer")
        assert page.locator("main > p").first.inner_text() == "Intern – ej för publicering"
        assert page.get_attribute('meta[name="robots"]', "content") == "noindex, nofollow"
        assert page.locator("td li").first.inner_text() == "Anna Berg\nanna.berg@torsby.se"
        assert page.locator("td li a").first.get_attribute("href") == "mailto:anna.berg@torsby.se"
        # Nothing wider than the window: no horizontal scrolling at 1,400 px.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        # An e-mail address stays whole on its line; an address breaks after a slash or "?",
        # not inside a name: each stretch of up to 25 characters between two break points is
        # on one line ("https://www.facebook.co" / "m/" was how it broke).
        assert page.evaluate(LINES_OF, "td a.email") == [1] * 12
        stretches = page.evaluate(LINES_OF_TEXT_NODES, "td.url a")
        assert len(stretches) == 6 * 3
        assert [n for text, n in stretches if len(text) <= 25] == [1] * 12
        assert page.locator("td.url a").first.inner_text().replace("\n", "") == (
            "https://www.facebook.com/torsbykommun.kultur.och.fritid.0?ref=kommunens_webbplats")
        page.screenshot(path=str(tmp_path / "intern.png"), full_page=True)
        browser.close()
    assert (tmp_path / "intern.png").stat().st_size > 20_000
