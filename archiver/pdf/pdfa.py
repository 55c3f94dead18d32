"""The two PDF/A-2b records of a snapshot, written and validated without Ghostscript.

* The **visual record** (`build_visual_pdfa`): one page per screenshot segment,
  the PNG embedded losslessly (img2pdf passes the PNG's Flate data through,
  no re-encoding), plus an invisible text layer (see `archiver.pdf.textlayer`)
  so the exact published text is searchable and selectable where it appears.
* The **print record** (`make_print_pdfa`): Chromium's ``page.pdf()`` made
  PDF/A-2b with `pikepdf.pdfa`, keeping its tags and real text. Chromium
  draws colour emoji as Type 3 fonts, which pikepdf's validator refuses; we
  convert each Type 3 glyph into a form XObject (the colour bitmap stays)
  plus invisible text carrying the glyph's Unicode (`archiver.pdf.type3fonts`), so no
  print CSS, extra font or monochrome emoji is needed.

XMP and pikepdf's validator
---------------------------
Both records carry dc:title, dc:source, xmp:CreateDate and the ``bevara``
namespace. PDF/A (ISO 19005-2 §6.6.2.3) allows custom XMP properties when the
packet describes them in a PDF/A extension schema, which we write (`archiver.pdf.xmp`). pikepdf's
validator is an allowlist that does not implement extension schemas, so it
reports the ``bevara``/``pdfaExtension`` namespace declarations as
violations of 6.6.2.3.1-1. `validate_pdfa` therefore accepts on the real file
exactly those findings (rule 6.6.2.3.1-1, naming our namespace or one of our
declared properties) and nothing else, after checking that the extension schema
declares every ``bevara`` property used. pikepdf records every problem as a
finding of its own (one per namespace, one per unknown property), so tolerating
ours cannot hide another; a test adds a foreign namespace and sees it refused.
Every other finding fails the record. pikepdf's per-object schema checks are answered
by a compiled validator when an object passes (`archiver.pdf.schema_fastpath`).

Writes are staged in the destination directory: pikepdf.pdfa.prepare repairs the
document, we add the bevara block, write once, validate the final bytes, fsync and
rename. A failure leaves no output file behind.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pikepdf

from archiver.errors import PdfaError
from archiver.home.files import fsync_dir
from archiver.pdf import schema_fastpath
from archiver.pdf.caption import prepend_caption
from archiver.pdf.model import DocumentMetadata, Segment, SnapshotMetadata
from archiver.pdf.textlayer import GlyphlessFont, add_text_layer
from archiver.pdf.type3fonts import convert_type3_fonts
from archiver.pdf.xmp import (
    BEVARA_FIELDS,
    BEVARA_NS,
    BEVARA_PREFIX,
    EXTENSION_NAMESPACES,
    add_bevara_block,
    declares_bevara_schema,
    packet_text,
    packet_values,
    write_standard,
)

PT_PER_PX = 0.75
"""CSS pixels are 1/96 in; PDF points are 1/72 in."""
MAX_PAGE_PT = 14400.0
"""PDF's implementation limit for a page side (200 in), kept by PDF/A."""

_NS_FINDING = re.compile(r"XMP namespace (\S+)=(\S+) is not permitted")
_PROP_FINDING = re.compile(r"XMP property (\w+):(\w+) is not permitted")
_TOLERATED_URIS = frozenset([BEVARA_NS, *EXTENSION_NAMESPACES.values()])
_TOLERATED_PROPS = frozenset(
    [f"{BEVARA_PREFIX}:{n}" for n in BEVARA_FIELDS] + ["pdfaExtension:schemas"]
)

# --------------------------------------------------------------------- builders


def build_visual_pdfa(segments: Sequence[Segment], out: Path, meta: SnapshotMetadata) -> None:
    """Write the visual record: one page per segment, image plus invisible text.

    Page size follows the segment's CSS pixel size at 96 dpi, so the text
    boxes (CSS px) land exactly where the text appears in the screenshot.
    """
    import img2pdf

    if not segments:
        raise PdfaError("no segments to build the visual PDF from; capture produced no screenshot")
    problems = []
    for i, seg in enumerate(segments):
        if not Path(seg.path).is_file():
            problems.append(f"segment {i}: {seg.path} does not exist")
        for side, px in (("width", seg.width), ("height", seg.height)):
            if px * PT_PER_PX > MAX_PAGE_PT:
                problems.append(
                    f"segment {i}: {side} {px} px is {px * PT_PER_PX:.0f} pt, over PDF's "
                    f"{MAX_PAGE_PT:.0f} pt page limit; split it into smaller segments"
                )
    if problems:
        raise PdfaError("cannot build visual PDF:\n  " + "\n  ".join(problems))

    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".bevara-img-") as tmp:
        images = [_pdf_ready_png(Path(s.path), Path(tmp), i) for i, s in enumerate(segments)]
        layout = img2pdf.get_fixed_dpi_layout_fun((96, 96))
        # Screenshots carry no EXIF orientation; asking for it makes Pillow decode the
        # whole PNG (0.15 s per 8,000 px segment) only to find none.
        data = img2pdf.convert(
            [str(p) for p in images], layout_fun=layout, rotation=img2pdf.Rotation.none
        )
    with pikepdf.open(io.BytesIO(data)) as pdf:
        font = GlyphlessFont(pdf)
        for seg, page in zip(segments, pdf.pages, strict=True):
            # Boxes are CSS px of the segment; the PNG may be at another scale.
            width_pt = float(page.mediabox[2]) - float(page.mediabox[0])
            add_text_layer(pdf, page, font, seg.text_boxes, width_pt / seg.width)
        font.finish()
        _finalize(pdf, out, meta, record="visual")


