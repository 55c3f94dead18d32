"""Type 3 fonts in Chromium's print PDF turned into pictures plus invisible text.

Chromium draws colour emoji with Type 3 fonts whose glyph procedures paint a
bitmap. PDF/A-2 allows Type 3, but pikepdf's allowlist validator does not
check them, so the print record would never be approved. We keep the
picture and the text apart: each glyph procedure becomes a form XObject
painted after the text object, and the glyph's Unicode (from the font's
ToUnicode) is shown in the glyphless font of `archiver.pdf.textlayer`,
invisibly, at the glyph's position and width. Text objects that use a
Type 3 font are rewritten with absolute positioning (a Tm before every
show), which keeps the other runs exactly where they were without having
to preserve the line matrix.
"""

from __future__ import annotations

import re
from typing import Any

import pikepdf

from archiver.pdf.textlayer import ADVANCE, RESOURCE_NAME, UNITS_PER_EM, GlyphlessFont

_SHOW_OPS = frozenset(["Tj", "TJ", "'", '"'])
_POSITION_OPS = frozenset(["Tm", "Td", "TD", "T*"])
_HEX_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])")


def _decode_utf16(hex_bytes: bytes) -> str:
    return bytes.fromhex(hex_bytes.decode("ascii")).decode("utf-16-be", errors="replace")


def _parse_to_unicode(cmap: bytes) -> dict[int, str]:
    """Code → text from a ToUnicode CMap (bfchar and bfrange sections)."""
    result: dict[int, str] = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in _HEX_PAIR.findall(section):
            result[int(src, 16)] = _decode_utf16(dst)
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in _BFRANGE.findall(section):
            start, end = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                items = re.findall(rb"<([0-9A-Fa-f]*)>", dst)
                for offset, item in enumerate(items[: end - start + 1]):
                    result[start + offset] = _decode_utf16(item)
            else:
                base = bytes.fromhex(dst[1:-1].decode("ascii"))
                for offset in range(end - start + 1):
                    last = int.from_bytes(base[-2:], "big") + offset
                    unit = base[:-2] + last.to_bytes(2, "big")
                    result[start + offset] = unit.decode("utf-16-be", errors="replace")
    return result


