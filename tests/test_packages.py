"""Delivery and registration packages from demo-like data, checked by our validator and the official schemas."""

from __future__ import annotations

import hashlib
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from package_data import fake_render, make_home, seed

from archiver.errors import ConfigError, NotFoundError, OutputError
from archiver.home.archive import Archive
from archiver.packages.content import parse_period
from archiver.packages.delivery import build_delivery
from archiver.packages.disposal import Disposal, NoRetention
from archiver.packages.registration import build_registration
from archiver.packages.schemaset import NS, SchemaSet
from archiver.packages.validator import validate_package


def reference_schemas() -> Path | None:
    """../shared/reference/schemas beside the checkout (a worktree's checkout sits one level deeper)."""
    for parent in Path(__file__).resolve().parents[1:4]:
        candidate = parent / "shared" / "reference" / "schemas"
        if candidate.is_dir():
            return candidate
    return None


SCHEMAS = reference_schemas()
needs_schemas = pytest.mark.skipif(SCHEMAS is None, reason="../shared/reference/schemas not present")
pytestmark = needs_schemas
M = {"mets": NS["mets"], "csip": NS["csip"], "xlink": NS["xlink"], "erms": NS["erms"], "p": NS["premis"],
     "f": NS["fgserms"], "ext": NS["ext"], "r": NS["registration"]}


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    a = make_home(tmp_path / "home", SCHEMAS)
    a.ids = seed(a)  # type: ignore[attr-defined]
    yield a
    a.close()


def schemas(a: Archive) -> SchemaSet:
    return SchemaSet.from_settings(a.settings.package.schema_dir)


def deliver(a: Archive, out: Path, profile: str = "fgs2", account: int | None = None) -> dict[str, object]:
    return build_delivery(a, parse_period("2026H1"), out, account_id=account, profile=profile, schemas=schemas(a),
                          disposal=NoRetention(), render=fake_render)


def official_ok(a: Archive, kind: str, path: Path) -> None:
    validator = schemas(a).validator(kind)
    assert validator.validate(etree.parse(str(path))), [str(e) for e in validator.error_log]


