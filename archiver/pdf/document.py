"""Documents Bevara writes itself, kept as PDF/A-2b: culling protocols, item renderings.

They are HTML we generate, printed by the same Chromium that captures pages and
converted by the same code as the snapshots' print record, so one PDF/A pipeline (and
one validator) serves every record the archive makes. The page is set from a string and
every network request is refused: a record of ours must not depend on anything outside
it, and a test can rely on that.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from archiver.chromium import launch_browser
from archiver.errors import PdfaError
from archiver.pdf.model import DocumentMetadata
from archiver.pdf.pdfa import make_print_pdfa

PRINT_TIMEOUT_S = 120.0
"""Chromium's page.pdf() has no time limit of its own; a document that takes longer is a bug."""


def print_document(html: str, out: Path, meta: DocumentMetadata) -> None:
    """Print *html* (a whole, self-contained document) to *out* as validated PDF/A-2b.

    *out* appears only when the file is complete and valid (written beside it, then
    renamed); on any failure it is left as it was and a ``PdfaError`` or
    ``MissingDependencyError`` says why.
    """
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix=".print-", dir=out.parent) as tmp:
        chromium_pdf = Path(tmp) / "chromium.pdf"
        try:
            asyncio.run(asyncio.wait_for(_print(html, chromium_pdf), PRINT_TIMEOUT_S))
        except TimeoutError as e:
            raise PdfaError(f"Chromium did not print {out.name} within {PRINT_TIMEOUT_S:.0f} s") from e
        make_print_pdfa(chromium_pdf, out, meta)


async def _print(html: str, target: Path) -> None:
    async with launch_browser() as browser:
        context = await browser.new_context(java_script_enabled=False, offline=True)
        try:
            page = await context.new_page()
            await page.set_content(html, wait_until="load")
            await page.pdf(path=str(target), format="A4", print_background=False, tagged=True,
                           outline=True, margin={"top": "18mm", "bottom": "18mm", "left": "16mm",
                                                 "right": "16mm"})
        finally:
            await context.close()
