"""A capture's files as the snapshot keeps them, built in a build worker (`BuildPool`).

Both PDF/A records, the items with their boxes on the page, and the capture log. The
workers fork from a server that imports this module, so it stays free of the catalogue
and of Playwright: a worker then holds pikepdf, fpdf2 and the PDF stage, not SQLAlchemy
(which the run that hands it a capture needs, and cost the fork server 1 CPU-s a run).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archiver.capture import itemboxes
from archiver.capture.model import CaptureResult, SeenItem
from archiver.pdf.model import Segment, SnapshotMetadata


def build_files(meta: SnapshotMetadata, result: CaptureResult, workdir: Path) -> list[tuple[str, Path]]:
    """The snapshot's files: both PDF/A records, HTML, MHTML, items and log, as (role, path)."""
    from archiver.pdf.ocr import ocr_segment
    from archiver.pdf.pdfa import build_visual_pdfa, make_print_pdfa

    assert result.html is not None and result.print_pdf is not None
    segments = [with_ocr(s, workdir, ocr_segment) for s in result.segments]
    visual = workdir / "snapshot-visual.pdf"
    printed = workdir / "snapshot-print.pdf"
    build_visual_pdfa(segments, visual, meta)
    make_print_pdfa(result.print_pdf, printed, meta)
    items = workdir / "items.json"
    boxes = itemboxes.read(workdir)
    items.write_text(json.dumps([{**_seen_dict(i), "boxes": boxes.get(i.platform_id, [])}
                                 for i in result.items], ensure_ascii=False, indent=1),
                     encoding="utf-8")
    capture_log = workdir / "capture-log.json"
    capture_log.write_text(json.dumps(log_dict(result), ensure_ascii=False, indent=1), encoding="utf-8")
    files = [("visual-pdf", visual), ("print-pdf", printed), ("html", result.html),
             ("items", items), ("log", capture_log)]
    if result.mhtml is not None:
        files.append(("mhtml", result.mhtml))
    return files


def log_dict(result: CaptureResult) -> dict[str, Any]:
    """The capture log as JSON values (times and paths as text)."""
    return json.loads(json.dumps(dataclasses.asdict(result.log), default=str))


def with_ocr(segment: Segment, workdir: Path, ocr: Callable[[Path, Path], list[Any]]) -> Segment:
    """Raster-only segments (no DOM text, e.g. a canvas) get their text layer from OCR.

    A segment of one colour has no text to find: Tesseract spends 0.6 CPU-s on a blank
    8,000 px segment, and a saved page can end in several."""
    if segment.text_boxes or segment.flat:
        return segment
    boxes = ocr(segment.path, workdir / "ocr")
    return dataclasses.replace(segment, text_boxes=tuple(boxes))


def _seen_dict(i: SeenItem) -> dict[str, Any]:
    d = dataclasses.asdict(i)
    d["created"] = i.created.isoformat() if i.created else None
    return d