def test_fgs2_folder_package_meets_csip_sip_and_the_official_schemas(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "delivery"
    result = deliver(archive, out)
    report = validate_package(out, schemas(archive), "fgs2")
    assert report.ok, report.as_dict()
    assert [f.rule for f in report.findings] == ["PREMIS"]  # only the info: no PREMIS XSD exists to check with
    official_ok(archive, "mets-csip", out / "METS.xml")
    official_ok(archive, "mets-csip", out / "representations/rep1/METS.xml")
    official_ok(archive, "erms", out / "metadata/descriptive/erms.xml")
    assert result["items"] == 6 and str(result["objid"]).startswith("uuid-")

    root = etree.parse(str(out / "METS.xml")).getroot()
    assert root.get(f"{{{NS['csip']}}}CONTENTINFORMATIONTYPE") == "citserms_v2_1"
    hdr = root.find("mets:metsHdr", M)
    assert hdr.get(f"{{{NS['csip']}}}OAISPACKAGETYPE") == "SIP"
    agents = {(a.get("ROLE"), a.get("TYPE"), a.get("OTHERTYPE")): a for a in hdr.findall("mets:agent", M)}
    assert agents[("ARCHIVIST", "ORGANIZATION", None)].findtext("mets:note", namespaces=M) == "ORG:2120001769"
    assert agents[("CREATOR", "ORGANIZATION", None)].findtext("mets:name", namespaces=M) == \
        "Torsby kommun, kommunstyrelsen"
    software = agents[("CREATOR", "OTHER", "SOFTWARE")].find("mets:note", M)
    assert software.get(f"{{{NS['csip']}}}NOTETYPE") == "SOFTWARE VERSION"
    assert agents[("PRESERVATION", "ORGANIZATION", None)].findtext("mets:name", namespaces=M) == "Sydarkivera"
    assert {x.get("TYPE"): x.text for x in hdr.findall("mets:altRecordID", M)} == {
        "SUBMISSIONAGREEMENT": "SA-TORSBY-2026-01", "REFERENCECODE": "SE/TORSBY/KS/SOME"}

    rep = etree.parse(str(out / "representations/rep1/METS.xml")).getroot()
    files = rep.findall(".//mets:file", M)
    assert files
    for f in files:
        href = f.find("mets:FLocat", M).get(f"{{{NS['xlink']}}}href")
        data = (out / "representations/rep1" / href).read_bytes()
        assert f.get("CHECKSUM") == hashlib.sha256(data).hexdigest() and f.get("CHECKSUMTYPE") == "SHA-256"
        assert int(f.get("SIZE")) == len(data) and f.get("MIMETYPE") and f.get("CREATED")
    hrefs = {f.find("mets:FLocat", M).get(f"{{{NS['xlink']}}}href") for f in files}
    assert "data/account-1/snapshots/snapshot-1/snapshot-visual.pdf" in hrefs
    assert "data/account-1/items.pdf" in hrefs and "data/account-1/items.json" in hrefs
    assert not any("account-2" in h for h in hrefs)  # the X account's only item is from 2025
    assert sorted(p.name for p in (out / "schemas").iterdir()) == [
        "DILCISExtensionMETS.xsd", "DILCISExtensionSIPMETS.xsd", "ERMS.xsd", "mets.xsd", "xlink.xsd"]

    erms = etree.parse(str(out / "metadata/descriptive/erms.xml")).getroot()
    conf = erms.find(f".//erms:record[@systemIdentifier='item-{archive.ids['c1']}']", M)
    assert conf.find("erms:restriction", M).get("restrictionType") == "confidential"
    assert conf.findtext("erms:restriction/erms:regulation", namespaces=M) == "OSL 21 kap. 1 §"
    assert conf.find("erms:direction", M).get("directionDefinition") == "incoming"
    assert conf.find("erms:disposal", M).get("disposable") == "false"
    assert conf.findtext(".//erms:disposalComment", namespaces=M) == "no culling decision recorded"
    events = etree.parse(str(out / "metadata/preservation/premis.xml")).getroot()
    assert [e.text for e in events.findall(".//p:eventType", M)] == ["capture", "normalization", "validation"]


def test_zip_and_tar_are_byte_identical_when_rebuilt(archive: Archive, tmp_path: Path) -> None:
    for suffix in (".zip", ".tar"):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        deliver(archive, first)
        deliver(archive, second)
        assert first.read_bytes() == second.read_bytes()
        report = validate_package(first, schemas(archive))
        assert report.ok, report.as_dict()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        names = zf.namelist()
        assert all(i.date_time == (2026, 7, 1, 8, 0, 0) for i in zf.infolist())
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
    top = names[0].split("/")[0]
    assert all(n.startswith(top + "/") for n in names)
    with tarfile.open(tmp_path / "a.tar") as tf:
        assert {(m.uid, m.gid, m.uname, m.mtime) for m in tf.getmembers()} == {(0, 0, "", 1782892800)}
        assert [m.name for m in tf.getmembers() if m.isfile()] == sorted(m.name for m in tf.getmembers() if m.isfile())


def test_an_existing_output_is_never_replaced(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "taken.zip"
    out.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="already exists; choose a new output path"):
        deliver(archive, out)
    assert out.read_bytes() == b"keep me"
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(OutputError):
        deliver(archive, folder)
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_corrupt_stored_file_stops_the_package_and_leaves_nothing(archive: Archive, tmp_path: Path) -> None:
    from archiver.catalogue.models import SnapshotFile

    with archive.transaction() as session:
        sha = session.query(SnapshotFile).filter_by(role="html").one().sha256
    path = archive.store.path_for(sha)
    path.chmod(0o644)
    path.write_bytes(b"<html>tampered</html>")
    with pytest.raises(Exception, match="does not match its digest"):
        deliver(archive, tmp_path / "bad.tar")
    assert not (tmp_path / "bad.tar").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["home"]


def test_fgs12_profile_writes_sip_xml_and_fgs_erms(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "fgs12"
    deliver(archive, out, "fgs1.2")
    report = validate_package(out, schemas(archive), "fgs1.2")
    assert report.ok, report.as_dict()
    official_ok(archive, "mets-fgs12", out / "sip.xml")
    official_ok(archive, "fgserms", out / "metadata/fgs-erms.xml")
    root = etree.parse(str(out / "sip.xml")).getroot()
    ext = {k.split("}")[1]: v for k, v in root.attrib.items() if k.startswith(f"{{{NS['ext']}}}")}
    assert ext["APPRAISAL"] == "No" and ext["ACCESSRESTRICT"] == "Secrecy"
    assert (ext["STARTDATE"], ext["ENDDATE"]) == ("2026-01-01", "2026-06-30")
    lev = etree.parse(str(out / "metadata/fgs-erms.xml")).getroot()
    bilagor = lev.findall(".//f:Bilaga", M)
    assert bilagor
    for b in bilagor:
        assert b.get("Checksumma") == hashlib.sha256((out / b.get("Lank")).read_bytes()).hexdigest()
    c1 = lev.find(f".//f:ArkivobjektHandling[@Systemidentifierare='item-{archive.ids['c1']}']", M)
    assert c1.find("f:Restriktion", M).get("Typ") == "Sekretess"
    assert c1.findtext("f:Restriktion/f:Lagrum", namespaces=M) == "OSL 21 kap. 1 §"
    assert c1.find("f:Gallring", M).get("Gallras") == "false"


def test_fgs12_needs_a_submission_agreement(tmp_path: Path) -> None:
    a = make_home(tmp_path / "home", SCHEMAS)
    text = (tmp_path / "home/archive.toml").read_text().replace('"SA-TORSBY-2026-01"', '""')
    (tmp_path / "home/archive.toml").write_text(text)
    a.close()
    from package_data import NOW

    from archiver.home.archive import open_archive
    from archiver.home.config import Home

    a = open_archive(Home(tmp_path / "home"), now=NOW, actor="anna")
    seed(a)
    with pytest.raises(ConfigError, match="FGS 1.2 needs a submission agreement"):
        deliver(a, tmp_path / "x", "fgs1.2")
    a.close()


class OneRule(NoRetention):
    def for_items(self, session, item_ids):  # type: ignore[no-untyped-def]
        return {i: Disposal(disposable=True, rule="R3", mandate="KS 2023-12-05 § 4", period="2 år",
                            action="cull after period") for i in item_ids}


def test_disposal_from_the_retention_interface_reaches_erms(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "d"
    build_delivery(archive, parse_period("2026H1"), out, account_id=1, profile="fgs2", schemas=schemas(archive),
                   disposal=OneRule(), render=fake_render)
    official_ok(archive, "erms", out / "metadata/descriptive/erms.xml")
    d = etree.parse(str(out / "metadata/descriptive/erms.xml")).getroot().find(".//erms:disposal", M)
    assert d.get("disposable") == "true"
    assert [d.findtext(f"erms:{k}", namespaces=M) for k in ("disposalScheduleId", "disposalPeriod",
                                                             "disposalMandate")] == ["R3", "2 år", "KS 2023-12-05 § 4"]


def test_nothing_in_the_period_is_a_clear_error(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="nothing to package for any account in 2025H1"):
        build_delivery(archive, parse_period("2025H1"), tmp_path / "x", account_id=None, profile="fgs2",
                       schemas=schemas(archive), disposal=NoRetention(), render=fake_render)


def test_a_missing_official_schema_is_a_clear_error(archive: Archive, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match=r"schema mets.xsd not found in .*empty; set package.schema_dir"):
        build_delivery(archive, parse_period("2026H1"), tmp_path / "x", account_id=None, profile="fgs2",
                       schemas=SchemaSet.from_settings(empty), disposal=NoRetention(), render=fake_render)


def test_without_the_official_schemas_a_rules_only_build_says_what_it_did_not_check(
        archive: Archive, tmp_path: Path) -> None:
    """The demo's path on a fresh machine: a package checked by the rules, its gaps named."""
    empty = tmp_path / "empty"
    empty.mkdir()
    lenient = SchemaSet.from_settings(empty, missing_ok=True)
    out = tmp_path / "pkg"
    build_delivery(archive, parse_period("2026H1"), out, account_id=None, profile="fgs2",
                   schemas=lenient, disposal=NoRetention(), render=fake_render)
    assert not (out / "schemas" / "mets.xsd").exists()
    report = validate_package(out, lenient, "fgs2")
    assert report.ok
    unchecked = {(f.rule, f.level, f.where) for f in report.findings if "not checked against" in f.message}
    assert ("METS", "warning", "METS.xml") in unchecked
    assert ("ERMS", "warning", "metadata/descriptive/erms.xml") in unchecked
    with pytest.raises(ConfigError, match="schema mets.xsd not found"):
        validate_package(out, SchemaSet.from_settings(empty), "fgs2")


def test_registration_package_splits_public_and_non_public(archive: Archive, tmp_path: Path) -> None:
    ids = archive.ids
    out = tmp_path / "reg"
    build_registration(archive, [ids["c1"], ids["c2"]], out, case="KS 2026/123", protocol_id=None,
                       schemas=schemas(archive), disposal=NoRetention(), render=fake_render)
    report = validate_package(out, schemas(archive), "fgs2")
    assert report.ok, report.as_dict()
    official_ok(archive, "mets-csip", out / "METS.xml")
    public = etree.parse(str(out / "metadata/descriptive/registration.xml")).getroot()
    full = etree.parse(str(out / "metadata/descriptive/non-public/registration.xml")).getroot()
    official_ok(archive, "registration", out / "metadata/descriptive/registration.xml")
    c1_pub = public.find(f"r:record[@id='item-{ids['c1']}']", M)
    c1_full = full.find(f"r:record[@id='item-{ids['c1']}']", M)
    assert c1_pub.get("public") == "false"
    assert "personnummer" not in etree.tostring(public, encoding="unicode")
    assert "omfattas av sekretess (OSL 21 kap. 1 §)" in c1_pub.findtext("r:description", namespaces=M)
    assert c1_pub.find("r:file", M) is None
    assert c1_full.findtext("r:description", namespaces=M).startswith("Var kan jag anmäla mig?")
    assert c1_full.find("r:restriction", M).text == "Personuppgifter om hälsa"
    c2 = public.find(f"r:record[@id='item-{ids['c2']}']", M)
    assert c2.findtext("r:date", namespaces=M) == "2026-03-04T10:00:00Z"
    assert c2.find("r:date", M).get("type") == "received"
    assert [c2.findtext(k, namespaces=M) for k in ("r:registryNumber", "r:sender")] == ["KS 2026/123", "Nils Nyman"]
    source = json.loads((out / f"representations/rep1/data/item-{ids['c2']}/source.json").read_text())
    assert source["text"] == "Vägen vid skolan är trasig, när lagas den?"
    assert (out / f"representations/rep1/data/item-{ids['c2']}/rendering.pdf").read_bytes().startswith(b"%PDF")


def test_registered_items_are_known_to_the_catalogue(archive: Archive, tmp_path: Path) -> None:
    from archiver.catalogue.package_tables import packaged_for_registration

    with archive.transaction() as session:
        assert packaged_for_registration(session) == set()
    build_registration(archive, [archive.ids["c2"]], tmp_path / "r.zip", case=None, protocol_id=None,
                       schemas=schemas(archive), disposal=NoRetention(), render=fake_render)
    deliver(archive, tmp_path / "d.zip")
    with archive.transaction() as session:
        assert packaged_for_registration(session) == {archive.ids["c2"]}


def test_registration_of_unknown_items_and_protocols(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="item 999 does not exist"):
        build_registration(archive, [999], tmp_path / "r", case=None, protocol_id=None, schemas=schemas(archive),
                           disposal=NoRetention(), render=fake_render)
    with pytest.raises(NotFoundError, match="culling protocol 4 not found"):
        build_registration(archive, [], tmp_path / "r", case=None, protocol_id=4, schemas=schemas(archive),
                           disposal=NoRetention(), render=fake_render)
    assert not (tmp_path / "r").exists()


def test_renderings_are_made_once_and_reused(archive: Archive, tmp_path: Path) -> None:
    calls: list[str] = []

    def counting(html: str, out: Path, meta) -> None:  # type: ignore[no-untyped-def]
        calls.append(meta.title)
        fake_render(html, out, meta)

    for name in ("one", "two"):
        build_delivery(archive, parse_period("2026H1"), tmp_path / name, account_id=None, profile="fgs2",
                       schemas=schemas(archive), disposal=NoRetention(), render=counting)
    assert calls == ["Torsby kommun: poster 2026H1"]
