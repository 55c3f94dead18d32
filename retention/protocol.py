"""The gallringsprotokoll: the permanent record of one culling run, as PDF/A-2b, CSV and XML.

The three files are written from one data dict, kept in the content-addressed store and
listed in ``retention_protocol_files``. The PDF carries the summary a registrator files
(rules, mandates, accounts, period, counts per kind, who approved and who executed, method,
backups) and the SHA-256 of the CSV and XML that list every culled item, so the parts
cannot be swapped without notice. The XML is checked against our own schema
(``schemas/gallringsprotokoll.xsd``) before anything is stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archiver import __version__
from archiver.catalogue.models import Account, Item, StoredFile
from archiver.catalogue.retention_tables import (
    RetentionCandidate,
    RetentionGroup,
    RetentionProtocol,
    RetentionProtocolFile,
    RetentionStub,
)
from archiver.errors import IntegrityError, NotFoundError
from archiver.home import store
from archiver.home.archive import Archive
from archiver.home.files import atomic_write_bytes
from archiver.pdf.document import print_document
from archiver.pdf.model import DocumentMetadata

NS = "urn:bevara:gallringsprotokoll:1"
Printer = Callable[[str, Path, DocumentMetadata], None]
CSV_HEADER = ["protokoll", "post", "status", "skäl", "typ", "konto", "regel", "publicerad", "text_sha256"]


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(
        (resources.files("schemas") / "gallringsprotokoll.xsd").read_bytes()))


def protocol_data(archive: Archive, session: Session, protocol: RetentionProtocol) -> dict[str, Any]:
    """Everything the three files say, read from the stubs this protocol created."""
    accounts = {a.id: a for a in session.scalars(select(Account))}
    mandates = {g.rule_id: g for g in session.scalars(
        select(RetentionGroup).where(RetentionGroup.review_id == protocol.review_id))}
    counts: dict[str, dict[int, dict[str, int]]] = {}
    for rule_id, acc, kind, n in session.execute(
            select(RetentionStub.rule_id, Item.account_id, Item.kind, func.count())
            .join(Item, Item.id == RetentionStub.item_id).where(RetentionStub.protocol_id == protocol.id)
            .group_by(RetentionStub.rule_id, Item.account_id, Item.kind)):
        counts.setdefault(rule_id, {}).setdefault(acc, {})[kind] = n
    items = [{"id": iid, "kind": kind, "account": acc, "rule": rule,
              "published": (created or seen).isoformat(), "sha256": digest}
             for iid, kind, acc, rule, created, seen, digest in session.execute(
                 select(Item.id, Item.kind, Item.account_id, RetentionStub.rule_id, Item.created_at,
                        Item.first_seen_at, RetentionStub.text_sha256)
                 .join(Item, Item.id == RetentionStub.item_id)
                 .where(RetentionStub.protocol_id == protocol.id).order_by(Item.id))]
    skipped = [{"item": iid, "reason": reason} for iid, reason in session.execute(
        select(RetentionCandidate.item_id, RetentionCandidate.skip_reason).where(
            RetentionCandidate.review_id == protocol.review_id, RetentionCandidate.outcome == "skipped")
        .order_by(RetentionCandidate.item_id))]
    tz = archive.settings.tz
    period = None
    if items:
        pub = [dt.datetime.fromisoformat(str(i["published"])).astimezone(tz).date() for i in items]
        period = (min(pub).isoformat(), max(pub).isoformat())
    rules = []
    for rule_id in sorted(counts):
        g = mandates[rule_id]
        rules.append({"id": rule_id, "handlingstyp": g.handlingstyp, "klassa": g.klassa,
                      "mandate": {"body": g.mandate_body, "date": g.mandate_date.isoformat(),
                                  "section": g.mandate_section, "dnr": g.mandate_dnr},
                      "accounts": [{"id": acc, "name": accounts[acc].name, "platform": accounts[acc].platform,
                                    "counts": dict(sorted(kinds.items()))}
                                   for acc, kinds in sorted(counts[rule_id].items())]})
    return {"protocol": protocol.id, "review": protocol.review_id,
            "org_name": archive.settings.org_name, "org_id": archive.settings.org_id,
            "executed_at": (protocol.executed_at or archive.now).isoformat(),
            "approved_by": protocol.approved_by.split(", ") if protocol.approved_by else [],
            "executed_by": protocol.executed_by, "method": protocol.method,
            "backup_note": protocol.backup_note, "period": period, "culled": len(items),
            "rules": rules, "items": items, "skipped": skipped}


def render_csv(d: dict[str, Any]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for i in d["items"]:
        w.writerow([d["protocol"], i["id"], "gallrad", "", i["kind"], i["account"], i["rule"],
                    i["published"], i["sha256"]])
    for s in d["skipped"]:
        w.writerow([d["protocol"], s["item"], "överhoppad", s["reason"], "", "", "", "", ""])
    return buf.getvalue().encode("utf-8")


def render_xml(d: dict[str, Any]) -> bytes:
    def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        e = etree.SubElement(parent, f"{{{NS}}}{tag}", {k: v for k, v in attrs.items()})
        if text is not None:
            e.text = text
        return e

    root = etree.Element(f"{{{NS}}}gallringsprotokoll", nsmap={None: NS},
                         attrib={"id": str(d["protocol"]), "version": "1"})
    org = el(root, "arkivbildare")
    el(org, "namn", d["org_name"])
    el(org, "organisationsnummer", d["org_id"])
    el(root, "granskning", str(d["review"]))
    el(root, "verkstalld", d["executed_at"])
    for who in d["approved_by"] or ["-"]:
        el(root, "godkandAv", who)
    el(root, "verkstalldAv", d["executed_by"])
    el(root, "metod", d["method"])
    el(root, "sakerhetskopior", d["backup_note"])
    if d["period"]:
        el(root, "period", fran=d["period"][0], till=d["period"][1])
    el(root, "antal", str(d["culled"]))
    for r in d["rules"]:
        rule = el(root, "regel", id=r["id"])
        el(rule, "handlingstyp", r["handlingstyp"])
        el(rule, "klassa", r["klassa"])
        m = el(rule, "gallringsbeslut")
        el(m, "organ", r["mandate"]["body"])
        el(m, "datum", r["mandate"]["date"])
        el(m, "paragraf", r["mandate"]["section"])
        el(m, "diarienummer", r["mandate"]["dnr"])
        for a in r["accounts"]:
            acc = el(rule, "konto", id=str(a["id"]), namn=a["name"], plattform=a["platform"])
            for kind, n in a["counts"].items():
                el(acc, "antal", str(n), typ=kind)
    posts = el(root, "poster")
    for i in d["items"]:
        el(posts, "post", id=str(i["id"]), typ=i["kind"], konto=str(i["account"]), regel=i["rule"],
           publicerad=i["published"], sha256=i["sha256"])
    skipped = el(root, "overhoppade")
    for s in d["skipped"]:
        el(skipped, "post", id=str(s["item"]), skal=s["reason"])
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    xsd = schema()
    if not xsd.validate(etree.fromstring(data)):
        problems = "; ".join(f"line {e.line}: {e.message}" for e in xsd.error_log)
        raise IntegrityError(f"the protocol XML does not match schemas/gallringsprotokoll.xsd: {problems}")
    return data


KINDS_SV = {"post": "inlägg", "comment": "kommentarer", "reply": "svar", "message": "meddelanden"}


def render_html(d: dict[str, Any], digests: dict[str, str]) -> str:
    e = html.escape
    rules = ""
    for r in d["rules"]:
        m = r["mandate"]
        accs = "".join(
            f"<tr><td>{e(a['name'])} ({e(a['platform'])}, konto {a['id']})</td><td>"
            + ", ".join(f"{n} {KINDS_SV.get(k, k)}" for k, n in a["counts"].items()) + "</td></tr>"
            for a in r["accounts"])
        rules += (f"<h2>{e(r['handlingstyp'])}</h2><p>Regel {e(r['id'])}, Klassa {e(r['klassa'])}. "
                  f"Gallringsbeslut: {e(m['body'])} {e(m['date'])} {e(m['section'])}, dnr {e(m['dnr'])}.</p>"
                  f"<table><tr><th>Konto</th><th>Antal gallrade</th></tr>{accs}</table>")
    period = f"{d['period'][0]} – {d['period'][1]}" if d["period"] else "–"
    return f"""<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<title>Gallringsprotokoll {d['protocol']}</title>
