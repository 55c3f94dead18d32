"""The caption page (följeblad) that opens both PDF/A records of a snapshot.

The XMP says what a record is, but a person holding the printout or scrolling the file
sees none of it. So each record starts with one A4 page in Swedish naming the
organisation, the account, the platform and address, when the snapshot was taken (local
time with its zone, and UTC), the boundary and period it stands for, why it was taken,
the engine, and the SHA-256 of the captured HTML. The text is real text in an embedded
font (fpdf2 subsets DejaVu Sans and writes a ToUnicode map), so it is in the text layer
too: a search or ``pdftotext`` finds it.

fpdf2 parses each font whole before it lays out a line, some 0.1 CPU-s for DejaVu's 6,000
glyphs, on every snapshot. With a font cache (the home's ``cache/fonts``, passed in as
``SnapshotMetadata.font_cache``) the caption uses subsets of the three fonts cut once to
Latin-1, Latin Extended-A and common punctuation, which the captions of Swedish
organisations and accounts are written in; a caption that needs a glyph they lack (an
emoji in a page title) is laid out again with the full fonts. What those lack too (emoji
again: DejaVu has none) is shown as U+FFFD, never left out unseen.

The page carries the page label "Följeblad" and the captured pages are numbered from 1,
so a viewer shows page 1 for the first screenshot; `is_caption_page` lets code that maps
pages to screenshot segments (redaction) step over it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pikepdf

from archiver.errors import MissingDependencyError, OutputError
from archiver.home.files import atomic_write_bytes
from archiver.pdf.model import SnapshotMetadata

if TYPE_CHECKING:
    from fpdf import FPDF

LABEL = "Följeblad"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
"""Debian's fonts-dejavu-core (Chromium's own dependency), and the Fedora layout."""
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")
"""Regular and bold for labels and values, monospaced for the digest."""
SUBSET_CHARS = frozenset((*range(0x20, 0x7F), *range(0xA0, 0x180), 0x2013, 0x2014, 0x2018, 0x2019,
                          0x201A, 0x201C, 0x201D, 0x201E, 0x2022, 0x2026, 0x20AC))
"""What the cached font subsets hold: Basic Latin, Latin-1, Latin Extended-A (å ä ö æ ø,
and the letters of Finnish, Sami place names and most European names), dashes, quotes,
bullet, ellipsis and the euro sign."""
REPLACEMENT = "\ufffd"
"""Drawn where the fonts have no glyph for a character (DejaVu has this one)."""
SUBSET_VERSION = 1
"""Part of a cached subset's name: raise it when SUBSET_CHARS changes."""
RECORDS = {
    "visual": "Bildversion: skärmbilder av sidan med sökbart textlager",
    "print": "Utskriftsversion: webbläsarens utskrift av sidan",
}


def caption_lines(meta: SnapshotMetadata, record: str) -> list[tuple[str, str]]:
    """The caption as (label, value) pairs, in the order printed."""
    tz = ZoneInfo(meta.timezone)
    local = meta.captured_at.astimezone(tz)
    utc = meta.captured_at.astimezone(dt.UTC)
    org = meta.organisation or "–"
    if meta.organisation_id:
        org += f" (organisationsnummer {meta.organisation_id})"
    if meta.boundary is not None:
        boundary = f"{meta.boundary.isoformat()} (halvårsskifte)"
    else:
        boundary = "ingen (tagen utanför halvårsskiftena)"
    if meta.period_start or meta.period_end:
        start = meta.period_start.isoformat() if meta.period_start else "…"
        # The period's end is exclusive (the boundary); a reader takes "– 2026-07-01" to
        # include 1 July, so the caption names the last day the period holds.
        end = (meta.period_end - dt.timedelta(days=1)).isoformat() if meta.period_end else "…"
        period = f"{start} – {end}"
    else:
        period = "–"
    lines = [
        ("Organisation", org),
        ("Konto", meta.account),
        ("Plattform", meta.platform_name or meta.platform),
        ("Adress", meta.url),
        ("Tagen", f"{local:%Y-%m-%d kl. %H:%M:%S} {local.tzname()} ({meta.timezone}), "
                  f"{utc:%Y-%m-%d %H:%M:%S} UTC"),
        ("Halvårsskifte", boundary),
        ("Period", period),
        ("Anledning", meta.reason),
        ("Version", RECORDS.get(record, record)),
        ("Programvara", meta.engine_version),
        ("SHA-256 för HTML", meta.html_sha256),
    ]
    if meta.clock != "real clock":
        lines.append(("Klocka", "simulerad (demo- eller testarkiv): tiden är inte verklig"))
    return lines


