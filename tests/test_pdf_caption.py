"""The caption page (följeblad) of both snapshot records: visible, Swedish, in the text layer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from test_pdfa import HTML, META, make_segment

from archiver.chromium import LAUNCH_ARGS, find_chromium
from archiver.pdf.caption import caption_lines, system_font
from archiver.pdf.pdfa import build_visual_pdfa, make_print_pdfa, validate_pdfa

CAPTIONED = dataclasses.replace(
    META, account="3 Torsby kommun", platform_name="Facebook", organisation="Torsby kommun",
    organisation_id="212000-1769", reason="halvårsskifte")
# 2025-03-01 12:00:05 UTC is 13:00:05 in Stockholm (CET, winter time).
EXPECTED = [
    "Ögonblicksbild av ett konto i sociala medier",
    "Organisation",
    "Torsby kommun (organisationsnummer 212000-1769)",
    "3 Torsby kommun",
    "Facebook",
    "https://www.facebook.com/torsbykommun",
    "2025-03-01 kl. 13:00:05 CET (Europe/Stockholm), 2025-03-01 12:00:05 UTC",
    "2025-02-28 (halvårsskifte)",
    "2024-09-01 – …",
    "Anledning",
    "bevara/0.1.0" if META.engine_version.startswith("bevara") else META.engine_version,
    "ab" * 32,
]


def first_page_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_caption_lines_name_time_in_local_zone_and_summer_time() -> None:
    summer = dataclasses.replace(CAPTIONED, captured_at=META.captured_at.replace(month=7))
    lines = dict(caption_lines(summer, "print"))
    assert lines["Tagen"] == "2025-07-01 kl. 14:00:05 CEST (Europe/Stockholm), 2025-07-01 12:00:05 UTC"
    assert lines["Version"] == "Utskriftsversion: webbläsarens utskrift av sidan"
    adhoc = dict(caption_lines(dataclasses.replace(CAPTIONED, boundary=None, reason="ad hoc"), "visual"))
    assert adhoc["Halvårsskifte"] == "ingen (tagen utanför halvårsskiftena)"
    assert adhoc["Anledning"] == "ad hoc"
    assert "Klocka" not in adhoc
    half_year = dict(caption_lines(dataclasses.replace(
        CAPTIONED, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 7, 1)), "visual"))
    assert half_year["Period"] == "2026-01-01 – 2026-06-30"  # the end is exclusive: its last day
    simulated = dict(caption_lines(dataclasses.replace(CAPTIONED, clock="simulated clock"), "visual"))
    assert simulated["Klocka"] == "simulerad (demo- eller testarkiv): tiden är inte verklig"


def test_visual_record_opens_with_the_caption(tmp_path: Path, pdf_text: Callable[[Path], str]) -> None:
    out = tmp_path / "visual.pdf"
    build_visual_pdfa([make_segment(tmp_path, "a.png")], out, CAPTIONED)
    assert validate_pdfa(out) == []
    text = " ".join(first_page_text(out).split())
    for expected in EXPECTED:
        assert " ".join(expected.split()) in text, expected
    assert "Bildversion: skärmbilder av sidan med sökbart textlager" in text
    with pikepdf.open(out) as pdf:
        assert pdf.pages[0].label == "Följeblad" and pdf.pages[1].label == "1"
        assert "/XObject" not in pdf.pages[0].Resources  # no screenshot on the caption
        fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
        assert "DejaVuSans" in fonts  # a real, embedded font: visible text, not the glyphless layer
    # The screenshot's text is still on page 1 (the first captured page), not on the caption.
    assert "Snöröjning" not in first_page_text(out) and "Snöröjning" in pdf_text(out)


@pytest.mark.browser
def test_print_record_from_chromium_opens_with_the_caption(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    raw = tmp_path / "raw.pdf"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_chromium()), args=list(LAUNCH_ARGS))
        try:
            page = browser.new_page()
            page.set_content(HTML)
            page.pdf(path=str(raw), tagged=True, print_background=True)
        finally:
            browser.close()
    out = tmp_path / "print.pdf"
    make_print_pdfa(raw, out, CAPTIONED)
    assert validate_pdfa(out) == []
    text = " ".join(first_page_text(out).split())
    for expected in EXPECTED:
        assert " ".join(expected.split()) in text, expected
    assert "Utskriftsversion: webbläsarens utskrift av sidan" in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", "-f", "1", "-l", "1", str(out),
                    str(tmp_path / "caption")], check=True)
    assert (tmp_path / "caption.png").stat().st_size > 10_000  # drawn, not blank


def test_cached_font_subsets_give_the_same_caption(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "fonts"
    full, cached = tmp_path / "full.pdf", tmp_path / "cached.pdf"
    segment = make_segment(tmp_path, "a.png")
    build_visual_pdfa([segment], full, CAPTIONED)
    build_visual_pdfa([segment], cached, dataclasses.replace(CAPTIONED, font_cache=cache))
    assert validate_pdfa(cached) == []
    assert first_page_text(cached) == first_page_text(full)
    subsets = sorted(cache.iterdir())
    assert [p.name.split("-")[0] for p in subsets] == ["DejaVuSans", "DejaVuSans", "DejaVuSansMono"]
    for subset in subsets:  # cut to Latin, far smaller than the system's font
        assert subset.stat().st_size * 5 < system_font(subset.name.rsplit("-", 2)[0] + ".ttf").stat().st_size
    written = {p: p.stat().st_mtime_ns for p in subsets}
    later = dataclasses.replace(CAPTIONED, font_cache=cache, captured_at=CAPTIONED.captured_at.replace(day=2))
    build_visual_pdfa([segment], tmp_path / "again.pdf", later)
    assert {p: p.stat().st_mtime_ns for p in sorted(cache.iterdir())} == written  # made once, reused


def captioned(tmp_path: Path, **changes: str) -> Path:
    """A valid visual record whose caption has *changes*, with the home's font cache."""
    out = tmp_path / "visual.pdf"
    build_visual_pdfa([make_segment(tmp_path, "a.png")], out,
                      dataclasses.replace(CAPTIONED, font_cache=tmp_path / "fonts", **changes))
    assert validate_pdfa(out) == []
    return out


