from __future__ import annotations

import datetime as dt
import gc
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import pytest
from lxml import etree
from PIL import Image, ImageDraw, ImageFont

from archiver.capture import page_scripts as js
from archiver.chromium import LAUNCH_ARGS, find_chromium
from archiver.errors import PdfaError
from archiver.pdf.model import Segment, SnapshotMetadata, TextBox
from archiver.pdf.pdfa import build_visual_pdfa, make_print_pdfa, validate_pdfa
from archiver.pdf.xmp import BLOCK_END, BLOCK_START, read_snapshot_xmp

LINES = ["Välkommen till Torsby! 🎉", "Snöröjning ❄️", "Familj 👨‍👩‍👧 här"]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
META = SnapshotMetadata(
    account="torsbykommun",
    platform="facebook",
    url="https://www.facebook.com/torsbykommun",
    captured_at=dt.datetime(2025, 3, 1, 12, 0, 5, tzinfo=dt.UTC),
    boundary=dt.date(2025, 2, 28),
    period_start=dt.date(2024, 9, 1),
    period_end=None,
    reason="scheduled <halvår> & test",
    engine_version="0.1.0",
    html_sha256="ab" * 32,
    title="Torsby kommun – Facebook",
)



def strip_bevara_block(xmp: str) -> str:
    start, end = xmp.index(BLOCK_START), xmp.index(BLOCK_END)
    return xmp[:start] + xmp[end + len(BLOCK_END):]


def strict_check(path: Path) -> pikepdf.pdfa.Report:
    """pikepdf's own verdict on the file minus our schema-described bevara XMP block."""
    with pikepdf.open(path) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode()
        pdf.Root.Metadata.write(strip_bevara_block(xmp).encode())
        return pikepdf.pdfa.check(pdf, "2b")


def make_segment(tmp: Path, name: str, height: int = 300, width: int = 800) -> Segment:
    im = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 28)
    boxes = []
    for i, line in enumerate(LINES):
        y = 20 + 60 * i
        draw.text((10, y), line, fill="black", font=font)
        boxes.append(TextBox(10, y, draw.textlength(line, font=font), 34, line, 28))
    path = tmp / name
    im.save(path)
    return Segment(path=path, top=0, width=width, height=height, text_boxes=tuple(boxes))


def test_visual_record_is_pdfa_with_exact_text_and_xmp(tmp_path: Path, pdf_text: Callable[[Path], str]) -> None:
    out = tmp_path / "visual.pdf"
    segs = [make_segment(tmp_path, "a.png"), make_segment(tmp_path, "b.png")]
    build_visual_pdfa(segs, out, META)
    assert validate_pdfa(out) == []
    assert strict_check(out).passed
    text = pdf_text(out)
    for line in LINES:
        assert text.count(line) == 2
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 3  # the caption page, then one page per segment
        assert [p.label for p in pdf.pages] == ["Följeblad", "1", "2"]
        assert [float(v) for v in pdf.pages[1].mediabox] == [0, 0, 600, 225]
        image = next(iter(pdf.pages[1].Resources.XObject.values()))
        assert image.Filter == "/FlateDecode"  # lossless, not DCT
    xmp = read_snapshot_xmp(out)
    assert xmp["account"] == "torsbykommun"
    assert xmp["capturedAt"] == "2025-03-01T12:00:05Z"
    assert xmp["periodEnd"] == "" and xmp["periodStart"] == "2024-09-01"
    assert xmp["reason"] == "scheduled <halvår> & test"
    assert xmp["title"] == "Torsby kommun – Facebook"
    assert xmp["source"] == META.url and xmp["createDate"].startswith("2025-03-01T12:00:05")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_tall_segment_is_one_page_and_oversize_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "tall.pdf"
    build_visual_pdfa([make_segment(tmp_path, "t.png", height=8000, width=1280)], out, META)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2  # caption and the one segment
        assert float(pdf.pages[1].mediabox[3]) == 6000 <= 14400
    huge = Segment(path=tmp_path / "t.png", top=0, width=1280, height=20000)
    with pytest.raises(PdfaError, match="page limit"):
        build_visual_pdfa([huge], tmp_path / "huge.pdf", META)
    assert not (tmp_path / "huge.pdf").exists()


