from __future__ import annotations

import io

import pikepdf
from fontTools.ttLib import TTFont

from archiver.pdf.model import TextBox
from archiver.pdf.textlayer import GlyphlessFont, _to_unicode_cmap, text_layer_ops
from archiver.pdf.type3fonts import _parse_to_unicode


def test_cids_are_shared_and_cmap_round_trips_astral_characters() -> None:
    pdf = pikepdf.new()
    font = GlyphlessFont(pdf)
    assert font.encode("aä🎉a") == bytes.fromhex("0001000200030001")
    cmap = _to_unicode_cmap({"a": 1, "ä": 2, "🎉": 3, "❄️": 4})
    assert b"<0003> <D83CDF89>" in cmap
    assert _parse_to_unicode(cmap) == {1: "a", 2: "ä", 3: "🎉", 4: "❄️"}


def test_font_program_has_one_empty_glyph_per_cid() -> None:
    pdf = pikepdf.new()
    font = GlyphlessFont(pdf)
    font.encode("Snöröjning ❄️")
    font.finish()
    ref = font.reference
    assert ref.Subtype == "/Type0" and ref.Encoding == "/Identity-H"
    program = ref.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
    tt = TTFont(io.BytesIO(program))
    assert len(tt.getGlyphOrder()) == 1 + len(set("Snöröjning ❄️"))
    assert {tt["hmtx"][g][0] for g in tt.getGlyphOrder()} == {500}


def test_text_is_invisible_and_stretched_to_its_box() -> None:
    pdf = pikepdf.new()
    ops = text_layer_ops(GlyphlessFont(pdf), [TextBox(10, 20, 200, 40, "abcd", 32)], 600, 0.75)
    text = ops.decode()
    assert "3 Tr" in text
    # 4 glyphs x 0.5 em x 30 pt = 60 pt, stretched to 150 pt: Tz 250
    assert "/BevaraText 30 Tf 250 Tz" in text
    assert "1 0 0 1 7.5 561 Tm" in text  # 600 - (20+40)*0.75 + 0.2*30
