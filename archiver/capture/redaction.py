"""Lawful redaction: an item that may not be kept is cut out of every snapshot showing it.

A snapshot is never changed, with this one exception. Possessing suspected child sexual
abuse material (``barnpornografibrott``) is itself a crime, so deleting the item's text
and media from the catalogue is not enough: every snapshot that showed the item holds it
in six more files. For each of them this module writes a redacted copy:

* items.json without the item;
* the HTML and the MHTML's HTML with the item's element replaced by a notice, and the
  MHTML without the item's media parts;
* the visual record with the item's box (measured at capture, `itemboxes`) blacked out
  in the pixels and its text-layer runs removed (`archiver.pdf.redact`);
* the print record printed again by Chromium from the redacted HTML, resources served
  from the redacted MHTML (`reprint`), and made PDF/A as at capture;
* redaction.json: the redaction records of the snapshot (what, when, who, legal basis,
  every file's digest before and after), which travels with every export.

The new files go into the store and the snapshot's rows point at them, with a
SnapshotRedaction row and an audit entry, in the caller's transaction; the old files are
deleted from the store once that transaction has committed (`delete_unreferenced`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lxml import etree, html
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archiver.capture.site import ItemSpec, load_profile, profile_for
from archiver.catalogue.integrity_tables import SnapshotRedaction
from archiver.catalogue.models import Account, Item, ItemMedia, ItemSource, Snapshot, SnapshotFile
from archiver.errors import CaptureError, IntegrityError
from archiver.home.archive import Archive
from archiver.home.files import scratch_dir
from archiver.home.store import record
from archiver.pdf.model import SnapshotMetadata

LEGAL_BASIS = {
    "barnpornografibrott": "brottsbalken 16 kap. 10 a § (barnpornografibrott): innehav är "
                           "straffbart; innehållet får inte bevaras",
}
NOTICE = "Innehållet är borttaget ur arkivet enligt lag ({category})."
REDACTION_FILE = "redaction.json"


@dataclass
class Redacted:
    """What one snapshot's redaction did, for the caller's report and the audit entry."""

    snapshot: int
    files: dict[str, list[str | None]]  # role: [sha256 before, sha256 after]
    old: list[str]


def snapshots_showing(session: Session, item_id: int) -> list[Snapshot]:
    ids = sorted({i for i in session.scalars(select(ItemSource.snapshot_id).where(
        ItemSource.item_id == item_id, ItemSource.snapshot_id.is_not(None))) if i is not None})
    return [s for s in (session.get(Snapshot, i, options=[selectinload(Snapshot.files)
                                                           .selectinload(SnapshotFile.stored)])
                        for i in ids) if s is not None]


def redact_item(archive: Archive, session: Session, item: Item, category: str) -> list[Redacted]:
    """Redact *item* from every snapshot that shows it, in the caller's transaction."""
    done = []
    for snap in snapshots_showing(session, item.id):
        account = session.get(Account, snap.account_id)
        assert account is not None
        profile = load_profile(account.profile) if account.profile else profile_for(account.platform)
        done.append(_redact_snapshot(archive, session, snap, item, list(profile.items), category))
    return done


