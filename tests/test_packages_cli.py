"""``archive package`` and ``archive package validate`` through the CLI, with exact messages and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXED_NOW, Cli
from package_data import make_home, seed
from test_packages import SCHEMAS, deliver, needs_schemas

from archiver.pdf.pdfa import validate_pdfa

pytestmark = needs_schemas


@pytest.fixture
def home(tmp_path: Path) -> Cli:
    a = make_home(tmp_path / "home", SCHEMAS)
    a.ids = seed(a)  # type: ignore[attr-defined]
    deliver(a, tmp_path / "built")
    a.close()
    return Cli(home=tmp_path / "home", env={"ARCHIVE_NOW": FIXED_NOW, "ARCHIVE_HOME": ""})


def test_validate_prints_every_finding_and_exits_0_or_65(home: Cli, tmp_path: Path) -> None:
    ok = home("package", "validate", str(tmp_path / "built"))
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[-1] == (f"{tmp_path / 'built'}: valid (fgs2); 0 errors, 0 warnings, "
                                          "16 files checked.")
    broken = tmp_path / "broken"
    shutil.copytree(tmp_path / "built", broken)
    (broken / "representations/rep1/data/account-1/items.json").unlink()
    bad = home("package", "validate", str(broken), "--json")
    assert bad.exit_code == 65
    data = json.loads(bad.stdout)
    assert data["valid"] is False and data["errors"] == 1
    assert {"rule": "CSIP79", "level": "error", "where": "representations/rep1/METS.xml",
            "message": "representations/rep1/data/account-1/items.json is listed but not in the package"} \
        in data["findings"]
    text = home("package", "validate", str(broken))
    assert "ERROR   CSIP79       representations/rep1/METS.xml: representations/rep1/data/account-1/items.json " \
           "is listed but not in the package" in text.stdout


def test_validate_with_the_wrong_profile_and_a_missing_path(home: Cli, tmp_path: Path) -> None:
    wrong = home("package", "validate", str(tmp_path / "built"), "--profile", "fgs1.2")
    assert wrong.exit_code == 65
    assert "--profile fgs1.2 asked for, but the package is fgs2 (root METS.xml)" in wrong.stdout
    gone = home("package", "validate", str(tmp_path / "nope"))
    assert gone.exit_code == 66
    assert gone.stderr.strip() == (f"Error: {tmp_path / 'nope'} does not exist; "
                                   "give a package folder, .zip, .tar or METS.xml")


def test_validate_without_the_schemas_refuses_unless_rules_only(home: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "no-schemas"
    empty.mkdir()
    built = str(tmp_path / "built")
    refused = home("package", "validate", built, "--schema-dir", str(empty))
    assert refused.exit_code == 78
    assert refused.stderr.strip() == (f"Error: schema mets.xsd not found in {empty}; set package.schema_dir in "
                                      "archive.toml to a folder holding the official schemas (mets.xsd, "
                                      "mets-1.12.xsd)")
    lenient = home("package", "validate", built, "--schema-dir", str(empty), "--rules-only")
    assert lenient.exit_code == 0, lenient.output
    assert ("WARNING METS         METS.xml: not checked against its schema (mets.xsd, DILCISExtensionMETS.xsd, "
            "DILCISExtensionSIPMETS.xsd, xlink.xsd not at hand; set package.schema_dir)") in lenient.stdout
    assert lenient.stdout.splitlines()[-1].startswith(f"{built}: valid (fgs2); 0 errors, ")


def test_package_usage_errors(home: Cli, tmp_path: Path) -> None:
    cases = [
        (("package", "--period", "2026H1"), 65,
         "Error: give the output with -o OUT (OUT.zip, OUT.tar or a new folder)"),
        (("package", "--period", "2026Q1", "-o", str(tmp_path / "x")), 65,
         "Error: --period '2026Q1' is not a half-year; use e.g. 2026H1 (January–June) or 2026H2"),
        (("package", "-o", str(tmp_path / "x")), 65,
         "Error: give --period YYYYH1|YYYYH2 for a delivery package, or --register ITEM…"),
        (("package", "--register", "1", "--period", "2026H1", "-o", str(tmp_path / "x")), 65,
         "Error: --register takes items, --case and --protocol; --period, --account and --profile go with a "
         "delivery package"),
        (("package", "--period", "2026H1", "-o", str(tmp_path / "built")), 73,
         f"Error: {tmp_path / 'built'} already exists; choose a new output path (packages are never overwritten)"),
        (("package", "--period", "2026H1", "--schema-dir", str(tmp_path), "-o", str(tmp_path / "y")), 78,
         f"Error: schema mets.xsd not found in {tmp_path}; set package.schema_dir in archive.toml to a folder "
         "holding the official schemas (mets.xsd, mets-1.12.xsd)"),
        (("package", "--register", "999", "-o", str(tmp_path / "y")), 66,
         "Error: item 999 does not exist; find items with: archive items list"),
    ]
    for args, code, message in cases:
        result = home(*args)
        assert (result.exit_code, result.stderr.strip()) == (code, message), args
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


@pytest.mark.browser
@pytest.mark.slow
def test_cli_builds_both_kinds_with_real_pdfa_renderings(home: Cli, tmp_path: Path, pdf_text) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "delivery.zip"
    result = home.json("package", "--period", "2026H1", "-o", str(out))
    assert result["kind"] == "delivery" and result["items"] == 6
    assert home("package", "validate", str(out), "--profile", "fgs2").exit_code == 0
    again = tmp_path / "again.zip"
    home.ok("package", "--period", "2026H1", "-o", str(again))
    assert again.read_bytes() == out.read_bytes()
    reg = tmp_path / "reg"
    made = home.ok("package", "--register", "2", "4", "--case", "KS 2026/123", "-o", str(reg))
    assert made.stdout.startswith("Wrote registration package uuid-")
    assert home("package", "validate", str(reg)).exit_code == 0
    pdf = reg / "representations/rep1/data/item-4/rendering.pdf"
    assert validate_pdfa(pdf, snapshot=False) == []
    text = pdf_text(pdf)
    assert "Vägen vid skolan är trasig" in text and "Välkommen till sommarens aktiviteter" in text
    fgs12 = tmp_path / "fgs12.tar"
    home.ok("package", "--period", "2026H1", "--profile", "fgs1.2", "-o", str(fgs12))
    assert home("package", "validate", str(fgs12)).exit_code == 0


@pytest.mark.browser
@pytest.mark.slow
def test_demo_ends_with_a_valid_delivery_package(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archiver.cli import cli

    home = tmp_path / "demo-home"
    result = CliRunner().invoke(cli, ["demo", "--home", str(home), "--schema-dir", str(SCHEMAS), "--json",
                                      "--posts", "8"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    package = json.loads(result.stdout)["package"]
    assert package["valid"] is True and package["kind"] == "delivery" and package["items"] > 0
    assert Path(package["path"]) == home / "packages" / "delivery-2026H1.zip"
    assert package["schemas_missing"] == ["premis.xsd"]  # no PREMIS 3 schema among the official ones here
    # the demo home names no receiving e-archive and no agreement: warnings SIP26 and SIP5 (with --profile fgs2)
    assert {f["rule"] for f in package["findings"] if f["level"] != "info"} == {"SIP26", "SIP5"}


def test_package_settings_are_checked_with_the_rest_of_archive_toml(home: Cli) -> None:
    toml = home.home / "archive.toml"
    toml.write_text(toml.read_text().replace('archive = "Sydarkivera"', "archive = 5"))
    result = home("package", "--period", "2026H1", "-o", str(home.home.parent / "z"))
    assert result.exit_code == 78
    assert result.stderr.strip() == f"Error: {toml}: package.archive must be a string"