def test_a_caption_the_subsets_cannot_write_uses_the_full_fonts(tmp_path: Path) -> None:
    # → and Ω are in DejaVu Sans but not in the cached Latin subsets.
    assert "Pilen → och Ω" in first_page_text(captioned(tmp_path, title="Pilen → och Ω"))


def test_a_character_no_font_has_is_shown_as_a_replacement_mark(tmp_path: Path) -> None:
    out = captioned(tmp_path, title="Torsby kommun \U0001F333 i skogen", account="3 Torsby \U0001F333")
    text = first_page_text(out)
    assert "Torsby kommun \ufffd i skogen" in text and "3 Torsby \ufffd" in text
    with pikepdf.open(out) as pdf:  # the record's own metadata keeps the exact title
        assert pdf.open_metadata()["dc:title"] == "Torsby kommun \U0001F333 i skogen"


def test_an_arabic_title_is_joined_and_right_to_left(tmp_path: Path) -> None:
    # "Malmö stad" in Arabic, as a municipality's Arabic-language page is titled. Unshaped,
    # fpdf2 draws the letters apart and in reverse: pdftotext then reads "وملام ةيدلب".
    assert "بلدية مالمو" in first_page_text(captioned(tmp_path, title="بلدية مالمو"))


def test_a_cache_that_cannot_be_written_leaves_the_caption_to_the_full_fonts(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    out = tmp_path / "visual.pdf"
    build_visual_pdfa([make_segment(tmp_path, "a.png")], out,
                      dataclasses.replace(CAPTIONED, font_cache=blocked / "fonts"))
    assert validate_pdfa(out) == []
    assert "Torsby kommun (organisationsnummer 212000-1769)" in first_page_text(out)
