from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from archiver.errors import MissingDependencyError
from archiver.pdf.ocr import ocr_segment, parse_hocr

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_ocr_finds_swedish_text(tmp_path: Path) -> None:
    im = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(im).text(
        (20, 60), "Välkommen till Torsby", fill="black", font=ImageFont.truetype(FONT, 40)
    )
    png = tmp_path / "seg.png"
    im.save(png)
    boxes = ocr_segment(png, tmp_path / "work")
    assert [b.text for b in boxes] == ["Välkommen till Torsby"]
    box = boxes[0]
    assert 10 <= box.x <= 30 and 50 <= box.y <= 80 and box.w > 300
    assert not list((tmp_path / "work").iterdir())  # hOCR removed


def test_missing_tesseract_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr"):
        ocr_segment(tmp_path / "x.png", tmp_path)


def test_parse_hocr_joins_words_per_line() -> None:
    hocr = b"""<html xmlns="http://www.w3.org/1999/xhtml"><body>
    <span class="ocr_line" title="bbox 1 2 101 22; baseline 0 -3; x_size 18">
      <span class="ocrx_word" title="bbox 1 2 40 22">Sn\xc3\xb6</span>
      <span class="ocrx_word" title="bbox 45 2 101 22">r\xc3\xb6jning</span></span></body></html>"""
    [box] = parse_hocr(hocr)
    got = (box.text, box.x, box.y, box.w, box.h, box.font_size)
    assert got == ("Snö röjning", 1, 2, 100, 20, 18)


def test_only_a_drawn_segment_without_dom_text_is_ocred(tmp_path: Path) -> None:
    from archiver.capture.records import with_ocr as _with_ocr
    from archiver.pdf.model import Segment, TextBox

    asked: list[Path] = []

    def ocr(png: Path, work: Path) -> list[TextBox]:
        asked.append(png)
        return [TextBox(1, 2, 3, 4, "Ur bilden", 12)]

    canvas = Segment(tmp_path / "canvas.png", 0, 1280, 900)
    white = Segment(tmp_path / "white.png", 900, 1280, 900, flat=True)
    dom = Segment(tmp_path / "dom.png", 1800, 1280, 900, (TextBox(0, 0, 9, 9, "DOM", 12),))
    assert _with_ocr(canvas, tmp_path, ocr).text_boxes[0].text == "Ur bilden"
    assert _with_ocr(white, tmp_path, ocr) == white
    assert _with_ocr(dom, tmp_path, ocr) == dom
    assert asked == [tmp_path / "canvas.png"]
