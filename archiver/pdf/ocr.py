"""OCR for raster-only segments (canvas, text in images), via Tesseract's hOCR.

The DOM gives exact text for nearly everything; OCR is only a fallback for
segments whose DOM gave no text but which are not blank. We call the
``tesseract`` program directly (one module, one external program) and read
its hOCR lines into `TextBox`es, which `build_visual_pdfa` places in the
invisible text layer like DOM text. OCR text is approximate by nature
(measured: "Åsa" can come back as "Asa"), which is why it never replaces
DOM text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from archiver.errors import MissingDependencyError, OutputError
from archiver.pdf.model import TextBox

_INSTALL = "install it with: apt-get install tesseract-ocr tesseract-ocr-swe"
_MIN_MAJOR = 4  # LSTM engine and hOCR line boxes
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_XSIZE = re.compile(r"x_size ([\d.]+)")
_TIMEOUT_S = 120


def tesseract_version() -> str:
    """Return Tesseract's version, or raise MissingDependencyError naming the fix."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise MissingDependencyError(f"tesseract not found; {_INSTALL}")
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    match = re.search(r"tesseract v?(\d+)\.(\d+)[.\d]*", proc.stdout + proc.stderr)
    if match is None or int(match.group(1)) < _MIN_MAJOR:
        raise MissingDependencyError(
            f"tesseract {_MIN_MAJOR} or newer is needed (found: {proc.stdout.strip()[:40]!r}); "
            f"{_INSTALL}"
        )
    return match.group(0).split()[-1].lstrip("v")


def _check_languages(languages: Sequence[str]) -> None:
    proc = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    installed = set(proc.stdout.split())
    missing = [lang for lang in languages if lang not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise MissingDependencyError(
            f"tesseract language data missing: {', '.join(missing)}; "
            f"install it with: apt-get install {packages}"
        )


def ocr_segment(
    segment_png: Path, workdir: Path, languages: Sequence[str] = ("swe", "eng")
) -> list[TextBox]:
    """OCR one segment image; return one TextBox per recognised line (pixel coordinates)."""
    tesseract_version()
    _check_languages(languages)
    workdir.mkdir(parents=True, exist_ok=True)
    base = workdir / f"{segment_png.stem}.ocr"
    cmd = ["tesseract", str(segment_png), str(base), "-l", "+".join(languages), "hocr"]
    try:
        # One thread: the machine's cores are shared with Chromium and other work.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired as e:
        raise OutputError(f"tesseract took over {_TIMEOUT_S} s on {segment_png}") from e
    hocr = Path(f"{base}.hocr")
    if proc.returncode != 0 or not hocr.is_file():
        raise OutputError(
            f"tesseract failed on {segment_png} (exit {proc.returncode}): "
            f"{proc.stderr.strip()[:300]}"
        )
    try:
        return parse_hocr(hocr.read_bytes())
    finally:
        hocr.unlink(missing_ok=True)


def parse_hocr(data: bytes) -> list[TextBox]:
    """Lines of an hOCR document as TextBoxes; words joined by single spaces."""
    root = etree.fromstring(data, etree.XMLParser(recover=True, resolve_entities=False))
    boxes: list[TextBox] = []
    for line in root.iter("{*}span", "span"):
        classes = (line.get("class") or "").split()
        if not {"ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"} & set(classes):
            continue
        title = line.get("title") or ""
        bbox = _BBOX.search(title)
        if bbox is None:
            continue
        words = [
            "".join(w.itertext()).strip()
            for w in line.iter("{*}span", "span")
            if "ocrx_word" in (w.get("class") or "").split()
        ]
        text = " ".join(w for w in words if w)
        if not text:
            continue
        x0, y0, x1, y1 = (int(v) for v in bbox.groups())
        xsize = _XSIZE.search(title)
        size = float(xsize.group(1)) if xsize else float(y1 - y0)
        boxes.append(TextBox(x=x0, y=y0, w=x1 - x0, h=y1 - y0, text=text, font_size=size))
    return boxes
