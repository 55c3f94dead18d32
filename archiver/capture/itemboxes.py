"""Where each item sits on the captured page, so a lawful redaction can find it again.

Measured once, with the page scrolled to the top just before the screenshots, in
document CSS pixels: the same coordinates the segments and their text boxes use. The
boxes are written beside the other capture files (``item-boxes.json``) and go into the
snapshot's items.json; `archiver.capture.redaction` blacks out an item's box in the
visual record when the item must not be kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.capture.page_scripts import READ_FIELDS, evaluate_json

if TYPE_CHECKING:  # runs.py reads the boxes without loading Playwright
    from playwright.async_api import Page

    from archiver.capture.steps import StepRunner

FILE_NAME = "item-boxes.json"

ITEM_BOXES = (
    """(specs) => {"""
    + READ_FIELDS
    + """
  const out = [];
  for (const s of specs) {
    let nodes;
    try { nodes = document.querySelectorAll(s.container); } catch (e) { continue; }
    for (const item of nodes) {
      const id = read(item, s.id);  // as EXTRACT_ITEMS reads it, pattern and all
      if (!id) continue;
      const r = item.getBoundingClientRect();
      if (r.width <= 0 || r.height <= 0) continue;
      out.push([id, r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]);
    }
  }
  return out;
}"""
)


async def measure(page: Page, steps: StepRunner, specs: list[dict[str, Any]], workdir: Path) -> None:
    """Write every item's box as {platform id: [[x, y, w, h], …]} (an id may show twice)."""
    raw = await steps.run("item boxes", lambda: evaluate_json(page, ITEM_BOXES, specs))
    boxes: dict[str, list[list[float]]] = {}
    for pid, x, y, w, h in raw:
        boxes.setdefault(str(pid), []).append([round(x, 1), round(y, 1), round(w, 1), round(h, 1)])
    (workdir / FILE_NAME).write_text(json.dumps(boxes), encoding="utf-8")


def read(workdir: Path) -> dict[str, list[list[float]]]:
    """The boxes a capture measured; none when the engine did not measure them."""
    path = workdir / FILE_NAME
    if not path.exists():
        return {}
    data: dict[str, list[list[float]]] = json.loads(path.read_text(encoding="utf-8"))
    return data