def _pdf_ready_png(path: Path, tmp: Path, index: int) -> Path:
    """Return a PNG img2pdf embeds as is; flatten alpha onto white if present.

    Screenshots are opaque, but an alpha channel (omit_background) would make
    img2pdf refuse the file; flattening loses nothing that was visible.
    """
    from PIL import Image

    with Image.open(path) as im:
        if im.mode not in ("RGBA", "LA") and "transparency" not in im.info:
            return path
        rgba = im.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    target = tmp / f"segment-{index}.png"
    flat.save(target, optimize=False)
    return target


def make_print_pdfa(chromium_pdf: Path, out: Path, meta: SnapshotMetadata | DocumentMetadata) -> None:
    """Write the print record (or a document of ours) from Chromium's page.pdf() output.

    Repairs what PDF/A forbids in Chromium's output and converts its Type 3
    (colour emoji) fonts; tags, outline and text are kept.
    """
    try:
        pdf = pikepdf.open(chromium_pdf)
    except (pikepdf.PdfError, OSError) as e:
        raise PdfaError(f"cannot open Chromium PDF {chromium_pdf}: {e}") from e
    with pdf:
        for key in ("/MarkInfo", "/ViewerPreferences"):
            # PDF/A's schemas have no /Type for these dictionaries.
            obj = pdf.Root.get(key)
            if isinstance(obj, pikepdf.Dictionary) and "/Type" in obj:
                del obj["/Type"]
        _drop_outline_struct_refs(pdf)
        _drop_color_transform(pdf)
        convert_type3_fonts(pdf)
        leftover = type3_fonts(pdf)
        if leftover:
            raise PdfaError(
                "Type 3 fonts remain that could not be converted: " + ", ".join(leftover)
            )
        _finalize(pdf, out, meta, record="print")


def _drop_color_transform(pdf: pikepdf.Pdf) -> None:
    """Delete /ColorTransform from image dictionaries.

    Chromium writes it on the image itself, where the PDF specification has no such
    key, so readers ignore it and removing it changes nothing they show; pikepdf's
    validator refuses the unknown key. (Its proper place, /DecodeParms, is left
    alone: moving it there could change how the JPEG decodes.)
    """
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and "/ColorTransform" in obj:
            del obj["/ColorTransform"]


def _drop_outline_struct_refs(pdf: pikepdf.Pdf) -> None:
    """Remove /SE (PDF 1.7 ext: outline item → structure element) that Chromium writes.

    pikepdf's validator does not support it; the outline still points at its
    destination and the structure tree is untouched.
    """
    outlines = pdf.Root.get("/Outlines")
    stack = [outlines.get("/First")] if isinstance(outlines, pikepdf.Dictionary) else []
    seen: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary) or item.objgen in seen:
            continue
        seen.add(item.objgen)
        if "/SE" in item:
            del item["/SE"]
        stack += [item.get("/First"), item.get("/Next")]


def type3_fonts(pdf: pikepdf.Pdf) -> list[str]:
    """Describe every Type 3 font reachable from the pages (for error messages)."""
    found: list[str] = []
    for number, page in enumerate(pdf.pages, 1):
        for name, font in _fonts_in(page.obj.get("/Resources"), set()):
            if font.get("/Subtype") == pikepdf.Name.Type3:
                fd = font.get("/FontDescriptor")
                family = str(fd.get("/FontName", "")) if fd is not None else ""
                found.append(f"page {number} {name} {family}".rstrip())
    return found


def _fonts_in(resources: Any, seen: set[tuple[int, int]]) -> Iterator[tuple[str, Any]]:
    """Fonts of a resource dictionary and of the form XObjects it uses."""
    if not isinstance(resources, pikepdf.Dictionary):
        return
    yield from resources.get("/Font", pikepdf.Dictionary()).items()
    for xobj in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobj.get("/Subtype") != pikepdf.Name.Form or xobj.objgen in seen:
            continue
        seen.add(xobj.objgen)
        yield from _fonts_in(xobj.get("/Resources"), seen)


# ------------------------------------------------------------------ write path


