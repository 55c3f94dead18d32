"""METS for FGS Paketstruktur 2.0: the E-ARK CSIP 2.1.0 + SIP 2.1.0 root and representation files.

The requirement ids in comments are the CSIP/SIP profiles'. The csip and sip namespaces are
``https://DILCIS.eu/...`` with that capitalisation: METS lets unknown attributes through
laxly, so a wrong case would pass the schema and be ignored by every reader.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.builder import ElementMaker

from archiver.packages.content import Entry
from archiver.packages.schemaset import NS

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
NSMAP = {"mets": NS["mets"], "xlink": NS["xlink"], "csip": NS["csip"], "sip": NS["sip"], "xsi": XSI}
M = ElementMaker(namespace=NS["mets"], nsmap=NSMAP)


def q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


@dataclass(frozen=True)
class Party:
    name: str
    ident: str = ""


@dataclass(frozen=True)
class Header:
    objid: str
    label: str
    created: dt.datetime
    archivist: Party
    submitter: Party
    software: str
    software_version: str
    preservation: Party | None = None
    submission_agreement: str = ""
    reference_code: str = ""
    content_type: str = "citserms_v2_1"  # CSIP4: the descriptive metadata is CITS ERMS


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def xml_id(prefix: str, path: str) -> str:
    """A stable xs:ID for a path: the same package always gets the same ids."""
    return f"{prefix}-{hashlib.sha256(path.encode()).hexdigest()[:20]}"


def _agent(role: str, kind: str, name: str, note: str, note_type: str, other: str | None = None) -> etree._Element:
    attrs = {"ROLE": role, "TYPE": kind, **({"OTHERTYPE": other} if other else {})}
    agent = M.agent(M.name(name), **attrs)
    if note:
        n = M.note(note)
        n.set(q("csip", "NOTETYPE"), note_type)
        agent.append(n)
    return agent


def _header(h: Header) -> etree._Element:
    hdr = M.metsHdr(CREATEDATE=stamp(h.created), LASTMODDATE=stamp(h.created), RECORDSTATUS="NEW")
    hdr.set(q("csip", "OAISPACKAGETYPE"), "SIP")  # CSIP9, SIP4
    hdr.append(_agent("ARCHIVIST", "ORGANIZATION", h.archivist.name, h.archivist.ident, "IDENTIFICATIONCODE"))
    hdr.append(_agent("CREATOR", "ORGANIZATION", h.submitter.name, h.submitter.ident, "IDENTIFICATIONCODE"))
    hdr.append(_agent("CREATOR", "OTHER", h.software, h.software_version, "SOFTWARE VERSION", "SOFTWARE"))
    if h.preservation and h.preservation.name:
        hdr.append(_agent("PRESERVATION", "ORGANIZATION", h.preservation.name, h.preservation.ident,
                          "IDENTIFICATIONCODE"))
    if h.submission_agreement:
        hdr.append(M.altRecordID(h.submission_agreement, TYPE="SUBMISSIONAGREEMENT"))
    if h.reference_code:
        hdr.append(M.altRecordID(h.reference_code, TYPE="REFERENCECODE"))
    return hdr


def _root(h: Header, label: str, schema_prefix: str) -> etree._Element:
    root = M.mets(OBJID=h.objid, LABEL=label, TYPE="Mixed", PROFILE=SIP_PROFILE)
    root.set(q("csip", "CONTENTINFORMATIONTYPE"), h.content_type)
    root.set(f"{{{XSI}}}schemaLocation", " ".join([
        NS["mets"], f"{schema_prefix}mets.xsd", NS["xlink"], f"{schema_prefix}xlink.xsd",
        NS["csip"], f"{schema_prefix}DILCISExtensionMETS.xsd",
        NS["sip"], f"{schema_prefix}DILCISExtensionSIPMETS.xsd"]))
    root.append(_header(h))
    return root


def _locat(parent: etree._Element, href: str) -> None:
    loc = etree.SubElement(parent, q("mets", "FLocat"), LOCTYPE="URL")
    loc.set(q("xlink", "type"), "simple")
    loc.set(q("xlink", "href"), href)


def _file(e: Entry, href: str) -> etree._Element:
    f = M.file(ID=xml_id("file", e.path), MIMETYPE=e.media_type, SIZE=str(e.size), CREATED=stamp(e.created),
               CHECKSUM=e.sha256, CHECKSUMTYPE="SHA-256")
    _locat(f, href)
    return f


def _md_ref(tag: str, ident: str, e: Entry, href: str, mdtype: str, other: str = "") -> etree._Element:
    sec = M(tag, ID=ident, CREATED=stamp(e.created), STATUS="CURRENT")
    ref = etree.SubElement(sec, q("mets", "mdRef"), LOCTYPE="URL", MDTYPE=mdtype)
    if other:
        ref.set("OTHERMDTYPE", other)
    ref.set(q("xlink", "type"), "simple")
    ref.set(q("xlink", "href"), href)
    for k, v in (("MIMETYPE", e.media_type), ("SIZE", str(e.size)), ("CREATED", stamp(e.created)),
                 ("CHECKSUM", e.sha256), ("CHECKSUMTYPE", "SHA-256")):
        ref.set(k, v)
    return sec


def _mdtype(e: Entry) -> tuple[str, str]:
    if "/preservation/" in f"/{e.path}":
        return "PREMIS", ""
    if e.path.endswith("erms.xml"):
        return "OTHER", "ERMS"
    if e.path.endswith("registration.xml") or "/registration" in e.path:
        return "OTHER", "BEVARA-REGISTRATION"
    return "OTHER", "FGS-ERMS" if "fgs-erms" in e.path else "OTHER"


def _sections(root: etree._Element, descriptive: Sequence[Entry], preservation: Sequence[Entry],
              strip: str) -> tuple[list[str], list[str]]:
    dmd, adm = [], []
    for e in descriptive:
        ident = xml_id("dmd", e.path)
        root.append(_md_ref("dmdSec", ident, e, e.path[len(strip):], *_mdtype(e)))
        dmd.append(ident)
    if preservation:
        amd = M.amdSec()
        for e in preservation:
            ident = xml_id("digiprov", e.path)
            amd.append(_md_ref("digiprovMD", ident, e, e.path[len(strip):], "PREMIS"))
            adm.append(ident)
        root.append(amd)
    return dmd, adm


def _metadata_div(dmd: list[str], adm: list[str]) -> etree._Element:
    div = M.div(ID="div-metadata", LABEL="Metadata")
    if dmd:
        div.set("DMDID", " ".join(dmd))
    if adm:
        div.set("ADMID", " ".join(adm))
    return div


def root_mets(h: Header, *, descriptive: Sequence[Entry], preservation: Sequence[Entry],
              schemas: Sequence[Entry], representations: Sequence[tuple[str, Entry]]) -> bytes:
    """The package's root METS.xml; ``representations`` are (name, its METS.xml entry)."""
    root = _root(h, h.label, "schemas/")
    dmd, adm = _sections(root, descriptive, preservation, "")
    file_sec = M.fileSec(ID="filesec")
    struct = M.div(ID="div-root", LABEL=h.objid)
    struct.append(_metadata_div(dmd, adm))
    if schemas:
        grp = M.fileGrp(ID="filegrp-schemas", USE="Schemas")
        for e in schemas:
            grp.append(_file(e, e.path))
        file_sec.append(grp)
        div = M.div(ID="div-schemas", LABEL="Schemas")
        div.append(M.fptr(FILEID="filegrp-schemas"))
        struct.append(div)
    for name, e in representations:
        grp = M.fileGrp(ID=f"filegrp-rep-{name}", USE=f"Representations/{name}")
        grp.set(q("csip", "CONTENTINFORMATIONTYPE"), "MIXED")
        grp.append(_file(e, e.path))
        file_sec.append(grp)
        div = M.div(ID=f"div-rep-{name}", LABEL=f"Representations/{name}")
        ptr = etree.SubElement(div, q("mets", "mptr"), LOCTYPE="URL")
        ptr.set(q("xlink", "type"), "simple")
        ptr.set(q("xlink", "href"), e.path)
        ptr.set(q("xlink", "title"), f"filegrp-rep-{name}")
        struct.append(div)
    root.append(file_sec)
    root.append(M.structMap(struct, ID="structmap-csip", TYPE="PHYSICAL", LABEL="CSIP"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def representation_mets(h: Header, name: str, data: Sequence[Entry]) -> bytes:
    """A representation's METS.xml; entry paths are package paths, hrefs relative to the representation."""
    base = f"representations/{name}/"
    root = _root(h, f"{h.label}: representation {name}", "../../schemas/")
    root.set(q("csip", "CONTENTINFORMATIONTYPE"), "MIXED")
    grp = M.fileGrp(ID=f"filegrp-{name}-data", USE="Data")
    for e in data:
        grp.append(_file(e, e.path[len(base):]))
    struct = M.div(ID="div-root", LABEL=f"{h.objid} {name}")
    div = M.div(ID="div-data", LABEL="Data")
    div.append(M.fptr(FILEID=f"filegrp-{name}-data"))
    struct.append(div)
    root.append(M.fileSec(grp, ID="filesec"))
    root.append(M.structMap(struct, ID="structmap-csip", TYPE="PHYSICAL", LABEL="CSIP"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
