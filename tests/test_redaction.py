"""Purge reaches every copy: an item marked barnpornografibrott leaves every snapshot showing it.

Two real captures of one fixture account show the same post with its image; marking the
post must leave neither snapshot holding its text or image bytes, in any file, while both
snapshots stay valid PDF/A and record the redaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from conftest import ADMINS, Cli

from archiver.pdf.caption import is_caption_page
from archiver.pdf.pdfa import PT_PER_PX, validate_pdfa
from fixtures.platform import FixturePlatform

NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


def mhtml_parts(path: Path) -> list[bytes]:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return [p.get_payload(decode=True) or b"" for p in msg.walk() if not p.is_multipart()]


def region_pixels(pdf_path: Path, box: list[float]) -> set[tuple[int, int, int]]:
    """Colours inside *box* (document CSS px) of the visual record, sampled on every page."""
    colours: set[tuple[int, int, int]] = set()
    x, y, w, h = box
    top = 0.0
    with pikepdf.open(pdf_path) as pdf:
        for index, page in enumerate(pdf.pages):
            if is_caption_page(pdf, index):
                continue
            height_px = float(page.mediabox[3]) / PT_PER_PX
            if y < top + height_px and y + h > top:
                (obj,) = [o for o in page.obj.Resources.XObject.values() if o.Subtype == "/Image"]
                image = pikepdf.PdfImage(obj).as_pil_image().convert("RGB")
                scale = image.width / (float(page.mediabox[2]) / PT_PER_PX)
                y0, y1 = max(y - top, 0) * scale, min(y + h - top, height_px) * scale
                for sx in range(int(x * scale) + 2, int((x + w) * scale) - 2, 7):
                    for sy in range(int(y0) + 2, int(y1) - 2, 7):
                        colours.add(image.getpixel((sx, sy)))
            top += height_px
    return colours


@pytest.mark.browser
@pytest.mark.slow
def test_barnpornografibrott_is_redacted_from_every_snapshot(
        arc: Cli, tmp_path: Path, pdf_text: Callable[[Path | str], str]) -> None:
    with FixturePlatform(seed=2026, now=NOW) as fp:
        url = fp.account_url("facebook", "redigering", posts=8)
        account = arc.json("accounts", "add", "--name", "Konto", "--platform", "facebook", "--url", url,
                           "--unit", "Kommunikation", "--purpose", "Information",
                           "--opened", "2020-01-01", *ADMINS)["id"]
        for _ in range(2):
            result = arc("capture", str(account), "--json")
            assert result.exit_code == 0, result.stderr[-2000:]
        posts = fp.expected_posts("facebook", "redigering", posts=8)
        items = arc.json("items", "list", "--kind", "post", "--limit", "500")
        captured = {i["platform_id"]: i["id"] for i in items}
        post = next(p for p in posts if p.media_path and p.id in captured)
        with urllib.request.urlopen(fp.url(post.media_path)) as response:
            image = response.read()
    text = " ".join(post.text.split())
    before = {}
    for snap in (1, 2):
        out = tmp_path / f"before-{snap}"
        arc.json("snapshots", "export", str(snap), "-o", str(out))
        (seen,) = [i for i in json.loads((out / "items.json").read_text()) if i["platform_id"] == post.id]
        assert seen["boxes"], "the capture measured where the post is"
        assert text in " ".join(pdf_text(out / "snapshot-visual.pdf").split())
        assert image in mhtml_parts(out / "page.mhtml")
        files = arc.json("snapshots", "show", str(snap))["files"]
        before[snap] = (seen["boxes"][0], {f["role"]: f["sha256"] for f in files})
        assert len(region_pixels(out / "snapshot-visual.pdf", seen["boxes"][0])) > 1

    marked = arc.json("items", "mark", str(captured[post.id]), "--removed", "--category",
                      "barnpornografibrott", "--by", "registrator")
    assert marked["redacted_snapshots"] == [1, 2]

    for snap in (1, 2):
        box, old = before[snap]
        shown = arc.json("snapshots", "show", str(snap))
        assert shown["redacted"] is True
        (red,) = shown["redactions"]
        assert (red["item"], red["platform_id"], red["by"]) == (captured[post.id], post.id, "registrator")
        assert red["legal_basis"].startswith("brottsbalken 16 kap. 10 a §")
        for role in ("visual-pdf", "print-pdf", "html", "mhtml", "items"):
            assert red["files"][role][0] == old[role] and red["files"][role][1] != old[role], role
            assert not (arc.home / "store" / old[role][:2] / old[role]).exists(), role
        out = tmp_path / f"after-{snap}"
        arc.json("snapshots", "export", str(snap), "-o", str(out))
        record = json.loads((out / "redaction.json").read_text())
        assert [r["platform_id"] for r in record] == [post.id]
        assert record[0]["files"]["visual-pdf"] == red["files"]["visual-pdf"]
        assert json.loads((out / "snapshot.json").read_text())["redacted"] is True
        for f in (f for f in out.rglob("*") if f.is_file()):  # the exported media/ too
            data = f.read_bytes()
            assert image not in data, f.name
            assert base64.b64encode(image)[:200] not in data.replace(b"\r\n", b""), f.name
        assert image not in mhtml_parts(out / "page.mhtml")
        assert all(text not in p.decode("utf-8", "replace") for p in mhtml_parts(out / "page.mhtml"))
        assert post.id not in {i["platform_id"] for i in json.loads((out / "items.json").read_text())}
        html = (out / "page.html").read_text()
        assert text not in " ".join(html.split()) and "borttaget ur arkivet" in html
        for pdf in ("snapshot-visual.pdf", "snapshot-print.pdf"):
            assert text not in " ".join(pdf_text(out / pdf).split()), pdf
            assert validate_pdfa(out / pdf) == [], pdf
        assert "borttaget ur arkivet" in " ".join(pdf_text(out / "snapshot-print.pdf").split())
        assert region_pixels(out / "snapshot-visual.pdf", box) == {(0, 0, 0)}
        # The rest of the record is still there: another post's text.
        other = next(p for p in posts if p.id in captured and p.id != post.id)
        assert " ".join(other.text.split()) in " ".join(pdf_text(out / "snapshot-visual.pdf").split())
    assert arc.ok("snapshots", "verify").stdout.splitlines() == [
        f"snapshot {n}: ok (redacted: item {captured[post.id]})" for n in (1, 2)]
    listed = arc.ok("snapshots", "list").stdout.splitlines()
    assert all(line.endswith("[redacted] [simulated clock]") for line in listed), listed
    assert arc.ok("audit", "verify").stdout.startswith("Audit log intact")