def caption_pdf(meta: SnapshotMetadata, record: str) -> bytes:
    """One A4 page holding the caption, as PDF bytes (made PDF/A with the record it opens)."""
    return caption_pages(meta, (record,))


@functools.lru_cache(maxsize=2)
def caption_pages(meta: SnapshotMetadata, records: tuple[str, ...]) -> bytes:
    """One caption page per record, in one document.

    Both records of a snapshot carry the same caption but for the line naming the
    record, so a build makes both pages at once: fpdf2 parses the three fonts and
    subsets them once instead of twice. Cached for the two calls of one build; the
    pages are copied out, never changed.
    """
    system = tuple(system_font(name) for name in FONT_FILES)
    texts = _texts(meta)
    codes = {ord(c) for text in texts.values() for c in text}
    if meta.font_cache is not None and codes <= SUBSET_CHARS:
        doc = _caption_doc(meta, records, tuple(_subset(f, meta.font_cache) for f in system))
        if not _missing(doc):
            return bytes(doc.output())
    lacking = codes - _covered(system[0])
    if lacking:
        # A character no font here has (an emoji in a page title) would be left out, or
        # drawn as .notdef, which PDF/A forbids: the caption shows U+FFFD there instead,
        # so a reader sees that something is not drawn. The XMP holds the exact text.
        table = dict.fromkeys(lacking, REPLACEMENT)
        drawable: dict[str, Any] = {name: text.translate(table) for name, text in texts.items()}
        meta = dataclasses.replace(meta, **drawable)
    return bytes(_caption_doc(meta, records, system, shaped=not codes <= SUBSET_CHARS).output())


def _texts(meta: SnapshotMetadata) -> dict[str, str]:
    """Every text field of *meta*, by name: what the caption may draw."""
    return {f.name: v for f in dataclasses.fields(meta) if isinstance(v := getattr(meta, f.name), str)}


