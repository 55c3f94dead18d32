"""Fuzzing the two loaders that read files a person wrote or a stranger sent.

The retention policy loader and the package validator take input we do not control.
Whatever it holds, the loader returns a policy or raises one of our errors (the CLI's
one-line message and exit code), and the validator returns a report of findings; no
other exception ever escapes. HYPOTHESIS_PROFILE=slow searches far wider.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st
from test_package_validator import built  # noqa: F401 - the module-scoped package fixture
from test_packages import SCHEMAS, needs_schemas

from archiver.errors import ArchiverError
from archiver.packages.schemaset import SchemaSet
from archiver.packages.validator import Report, validate_package
from retention.policy import MATCH_KEYS, RULE_KEYS, Policy, load_policy

FEWER = settings(max_examples=max(10, settings().max_examples // 3))
"""A package validation costs a schema check; a third of the profile's examples here."""

# --------------------------------------------------------------------- the policy loader

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
           | st.dates() | st.datetimes() | st.times())
words = st.sampled_from(["bevaras", "gallras", "diarieförs", "vid inaktualitet", "omedelbart", "1 halvår",
                         "40 dagar", "3 år efter årets utgång", "99999 år efter årets utgång", "2.9.2", "own",
                         "visitor", "none", "any", "post", "snapshot", "led-to-case", "(", "[a-", "a{99999}",
                         "2024-03-12", "2024-02-30", ""])
values = st.recursive(scalars | words, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(sorted(MATCH_KEYS | {"body", "date", "x"})), inner,
                                        max_size=4), max_leaves=12)
rule = st.dictionaries(st.sampled_from(sorted(RULE_KEYS | {"extra"})), values, max_size=9)
document = st.fixed_dictionaries({"version": st.sampled_from([1, 1, 2, "1"])},
                                 optional={"rule": st.lists(rule, max_size=4) | values})


def _load(text: str | bytes) -> Policy | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policy.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        try:
            return load_policy(path)
        except ArchiverError as e:
            assert e.message and "\n" not in e.message.strip("\n").split("; ")[0]
            return None


def _toml(doc: dict[str, Any]) -> str | None:
    try:
        return tomlkit.dumps(doc)
    except (ValueError, TypeError):
        return None  # not expressible as TOML (e.g. None values): nothing to load


@given(document)
def test_any_structured_policy_loads_or_is_our_error(doc: dict[str, Any]) -> None:
    text = _toml(doc)
    if text is not None:
        policy = _load(text)
        if policy is not None:
            assert all(r.id and r.action in ("bevaras", "gallras", "diarieförs") for r in policy.rules)


@given(st.binary(max_size=400) | st.text(max_size=400))
def test_any_bytes_as_a_policy_load_or_are_our_error(raw: str | bytes) -> None:
    _load(raw)


def test_the_loader_survives_the_cases_fuzzing_found_first() -> None:
    """Kept as plain examples: rules that are not tables, and a frist too long for its digits."""
    for text in ('version = 1\nrule = [1, "x"]\n', "version = 1\n[[rule]]\nid = \"a\"\n[rule.match]\n",
                 'version = 1\n[[rule]]\nid = "a"\nhandlingstyp = "x"\nklassa = "1"\naction = "gallras"\n'
                 'frist = "9999999999999 år efter årets utgång"\n',
                 'version = 1\n[[rule]]\nid = "a"\nmandate = {date = 1979-05-27T07:32:00Z, body = "b", '
                 'section = "s", dnr = "d"}\n'):
        _load(text)


# --------------------------------------------------------------------- the package validator


def _report(path: Path, profile: str | None = None) -> Report:
    report = validate_package(path, SchemaSet.from_settings(SCHEMAS), profile)
    assert isinstance(report, Report)
    return report


@pytest.fixture(scope="module")
def built_zip(built: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:  # noqa: F811
    out = tmp_path_factory.mktemp("zip") / "pkg.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for p in sorted(built.rglob("*")):
            zf.write(p, f"pkg/{p.relative_to(built)}")
    return out.read_bytes()


@needs_schemas
@FEWER
@given(st.binary(max_size=2000), st.sampled_from(["x.zip", "x.tar", "METS.xml", "x"]),
       st.sampled_from([None, "fgs2", "fgs1.2"]))
def test_any_bytes_as_a_package_give_a_report(data: bytes, name: str, profile: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        _report(path, profile)


@needs_schemas
@FEWER
@given(st.lists(st.tuples(st.integers(0, 1 << 30), st.binary(min_size=1, max_size=8)), min_size=1, max_size=6),
       st.integers(0, 1 << 30) | st.none())
def test_a_damaged_zip_package_gives_a_report_that_is_not_valid(built_zip: bytes, edits: list[tuple[int, bytes]],
                                                                 cut: int | None) -> None:
    data = bytearray(built_zip)
    for at, new in edits:
        at %= len(data)
        data[at:at + len(new)] = new
    if cut is not None:
        del data[cut % len(data):]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pkg.zip"
        path.write_bytes(bytes(data))
        report = _report(path)
        if bytes(data) != built_zip:
            assert report.findings


mets_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@needs_schemas
@FEWER
@given(st.lists(st.tuples(st.sampled_from(['href="', 'SIZE="', 'CHECKSUM="', 'ID="', "<mets:", "</", "<!--",
                                           'OBJID="', 'CREATED="']), mets_text), min_size=1, max_size=5))
def test_a_folder_package_with_a_mangled_mets_gives_a_report(built: Path, changes: list[tuple[str, str]]) -> None:  # noqa: F811
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "pkg"
        shutil.copytree(built, pkg)
        for mets in (pkg / "METS.xml", pkg / "representations/rep1/METS.xml"):
            text = mets.read_text(encoding="utf-8")
            for anchor, new in changes:
                text = text.replace(anchor, anchor + new, 1)
            mets.write_text(text, encoding="utf-8")
        _report(pkg)
        _report(pkg, "fgs1.2")


def test_dates_in_a_mandate_may_be_toml_dates() -> None:
    """A TOML date is read as a date, not re-parsed from its text."""
    policy = _load('version = 1\n[[rule]]\nid = "a"\nhandlingstyp = "x"\nklassa = "2.9.2"\naction = "gallras"\n'
                   'frist = "omedelbart"\nmandate = {date = 2024-03-12, body = "KS", section = "§ 1", dnr = "d"}\n')
    assert policy is not None and policy.rules[0].mandate is not None
    assert policy.rules[0].mandate.date == dt.date(2024, 3, 12)
