"""The XMP packet of our records: standard properties, plus the ``bevara`` namespace on snapshots.

dc:title, dc:source, xmp:CreateDate and xmp:CreatorTool are predefined by XMP and
set through pikepdf before `pikepdf.pdfa.prepare`. Our own fields (account, platform,
URL, boundary, period, reason, engine version, SHA-256 of the HTML, and which clock the
times come from: "real clock", or "simulated clock" on a demo or test home) are custom
properties, which PDF/A (ISO 19005-2 §6.6.2.3) allows only when the packet describes
them in a PDF/A extension schema. Both are written as one block, marked by comments so
a test can take it out again, after pikepdf has prepared the packet; `archiver.pdf.pdfa`
explains how its validator is made to accept them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pikepdf

from archiver.errors import PdfaError
from archiver.pdf.model import DocumentMetadata, SnapshotMetadata

BEVARA_NS = "https://bevara.se/ns/snapshot/1.0/"
BEVARA_PREFIX = "bevara"
BEVARA_FIELDS: tuple[str, ...] = (
    "account",
    "platform",
    "url",
    "capturedAt",
    "boundary",
    "periodStart",
    "periodEnd",
    "reason",
    "engineVersion",
    "htmlSha256",
    "clock",
)
EXTENSION_NAMESPACES = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
BLOCK_START = "<!-- bevara:begin -->"
BLOCK_END = "<!-- bevara:end -->"


def write_standard(pdf: pikepdf.Pdf, meta: SnapshotMetadata | DocumentMetadata) -> None:
    """Set the standard XMP properties; pikepdf.pdfa.prepare keeps these."""
    if isinstance(meta, SnapshotMetadata):
        title, source, created = meta.title or f"{meta.platform}: {meta.account}", meta.url, meta.captured_at
    else:
        title, source, created = meta.title, meta.source, meta.created_at
    with pdf.open_metadata(set_pikepdf_as_editor=False) as m:
        m["dc:title"] = title
        m["dc:source"] = source
        m["xmp:CreateDate"] = utc_stamp(created)
        m["xmp:CreatorTool"] = f"Bevara {meta.engine_version}"


def add_bevara_block(pdf: pikepdf.Pdf, meta: SnapshotMetadata) -> None:
    """Append the extension schema and the bevara fields to the prepared packet."""
    stream = pdf.Root.Metadata
    text = stream.read_bytes().decode("utf-8")
    if "</rdf:RDF>" not in text:
        raise PdfaError("XMP packet written by pikepdf has no rdf:RDF element")
    text = text.replace("</rdf:RDF>", _bevara_block(meta) + "</rdf:RDF>", 1)
    stream.write(text.encode("utf-8"))


def packet_text(pdf: pikepdf.Pdf) -> str | None:
    """The document's XMP packet as text, or None when it has none."""
    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return None
    return stream.read_bytes().decode("utf-8", errors="replace")


def declares_bevara_schema(packet: str) -> bool:
    """Whether the packet's extension schema describes our namespace and every field."""
    return (
        all(f"<pdfaProperty:name>{n}</pdfaProperty:name>" in packet for n in BEVARA_FIELDS)
        and f"<pdfaSchema:namespaceURI>{BEVARA_NS}</pdfaSchema:namespaceURI>" in packet
    )


def read_snapshot_xmp(path: Path) -> dict[str, str]:
    """The bevara fields plus title, source and createDate from a record's XMP."""
    with pikepdf.open(path) as pdf:
        text = packet_text(pdf)
    return packet_values(text) if text is not None else {}


def packet_values(text: str) -> dict[str, str]:
    """The bevara fields plus title, source and createDate from a packet's text."""
    from lxml import etree

    root = etree.fromstring(text.encode("utf-8"))
    result: dict[str, str] = {}
    for el in root.iter(f"{{{BEVARA_NS}}}*"):
        result[etree.QName(el).localname] = el.text or ""
    wanted = {
        "{http://purl.org/dc/elements/1.1/}title": "title",
        "{http://purl.org/dc/elements/1.1/}source": "source",
        "{http://ns.adobe.com/xap/1.0/}CreateDate": "createDate",
    }
    for tag, key in wanted.items():
        for el in root.iter(tag):
            result[key] = "".join(el.itertext()).strip()
    return result


def _bevara_values(meta: SnapshotMetadata) -> dict[str, str]:
    def day(d: Any) -> str:
        return d.isoformat() if d is not None else ""

    return {
        "account": meta.account,
        "platform": meta.platform,
        "url": meta.url,
        "capturedAt": utc_stamp(meta.captured_at),
        "boundary": day(meta.boundary),
        "periodStart": day(meta.period_start),
        "periodEnd": day(meta.period_end),
        "reason": meta.reason,
        "engineVersion": meta.engine_version,
        "htmlSha256": meta.html_sha256,
        "clock": meta.clock,
    }


def utc_stamp(moment: dt.datetime) -> str:
    """An instant in UTC, ISO 8601 with Z; a naive time is a caller bug."""
    if moment.tzinfo is None:
        raise PdfaError("record times must be timezone-aware (UTC)")
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _extension_schema() -> str:
    props = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        f"<pdfaProperty:valueType>{'Date' if name == 'capturedAt' else 'Text'}"
        "</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>Bevara snapshot {name}</pdfaProperty:description>"
        "</rdf:li>"
        for name in BEVARA_FIELDS
    )
    ns = " ".join(f'xmlns:{p}="{u}"' for p, u in EXTENSION_NAMESPACES.items())
    return (
        f'<rdf:Description rdf:about="" {ns}><pdfaExtension:schemas><rdf:Bag>'
        '<rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Bevara snapshot metadata</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{BEVARA_NS}</pdfaSchema:namespaceURI>"
        f"<pdfaSchema:prefix>{BEVARA_PREFIX}</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{props}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
    )


def _bevara_block(meta: SnapshotMetadata) -> str:
    fields = "".join(
        f"<{BEVARA_PREFIX}:{k}>{escape(v)}</{BEVARA_PREFIX}:{k}>"
        for k, v in _bevara_values(meta).items()
    )
    return (
        f"{BLOCK_START}{_extension_schema()}"
        f'<rdf:Description rdf:about="" xmlns:{BEVARA_PREFIX}="{BEVARA_NS}">{fields}'
        f"</rdf:Description>{BLOCK_END}"
    )
