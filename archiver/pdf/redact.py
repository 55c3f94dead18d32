"""Cutting a region out of a visual record: pixels blacked out, text under it removed.

The visual record is its caption page, then one page per screenshot segment
(`archiver.pdf.pdfa`), pages stacked
in document order, so a box in the captured page's CSS pixels falls on the pages whose
vertical range it crosses. On each such page the segment image is decoded, the box
painted black and the image written back losslessly (Flate), and every invisible text
run of the text layer that starts inside the box is dropped from the content stream:
the redacted material is gone from the bytes, not merely covered. The document is then
saved and validated as PDF/A again before it replaces anything.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pikepdf

from archiver.errors import PdfaError
from archiver.home.files import fsync_dir
from archiver.pdf.caption import is_caption_page
from archiver.pdf.pdfa import PT_PER_PX, _findings_message, _staging, validate_pdfa

Box = tuple[float, float, float, float]
"""x, y, width, height in the captured page's CSS pixels (document coordinates)."""


def redact_visual_pdfa(src: Path, out: Path, boxes: Sequence[Box], part: str = "2b") -> int:
    """Write *src* with every box blacked out to *out*; return how many pages changed."""
    changed = 0
    with pikepdf.open(src) as pdf:
        top_px = 0.0
        for index, page in enumerate(pdf.pages):
            if is_caption_page(pdf, index):
                continue  # the caption is ours, not a screenshot segment
            height_pt = float(page.mediabox[3]) - float(page.mediabox[1])
            width_pt = float(page.mediabox[2]) - float(page.mediabox[0])
            height_px = height_pt / PT_PER_PX
            local = [(x, y - top_px, w, h) for x, y, w, h in boxes
                     if y < top_px + height_px and y + h > top_px]
            if local:
                _black_out_images(page, local, width_pt / PT_PER_PX, height_px)
                _drop_text(pdf, page, local, height_pt)
                changed += 1
            top_px += height_px
        with _staging(out, ".redacted.pdf") as staged:
            pdf.save(staged)
            findings = validate_pdfa(staged, part)
            if findings:
                raise PdfaError(_findings_message(out, findings))
            staged.replace(out)
            fsync_dir(out.parent)
    return changed


def _black_out_images(page: pikepdf.Page, boxes: Sequence[Box], page_w_px: float,
                      page_h_px: float) -> None:
    from PIL import ImageDraw

    xobjects = page.obj.get("/Resources", pikepdf.Dictionary()).get("/XObject", pikepdf.Dictionary())
    for obj in xobjects.values():
        if obj.get("/Subtype") != pikepdf.Name.Image:
            continue
        image = pikepdf.PdfImage(obj).as_pil_image().convert("RGB")  # type: ignore[arg-type]
        sx, sy = image.width / page_w_px, image.height / page_h_px
        draw = ImageDraw.Draw(image)
        for x, y, w, h in boxes:
            draw.rectangle([x * sx, max(0.0, y * sy), (x + w) * sx, min(image.height, (y + h) * sy)],
                           fill=(0, 0, 0))
        _replace_image(obj, image)


def _replace_image(obj: pikepdf.Object, image: Any) -> None:
    for key in ("/DecodeParms", "/SMask", "/Decode"):
        if key in obj:
            del obj[key]
    obj.write(zlib.compress(image.tobytes(), 9), filter=pikepdf.Name.FlateDecode)
    obj.ColorSpace = pikepdf.Name.DeviceRGB
    obj.BitsPerComponent = 8
    obj.Width, obj.Height = image.width, image.height


def _drop_text(pdf: pikepdf.Pdf, page: pikepdf.Page, boxes: Sequence[Box], height_pt: float) -> None:
    """Remove each text-showing operator whose last Tm origin lies inside a box."""
    rects = [(x * PT_PER_PX, height_pt - (y + h) * PT_PER_PX, (x + w) * PT_PER_PX,
              height_pt - y * PT_PER_PX) for x, y, w, h in boxes]
    kept: list[Any] = []
    origin: tuple[float, float] | None = None
    for instruction in pikepdf.parse_content_stream(page):
        operands, operator = instruction  # type: ignore[misc]
        op = str(operator)
        if op == "Tm":
            origin = (float(operands[4]), float(operands[5]))
        if op in ("Tj", "TJ", "'", '"') and origin is not None and any(
                x0 <= origin[0] <= x1 and y0 - 2 <= origin[1] <= y1 for x0, y0, x1, y1 in rects):
            continue
        kept.append(instruction)
    page.obj.Contents = pikepdf.Stream(pdf, pikepdf.unparse_content_stream(kept))