def test_alpha_png_is_flattened(tmp_path: Path) -> None:
    seg = make_segment(tmp_path, "a.png")
    Image.open(seg.path).convert("RGBA").save(seg.path)
    out = tmp_path / "alpha.pdf"
    build_visual_pdfa([seg], out, META)
    assert validate_pdfa(out) == []


def test_no_garbage_collection_runs_inside_the_validator(tmp_path: Path) -> None:
    """pikepdf's validator takes any warning raised while it parses content for a finding; a
    collection there that finalises a file left open elsewhere fails a valid record with
    "unclosed file" (seen in a culling run). Collections are watched from gc's own hook."""
    seg = make_segment(tmp_path, "g.png")
    out = tmp_path / "g.pdf"
    build_visual_pdfa([seg], out, META)
    inside: list[bool] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            frame, names = sys._getframe(1), []
            while frame is not None:
                names.append(frame.f_code.co_filename)
                frame = frame.f_back
            inside.append(any("pikepdf/pdfa" in name for name in names))

    threshold = gc.get_threshold()
    gc.set_threshold(20)  # a collection every few allocations, as a busy process has them
    gc.callbacks.append(watch)
    try:
        findings = validate_pdfa(out)
        gc.collect()
    finally:
        gc.callbacks.remove(watch)
        gc.set_threshold(*threshold)
    assert findings == []
    assert inside and not any(inside)


def test_broken_pdf_gives_all_findings_and_no_output(tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    build_visual_pdfa([make_segment(tmp_path, "a.png")], good, META)
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(good) as pdf:
        del pdf.Root["/OutputIntents"]
        with pdf.open_metadata(set_pikepdf_as_editor=False) as m:
            del m["pdfaid:part"]
        pdf.save(broken)
    findings = validate_pdfa(broken)
    assert any("OutputIntent" in f for f in findings)
    assert any("claims PDF/A nothing" in f for f in findings)

    # A Type 3 font the converter cannot handle (inside a form XObject) fails clearly.
    src = tmp_path / "type3.pdf"
    with pikepdf.open(good) as pdf:
        t3 = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type3,
                FontBBox=[0, 0, 1, 1],
                FontMatrix=[0.001, 0, 0, 0.001, 0, 0],
                CharProcs={},
                Encoding=pikepdf.Dictionary(),
                FirstChar=0,
                LastChar=0,
                Widths=[0],
            )
        )
        form = pdf.make_stream(
            b"BT /T3 12 Tf (a) Tj ET",
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 10, 10],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(T3=t3)),
        )
        pdf.pages[0].add_resource(form, pikepdf.Name.XObject, pikepdf.Name("/Fm9"))
        pdf.save(src)
    out = tmp_path / "out.pdf"
    with pytest.raises(PdfaError, match="Type 3"):
        make_print_pdfa(src, out, META)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(("extra", "named"), [
    ('<rdf:Description rdf:about="" xmlns:foo="http://example.org/foo/"><foo:bar>x</foo:bar>'
     "</rdf:Description>", "http://example.org/foo/"),
    ('<rdf:Description rdf:about="" xmlns:bevara="https://bevara.se/ns/snapshot/1.0/">'
     "<bevara:undeclared>x</bevara:undeclared></rdf:Description>", "undeclared"),
])
def test_tolerating_our_namespace_hides_no_other_xmp_problem(
        tmp_path: Path, extra: str, named: str) -> None:
    """Only findings about our declared bevara properties are accepted; pikepdf reports
    each problem on its own, so a foreign namespace or an undeclared property still fails."""
    good = tmp_path / "good.pdf"
    build_visual_pdfa([make_segment(tmp_path, "a.png")], good, META)
    assert validate_pdfa(good) == []
    bad = tmp_path / "bad.pdf"
    with pikepdf.open(good) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode()
        pdf.Root.Metadata.write(xmp.replace("</rdf:RDF>", extra + "</rdf:RDF>", 1).encode())
        pdf.save(bad)
    findings = validate_pdfa(bad)
    assert findings and all("6.6.2.3.1" in f for f in findings)
    assert any(named in f for f in findings)


def test_failed_validation_after_write_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archiver.pdf.pdfa as mod

    monkeypatch.setattr(mod, "validate_pdfa", lambda *a, **k: ["finding one", "finding two"])
    out = tmp_path / "v.pdf"
    with pytest.raises(PdfaError, match="finding one\n  finding two"):
        build_visual_pdfa([make_segment(tmp_path, "a.png")], out, META)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


