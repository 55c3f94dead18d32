"""``archive package validate``: any package, ours or anyone's, folder or archive file.

One read of every member (hashing it), then: the package structure (CSIPSTR), every METS
file against the METS schema and the CSIP/SIP rules (archiver.packages.csiprules), every
file the METS names against its size and checksum, and the descriptive metadata against
its schema (CITS ERMS, FGS-ERMS, our registration record). Every finding is collected and
reported; nothing raises on a hostile package: path traversal, links, DTDs and entities,
and bombs are findings (BEVARA-SEC1…4). A lone METS file can be checked too (the official
examples are such files); its files are then not looked for.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from archiver.errors import NotFoundError
from archiver.packages.archivefile import Member, safe_name, scan
from archiver.packages.csiprules import Finding, Rules, m, representation_pointers
from archiver.packages.schemaset import NS, SchemaSet, secure_parser

PROFILES = ("fgs2", "fgs1.2")
MD_KINDS = {NS["erms"]: "erms", NS["fgserms"]: "fgserms", NS["registration"]: "registration",
            NS["premis"]: "premis"}


@dataclass
class Report:
    path: str
    profile: str
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "profile": self.profile, "valid": self.ok, "files_checked": self.files_checked,
                "errors": sum(f.level == "error" for f in self.findings),
                "warnings": sum(f.level == "warning" for f in self.findings),
                "findings": [f.as_dict() for f in self.findings]}


def parse_xml(data: bytes, where: str, findings: list[Finding]) -> etree._Element | None:
    """Parse with the secure parser; a DOCTYPE (entities, external DTDs) is a finding, not obeyed."""
    declared = b"<!DOCTYPE" in data[:65536] or b"<!ENTITY" in data[:65536]
    if declared:
        findings.append(Finding("BEVARA-SEC3", "error", "has a DOCTYPE (entity or DTD declarations); "
                                                         "they are not expanded", where))
    try:
        doc = etree.fromstring(data, secure_parser()).getroottree()
    except etree.XMLSyntaxError as e:
        findings.append(Finding("XML", "error", f"not well-formed XML: {e}", where))
        return None
    if not declared and (doc.docinfo.doctype or doc.docinfo.internalDTD is not None):
        findings.append(Finding("BEVARA-SEC3", "error", "has a DOCTYPE (entity or DTD declarations); "
                                                         "they are not expanded", where))
    if any(isinstance(n, etree._Entity) for n in doc.iter()):
        findings.append(Finding("BEVARA-SEC3", "error", "uses entity references; they are not expanded", where))
    return doc.getroot()


def validate_package(path: Path, schemas: SchemaSet, profile: str | None = None) -> Report:
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise NotFoundError(f"{path} does not exist; give a package folder, .zip, .tar or METS.xml")
    if path.is_file() and path.suffix.lower() == ".xml":
        return _lone_mets(path, schemas, profile)
    members, hazards, dirs = scan(path)
    report = Report(str(path), profile or "auto")
    report.findings += [Finding(h.rule, "error", h.message, path.name) for h in hazards]
    if hazards and not members:
        return report  # nothing was read (a bomb, not an archive): the hazard says it all
    files = _rooted(members, dirs, path.is_dir(), report)
    if files is None:
        return report
    detected = "fgs2" if "METS.xml" in files else "fgs1.2" if "sip.xml" in files else None
    if detected is None:
        report.findings.append(Finding("CSIPSTR4", "error", "no METS.xml (or FGS 1.2 sip.xml) at the package root"))
        return report
    report.profile = profile or detected
    if profile and profile != detected:
        root_name = "METS.xml" if detected == "fgs2" else "sip.xml"
        report.findings.append(Finding("CSIPSTR4", "error", f"--profile {profile} asked for, but the package is "
                                                            f"{detected} (root {root_name})"))
        return report
    if detected == "fgs2":
        _fgs2(files, schemas, strict=profile == "fgs2", report=report)
    else:
        _fgs12(files, schemas, report)
    return report


def _rooted(members: Sequence[Member], dirs: Sequence[str], is_folder: bool,
            report: Report) -> dict[str, Member] | None:
    """Members by path relative to the package root (CSIPSTR1: one root folder in an archive file)."""
    names = [x.path for x in members]
    if is_folder and ("METS.xml" in names or "sip.xml" in names):
        return {x.path: x for x in members}
    tops = {n.split("/", 1)[0] for n in [*names, *dirs] if n}
    if len(tops) != 1 or not all("/" in n for n in names):
        report.findings.append(Finding("CSIPSTR1", "error", f"the package has {len(tops)} top-level entries; "
                                                            "an information package is one root folder"))
        return None
    top = tops.pop()
    return {x.path[len(top) + 1:]: x for x in members}


def _lone_mets(path: Path, schemas: SchemaSet, profile: str | None) -> Report:
    report = Report(str(path), profile or "fgs2")
    report.findings.append(Finding("INFO", "info", "a lone METS file: its structure and metadata are checked, "
                                                   "the files it names are not looked for", path.name))
    root = parse_xml(path.read_bytes(), path.name, report.findings)
    if root is None:
        return report
    if root.nsmap.get("ext") == NS["ext"] or root.find(m("metsHdr")) is not None and profile == "fgs1.2":
        _xsd(root, "mets-fgs12", schemas, path.name, report.findings)
        return report
    _xsd(root, "mets-csip", schemas, path.name, report.findings)
    rules = Rules(path.name, strict=profile == "fgs2")
    rules.check(root, representation=False)
    report.findings += rules.findings
    return report


def _xsd(root: etree._Element, kind: str, schemas: SchemaSet, where: str, findings: list[Finding]) -> None:
    rule = {"mets-csip": "METS", "mets-fgs12": "FGS12", "erms": "ERMS", "fgserms": "FGS-ERMS",
            "registration": "BEVARA-REG", "premis": "PREMIS"}[kind]
    missing = schemas.missing_for(kind) if schemas.missing_ok else []
    if missing:
        findings.append(Finding(rule, "warning", f"not checked against its schema ({', '.join(missing)} not at "
                                                 "hand; set package.schema_dir)", where))
        return
    validator = schemas.validator(kind)
    try:
        if validator.validate(root):
            return
    except etree.XMLSchemaValidateError as e:  # libxml2 gives up on unexpanded entity references
        findings.append(Finding(rule, "error", f"schema: cannot be validated ({e})", where))
        return
    for err in list(validator.error_log)[:50]:
        findings.append(Finding(rule, "error", f"schema: line {err.line}: {err.message}", where))


def _resolve(base: str, href: str) -> str | None:
    """A METS href as a package path, or None if it is absolute, remote or escapes the package."""
    split = urlsplit(href)
    if split.scheme == "file":
        target = unquote(split.path).lstrip("/")
    elif split.scheme or split.netloc or href.startswith("/"):
        return None
    else:
        target = posixpath.normpath(posixpath.join(base, unquote(href)))
    if target.startswith("../") or target == ".." or safe_name(target) is None:
        return None
    return target


def _check_files(rules: Rules, base: str, files: dict[str, Member], report: Report, claimed: set[str]) -> None:
    for ref in rules.files:
        loc_rule, size_rule, sum_rule = ref.rule_prefix
        target = _resolve(base, ref.href)
        if target is None:
            report.findings.append(Finding(loc_rule, "error", f"{ref.href!r} points outside the package "
                                                              "(absolute, remote or ../); not followed", ref.where))
            report.findings.append(Finding("BEVARA-SEC1", "error", f"path traversal in {ref.href!r}", ref.where))
            continue
        member = files.get(target)
        if member is None:
            report.findings.append(Finding(loc_rule, "error", f"{target} is listed but not in the package", ref.where))
            continue
        claimed.add(target)
        report.files_checked += 1
        if ref.size and ref.size.isdigit() and int(ref.size) != member.size:
            report.findings.append(Finding(size_rule, "error", f"{target}: SIZE {ref.size} but the file has "
                                                               f"{member.size} bytes", ref.where))
        if ref.checksum and ref.checksum_type == "SHA-256" and ref.checksum.lower() != member.sha256:
            report.findings.append(Finding(sum_rule, "error", f"{target}: CHECKSUM does not match the file "
                                                              f"(SHA-256 {member.sha256})", ref.where))


def _metadata(files: dict[str, Member], paths: Sequence[str], schemas: SchemaSet, report: Report) -> None:
    for p in paths:
        member = files.get(p)
        if member is None or member.data is None:
            continue
        root = parse_xml(member.data, p, report.findings)
        if root is None:
            continue
        kind = MD_KINDS.get(etree.QName(root).namespace or "")
        if kind == "premis" and not schemas.has("premis"):
            report.findings.append(Finding("PREMIS", "info", "no PREMIS 3 schema configured; structure not checked", p))
        elif kind:
            _xsd(root, kind, schemas, p, report.findings)


def _fgs2(files: dict[str, Member], schemas: SchemaSet, strict: bool, report: Report) -> None:
    for folder, rule in (("metadata/", "CSIPSTR5"), ("schemas/", "CSIPSTR15")):
        if not any(p.startswith(folder) for p in files):
            report.findings.append(Finding(rule, "warning", f"no {folder} folder at the package root"))
    claimed: set[str] = set()
    metadata: list[str] = []
    queue = [("METS.xml", False)]
    while queue:
        mets_path, is_rep = queue.pop(0)
        member = files.get(mets_path)
        if member is None:
            report.findings.append(Finding("CSIPSTR12" if is_rep else "CSIPSTR4", "error", f"{mets_path} is missing"))
            continue
        claimed.add(mets_path)
        root = parse_xml(member.data or b"", mets_path, report.findings) if member.data else None
        if root is None:
            continue
        _xsd(root, "mets-csip", schemas, mets_path, report.findings)
        rules = Rules(mets_path, strict=strict)
        rules.check(root, representation=is_rep)
        report.findings += rules.findings
        base = posixpath.dirname(mets_path)
        _check_files(rules, base, files, report, claimed)
        metadata += [t for r in rules.files if r.rule_prefix[0] != "CSIP79" and (t := _resolve(base, r.href))]
        if not is_rep:
            for href in representation_pointers(root):
                target = _resolve(base, href)
                if target is not None and (target, True) not in queue:
                    queue.append((target, True))
    _metadata(files, metadata, schemas, report)
    for p in sorted(set(files) - claimed):
        report.findings.append(Finding("CSIP66", "warning", f"{p} is in the package but no METS file lists it"))


def _fgs12(files: dict[str, Member], schemas: SchemaSet, report: Report) -> None:
    member = files["sip.xml"]
    root = parse_xml(member.data or b"", "sip.xml", report.findings) if member.data else None
    if root is None:
        return
    _xsd(root, "mets-fgs12", schemas, "sip.xml", report.findings)
    hdr = root.find(m("metsHdr"))
    agents = hdr.findall(m("agent")) if hdr is not None else []
    if len(agents) < 3:
        report.findings.append(Finding("FGS12-AGENT", "error", f"{len(agents)} agents; FGS 1.2 needs at least 3",
                                       "sip.xml"))
    if not any(a.get("ROLE") == "ARCHIVIST" and a.get("TYPE") == "ORGANIZATION" for a in agents):
        report.findings.append(Finding("FGS12-AGENT", "error", "no ARCHIVIST organisation (arkivbildare)", "sip.xml"))
    rules = Rules("sip.xml", strict=False)
    claimed = {"sip.xml"}
    for f in root.iter(m("file")):
        rules.file(f)  # the CSIP file rules that FGS 1.2 shares: location, size, checksum
    rules.findings = [x for x in rules.findings if x.rule in ("CSIP79", "CSIP69", "CSIP71", "CSIP76")]
    report.findings += [Finding("FGS12-FILE", x.level, x.message, x.where) for x in rules.findings]
    _check_files(rules, "", files, report, claimed)
    _metadata(files, [p for p in files if p.startswith("metadata/") and p.endswith(".xml")], schemas, report)
    for p in sorted(set(files) - claimed):
        report.findings.append(Finding("FGS12-FILE", "warning", f"{p} is in the package but sip.xml does not list it"))