<style>body{{font-family:"DejaVu Sans",sans-serif;font-size:10pt}} h1{{font-size:16pt}}
h2{{font-size:12pt}} table{{border-collapse:collapse;width:100%}}
th,td{{border:1px solid #666;padding:3px 6px;text-align:left}} dt{{font-weight:bold}}</style>
</head><body>
<h1>Gallringsprotokoll nr {d['protocol']}</h1>
<p>{e(d['org_name'])} ({e(d['org_id'])}). Gallringsgranskning nr {d['review']}.</p>
<dl>
<dt>Verkställd</dt><dd>{e(d['executed_at'])}</dd>
<dt>Godkänd av</dt><dd>{e(', '.join(d['approved_by']) or '–')}</dd>
<dt>Verkställd av</dt><dd>{e(d['executed_by'])}</dd>
<dt>Period (publicerat)</dt><dd>{e(period)}</dd>
<dt>Antal gallrade poster</dt><dd>{d['culled']}</dd>
<dt>Överhoppade vid verkställandet</dt><dd>{len(d['skipped'])}</dd>
<dt>Metod</dt><dd>{e(d['method'])}</dd>
<dt>Säkerhetskopior</dt><dd>{e(d['backup_note'])}</dd>
</dl>
{rules}
<h2>Bilagor</h2>
<p>Förteckning över varje gallrad post (id, typ, konto, regel, publicerad, SHA-256 av texten):</p>
<ul><li>gallringsprotokoll-{d['protocol']}.csv, SHA-256 {digests['csv']}</li>
<li>gallringsprotokoll-{d['protocol']}.xml, SHA-256 {digests['xml']}</li></ul>
<p>Protokollet är en allmän handling som bevaras.</p>
</body></html>"""


def write_files(archive: Archive, session: Session, protocol: RetentionProtocol,
                printer: Printer = print_document) -> list[dict[str, Any]]:
    """Render, store and list the protocol's three files (inside the caller's transaction)."""
    d = protocol_data(archive, session, protocol)
    csv_bytes, xml_bytes = render_csv(d), render_xml(d)
    refs = {"csv": archive.store.put_bytes(csv_bytes, "text/csv"),
            "xml": archive.store.put_bytes(xml_bytes, "application/xml")}
    archive.home.tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.home.tmp_dir) as tmp:
        pdf = Path(tmp) / "protocol.pdf"
        printer(render_html(d, {k: r.sha256 for k, r in refs.items()}), pdf, DocumentMetadata(
            title=f"Gallringsprotokoll {protocol.id}", source=f"bevara:protocol/{protocol.id}",
            created_at=archive.now, engine_version=f"bevara {__version__}"))
        refs["pdf"] = archive.store.put_file(pdf, "application/pdf")
    files = []
    for role in ("pdf", "csv", "xml"):
        ref = refs[role]
        store.record(session, ref, archive.now)
        session.flush()
        name = f"gallringsprotokoll-{protocol.id}.{role}"
        session.add(RetentionProtocolFile(protocol_id=protocol.id, role=role, name=name, sha256=ref.sha256))
        files.append({"role": role, "name": name, "sha256": ref.sha256, "media_type": ref.media_type,
                      "size": ref.size})
    protocol.counts = json.dumps({r["id"]: {str(a["id"]): a["counts"] for a in r["accounts"]}
                                  for r in d["rules"]}, ensure_ascii=False)
    return files


def protocol_record(session: Session, protocol_id: int) -> dict[str, Any]:
    """A protocol and its files, for listing and for the packages stage to deliver.

    ``files`` are store digests: read each with ``archive.store.open(sha256)``.
    """
    p = session.get(RetentionProtocol, protocol_id)
    if p is None:
        raise NotFoundError(f"protocol {protocol_id} does not exist; see: archive retention protocols list")
    files = [{"role": f.role, "name": f.name, "sha256": f.sha256, "media_type": s.media_type, "size": s.size}
             for f, s in session.execute(select(RetentionProtocolFile, StoredFile)
                                         .join(StoredFile, StoredFile.sha256 == RetentionProtocolFile.sha256)
                                         .where(RetentionProtocolFile.protocol_id == p.id)
                                         .order_by(RetentionProtocolFile.id))]
    return {"protocol": p.id, "review": p.review_id, "status": p.status,
            "executed_at": p.executed_at.isoformat() if p.executed_at else None,
            "executed_by": p.executed_by, "approved_by": p.approved_by, "method": p.method,
            "backup_note": p.backup_note, "culled": p.culled, "skipped": p.skipped,
            "counts": json.loads(p.counts or "{}"), "files": files}


def list_protocols(session: Session) -> list[dict[str, Any]]:
    ids = session.scalars(select(RetentionProtocol.id).order_by(RetentionProtocol.id))
    return [protocol_record(session, i) for i in ids]


def export_protocol(archive: Archive, session: Session, protocol_id: int, folder: Path) -> list[Path]:
    """Copy a protocol's files out of the store into *folder*, each checked against its digest."""
    rec = protocol_record(session, protocol_id)
    out = []
    for f in rec["files"]:
        archive.store.verify(f["sha256"])
        with archive.store.open(f["sha256"]) as fh:
            target = folder / f["name"]
            atomic_write_bytes(target, fh.read())
        out.append(target)
    return out
