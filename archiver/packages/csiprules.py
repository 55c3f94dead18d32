"""The E-ARK CSIP 2.1.0 / SIP 2.1.0 rules a METS document must meet, by requirement id.

These are the rules the schemas cannot say: mandatory attributes, the controlled
vocabularies (copied as facts from the DILCIS vocabulary files), agents, and the CSIP
structMap. Each broken rule is one ``Finding`` with the profile's requirement id and a level
from its MUST/SHOULD/MAY. File existence and checksums are checked by the validator, which
knows the package's members; this module only reads the XML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from archiver.packages.schemaset import NS

CONTENT_CATEGORY = {
    "Textual works – Print", "Textual works – Digital", "Textual works – Electronic Serials",
    "Digital Musical Composition (score-based representations)", "Photographs – Print", "Photographs – Digital",
    "Other Graphic Images – Print", "Other Graphic Images – Digital", "Microforms",
    "Audio – On Tangible Medium (digital or analog)", "Audio – Media-independent (digital)",
    "Motion Pictures – Digital and Physical Media", "Video – File-based and Physical Media", "Software",
    "Datasets", "Geospatial Data", "Databases", "Websites", "Collection", "Event", "Interactive resource",
    "Physical object", "Service", "Mixed", "Other", "OTHER",
}
OAIS_TYPES = {"SIP", "AIP", "DIP", "AIU", "AIC"}
NOTE_TYPES = {"SOFTWARE VERSION", "IDENTIFICATIONCODE"}
RECORD_ID_TYPES = {"SUBMISSIONAGREEMENT", "PREVIOUSSUBMISSIONAGREEMENT", "REFERENCECODE", "PREVIOUSREFERENCECODE"}
STATUS = {"CURRENT", "SUPERSEDED"}
SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
CHECKSUM_TYPES = {"Adler-32", "CRC32", "HAVAL", "MD5", "MNP", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "TIGER",
                  "WHIRLPOOL"}
IANA_TOP = {"application", "audio", "example", "font", "haptics", "image", "message", "model", "multipart",
            "text", "video"}
MEDIA_RE = re.compile(r"^([a-z]+)/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(;.*)?$")


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str  # error | warning | info
    message: str
    where: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "level": self.level, "message": self.message, "where": self.where}


@dataclass(frozen=True)
class FileRef:
    """A file the METS claims: where it says it is and what it says about it."""

    href: str
    size: str | None
    checksum: str | None
    checksum_type: str | None
    rule_prefix: tuple[str, str, str]  # requirement ids for location, size, checksum
    where: str


def m(name: str) -> str:
    return f"{{{NS['mets']}}}{name}"


def csip(name: str) -> str:
    return f"{{{NS['csip']}}}{name}"


XLINK_HREF = f"{{{NS['xlink']}}}href"
XLINK_TYPE = f"{{{NS['xlink']}}}type"


def media_type_ok(value: str) -> bool:
    mt = MEDIA_RE.match(value)
    return bool(mt and mt.group(1) in IANA_TOP)


class Rules:
    """Collects the findings of one METS document (``where`` names it in each finding)."""

    def __init__(self, where: str, strict: bool) -> None:
        self.where = where
        self.strict = strict  # --profile fgs2 given: the Swedish delivery's own requirements too
        self.findings: list[Finding] = []
        self.files: list[FileRef] = []
        self.file_ids: set[str] = set()

    def need(self, ok: object, rule: str, message: str, level: str = "error") -> bool:
        if not ok:
            self.findings.append(Finding(rule, level, message, self.where))
        return bool(ok)

    def check(self, root: etree._Element, *, representation: bool) -> None:
        if not self.need(root.tag == m("mets"), "CSIP1", f"the root element is {root.tag!r}, not mets:mets"):
            return
        self._wrong_case_namespaces(root)
        self.need(root.get("OBJID"), "CSIP1", "mets/@OBJID is missing")
        kind = root.get("TYPE")
        if self.need(kind, "CSIP2", "mets/@TYPE (content category) is missing"):
            # A warning, not an error: the CSIP profile's own appendices write TYPE="Database".
            self.need(kind in CONTENT_CATEGORY, "CSIP2", f"mets/@TYPE {kind!r} is not in the content category "
                                                         "vocabulary", "warning")
            if kind in ("OTHER", "Other"):
                self.need(root.get(csip("OTHERTYPE")), "CSIP3", "mets/@TYPE is OTHER but csip:OTHERTYPE is missing",
                          "warning")
        self.need(root.get(csip("CONTENTINFORMATIONTYPE")), "CSIP4", "mets/@csip:CONTENTINFORMATIONTYPE is missing",
                  "error" if representation else "warning")
        profile = root.get("PROFILE")
        if self.need(profile, "CSIP6", "mets/@PROFILE is missing"):
            sip = profile == SIP_PROFILE
            if self.strict:
                self.need(sip, "SIP2", f"mets/@PROFILE is {profile!r}, not the E-ARK SIP profile {SIP_PROFILE}")
        self._header(root.find(m("metsHdr")), sip_rules=profile == SIP_PROFILE or self.strict)
        for sec in root.findall(m("dmdSec")):
            self._md_sec(sec, ("CSIP18", "CSIP19", "CSIP20", "CSIP22", "CSIP23", "CSIP24", "CSIP25", "CSIP26",
                               "CSIP27", "CSIP28", "CSIP29", "CSIP30"))
        for sec in root.findall(f"{m('amdSec')}/{m('digiprovMD')}"):
            self._md_sec(sec, ("CSIP33", "CSIP19", "CSIP34", "CSIP36", "CSIP37", "CSIP38", "CSIP39", "CSIP40",
                               "CSIP41", "CSIP42", "CSIP43", "CSIP44"))
        groups = self._file_sec(root.find(m("fileSec")), representation)
        self._struct_map(root.findall(m("structMap")), groups, representation)

    def _wrong_case_namespaces(self, root: etree._Element) -> None:
        wanted = {NS["csip"].lower(): NS["csip"], NS["sip"].lower(): NS["sip"]}
        seen = set()
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for name in el.attrib:
                if name.startswith("{"):
                    ns = name[1:].split("}")[0]
                    if ns.lower() in wanted and ns != wanted[ns.lower()] and ns not in seen:
                        seen.add(ns)
                        self.need(False, "CSIP9", f"namespace {ns} is not {wanted[ns.lower()]} (namespaces are "
                                                  "case-sensitive): its attributes are ignored")

    def _header(self, hdr: etree._Element | None, sip_rules: bool) -> None:
        if not self.need(hdr is not None, "CSIP117", "mets/metsHdr is missing"):
            return
        assert hdr is not None
        self.need(hdr.get("CREATEDATE"), "CSIP7", "metsHdr/@CREATEDATE is missing")
        self.need(hdr.get("LASTMODDATE"), "CSIP8", "metsHdr/@LASTMODDATE is missing", "warning")
        oais = hdr.get(csip("OAISPACKAGETYPE"))
        if self.need(oais, "CSIP9", "metsHdr/@csip:OAISPACKAGETYPE is missing"):
            self.need(oais in OAIS_TYPES, "CSIP9", f"metsHdr/@csip:OAISPACKAGETYPE {oais!r} is not in the vocabulary")
            if sip_rules:
                self.need(oais == "SIP", "SIP4", f"metsHdr/@csip:OAISPACKAGETYPE is {oais!r}; a SIP says SIP")
        agents = hdr.findall(m("agent"))
        for a in agents:
            self.need(a.get("ROLE"), "CSIP11", "metsHdr/agent/@ROLE is missing")
            self.need(a.get("TYPE"), "CSIP12", "metsHdr/agent/@TYPE is missing")
            self.need(a.findtext(m("name")), "CSIP14", "metsHdr/agent/name is missing")
            rule = ("CSIP16" if a.get("OTHERTYPE") == "SOFTWARE" else
                    {"ARCHIVIST": "SIP14", "CREATOR": "SIP20", "PRESERVATION": "SIP31"}.get(a.get("ROLE") or ""))
            if a.get("TYPE") == "INDIVIDUAL" and a.get("ROLE") == "CREATOR":
                rule = None  # the contact person's notes are free text (SIP25)
            for note in a.findall(m("note")) if rule is not None else []:
                assert rule is not None
                nt = note.get(csip("NOTETYPE"))
                self.need(nt in NOTE_TYPES, rule, f"{a.get('ROLE')} agent note csip:NOTETYPE {nt!r} is not "
                                                  "SOFTWARE VERSION or IDENTIFICATIONCODE")
        software = [a for a in agents if (a.get("ROLE"), a.get("TYPE"), a.get("OTHERTYPE")) ==
                    ("CREATOR", "OTHER", "SOFTWARE")]
        if self.need(software, "CSIP10", "no software agent (ROLE CREATOR, TYPE OTHER, OTHERTYPE SOFTWARE)"):
            self.need(any(n.get(csip("NOTETYPE")) == "SOFTWARE VERSION" for a in software
                          for n in a.findall(m("note"))), "CSIP15", "the software agent has no SOFTWARE VERSION note")
        if not sip_rules:
            return
        roles = [(a.get("ROLE"), a.get("TYPE")) for a in agents]
        self.need(("ARCHIVIST", "ORGANIZATION") in roles or ("ARCHIVIST", "INDIVIDUAL") in roles, "SIP9",
                  "no archival creator agent (ROLE ARCHIVIST): the arkivbildare", "error" if self.strict else "warning")
        submitters = roles.count(("CREATOR", "ORGANIZATION"))
        self.need(submitters == 1, "SIP15", f"{submitters} submitting agents (ROLE CREATOR, TYPE ORGANIZATION); "
                                            "a SIP names exactly one")
        self.need(("PRESERVATION", "ORGANIZATION") in roles, "SIP26",
                  "no preservation agent (ROLE PRESERVATION): the receiving e-archive", "warning")
        for alt in hdr.findall(m("altRecordID")):
            self.need(alt.get("TYPE") in RECORD_ID_TYPES, "SIP5",
                      f"altRecordID/@TYPE {alt.get('TYPE')!r} is not in the SIP vocabulary")
        if self.strict:
            self.need(hdr.find(m("altRecordID[@TYPE='SUBMISSIONAGREEMENT']")) is not None, "SIP5",
                      "no altRecordID TYPE SUBMISSIONAGREEMENT", "warning")

    def _md_sec(self, sec: etree._Element, ids: tuple[str, ...]) -> None:
        ident, created, status, loctype, xtype, href, mdtype, mime, size, mcreated, checksum, ctype = ids
        self.need(sec.get("ID"), ident, f"{etree.QName(sec).localname}/@ID is missing")
        self.need(sec.get("CREATED"), created, f"{etree.QName(sec).localname}/@CREATED is missing")
        st = sec.get("STATUS")
        self.need(st in STATUS, status, f"{etree.QName(sec).localname}/@STATUS {st!r} is not CURRENT or SUPERSEDED",
                  "warning")
        ref = sec.find(m("mdRef"))
        if ref is None:
            return
        self.need(ref.get("LOCTYPE") == "URL", loctype, "mdRef/@LOCTYPE is not URL")
        self.need(ref.get(XLINK_TYPE) == "simple", xtype, "mdRef/@xlink:type is not simple")
        self.need(ref.get("MDTYPE"), mdtype, "mdRef/@MDTYPE is missing")
        # A warning: the CSIP and SIP profiles' own appendices omit it on dmdSec.
        self.need(ref.get("MIMETYPE"), mime, "mdRef/@MIMETYPE is missing", "warning")
        self.need(ref.get("CREATED"), mcreated, "mdRef/@CREATED is missing")
        if self.need(ref.get(XLINK_HREF), href, "mdRef/@xlink:href is missing"):
            self._claim(ref, href, size, checksum, ctype)

    def _claim(self, el: etree._Element, href_rule: str, size_rule: str, sum_rule: str, type_rule: str) -> None:
        size, checksum, ctype = el.get("SIZE"), el.get("CHECKSUM"), el.get("CHECKSUMTYPE")
        self.need(size and size.isdigit(), size_rule, f"@SIZE {size!r} of {el.get(XLINK_HREF) or '?'} is not a size")
        self.need(checksum, sum_rule, f"@CHECKSUM of {el.get(XLINK_HREF) or '?'} is missing")
        self.need(ctype in CHECKSUM_TYPES, type_rule, f"@CHECKSUMTYPE {ctype!r} is not in the METS list")
        href = el.get(XLINK_HREF) or ""
        self.files.append(FileRef(href, size, checksum, ctype, (href_rule, size_rule, sum_rule), self.where))

    def _file_sec(self, sec: etree._Element | None, representation: bool) -> set[str]:
        if sec is None:
            self.need(False, "CSIP58", "mets/fileSec is missing", "warning")
            return set()
        self.need(sec.get("ID"), "CSIP59", "fileSec/@ID is missing")
        groups = set()
        for grp in sec.findall(m("fileGrp")):
            self.need(grp.get("USE"), "CSIP64", "fileGrp/@USE is missing")
            if self.need(grp.get("ID"), "CSIP65", "fileGrp/@ID is missing"):
                groups.add(grp.get("ID") or "")
            for f in grp.iter(m("file")):
                self.file(f)
        return groups

    def file(self, f: etree._Element) -> None:
        if self.need(f.get("ID"), "CSIP67", "file/@ID is missing"):
            self.file_ids.add(f.get("ID") or "")
        mime = f.get("MIMETYPE")
        if self.need(mime, "CSIP68", f"file {f.get('ID')}: @MIMETYPE is missing"):
            self.need(media_type_ok(mime or ""), "CSIP68", f"file {f.get('ID')}: @MIMETYPE {mime!r} is not an IANA "
                                                           "media type", "warning")
        self.need(f.get("CREATED"), "CSIP70", f"file {f.get('ID')}: @CREATED is missing")
        loc = f.find(m("FLocat"))
        if not self.need(loc is not None, "CSIP76", f"file {f.get('ID')}: FLocat is missing"):
            return
        assert loc is not None
        self.need(loc.get("LOCTYPE") == "URL", "CSIP77", f"file {f.get('ID')}: FLocat/@LOCTYPE is not URL")
        self.need(loc.get(XLINK_TYPE) == "simple", "CSIP78", f"file {f.get('ID')}: FLocat/@xlink:type is not simple")
        if self.need(loc.get(XLINK_HREF), "CSIP79", f"file {f.get('ID')}: FLocat/@xlink:href is missing"):
            size, checksum, ctype = f.get("SIZE"), f.get("CHECKSUM"), f.get("CHECKSUMTYPE")
            self.need(size and size.isdigit(), "CSIP69", f"file {f.get('ID')}: @SIZE {size!r} is not a size")
            self.need(checksum, "CSIP71", f"file {f.get('ID')}: @CHECKSUM is missing")
            self.need(ctype in CHECKSUM_TYPES, "CSIP72", f"file {f.get('ID')}: @CHECKSUMTYPE {ctype!r} is not in "
                                                         "the METS list")
            self.files.append(FileRef(loc.get(XLINK_HREF) or "", size, checksum, ctype, ("CSIP79", "CSIP69", "CSIP71"),
                                      self.where))

    def _struct_map(self, maps: list[etree._Element], groups: set[str], representation: bool) -> None:
        csip_maps = [s for s in maps if s.get("LABEL") == "CSIP"]
        if not self.need(len(csip_maps) == 1, "CSIP82", f"{len(csip_maps)} structMaps labelled CSIP; exactly one"):
            return
        s = csip_maps[0]
        self.need(s.get("TYPE") == "PHYSICAL", "CSIP81", "the CSIP structMap's @TYPE is not PHYSICAL")
        self.need(s.get("ID"), "CSIP83", "the CSIP structMap's @ID is missing")
        tops = s.findall(m("div"))
        if not self.need(len(tops) == 1, "CSIP84", f"the CSIP structMap has {len(tops)} top divs; exactly one"):
            return
        top = tops[0]
        self.need(top.get("ID"), "CSIP85", "the top div's @ID is missing")
        labels = {d.get("LABEL"): d for d in top.findall(m("div"))}
        if not representation:
            self.need("Metadata" in labels, "CSIP88", "no Metadata div in the CSIP structMap", "warning")
        for label, d in labels.items():
            self.need(d.get("ID"), "CSIP89", f"div {label!r} has no @ID")
            for ptr in d.findall(m("fptr")):
                self.need(ptr.get("FILEID") in groups or ptr.get("FILEID") in self.file_ids, "CSIP96",
                          f"div {label!r}: fptr FILEID {ptr.get('FILEID')!r} names no fileGrp")
            if label and label.startswith("Representations/") and not representation:
                mptr = d.find(m("mptr"))
                if self.need(mptr is not None, "CSIP109", f"div {label!r} has no mptr to its METS.xml"):
                    assert mptr is not None
                    self.need(mptr.get(XLINK_HREF), "CSIP110", f"div {label!r}: mptr/@xlink:href is missing")
                    self.need(mptr.get(XLINK_TYPE) == "simple", "CSIP111", f"div {label!r}: mptr/@xlink:type")
                    self.need(mptr.get("LOCTYPE") == "URL", "CSIP112", f"div {label!r}: mptr/@LOCTYPE is not URL")


def representation_pointers(root: etree._Element) -> list[str]:
    return [p.get(XLINK_HREF) or "" for p in root.iter(m("mptr")) if p.get(XLINK_HREF)]

