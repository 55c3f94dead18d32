"""Demo-like catalogue data for the package tests, without a browser.

Two accounts; a half-year snapshot of the first with its files in the store (a small
real PDF, HTML, items and capture log); posts, comments and replies created in 2026H1,
one confidential, one that led to a case, one removed, one with a media file; one item
outside the period. Fixed seed and clock.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from pathlib import Path

import pikepdf

from archiver.accounts import register
from archiver.catalogue.models import Item, ItemMedia, Snapshot, SnapshotFile
from archiver.home.archive import Archive, init_archive, open_archive
from archiver.home.config import Home
from archiver.home.store import record
from archiver.items.marks import MarkRequest, mark_item
from archiver.pdf.model import DocumentMetadata

NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
PACKAGE_TOML = """
[package]
submitter = "Torsby kommun, kommunstyrelsen"
submitter_id = "ORG:2120001769"
archive = "Sydarkivera"
archive_id = "ORG:2220003579"
submission_agreement = "SA-TORSBY-2026-01"
reference_code = "SE/TORSBY/KS/SOME"
schema_dir = "{schema_dir}"
"""


def small_pdf(text: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.docinfo["/Title"] = text
    buf = io.BytesIO()
    pdf.save(buf, static_id=True)
    return buf.getvalue()


def fake_render(html: str, out: Path, meta: DocumentMetadata) -> None:
    """A plain (not PDF/A) PDF for tests that must not start Chromium; the browser test uses the real one."""
    out.write_bytes(small_pdf(f"{meta.title} {len(html)}"))


def make_home(root: Path, schema_dir: Path | None) -> Archive:
    archive = init_archive(Home(root), org_name="Torsby kommun", org_id="212000-1769",
                           timezone="Europe/Stockholm", now=NOW, actor="anna", simulated_clock=True)
    archive.close()
    text = (root / "archive.toml").read_text(encoding="utf-8")
    start = text.index("[package]")
    end = text.index("\n[", start) + 1  # the section after [package]
    text = text[:start] + PACKAGE_TOML.format(schema_dir=schema_dir or "").lstrip() + "\n" + text[end:]
    (root / "archive.toml").write_text(text, encoding="utf-8")
    return open_archive(Home(root), now=NOW, actor="anna")


def seed(archive: Archive) -> dict[str, int]:
    rng = random.Random(2026)
    ids: dict[str, int] = {}
    with archive.transaction() as session:
        for key, name, platform, url in (("fb", "Torsby kommun", "facebook", "https://www.facebook.com/torsbykommun"),
                                         ("x", "Torsby kommun på X", "x", "https://x.com/torsbykommun")):
            out = register.add_account(archive, session, register.AccountFields(
                name=name, platform=platform, url=url, unit="Kommunikationsenheten", purpose="Information",
                admins=("Anna Berg <anna.berg@torsby.se>", "Per Lind <per.lind@torsby.se>"),
                opened=dt.date(2019, 3, 1)))
            ids[key] = out.account.id
        files = []
        captured = dt.datetime(2026, 7, 1, 0, 5, tzinfo=dt.UTC)
        for role, name, data, mt in (
                ("visual-pdf", "snapshot-visual.pdf", small_pdf("visual"), "application/pdf"),
                ("print-pdf", "snapshot-print.pdf", small_pdf("print"), "application/pdf"),
                ("html", "page.html", b"<html><body>Torsby</body></html>", "text/html"),
                ("items", "items.json", b"[]", "application/json"),
                ("log", "capture-log.json", json.dumps({"scroll_rounds": 4, "items_seen": 6,
                                                        "reached_period_start": True}).encode(), "application/json")):
            ref = archive.store.put_bytes(data, mt)
            record(session, ref, captured)
            files.append(SnapshotFile(role=role, name=name, sha256=ref.sha256))
        snap = Snapshot(account_id=ids["fb"], trigger="due", boundary=dt.date(2026, 7, 1),
                        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 7, 1), reason="half-year",
                        url="https://www.facebook.com/torsbykommun", captured_at=captured, late_seconds=None,
                        engine_version="bevara/0.1.0", items_seen=6, followers=1200, complete=True,
                        captured_by="cron", files=files)
        session.add(snap)
        media = archive.store.put_bytes(bytes(rng.randrange(256) for _ in range(2048)), "image/jpeg")
        record(session, media, captured)
        rows = [
            ("p1", "post", None, "Torsby kommun", True, "Välkommen till sommarens aktiviteter i Torsby!"),
            ("c1", "comment", "p1", "Eva Ek", False, "Var kan jag anmäla mig? Mitt personnummer är hemligt."),
            ("r1", "reply", "c1", "Torsby kommun", True, "Hej Eva, anmälan sker på torsby.se."),
            ("c2", "comment", "p1", "Nils Nyman", False, "Vägen vid skolan är trasig, när lagas den?"),
            ("c3", "comment", "p1", "Troll", False, "Reklam för något olagligt"),
            ("p2", "post", None, "Torsby kommun", True, "Bild från invigningen av nya biblioteket"),
        ]
        for n, (pid, kind, parent, author, own, text) in enumerate(rows):
            created = dt.datetime(2026, 3, 1 + n, 10, 0, tzinfo=dt.UTC)
            item = Item(account_id=ids["fb"], platform_id=pid, kind=kind, parent_platform_id=parent,
                        thread_id="p1" if pid != "p2" else "p2", author_handle=author.lower().replace(" ", ""),
                        author_name=author, is_own=own, created_at=created, text=text,
                        url=f"https://www.facebook.com/torsbykommun/posts/{pid}", first_seen_at=captured,
                        last_seen_at=captured)
            if pid == "p2":
                item.media.append(ItemMedia(sha256=media.sha256, name="invigning.jpg", media_type="image/jpeg"))
            session.add(item)
            session.flush()
            ids[pid] = item.id
        old = Item(account_id=ids["x"], platform_id="x-old", kind="post", text="Gammalt inlägg", is_own=True,
                   author_name="Torsby kommun", created_at=dt.datetime(2025, 12, 30, 10, tzinfo=dt.UTC),
                   first_seen_at=captured, last_seen_at=captured)
        session.add(old)
        session.flush()
        ids["old"] = old.id
        mark_item(archive, session, ids["c1"], MarkRequest(confidential=True, law="OSL 21 kap. 1 §",
                                                           note="Personuppgifter om hälsa"))
        mark_item(archive, session, ids["c2"], MarkRequest(led_to_case="KS 2026/123"))
        mark_item(archive, session, ids["c3"], MarkRequest(removed=True, category="reklam"))
    return ids
