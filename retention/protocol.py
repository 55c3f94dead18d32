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
from collections.abc import Callable, Iterator
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
from archiver.home.files import atomic_write_bytes, scratch_dir
from archiver.pdf.document import print_document
from archiver.pdf.model import DocumentMetadata

NS = "urn:bevara:gallringsprotokoll:1"
NSMAP: dict[str | None, str] = {None: NS}
Printer = Callable[[str, Path, DocumentMetadata], None]
CSV_HEADER = ["protokoll", "post", "status", "skäl", "typ", "konto", "regel", "publicerad", "text_sha256"]


def _utc(value: dt.datetime | str) -> dt.datetime:
    """Aware UTC from what coalesce() gives back: the driver's value, without our column type."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


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
    def items() -> Iterator[tuple[int, str, int, str, str, str]]:
        """(id, kind, account, rule, published, text sha256) of every culled item, streamed:
        a protocol can list a hundred thousand items."""
        q = (select(Item.id, Item.kind, Item.account_id, RetentionStub.rule_id,
                    func.coalesce(Item.created_at, Item.first_seen_at), RetentionStub.text_sha256)
             .join(Item, Item.id == RetentionStub.item_id)
             .where(RetentionStub.protocol_id == protocol.id).order_by(Item.id))
        for iid, kind, acc, rule, published, digest in session.execute(q.execution_options(yield_per=5000)):
            yield iid, kind, acc, rule, _utc(published).isoformat(), digest

    skipped = [{"item": iid, "reason": reason} for iid, reason in session.execute(
        select(RetentionCandidate.item_id, RetentionCandidate.skip_reason).where(
            RetentionCandidate.review_id == protocol.review_id, RetentionCandidate.outcome == "skipped")
        .order_by(RetentionCandidate.item_id))]
    tz = archive.settings.tz
    published = func.coalesce(Item.created_at, Item.first_seen_at)
    first, last, culled = session.execute(
        select(func.min(published), func.max(published), func.count()).join(
            RetentionStub, RetentionStub.item_id == Item.id).where(RetentionStub.protocol_id == protocol.id)).one()
    period = None
    if culled:
        period = (_utc(first).astimezone(tz).date().isoformat(), _utc(last).astimezone(tz).date().isoformat())
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
            "backup_note": protocol.backup_note, "period": period, "culled": culled,
            "rules": rules, "items": items, "skipped": skipped}


def render_csv(d: dict[str, Any]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for iid, kind, acc, rule, published, digest in d["items"]():
        w.writerow([d["protocol"], iid, "gallrad", "", kind, acc, rule, published, digest])
    for s in d["skipped"]:
        w.writerow([d["protocol"], s["item"], "överhoppad", s["reason"], "", "", "", "", ""])
    return buf.getvalue().encode("utf-8")


def render_xml(d: dict[str, Any]) -> bytes:
    """Written incrementally and validated while re-read, so a long item list never sits
    in memory as a tree."""
    q = f"{{{NS}}}"
    buf = io.BytesIO()

    def leaf(xf: Any, tag: str, text: str, **attrs: str) -> None:
        e = etree.Element(q + tag, attrs, nsmap=NSMAP)
        e.text = text
        xf.write(e)

    with etree.xmlfile(buf, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(q + "gallringsprotokoll", {"id": str(d["protocol"]), "version": "1"}, nsmap={None: NS}):
            org = etree.Element(q + "arkivbildare", nsmap=NSMAP)
            etree.SubElement(org, q + "namn").text = d["org_name"]
            etree.SubElement(org, q + "organisationsnummer").text = d["org_id"]
            xf.write(org)
            leaf(xf, "granskning", str(d["review"]))
            leaf(xf, "verkstalld", d["executed_at"])
            for who in d["approved_by"] or ["-"]:
                leaf(xf, "godkandAv", who)
            leaf(xf, "verkstalldAv", d["executed_by"])
            leaf(xf, "metod", d["method"])
            leaf(xf, "sakerhetskopior", d["backup_note"])
            if d["period"]:
                xf.write(etree.Element(q + "period", {"fran": d["period"][0], "till": d["period"][1]}, nsmap=NSMAP))
            leaf(xf, "antal", str(d["culled"]))
            for r in d["rules"]:
                rule = etree.Element(q + "regel", {"id": r["id"]}, nsmap=NSMAP)
                etree.SubElement(rule, q + "handlingstyp").text = r["handlingstyp"]
                etree.SubElement(rule, q + "klassa").text = r["klassa"]
                m = etree.SubElement(rule, q + "gallringsbeslut")
                for tag, key in (("organ", "body"), ("datum", "date"), ("paragraf", "section"),
                                 ("diarienummer", "dnr")):
                    etree.SubElement(m, q + tag).text = r["mandate"][key]
                for a in r["accounts"]:
                    acc = etree.SubElement(rule, q + "konto", {"id": str(a["id"]), "namn": a["name"],
                                                                "plattform": a["platform"]})
                    for kind, n in a["counts"].items():
                        etree.SubElement(acc, q + "antal", {"typ": kind}).text = str(n)
                xf.write(rule)
            with xf.element(q + "poster"):
                for iid, kind, acc_id, rule_id, published, digest in d["items"]():
                    xf.write(etree.Element(q + "post", {"id": str(iid), "typ": kind, "konto": str(acc_id),
                                                        "regel": rule_id, "publicerad": published,
                                                        "sha256": digest}, nsmap=NSMAP))
            with xf.element(q + "overhoppade"):
                for sk in d["skipped"]:
                    xf.write(etree.Element(q + "post", {"id": str(sk["item"]), "skal": sk["reason"]}, nsmap=NSMAP))
    data = buf.getvalue()
    validate_xml(data)
    return data


def validate_xml(data: bytes) -> None:
    """Check a protocol XML against the schema, streaming; IntegrityError lists the problems."""
    try:
        for _, el in etree.iterparse(io.BytesIO(data), events=("end",), schema=schema()):
            if el.tag == f"{{{NS}}}post":
                el.clear()
    except etree.XMLSyntaxError as e:
        raise IntegrityError(f"the protocol XML does not match schemas/gallringsprotokoll.xsd: {e}") from e


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
    with scratch_dir(archive.home.tmp_dir, "protocol-") as tmp:
        pdf = tmp / "protocol.pdf"
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