def _finalize(pdf: pikepdf.Pdf, out: Path, meta: SnapshotMetadata | DocumentMetadata,
              part: str = "2b", record: str = "") -> None:
    """Make *pdf* PDF/A, add the caption page and bevara XMP to a snapshot record, validate
    the final bytes, rename into place.

    ``pikepdf.pdfa.save`` would validate what it writes, but the bevara block comes
    after it, so that check would be spent on bytes we do not keep: the document is
    prepared and written once here, and only the final file is validated.
    """
    out = Path(out)
    with contextlib.ExitStack() as keep:
        if isinstance(meta, SnapshotMetadata):
            keep.enter_context(prepend_caption(pdf, meta, record))
        _write_validated(pdf, out, meta, part)


def _write_validated(pdf: pikepdf.Pdf, out: Path, meta: SnapshotMetadata | DocumentMetadata,
                     part: str) -> None:
    write_standard(pdf, meta)
    try:
        kwargs = pikepdf.pdfa.resolve_save_kwargs(part)
        pikepdf.pdfa.prepare(pdf, part)
    except ValueError as e:
        raise PdfaError(f"{out.name} cannot be made PDF/A-{part}: {e}") from e
    snapshot = isinstance(meta, SnapshotMetadata)
    if isinstance(meta, SnapshotMetadata):
        add_bevara_block(pdf, meta)
    with _staging(out, ".final.pdf") as final:
        with final.open("wb") as fh:
            pdf.save(fh, **kwargs)
            fh.flush()
            os.fsync(fh.fileno())
        findings = validate_pdfa(final, part, snapshot=snapshot)
        if findings:
            raise PdfaError(_findings_message(out, findings))
        final.replace(out)
        fsync_dir(out.parent)


NOTDEF_FINDING = "select the .notdef glyph"
"""pikepdf's words for text drawn with a font's .notdef glyph, which PDF/A forbids: in a print
record, characters none of the machine's fonts has (a LinkedIn footer's 日本語 without a CJK
font), which Chromium prints as empty boxes."""
NOTDEF_FIX = ("the page has characters no font on this machine can draw; install the fonts for "
              "their script (Chinese, Japanese, Korean: apt-get install fonts-noto-cjk; others: "
              "fonts-noto-core, fonts-noto-extra) and capture again")


def _findings_message(out: Path, findings: Sequence[str]) -> str:
    lines = "\n  ".join(findings)
    fix = f": {NOTDEF_FIX}" if any(NOTDEF_FINDING in f for f in findings) else ""
    return f"{out.name} is not valid PDF/A ({len(findings)} finding(s)){fix}:\n  {lines}"


@contextlib.contextmanager
def _staging(out: Path, suffix: str) -> Iterator[Path]:
    """A temporary path beside *out* (same file system, so rename is atomic), always removed."""
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=suffix)
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


# ------------------------------------------------------------------ validation


def _is_extension_finding(message: str) -> bool:
    """Is this pikepdf's refusal of our own, schema-described XMP extension?"""
    ns = _NS_FINDING.search(message)
    if ns:
        return ns.group(2).strip("\"'") in _TOLERATED_URIS
    prop = _PROP_FINDING.search(message)
    return prop is not None and f"{prop.group(1)}:{prop.group(2)}" in _TOLERATED_PROPS


@contextlib.contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Hold the cyclic garbage collector off while pikepdf's validator runs.

    The validator counts every warning raised while it parses a content stream as a
    finding against the file. A collection that happens to run then, finalising a file
    some earlier code left open, raises a ResourceWarning ("unclosed file ...") and fails
    a valid record (a culling run failed so). The garbage is collected after the check.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate_pdfa(path: Path, part: str = "2b", *, snapshot: bool = True) -> list[str]:
    """Every reason *path* is not an acceptable PDF/A record (empty = valid).

    A snapshot record must also carry every bevara field; a document of ours
    (``snapshot=False``) the standard title, source and creation date.

    See the module docstring for why the bevara namespace findings are the
    only pikepdf findings tolerated, and on what condition.
    """
    import pikepdf.pdfa as pdfa

    schema_fastpath.install()
    findings: list[str] = []
    with _no_garbage_collection():
        report = pdfa.validate_written(Path(path), part)
    with pikepdf.open(path) as pdf:
        xmp = packet_text(pdf) or ""
        has_schema = declares_bevara_schema(xmp)
        for f in report.findings:
            if has_schema and f.rule.endswith("6.6.2.3.1-1") and _is_extension_finding(f.message):
                continue
            findings.append(str(f))
        claim = pdf.open_metadata().pdfa_status
    if claim != part.upper():
        findings.append(f"XMP claims PDF/A {claim or 'nothing'}, expected {part.upper()}")
    values = packet_values(xmp) if xmp else {}
    if snapshot:
        if xmp and not has_schema:
            findings.append("XMP has no PDF/A extension schema for the bevara namespace")
        missing = [n for n in BEVARA_FIELDS if n not in values]
        if missing:
            findings.append("XMP lacks bevara fields: " + ", ".join(missing))
    for key in ("title", "source", "createDate"):
        if not values.get(key):
            findings.append(f"XMP lacks {key}")
    return findings