def _redact_snapshot(archive: Archive, session: Session, snap: Snapshot, item: Item,
                     specs: list[ItemSpec], category: str) -> Redacted:
    files = {f.role: f for f in snap.files}
    pid = item.platform_id
    with scratch_dir(archive.home.tmp_dir, "redact-") as work:
        items = json.loads(_read(archive, files["items"]))
        shown = [i for i in items if i.get("platform_id") == pid]
        boxes = [tuple(b) for i in shown for b in i.get("boxes", [])]
        urls = {u for i in shown for u in i.get("media", [])}
        texts = [i["text"] for i in shown if len(i.get("text", "").strip()) >= 8]
        if shown and not boxes and "visual-pdf" in files:
            raise CaptureError(
                f"snapshot {snap.id} does not record where item {item.id} is in its visual record "
                "(captured before item boxes were measured); redact that snapshot by hand and "
                "record it, or capture again")
        notice = NOTICE.format(category=category)
        out: dict[str, Path] = {}
        out["items"] = _write(work / files["items"].name, json.dumps(
            [i for i in items if i.get("platform_id") != pid], ensure_ascii=False, indent=1))
        page_html = remove_item_html(_read(archive, files["html"]).decode("utf-8"), specs, pid, urls,
                                     notice, snap.url) if "html" in files else None
        if page_html is not None:
            out["html"] = _write(work / files["html"].name, page_html)
        resources: dict[str, tuple[str, bytes]] = {}
        url = snap.url
        if "mhtml" in files:
            mhtml, resources, url = remove_item_mhtml(_read(archive, files["mhtml"]), specs, pid, urls,
                                                      notice, snap.url)
            out["mhtml"] = _write_bytes(work / files["mhtml"].name, mhtml)
        if "visual-pdf" in files:
            from archiver.pdf.redact import redact_visual_pdfa

            src = _copy_out(archive, files["visual-pdf"], work / "visual-src.pdf")
            target = work / files["visual-pdf"].name
            redact_visual_pdfa(src, target, boxes)
            out["visual-pdf"] = target
        if "print-pdf" in files and page_html is not None:
            out["print-pdf"] = _reprint(archive, files["print-pdf"], page_html, url, resources, work)
        for role, path in out.items():
            _check_gone(role, path, texts)
        before = {role: f.sha256 for role, f in files.items()}
        for role, path in out.items():
            ref = archive.store.put_file(path)
            record(session, ref, archive.now)
            files[role].sha256 = ref.sha256
        entry = {"item": item.id, "platform_id": pid, "kind": item.kind, "category": category,
                 "legal_basis": LEGAL_BASIS.get(category, category), "at": archive.now.isoformat(),
                 "by": archive.actor, "clock": archive.clock_label,
                 "files": {role: [before[role], files[role].sha256] for role in out}}
        history = json.loads(_read(archive, files["redaction"])) if "redaction" in files else []
        ref = archive.store.put_bytes(json.dumps([*history, entry], ensure_ascii=False,
                                                 indent=1).encode("utf-8"), "application/json")
        record(session, ref, archive.now)
        if "redaction" in files:
            files["redaction"].sha256 = ref.sha256
        else:
            snap.files.append(SnapshotFile(role="redaction", name=REDACTION_FILE, sha256=ref.sha256))
        changed: dict[str, list[str | None]] = {
            role: [before.get(role), f.sha256] for role, f in files.items()
            if before.get(role) != f.sha256}
        changed.setdefault("redaction", [before.get("redaction"), ref.sha256])
        session.add(SnapshotRedaction(snapshot_id=snap.id, item_id=item.id, platform_id=pid,
                                      at=archive.now, by=archive.actor,
                                      legal_basis=LEGAL_BASIS.get(category, category),
                                      files=json.dumps(changed), clock=archive.clock_label))
        session.flush()
    return Redacted(snap.id, changed, [b for b in (v[0] for v in changed.values()) if b])


def delete_unreferenced(archive: Archive, session: Session, digests: Iterable[str]) -> list[str]:
    """Delete the replaced files from the store, unless another record still names one."""
    deleted = []
    for sha in sorted(set(digests)):
        used = session.scalar(select(SnapshotFile.id).where(SnapshotFile.sha256 == sha).limit(1))
        kept = session.scalar(select(ItemMedia.id).where(ItemMedia.sha256 == sha,
                                                         ItemMedia.purged.is_(False)).limit(1))
        if used is None and kept is None and archive.store.delete(sha):
            deleted.append(sha)
    return deleted


def redactions_of(session: Session, snapshot_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(SnapshotRedaction).where(SnapshotRedaction.snapshot_id == snapshot_id)
                           .order_by(SnapshotRedaction.id))
    return [{"item": r.item_id, "platform_id": r.platform_id, "at": r.at.isoformat(), "by": r.by,
             "legal_basis": r.legal_basis, "clock": r.clock, "files": json.loads(r.files)}
            for r in rows]


# ------------------------------------------------------------------ the files


def remove_item_html(text: str, specs: list[ItemSpec], pid: str, urls: set[str], notice: str,
                     url: str) -> str:
    """The page (at *url*) without the item's element (a notice in its place) or any of its media."""
    root = html.document_fromstring(text)
    doctype = root.getroottree().docinfo.doctype
    base_tag = root.find(".//base[@href]")
    base = urljoin(url, base_tag.get("href")) if base_tag is not None else url
    found = []
    for spec in specs:
        for el in root.cssselect(spec.container):
            if _item_id(el, spec, base) == pid:
                found.append(el)
    for el in found:
        parent = el.getparent()
        if parent is None:
            continue
        note = html.Element("div", {"class": "bevara-redacted", "role": "note"})
        note.text = notice
        note.tail = el.tail
        parent.replace(el, note)
    for el in list(root.iter("img", "source", "video", "a", "link")):
        values = [el.get(a) or "" for a in ("src", "srcset", "href", "data-src", "poster")]
        parent = el.getparent()
        if any(u and u in v for u in urls for v in values) and parent is not None:
            parent.remove(el)
    body = etree.tostring(root, method="html", encoding="unicode")
    return (doctype + "\n" if doctype else "") + body