class _FontInfo:
    """What the rewriter needs to know about one font resource."""

    def __init__(self, font: pikepdf.Object) -> None:
        self.type3 = font.get("/Subtype") == pikepdf.Name.Type3
        self.two_byte = font.get("/Subtype") == pikepdf.Name.Type0
        self.font = font
        self.widths: dict[int, float] = {}
        self.default_width = 0.0
        self.scale = 0.001
        if self.two_byte:
            desc = font.DescendantFonts[0]
            self.default_width = float(desc.get("/DW", 1000))
            w = list(desc.get("/W", []))
            i = 0
            while i + 1 < len(w):
                first = int(w[i])
                if isinstance(w[i + 1], pikepdf.Array):
                    for k, v in enumerate(w[i + 1]):
                        self.widths[first + k] = float(v)
                    i += 2
                else:
                    for c in range(first, int(w[i + 1]) + 1):
                        self.widths[c] = float(w[i + 2])
                    i += 3
        else:
            first = int(font.get("/FirstChar", 0))
            for k, v in enumerate(font.get("/Widths", [])):
                self.widths[first + k] = float(v)
            if self.type3:
                self.scale = float(font.FontMatrix[0])
        self.unicode: dict[int, str] = {}
        if self.type3 and isinstance(font.get("/ToUnicode"), pikepdf.Stream):
            self.unicode = _parse_to_unicode(font.ToUnicode.read_bytes())

    def codes(self, data: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def advance(self, code: int) -> float:
        """Glyph advance in text space units per unit font size."""
        return self.widths.get(code, self.default_width) * self.scale


class _Type3Rewriter:
    """Rewrites one page's content stream; holds the per-document caches."""

    def __init__(self, pdf: pikepdf.Pdf, font: GlyphlessFont) -> None:
        self.pdf = pdf
        self.font = font
        self.forms: dict[tuple[tuple[int, int], int], pikepdf.Object | None] = {}
        self.used = False
        self.names: dict[tuple[int, int], pikepdf.Name] = {}  # per page

    def glyph_form(self, info: _FontInfo, code: int) -> pikepdf.Object | None:
        """The glyph procedure as a form XObject (d0/d1 removed), or None if empty."""
        key = (info.font.objgen, code)
        if key in self.forms:
            return self.forms[key]
        form = None
        encoding = info.font.get("/Encoding")
        differences = list(encoding.get("/Differences", [])) if encoding is not None else []
        name, current = None, 0
        for item in differences:
            if isinstance(item, pikepdf.Name):
                if current == code:
                    name = item
                    break
                current += 1
            else:
                current = int(item)
        proc = info.font.CharProcs.get(name) if name is not None else None
        if proc is not None:
            ops = pikepdf.parse_content_stream(proc)
            if ops and str(ops[0].operator) in ("d0", "d1"):
                ops = ops[1:]
            if ops:
                llx, lly, urx, ury = (float(v) for v in info.font.FontBBox)
                x0, x1, y0, y1 = min(llx, urx), max(llx, urx), min(lly, ury), max(lly, ury)
                pad = max(x1 - x0, y1 - y0) * 0.1
                form = self.pdf.make_stream(
                    pikepdf.unparse_content_stream(ops),
                    Type=pikepdf.Name.XObject,
                    Subtype=pikepdf.Name.Form,
                    BBox=[x0 - pad, y0 - pad, x1 + pad, y1 + pad],
                    Matrix=list(info.font.FontMatrix),
                    Resources=info.font.get("/Resources", pikepdf.Dictionary()),
                )
        self.forms[key] = form
        return form

    def rewrite_page(self, page: pikepdf.Page) -> bool:
        """Rewrite *page* if it shows Type 3 text; return whether it did."""
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if resources is not None else None
        if fonts is None:
            return False
        infos = {str(n): _FontInfo(f) for n, f in fonts.items()}
        self.names = {}
        if not any(i.type3 for i in infos.values()):
            return False
        out: list[Any] = []
        block: list[Any] | None = None
        state: dict[str, Any] = {
            "font": None,
            "size": 0.0,
            "Tc": 0.0,
            "Tw": 0.0,
            "Tz": 100.0,
            "TL": 0.0,
            "Ts": 0.0,
            "Tr": 0,
        }
        stack: list[dict[str, Any]] = []
        for inst in pikepdf.parse_content_stream(page):
            op = str(inst.operator)
            if op == "BT":
                block = [inst]
                continue
            if block is None:
                if op == "q":
                    stack.append(dict(state))
                elif op == "Q" and stack:
                    state = stack.pop()
                else:
                    self._track(state, op, inst.operands, infos)
                    if op == "Tf" and state["font"] is not None and state["font"].type3:
                        continue  # selected again, absolutely, where it is shown
                out.append(inst)
                continue
            block.append(inst)
            if op == "ET":
                out.extend(self._block(block, state, infos, page))
                block = None
        for name, info in infos.items():
            if info.type3:
                del fonts[name]
        page.add_resource(self.font.reference, pikepdf.Name.Font, pikepdf.Name(RESOURCE_NAME))
        page.obj.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(out))
        return True

    @staticmethod
    def _track(state: dict[str, Any], op: str, args: Any, infos: dict[str, _FontInfo]) -> None:
        if op == "Tf":
            state["font"], state["size"] = infos.get(str(args[0])), float(args[1])
            state["name"] = args[0]
        elif op in ("Tc", "Tw", "Tz", "TL", "Ts"):
            state[op] = float(args[0])
        elif op == "Tr":
            state["Tr"] = int(args[0])

    def _block(
        self,
        block: list[Any],
        state: dict[str, Any],
        infos: dict[str, _FontInfo],
        page: pikepdf.Page,
    ) -> list[Any]:
        """One text object, rewritten if it shows Type 3 glyphs."""
        probe = dict(state)
        uses_type3 = False
        for inst in block:
            self._track(probe, str(inst.operator), inst.operands, infos)
            font = probe["font"]
            if str(inst.operator) in _SHOW_OPS and font is not None and font.type3:
                uses_type3 = True
                break
        if not uses_type3:
            for inst in block:
                self._track(state, str(inst.operator), inst.operands, infos)
            return block
        self.used = True
        Inst = pikepdf.ContentStreamInstruction
        tm = tlm = pikepdf.Matrix()
        out: list[Any] = []
        drawings: list[Any] = []
        for inst in block:
            op, args = str(inst.operator), list(inst.operands)
            if op in ("Tm", "Td", "TD", "T*", "'", '"'):
                if op == "Tm":
                    tlm = pikepdf.Matrix(*(float(a) for a in args))
                else:
                    if op == "TD":
                        state["TL"] = -float(args[1])
                        out.append(Inst([state["TL"]], pikepdf.Operator("TL")))
                    if op == '"':
                        state["Tw"], state["Tc"] = float(args[0]), float(args[1])
                        out.append(Inst([args[0]], pikepdf.Operator("Tw")))
                        out.append(Inst([args[1]], pikepdf.Operator("Tc")))
                        args = args[2:]
                    dx, dy = (
                        (float(args[0]), float(args[1]))
                        if op in ("Td", "TD")
                        else (0.0, -state["TL"])
                    )
                    tlm = pikepdf.Matrix().translated(dx, dy) @ tlm
                tm = tlm
                if op not in ("'", '"'):
                    continue
                op, inst = "Tj", Inst(args, pikepdf.Operator("Tj"))
            if op in ("Tj", "TJ"):
                tm = self._show(inst, op, state, tm, out, drawings, page)
                continue
            self._track(state, op, args, infos)
            if op != "Tf":  # each show selects its font itself
                out.append(inst)
        return out + drawings

    def _show(
        self,
        inst: Any,
        op: str,
        state: dict[str, Any],
        tm: pikepdf.Matrix,
        out: list[Any],
        drawings: list[Any],
        page: pikepdf.Page,
    ) -> pikepdf.Matrix:
        """Emit one show operator at absolute position *tm*; return the advanced matrix."""
        Inst = pikepdf.ContentStreamInstruction
        info: _FontInfo | None = state["font"]
        size, th = state["size"], state["Tz"] / 100.0
        items = list(inst.operands[0]) if op == "TJ" else [inst.operands[0]]
        if info is None or not info.type3:
            if "name" in state:
                out.append(Inst([state["name"], size], pikepdf.Operator("Tf")))
            out.append(Inst(list(tm.shorthand), pikepdf.Operator("Tm")))
            out.append(inst)
            for item in items:
                if info is None:
                    break  # no font selected: nothing to advance by
                if isinstance(item, pikepdf.String):
                    for code in info.codes(bytes(item)):
                        space = state["Tw"] if (not info.two_byte and code == 32) else 0.0
                        tx = (info.advance(code) * size + state["Tc"] + space) * th
                        tm = pikepdf.Matrix().translated(tx, 0) @ tm
                else:
                    tm = pikepdf.Matrix().translated(-float(item) / 1000 * size * th, 0) @ tm
            return tm
        flip = (
            pikepdf.Matrix(1, 0, 0, -1, 0, 0)
            if float(info.font.FontMatrix[3]) < 0
            else pikepdf.Matrix()
        )
        for item in items:
            if not isinstance(item, pikepdf.String):
                tm = pikepdf.Matrix().translated(-float(item) / 1000 * size * th, 0) @ tm
                continue
            for code in info.codes(bytes(item)):
                glyph_w = info.advance(code) * size
                form = self.glyph_form(info, code)
                if form is not None and state["Tr"] not in (3, 7):
                    name = self.names.get(form.objgen)
                    if name is None:
                        name = page.add_resource(form, pikepdf.Name.XObject, prefix="BvT3")
                        self.names[form.objgen] = name
                    trm = pikepdf.Matrix(size * th, 0, 0, size, 0, state["Ts"]) @ tm
                    drawings += [
                        Inst([], pikepdf.Operator("q")),
                        Inst(list(trm.shorthand), pikepdf.Operator("cm")),
                        Inst([name], pikepdf.Operator("Do")),
                        Inst([], pikepdf.Operator("Q")),
                    ]
                text = info.unicode.get(code, "")
                if text and glyph_w > 0:
                    hz = 100.0 * th * glyph_w / (size * ADVANCE / UNITS_PER_EM)
                    out += [
                        Inst([pikepdf.Name(RESOURCE_NAME), size], pikepdf.Operator("Tf")),
                        Inst([3], pikepdf.Operator("Tr")),
                        Inst([hz], pikepdf.Operator("Tz")),
                        Inst(list((flip @ tm).shorthand), pikepdf.Operator("Tm")),
                        Inst(
                            [pikepdf.String(self.font.encode_units([text]))], pikepdf.Operator("Tj")
                        ),
                        Inst([state["Tr"]], pikepdf.Operator("Tr")),
                        Inst([state["Tz"]], pikepdf.Operator("Tz")),
                    ]
                tm = pikepdf.Matrix().translated((glyph_w + state["Tc"]) * th, 0) @ tm
        return tm


def convert_type3_fonts(pdf: pikepdf.Pdf) -> int:
    """Replace Type 3 text on every page by form XObjects plus invisible text.

    Returns the number of pages rewritten. Type 3 fonts used only inside form
    XObjects are left alone (Chromium does not emit those); callers check for
    leftovers.
    """
    font = GlyphlessFont(pdf)
    rewriter = _Type3Rewriter(pdf, font)
    pages = sum(rewriter.rewrite_page(page) for page in pdf.pages)
    if pages:
        font.finish()
    return pages