HTML = (
    """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Torsby</title>
<style>body{font-family:sans-serif} header{position:sticky;top:0;background:#eef}
.fix{position:fixed;bottom:0}</style></head><body>
<header>Torsby kommun – sidhuvud</header><div class="fix">Fast fot</div>
<h1>Välkommen till Torsby! 🎉</h1><p>Snöröjning ❄️</p><p>Familj 👨‍👩‍👧 här</p>
"""
    + "<p>Åsa Öberg skriver om älgar och snö.</p>" * 120
    + "</body></html>"
)


@pytest.mark.browser
def test_print_record_from_chromium(tmp_path: Path, pdf_text: Callable[[Path], str]) -> None:
    from playwright.sync_api import sync_playwright

    raw = tmp_path / "raw.pdf"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_chromium()), args=list(LAUNCH_ARGS))
        try:
            page = browser.new_page()
            page.set_content(HTML)
            page.add_style_tag(content=js.PRINT_CSS)
            page.evaluate(js.UNSTICK_FOR_PRINT)
            page.pdf(path=str(raw), tagged=True, outline=True, print_background=True)
        finally:
            browser.close()
    with pikepdf.open(raw) as pdf:
        assert not pikepdf.pdfa.check(pdf, "2b").passed
        pages = len(pdf.pages)
    out = tmp_path / "print.pdf"
    make_print_pdfa(raw, out, META)
    assert validate_pdfa(out) == []
    assert strict_check(out).passed
    text = pdf_text(out)
    for line in LINES:
        assert line in text
    assert text.count("Torsby kommun – sidhuvud") == 1  # sticky header printed once
    assert text.count("Fast fot") == 1
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == pages + 1 > 2  # the caption page first
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root  # still tagged
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "Type 3" not in fonts
    # The XMP packet read with lxml, not with our reader: the field is there under our namespace.
    # (That it holds the real HTML's digest is checked on a capture, test_promises_capture.py.)
    with pikepdf.open(out) as pdf:
        packet = etree.fromstring(bytes(pdf.Root.Metadata.read_bytes()))
    (digest,) = [el.text for el in packet.iter("{https://bevara.se/ns/snapshot/1.0/}htmlSha256")]
    assert digest == "ab" * 32


def chromium_print(html: str, raw: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_chromium()), args=list(LAUNCH_ARGS))
        try:
            page = browser.new_page()
            page.set_content(html)
            page.pdf(path=str(raw), tagged=True, print_background=True)
        finally:
            browser.close()


@pytest.mark.browser
def test_a_print_in_chinese_japanese_and_korean_is_valid_pdfa(tmp_path: Path, pdf_text: Callable[[Path], str]) -> None:
    """A LinkedIn footer lists its languages in their own scripts: with the fonts setup installs,
    Chromium draws them and the print record is PDF/A (saved LinkedIn pages failed without)."""
    raw = tmp_path / "raw.pdf"
    chromium_print('<!doctype html><meta charset="utf-8"><ul><li lang="ja_JP">日本語 (Japanese)</li>'
                   '<li lang="ko_KR">한국어 (Korean)</li><li lang="zh_CN">简体中文 (Chinese (Simplified))</li>'
                   '<li lang="ar_AE">العربية (Arabic)</li></ul>', raw)
    out = tmp_path / "print.pdf"
    make_print_pdfa(raw, out, META)
    assert validate_pdfa(out) == []
    text = pdf_text(out)
    for word in ("日本語", "한국어", "简体中文"):
        assert word in text


@pytest.mark.browser
def test_a_character_no_font_has_fails_the_print_naming_the_fix(tmp_path: Path) -> None:
    raw = tmp_path / "raw.pdf"
    chromium_print('<!doctype html><meta charset="utf-8"><p>Ikon \ue000 i texten</p>', raw)
    out = tmp_path / "print.pdf"
    with pytest.raises(PdfaError) as failed:
        make_print_pdfa(raw, out, META)
    first = str(failed.value).splitlines()[0]
    assert first == (
        "print.pdf is not valid PDF/A (1 finding(s)): the page has characters no font on this machine "
        "can draw; install the fonts for their script (Chinese, Japanese, Korean: apt-get install "
        "fonts-noto-cjk; others: fonts-noto-core, fonts-noto-extra) and capture again:")
    assert ".notdef" in str(failed.value)
    assert not out.exists()