def _item_id(el: Any, spec: ItemSpec, base: str) -> str | None:
    """The item's id as the capture read it (page_scripts.READ_FIELDS): the first of its
    places that gives a value, links made absolute as the browser gives them, then cut by
    the place's pattern."""
    for place in spec.id:
        target = el
        if place.selector:
            hits = el.cssselect(place.selector)
            if not hits:
                continue
            target = hits[0]
        value = target.get(place.attr) if place.attr else target.text_content().strip()
        if value and place.attr in ("href", "src"):
            value = urljoin(base, value)
        if value and place.pattern:
            match = re.search(place.pattern, value)
            value = (match.group(1) if match.re.groups else match.group(0)) if match else None
        if value:
            return value
    return None


def remove_item_mhtml(data: bytes, specs: list[ItemSpec], pid: str, urls: set[str], notice: str,
                      fallback_url: str) -> tuple[bytes, dict[str, tuple[str, bytes]], str]:
    """The MHTML without the item; also its remaining resources by URL, and the page's URL."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    parts = list(msg.iter_parts()) if msg.is_multipart() else []
    kept: list[Any] = []
    resources: dict[str, tuple[str, bytes]] = {}
    page_url = fallback_url
    for i, part in enumerate(parts):
        location = str(part.get("Content-Location", ""))
        if location in urls:
            continue
        if i == 0 and part.get_content_type() == "text/html":
            page_url = location or fallback_url
            redacted = remove_item_html(part.get_content(), specs, pid, urls, notice, page_url)
            new = EmailMessage(policy=email.policy.default)
            new.set_content(redacted, subtype="html", cte="quoted-printable")
            if location:
                new["Content-Location"] = location
            part = new
        else:
            payload = part.get_payload(decode=True)
            if location and isinstance(payload, bytes):
                resources[location] = (part.get_content_type(), payload)
        kept.append(part)
    if not parts:
        raise IntegrityError("the snapshot's MHTML is not a multipart document; restore it from backup")
    msg.set_payload(kept)
    return msg.as_bytes(policy=email.policy.default.clone(linesep="\r\n")), resources, page_url


def _reprint(archive: Archive, stored: SnapshotFile, page_html: str, url: str,
             resources: dict[str, tuple[str, bytes]], work: Path) -> Path:
    from archiver.capture.reprint import reprint
    from archiver.pdf.pdfa import make_print_pdfa
    from archiver.pdf.xmp import read_snapshot_xmp

    old = _copy_out(archive, stored, work / "print-src.pdf")
    values = read_snapshot_xmp(old)
    chromium_pdf = asyncio.run(reprint(page_html, url, resources, work,
                                       archive.settings.capture_step_timeout))
    from archiver.accounts.publish import PLATFORM_NAMES
    from archiver.capture.runs import caption_settings

    meta = metadata_from_xmp(values, hashlib.sha256(page_html.encode("utf-8")).hexdigest())
    meta = dataclasses.replace(meta, platform_name=PLATFORM_NAMES.get(meta.platform, meta.platform),
                               **caption_settings(archive))
    target = work / stored.name
    make_print_pdfa(chromium_pdf, target, meta)
    return target


def metadata_from_xmp(values: dict[str, str], html_sha256: str) -> SnapshotMetadata:
    import datetime as dt

    def day(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    return SnapshotMetadata(
        account=values.get("account", ""), platform=values.get("platform", ""),
        url=values.get("url", ""),
        captured_at=dt.datetime.fromisoformat(values["capturedAt"].replace("Z", "+00:00")),
        boundary=day(values.get("boundary", "")), period_start=day(values.get("periodStart", "")),
        period_end=day(values.get("periodEnd", "")), reason=values.get("reason", ""),
        engine_version=values.get("engineVersion", ""), html_sha256=html_sha256,
        title=values.get("title", ""), clock=values.get("clock", "real clock"))


def _check_gone(role: str, path: Path, texts: list[str]) -> None:
    """A redacted text file must not hold the item's text any more (PDFs are checked by tests)."""
    if role not in ("items", "html", "mhtml"):
        return
    data = path.read_bytes()
    if role == "mhtml":
        msg = email.message_from_bytes(data, policy=email.policy.default)
        chunks = [p.get_payload(decode=True) for p in msg.walk() if not p.is_multipart()]
        data = b"".join(c for c in chunks if isinstance(c, bytes))
    body = data.decode("utf-8", errors="replace")
    for t in texts:
        if t in body or json.dumps(t, ensure_ascii=False)[1:-1] in body:
            raise IntegrityError(f"the redacted {role} still holds the item's text; nothing was "
                                 "changed (report this)")


def _read(archive: Archive, f: SnapshotFile) -> bytes:
    archive.store.verify(f.sha256)
    with archive.store.open(f.sha256) as fh:
        return fh.read()


def _copy_out(archive: Archive, f: SnapshotFile, path: Path) -> Path:
    path.write_bytes(_read(archive, f))
    return path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
