"""Invisible, exactly-extractable text for PDF pages built from images.

Why our own glyphless font instead of OCRmyPDF's renderer
--------------------------------------------------------
OCRmyPDF 17 ships an hOCR parser and an fpdf2 renderer with a glyphless
fallback font (Occulta). We measured it on DOM text boxes written as hOCR:

* Occulta maps only the BMP (65,536 code points), so "🎉" (U+1F389) and the
  members of a ZWJ family emoji were dropped from the text layer;
* the hOCR parser NFKC-normalises every word, which changes archived text
  (ligatures, superscripts, full-width forms);
* it places each word separately, so pdftotext split "Välkommen till
  Torsby!" over three lines; it also adds an /OpenAction that pikepdf's
  PDF/A validator does not support.

A record must give back the text exactly as published, so we build a tiny
glyphless TrueType font ourselves (fontTools, advance widths only, no
outlines) and embed it as a Type0/CIDFontType2 with Identity-H encoding.
Every distinct text unit (normally one code point, anything outside the BMP
included) gets its own CID; the ToUnicode CMap maps it back to UTF-16, with
surrogate pairs, so extraction is lossless. Text is drawn in render mode 3
(invisible) and stretched with horizontal scaling (Tz) to cover its box, so
selection highlights where the text appears in the image.

A font object is filled in only once all text is known (`finish`), because
the font program must hold a glyph for every CID used.

The same font carries the Unicode of Chromium's Type 3 glyphs in the print
record (`archiver.pdf.type3fonts`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import pikepdf
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from archiver.pdf.model import TextBox

UNITS_PER_EM = 1000
ADVANCE = 500
"""Every glyph is half an em wide; Tz stretches runs to their boxes."""
ASCENT = 800
DESCENT = -200
FONT_NAME = "BevaraGlyphless"
RESOURCE_NAME = "/BevaraText"
_BFCHAR_BLOCK = 100  # a CMap allows at most 100 entries per bfchar block


class GlyphlessFont:
    """One invisible font per document, assigning a CID to each text unit.

    ``reference`` hands out the (initially empty) indirect font dictionary so
    pages can point at it while text is still being added; ``finish`` writes
    the font program, widths and ToUnicode map for every CID handed out.
    """

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self._pdf = pdf
        self._cids: dict[str, int] = {}
        self._font = pdf.make_indirect(pikepdf.Dictionary())

    @property
    def reference(self) -> pikepdf.Object:
        """The indirect Type0 font dictionary to put in page resources."""
        return self._font

    def encode_units(self, units: Iterable[str]) -> bytes:
        """Return Identity-H codes for *units*; each unit becomes one glyph."""
        out = bytearray()
        for unit in units:
            if not unit:
                continue
            cid = self._cids.get(unit)
            if cid is None:
                cid = len(self._cids) + 1  # CID 0 is .notdef
                if cid > 0xFFFF:
                    raise ValueError("more than 65,535 distinct characters in one document")
                self._cids[unit] = cid
            out += cid.to_bytes(2, "big")
        return bytes(out)

    def encode(self, text: str) -> bytes:
        """Return Identity-H codes for *text*, one glyph per code point."""
        return self.encode_units(text)

    def finish(self) -> None:
        """Write the font program, descendant font and ToUnicode CMap."""
        pdf = self._pdf
        program = _font_program(self._cids)
        descriptor = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.FontDescriptor,
                FontName=pikepdf.Name("/" + FONT_NAME),
                Flags=4,  # symbolic: the glyphs are not a standard Latin set
                FontBBox=[0, DESCENT, ADVANCE, ASCENT],
                ItalicAngle=0,
                Ascent=ASCENT,
                Descent=DESCENT,
                CapHeight=ASCENT,
                StemV=80,
                FontFile2=pikepdf.Stream(pdf, program, Length1=len(program)),
            )
        )
        cidfont = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.CIDFontType2,
                BaseFont=pikepdf.Name("/" + FONT_NAME),
                CIDSystemInfo=pikepdf.Dictionary(
                    Registry=pikepdf.String("Adobe"),
                    Ordering=pikepdf.String("Identity"),
                    Supplement=0,
                ),
                FontDescriptor=descriptor,
                DW=ADVANCE,
                CIDToGIDMap=pikepdf.Name.Identity,
            )
        )
        self._font.Type = pikepdf.Name.Font
        self._font.Subtype = pikepdf.Name.Type0
        self._font.BaseFont = pikepdf.Name("/" + FONT_NAME)
        self._font.Encoding = pikepdf.Name("/Identity-H")
        self._font.DescendantFonts = pikepdf.Array([cidfont])
        self._font.ToUnicode = pikepdf.Stream(pdf, _to_unicode_cmap(self._cids))


def _font_program(cids: dict[str, int]) -> bytes:
    """A TrueType font with one empty glyph per CID (GID == CID)."""
    order = [".notdef"] + [f"g{cid}" for cid in range(1, len(cids) + 1)]
    empty = TTGlyphPen(None).glyph()
    fb = FontBuilder(UNITS_PER_EM, isTTF=True)
    fb.setupGlyphOrder(order)
    # A cmap is not used with Identity-H, but some tools expect one; map the
    # single-code-point units, which covers every unit built from DOM text.
    fb.setupCharacterMap({ord(u): f"g{c}" for u, c in cids.items() if len(u) == 1})
    fb.setupGlyf({name: empty for name in order})
    fb.setupHorizontalMetrics({name: (ADVANCE, 0) for name in order})
    fb.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    fb.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    fb.setupOS2(
        sTypoAscender=ASCENT,
        sTypoDescender=DESCENT,
        usWinAscent=ASCENT,
        usWinDescent=-DESCENT,
        fsType=0,  # installable: embedding is unrestricted
    )
    fb.setupPost()
    buf = io.BytesIO()
    fb.save(buf)
    return buf.getvalue()


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(cids: dict[str, int]) -> bytes:
    """ToUnicode CMap: each CID to its unit's UTF-16BE (surrogates allowed)."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    entries = sorted((cid, unit) for unit, cid in cids.items())
    for start in range(0, len(entries), _BFCHAR_BLOCK):
        block = entries[start : start + _BFCHAR_BLOCK]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{cid:04X}> <{_utf16_hex(unit)}>" for cid, unit in block)
        lines.append("endbfchar")
    lines += [
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def _num(value: float) -> str:
    """Format a number for a content stream without exponent notation."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def text_layer_ops(
    font: GlyphlessFont,
    boxes: Sequence[TextBox],
    page_height_pt: float,
    scale: float,
) -> bytes:
    """Content-stream operators that draw *boxes* as invisible text.

    ``scale`` converts box units (CSS px) to points. The font size is the box
    height, so a viewer's selection covers the line; the baseline sits at
    the font's descent above the box bottom.
    """
    parts = ["q", "BT", "3 Tr"]
    for box in boxes:
        text = box.text.replace("\n", " ").replace("\r", " ")
        if not text.strip() or box.w <= 0 or box.h <= 0:
            continue
        size = box.h * scale
        width = box.w * scale
        n = len(text)
        hscale = 100.0 * width / (n * size * ADVANCE / UNITS_PER_EM)
        x = box.x * scale
        baseline = page_height_pt - (box.y + box.h) * scale - size * DESCENT / UNITS_PER_EM
        codes = font.encode(text).hex().upper()
        parts.append(f"{RESOURCE_NAME} {_num(size)} Tf {_num(hscale)} Tz")
        parts.append(f"1 0 0 1 {_num(x)} {_num(baseline)} Tm <{codes}> Tj")
    parts += ["ET", "Q"]
    return ("\n".join(parts) + "\n").encode("ascii")


def add_text_layer(
    pdf: pikepdf.Pdf,
    page: pikepdf.Page,
    font: GlyphlessFont,
    boxes: Sequence[TextBox],
    scale: float,
) -> None:
    """Append an invisible text layer for *boxes* on top of *page*'s content."""
    if not boxes:
        return
    height = float(page.mediabox[3]) - float(page.mediabox[1])
    ops = text_layer_ops(font, boxes, height, scale)
    page.add_resource(font.reference, pikepdf.Name.Font, pikepdf.Name(RESOURCE_NAME))
    page.contents_add(pikepdf.Stream(pdf, ops), prepend=False)