def _covered(font: Path) -> frozenset[int]:
    """The code points *font* has glyphs for (the values' font: regular DejaVu Sans)."""
    stat = font.stat()
    return _cmap(font, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _cmap(font: Path, size: int, mtime_ns: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(font, lazy=True) as parsed:
        return frozenset(parsed.getBestCmap())


def _missing(doc: FPDF) -> set[int]:
    """The code points the document's text needs and its fonts lack."""
    return {code for font in doc.fonts.values() for code in font.missing_glyphs}  # type: ignore[union-attr]


def _caption_doc(meta: SnapshotMetadata, records: tuple[str, ...], fonts: tuple[Path, ...],
                 shaped: bool = False) -> FPDF:
    from fpdf import FPDF

    regular, bold, mono = fonts
    doc = FPDF(format="A4", unit="mm")
    if shaped:
        # Text beyond the Latin of the subsets may be Arabic or Persian (municipalities
        # publish in both): without a shaping engine fpdf2 draws their letters unjoined
        # and left to right. Latin-only captions keep the plain, faster layout.
        doc.set_text_shaping(True)
    doc.set_margins(20, 20, 20)
    doc.set_auto_page_break(auto=False)
    doc.add_font("DejaVu", fname=str(regular))
    doc.add_font("DejaVu", style="B", fname=str(bold))
    doc.add_font("DejaVuMono", fname=str(mono))
    for record in records:
        _caption_page(doc, meta, record)
    return doc


def _subset(font: Path, cache: Path) -> Path:
    """The cached subset of *font* (SUBSET_CHARS), cut and written atomically the first time;
    *font* itself when the cache cannot be written (a read-only home, a full disk): a cache
    must not stop a capture.

    Named by the system font's digest, so an upgraded font gets a subset of its own."""
    stat = font.stat()
    target = cache / f"{font.stem}-{_digest(font, stat.st_size, stat.st_mtime_ns)}-{SUBSET_VERSION}.ttf"
    if target.is_file():
        return target
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True  # fpdf2 draws a missing character as .notdef's box
    options.recommended_glyphs = True
    options.layout_features = []  # captions in the subsets' Latin are laid out unshaped
    options.drop_tables += ["FFTM", "GPOS", "GSUB", "GDEF"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=SUBSET_CHARS)
    with TTFont(font) as parsed:
        subsetter.subset(parsed)
        out = io.BytesIO()
        parsed.save(out)
    try:
        atomic_write_bytes(target, out.getvalue())
    except OutputError:
        return font
    return target


@functools.lru_cache(maxsize=8)
def _digest(font: Path, size: int, mtime_ns: int) -> str:
    """The first 16 hex digits of *font*'s SHA-256: read once per process and version of the
    file (size and time are the cache key), not on every caption."""
    return hashlib.sha256(font.read_bytes()).hexdigest()[:16]


def _caption_page(doc: FPDF, meta: SnapshotMetadata, record: str) -> None:
    doc.add_page()
    doc.set_font("DejaVu", "B", 16)
    doc.multi_cell(0, 8, "Ögonblicksbild av ett konto i sociala medier",
                   new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 10)
    doc.multi_cell(0, 5, f"{meta.title}" if meta.title else "", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    y = doc.get_y()
    doc.set_draw_color(80, 80, 80)
    doc.line(20, y, 190, y)
    doc.ln(4)
    for label, value in caption_lines(meta, record):
        doc.set_font("DejaVu", "B", 10)
        doc.cell(42, 6, label)
        # A digest is compared character by character: monospaced, on one line.
        doc.set_font(*(("DejaVuMono", "", 9) if label.startswith("SHA-256") else ("DejaVu", "", 10)))
        doc.multi_cell(0, 6, value, align="L", new_x="LMARGIN", new_y="NEXT")
        doc.ln(1)
    doc.ln(4)
    doc.set_font("DejaVu", "", 9)
    doc.multi_cell(0, 4.5, "Följebladet är skrivet av arkivet vid fångsten och är inte en del av "
                   "den fångade sidan. Sidan som fångades börjar på nästa sida (sida 1). "
                   "Samma uppgifter finns i filens XMP-metadata.", align="L", new_x="LMARGIN",
                   new_y="NEXT")


def prepend_caption(pdf: pikepdf.Pdf, meta: SnapshotMetadata, record: str) -> pikepdf.Pdf:
    """Insert the caption page before the record's first page and label the pages.

    Returns the caption's own document, which must stay open until *pdf* is saved
    (qpdf copies a foreign page's streams when the destination is written).
    """
    records = tuple(RECORDS) if record in RECORDS else (record,)
    source = pikepdf.open(io.BytesIO(caption_pages(meta, records)))
    pdf.pages.insert(0, source.pages[records.index(record)])
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([
        0, pikepdf.Dictionary(P=pikepdf.String(LABEL)),
        1, pikepdf.Dictionary(S=pikepdf.Name.D),
    ]))
    return source


def is_caption_page(pdf: pikepdf.Pdf, index: int) -> bool:
    """Is page *index* the caption (by its page label), not a captured page?"""
    return index == 0 and pdf.pages[0].label == LABEL


def system_font(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise MissingDependencyError(
        f"the font {name} for the snapshot caption is not installed; "
        "install it with: apt-get install fonts-dejavu-core")
