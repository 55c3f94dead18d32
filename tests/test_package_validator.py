"""The validator: official examples accepted, damaged and hostile packages reported with the right ids."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from package_data import make_home, seed
from test_packages import SCHEMAS, deliver, needs_schemas

from archiver.home.archive import Archive
from archiver.packages.archivefile import safe_name
from archiver.packages.schemaset import SchemaSet
from archiver.packages.validator import _resolve, validate_package

EXAMPLES = SCHEMAS / "examples" if SCHEMAS else None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if SCHEMAS is None:
        pytest.skip("../shared/reference/schemas not present")
    root = tmp_path_factory.mktemp("built")
    a: Archive = make_home(root / "home", SCHEMAS)
    seed(a)
    deliver(a, root / "pkg")
    a.close()
    return root / "pkg"


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(built, target)
    return target


def ss() -> SchemaSet:
    return SchemaSet.from_settings(SCHEMAS)


def rules(path: Path, profile: str | None = None) -> set[tuple[str, str]]:
    report = validate_package(path, ss(), profile)
    return {(f.rule, f.level) for f in report.findings}


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@needs_schemas
@pytest.mark.parametrize("name", ["csip-2.1.0-profile-appendix1-no-representations.xml",
                                  "csip-2.1.0-profile-appendix2-with-representations.xml",
                                  "sip-2.1.0-profile-appendix1.xml"])
def test_the_official_examples_are_accepted(name: str) -> None:
    assert EXAMPLES is not None
    report = validate_package(EXAMPLES / name, ss())
    assert report.ok, [f.as_dict() for f in report.findings if f.level == "error"]


@needs_schemas
def test_commons_ip_lower_case_namespace_is_rejected() -> None:
    assert EXAMPLES is not None
    report = validate_package(EXAMPLES / "commons-ip-Full-EARK-SIP-root-METS.xml", ss())
    assert not report.ok
    assert any(f.rule == "CSIP9" and "case-sensitive" in f.message for f in report.findings)


def test_our_package_is_valid(built: Path) -> None:
    assert validate_package(built, ss(), "fgs2").ok


def test_a_changed_checksum_is_csip71(copy: Path) -> None:
    data = copy / "representations/rep1/data/account-1/items.json"
    os.chmod(data, 0o644)
    data.write_bytes(data.read_bytes().replace(b"Torsby", b"Torsbu", 1))
    assert ("CSIP71", "error") in rules(copy)


def test_a_missing_file_is_csip79(copy: Path) -> None:
    (copy / "representations/rep1/data/account-1/items.pdf").unlink()
    found = validate_package(copy, ss())
    assert any(f.rule == "CSIP79" and "items.pdf is listed but not in the package" in f.message
               for f in found.findings)
    assert not found.ok


def test_a_wrong_case_namespace_is_csip9(copy: Path) -> None:
    edit(copy / "METS.xml", "https://DILCIS.eu/XML/METS/CSIPExtensionMETS", "https://dilcis.eu/XML/METS/CSIPExtensionMETS")
    assert ("CSIP9", "error") in rules(copy)


def test_a_missing_software_agent_is_csip10(copy: Path) -> None:
    mets = copy / "METS.xml"
    text = mets.read_text(encoding="utf-8")
    start = text.index('<mets:agent ROLE="CREATOR" TYPE="OTHER" OTHERTYPE="SOFTWARE">')
    end = text.index("</mets:agent>", start) + len("</mets:agent>")
    mets.write_text(text[:start] + text[end:], encoding="utf-8")
    assert ("CSIP10", "error") in rules(copy)


def test_a_missing_archivist_is_sip9_for_fgs2(copy: Path) -> None:
    mets = copy / "METS.xml"
    edit(mets, 'ROLE="ARCHIVIST"', 'ROLE="OTHER"')
    assert ("SIP9", "error") in rules(copy, "fgs2")
    assert ("SIP9", "warning") in rules(copy)


def test_a_dot_dot_href_is_not_followed(copy: Path) -> None:
    edit(copy / "representations/rep1/METS.xml", 'xlink:href="data/account-1/items.json"',
         'xlink:href="../../../../../etc/passwd"')
    found = rules(copy)
    assert ("CSIP79", "error") in found and ("BEVARA-SEC1", "error") in found


def test_a_dot_dot_member_in_a_zip_is_a_finding(built: Path, tmp_path: Path) -> None:
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(built.rglob("*")):
            if p.is_file():
                zf.write(p, f"pkg/{p.relative_to(built)}")
        zf.writestr("pkg/../../escaped.txt", b"owned")
    found = rules(z)
    assert ("BEVARA-SEC1", "error") in found
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_a_symlink_is_a_finding(copy: Path) -> None:
    (copy / "representations/rep1/data/link").symlink_to("/etc/passwd")
    assert ("BEVARA-SEC2", "error") in rules(copy)


def test_a_symlink_in_a_tar_is_a_finding(built: Path, tmp_path: Path) -> None:
    t = tmp_path / "evil.tar"
    with tarfile.open(t, "w") as tf:
        tf.add(built, arcname="pkg")
        link = tarfile.TarInfo("pkg/passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    assert ("BEVARA-SEC2", "error") in rules(t)


def test_xml_entities_are_not_expanded(copy: Path) -> None:
    mets = copy / "METS.xml"
    text = mets.read_text(encoding="utf-8")
    bomb = ('<!DOCTYPE mets:mets [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    text = text.replace("?>\n", "?>\n" + bomb + "\n", 1)
    text = text.replace('LABEL="Torsby kommun', 'LABEL="&c;&xxe;Torsby kommun', 1)
    mets.write_text(text, encoding="utf-8")
    report = validate_package(copy, ss())
    assert any(f.rule == "BEVARA-SEC3" for f in report.findings)
    assert not report.ok


def test_a_zip_bomb_is_not_unpacked(tmp_path: Path) -> None:
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/METS.xml", b"<mets/>")
        with zf.open("pkg/zeros.bin", "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(80):
                fh.write(chunk)
    assert z.stat().st_size < 1 << 20
    report = validate_package(z, ss())
    assert [f.rule for f in report.findings] == ["BEVARA-SEC4"]


def test_garbage_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"\x00garbage" * 100)
    assert not validate_package(junk, ss()).ok
    notxml = tmp_path / "pkg"
    notxml.mkdir()
    (notxml / "METS.xml").write_bytes(b"<mets:mets")
    report = validate_package(notxml, ss())
    assert ("XML", "error") in {(f.rule, f.level) for f in report.findings} and not report.ok


def test_two_root_folders_is_csipstr1(built: Path, tmp_path: Path) -> None:
    t = tmp_path / "two.tar"
    with tarfile.open(t, "w") as tf:
        tf.add(built, arcname="one")
        info = tarfile.TarInfo("other/readme.txt")
        info.size = 2
        tf.addfile(info, io.BytesIO(b"hi"))
    assert ("CSIPSTR1", "error") in rules(t)


@given(st.text(alphabet="ab./\\:\x00", max_size=20))
def test_safe_names_never_escape(name: str) -> None:
    safe = safe_name(name)
    if safe is not None:
        assert not safe.startswith("/") and ".." not in safe.split("/") and "\\" not in safe


@given(st.text(alphabet="ab./:%2e", max_size=24))
def test_resolved_hrefs_stay_inside(href: str) -> None:
    target = _resolve("representations/rep1", href)
    if target is not None:
        assert not target.startswith("/") and ".." not in target.split("/")
