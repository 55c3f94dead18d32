"""FGS Paketstruktur 1.2 (``sip.xml`` per Riksarkivet's CSPackageMETS) with FGS Ärendehantering 1.0.

For e-archives still on 1.x. Layout: ``sip.xml``, ``content/account-N/…`` (the same data
files as the FGS 2.0 representation), ``metadata/fgs-erms.xml`` (a ``Leveransobjekt``: each
account an ArkivobjektArende, each item an ArkivobjektHandling with its files as Bilaga with
checksums, Gallring and Restriktion), ``metadata/premis.xml`` and ``schemas/``. The package-
level facts FGS 2.0 keeps in ERMS sit here on the root as ExtensionMETS attributes
(APPRAISAL, ACCESSRESTRICT, STARTDATE/ENDDATE). FGS 1.2 requires an altRecordID, so
``package.submission_agreement`` must be set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from lxml import etree
from lxml.builder import ElementMaker

from archiver.catalogue.models import Item
from archiver.errors import ConfigError
from archiver.home.archive import Archive
from archiver.packages import premis
from archiver.packages.assembly import schema_entries
from archiver.packages.content import AccountContent, Entry, Period, data_entry, restriction_of
from archiver.packages.disposal import NO_DECISION, Disposal
from archiver.packages.erms import short_title
from archiver.packages.mets import Header, stamp, xml_id
from archiver.packages.schemaset import NS, SchemaSet

XSI = "http://www.w3.org/2001/XMLSchema-instance"
PROFILE = "http://xml.ra.se/e-arkiv/METS/CommonSpecificationSwedenPackageProfile.xml"
M = ElementMaker(namespace=NS["mets"], nsmap={None: NS["mets"], "ext": NS["ext"], "xlink": NS["xlink"], "xsi": XSI})
F = ElementMaker(namespace=NS["fgserms"], nsmap={None: NS["fgserms"], "xsi": XSI})


def ext(name: str) -> str:
    return f"{{{NS['ext']}}}{name}"


def day(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S") if moment else ""


def package(archive: Archive, h: Header, accounts: Sequence[AccountContent], data: Sequence[Entry],
            appendices: Mapping[int, Sequence[tuple[str, str, str]]], disposals: Mapping[int, Disposal],
            events: premis.Events, period: Period, schemas: SchemaSet) -> list[Entry]:
    if not h.submission_agreement:
        raise ConfigError("FGS 1.2 needs a submission agreement (altRecordID); set package.submission_agreement "
                          "in archive.toml to the agreement's id from the e-archive")
    created = archive.now
    by_path = {e.path: e for e in data}
    leverans = data_entry("metadata/fgs-erms.xml", fgs_erms(h, accounts, appendices, disposals, by_path),
                          "application/xml", created)
    ipevents = data_entry("metadata/premis.xml", premis.build(events), "application/xml", created)
    schema_files = schema_entries(schemas, ("cspackage", "csext", "xlink", "fgserms"), created, optional=("premis",))
    items = [i for a in accounts for i in a.items]
    appraisal = "Yes" if any(d.disposable for d in disposals.values()) else "No"
    secret = any(restriction_of(i) for i in items)
    sip = sip_xml(h, [*data, leverans, ipevents, *schema_files], period, appraisal, secret)
    return [*data, leverans, ipevents, *schema_files, data_entry("sip.xml", sip, "application/xml", created)]


def sip_xml(h: Header, files: Sequence[Entry], period: Period, appraisal: str, secret: bool) -> bytes:
    root = M.mets(OBJID=f"UUID:{h.objid.removeprefix('uuid-')}", LABEL=h.label, TYPE="Webpages", PROFILE=PROFILE)
    root.set(f"{{{XSI}}}schemaLocation", f"{NS['mets']} schemas/CSPackageMETS.xsd {NS['ext']} "
                                         "schemas/CSPackageExtensionMETS.xsd")
    for k, v in (("CONTENTTYPESPECIFICATION", "FGS Ärendehantering"), ("APPRAISAL", appraisal),
                 ("STARTDATE", period.start.isoformat()),
                 ("ENDDATE", (period.end - dt.timedelta(days=1)).isoformat()),
                 ("SYSTEMTYPE", "Sociala medier")):
        root.set(ext(k), v)
    if secret:
        root.set(ext("ACCESSRESTRICT"), "Secrecy")
    hdr = M.metsHdr(CREATEDATE=stamp(h.created), RECORDSTATUS="NEW")
    hdr.set(ext("OAISSTATUS"), "SIP")
    hdr.set(ext("AGREEMENTFORM"), "AGREEMENT")
    hdr.append(M.agent(M.name(h.archivist.name), M.note(h.archivist.ident), ROLE="ARCHIVIST", TYPE="ORGANIZATION"))
    hdr.append(M.agent(M.name(h.software), M.note(h.software_version), ROLE="ARCHIVIST", TYPE="OTHER",
                       OTHERTYPE="SOFTWARE"))
    hdr.append(M.agent(M.name(h.submitter.name), M.note(h.submitter.ident), ROLE="CREATOR", TYPE="ORGANIZATION"))
    hdr.append(M.agent(M.name(h.software), M.note(h.software_version), ROLE="CREATOR", TYPE="OTHER",
                       OTHERTYPE="SOFTWARE"))
    if h.preservation:
        hdr.append(M.agent(M.name(h.preservation.name), *([M.note(h.preservation.ident)] if h.preservation.ident
                                                           else []), ROLE="PRESERVATION", TYPE="ORGANIZATION"))
    hdr.append(M.altRecordID(h.submission_agreement, TYPE="SUBMISSIONAGREEMENT"))
    if h.reference_code:
        hdr.append(M.altRecordID(h.reference_code, TYPE="REFERENCECODE"))
    root.append(hdr)
    grp = M.fileGrp(ID="filegrp-all")
    div = M.div(LABEL="Package")
    for e in sorted(files, key=lambda x: x.path):
        f = M.file(ID=xml_id("file", e.path), MIMETYPE=e.media_type, SIZE=str(e.size), CREATED=stamp(e.created),
                   CHECKSUM=e.sha256, CHECKSUMTYPE="SHA-256")
        loc = etree.SubElement(f, f"{{{NS['mets']}}}FLocat", LOCTYPE="URL")
        loc.set(f"{{{NS['xlink']}}}type", "simple")
        loc.set(f"{{{NS['xlink']}}}href", f"file:///{e.path}")
        grp.append(f)
        div.append(M.fptr(FILEID=xml_id("file", e.path)))
    root.append(M.fileSec(grp))
    root.append(M.structMap(div))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _gallring(d: Disposal) -> etree._Element:
    g = F.Gallring(Gallras="true" if d.disposable else "false")
    if d.period:
        g.append(F.GallringsFrist(d.period))
    g.append(F.GallringsForklaring(d.mandate or d.comment))
    return g


def _bilagor(appendix: Sequence[tuple[str, str, str]], by_path: Mapping[str, Entry]) -> list[etree._Element]:
    out = []
    for name, path, _fmt in appendix:
        e = by_path.get(path)
        if e is None:
            continue
        out.append(F.Bilaga(Namn=name, Lank=path, Storlek=str(e.size), Mimetyp=e.media_type,
                            Checksumma=e.sha256, ChecksummaMetod="SHA-256"))
    return out


def _handling(i: Item, d: Disposal, appendix: Sequence[tuple[str, str, str]],
              by_path: Mapping[str, Entry]) -> etree._Element:
    h = F.ArkivobjektHandling(F.ArkivobjektID(i.platform_id), Systemidentifierare=f"item-{i.id}")
    h.append(F.Handlingstyp(i.kind))
    if i.is_own is False:
        h.append(F.Avsandare(F.Namn(i.author_name or i.author_handle or "okänd")))
    h.append(_gallring(d))
    if i.is_own is False and i.created_at:
        h.append(F.Inkommen(day(i.created_at)))
    h.append(F.Rubrik(short_title(i)))
    if i.created_at:
        h.append(F.Skapad(day(i.created_at)))
    h.append(F.StatusHandling("Inkommen" if i.is_own is False else "Expedierad"))
    restricted = restriction_of(i)
    if restricted:
        h.append(F.Restriktion(F.ForklarandeText(restricted[1]), F.Lagrum(restricted[0]), Typ="Sekretess"))
    h.extend(_bilagor(appendix, by_path))
    return h


def fgs_erms(h: Header, accounts: Sequence[AccountContent], appendices: Mapping[int, Sequence[tuple[str, str, str]]],
             disposals: Mapping[int, Disposal], by_path: Mapping[str, Entry]) -> bytes:
    arenden = F.ArkivobjektListaArenden()
    for content in accounts:
        a = content.account
        arende = F.ArkivobjektArende(F.ArkivobjektID(a.url), Systemidentifierare=f"account-{a.id}")
        arende.append(F.ArendeTyp(f"Sociala medier: {a.platform}"))
        if a.closed:
            arende.append(F.Avslutat(a.closed.isoformat()))
        arende.append(F.Beskrivning(a.purpose))
        arende.append(F.Klass(a.unit))
        arende.append(F.Skapad(a.opened.isoformat()))
        arende.append(F.StatusArande("Stängt" if a.closed else "Öppet"))
        arende.append(F.Arendemening(a.name))
        if content.items:
            arende.append(F.ArkivobjektListaHandlingar(*[
                _handling(i, disposals.get(i.id, NO_DECISION), appendices.get(i.id, ()), by_path)
                for i in content.items]))
        arenden.append(arende)
    root = F.Leveransobjekt(F.ArkivbildarStruktur(F.Arkivbildare(F.Namn(h.archivist.name))), arenden)
    root.set(f"{{{XSI}}}schemaLocation", f"{NS['fgserms']} ../schemas/Arendehantering.xsd")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
