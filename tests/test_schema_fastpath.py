"""The compiled validator may only make pikepdf's PDF/A checks faster, never change a verdict.

Its one risk is an object it passes that pikepdf's jsonschema check would refuse: the
record would be stored with a violation nobody saw. So both validators are asked about
every object of real records (a visual record, a print record with links and embedded
fonts, a record broken on purpose) and about mutations of those objects that hypothesis
makes from the values PDF/A's schemas care about.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pikepdf.pdfa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pikepdf.pdfa import _schemas
from PIL import Image, ImageDraw, ImageFont

from archiver.pdf import schema_fastpath
from archiver.pdf.caption import system_font
from archiver.pdf.model import Segment, SnapshotMetadata, TextBox
from archiver.pdf.pdfa import build_visual_pdfa, make_print_pdfa, validate_pdfa

META = SnapshotMetadata(
    account="torsbykommun", platform="facebook", url="https://www.facebook.com/torsbykommun",
    captured_at=dt.datetime(2026, 7, 1, 6, 0, 5, tzinfo=dt.UTC), boundary=dt.date(2026, 7, 1),
    period_start=dt.date(2026, 1, 1), period_end=None, reason="scheduled", engine_version="0.1.0",
    html_sha256="ab" * 32, title="Torsby kommun – Facebook")


def visual_record(tmp: Path) -> Path:
    im = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(str(system_font("DejaVuSans.ttf")), 24)
    draw.text((10, 20), "Snöröjning i Torsby", fill="black", font=font)
    png = tmp / "seg.png"
    im.save(png)
    out = tmp / "visual.pdf"
    box = TextBox(10, 20, draw.textlength("Snöröjning i Torsby", font=font), 30, "Snöröjning i Torsby", 24)
    build_visual_pdfa([Segment(path=png, top=0, width=600, height=200, text_boxes=(box,))], out, META)
    return out


def print_record(tmp: Path) -> Path:
    """A page of text and forty links in an embedded TrueType font, made PDF/A as a print
    record is: the shape of Chromium's page.pdf() without needing Chromium."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_font("DejaVu", fname=str(system_font("DejaVuSans.ttf")))
    doc.set_font("DejaVu", size=10)
    doc.add_page()
    for i in range(40):
        doc.cell(0, 6, f"Inlägg {i}: läs mer", link=f"https://www.facebook.com/torsbykommun/posts/{i}",
                 new_x="LMARGIN", new_y="NEXT")
    raw = tmp / "raw.pdf"
    with pikepdf.open(io.BytesIO(doc.output())) as pdf:
        del pdf.Root["/OpenAction"]  # fpdf2's zoom on opening; Chromium sets none
        pdf.save(raw)
    out = tmp / "print.pdf"
    make_print_pdfa(raw, out, META)
    return out


def broken_record(tmp: Path) -> Path:
    """The visual record with what PDF/A forbids in objects' keys and values: JavaScript and
    Launch actions, a link without its print flag, a transparency group in CMYK."""
    good = visual_record(tmp)
    bad = tmp / "broken.pdf"
    with pikepdf.open(good) as pdf:
        def link(action: pikepdf.Dictionary, flags: int) -> pikepdf.Object:
            return pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10], F=flags, A=action))

        page = pdf.pages[1].obj
        page.Annots = pikepdf.Array([
            link(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")), 4),
            link(pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")), 4),
            link(pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://torsby.se")), 0)])
        page.Group = pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceCMYK)
        pdf.save(bad)
    return bad


def schema_checks(path: Path) -> list[tuple[str, Any]]:
    """Every (role, shallow JSON) pikepdf's validator asks its schemas about in *path*."""
    asked: list[tuple[str, Any]] = []
    installed = _schemas.SchemaSet.check

    def record(self: Any, role: str, shallow: Any, ctx: Any, where: str) -> bool:
        asked.append((role, json.loads(json.dumps(shallow))))
        return bool(installed(self, role, shallow, ctx, where))

    _schemas.SchemaSet.check = record  # type: ignore[method-assign]
    try:
        pikepdf.pdfa.validate_written(path, "2b")
    finally:
        _schemas.SchemaSet.check = installed  # type: ignore[method-assign]
    return asked


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    assert schema_fastpath.install()
    return {name: make(tmp_path_factory.mktemp(name)) for name, make in
            (("visual", visual_record), ("print", print_record), ("broken", broken_record))}


@pytest.fixture(scope="module")
def asked(records: dict[str, Path]) -> list[tuple[str, Any]]:
    return [check for path in records.values() for check in schema_checks(path)]


def verdicts(role: str, shallow: Any) -> tuple[bool, bool]:
    """(compiled, pikepdf's jsonschema) verdict on one object."""
    schema_set = _schemas.SchemaSet.for_flavour("2b")
    return (schema_fastpath.compiled_validator(schema_set, role).is_valid(shallow),
            schema_set._validator(role).is_valid(shallow))


def test_the_fast_path_is_in_place_with_the_installed_pikepdf() -> None:
    """A pikepdf whose internals moved would leave the fast path out silently (still right,
    slower): this is where an upgrade says so."""
    assert schema_fastpath.install()
    assert _schemas.SchemaSet.check.__wrapped__  # type: ignore[attr-defined]


def test_both_validators_agree_on_every_object_of_real_records(asked: list[tuple[str, Any]]) -> None:
    assert len(asked) > 100
    assert {"Catalog", "Page", "LinkAnnot", "Action", "FontProgram", "ImageXObject"} <= {r for r, _ in asked}
    disagree = [(role, shallow) for role, shallow in asked if len(set(verdicts(role, shallow))) > 1]
    assert disagree == []
    assert any(not verdicts(role, shallow)[1] for role, shallow in asked), "the broken record fails no schema"


def test_a_broken_record_has_the_same_findings_with_and_without_the_fast_path(
        records: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    fast = validate_pdfa(records["broken"])
    monkeypatch.setattr(_schemas.SchemaSet, "check", _schemas.SchemaSet.check.__wrapped__)  # type: ignore[attr-defined]
    slow = validate_pdfa(records["broken"])
    assert fast == slow
    assert sum("6.5.1-1" in f and "action type not permitted" in f for f in fast) == 2, fast
    assert any("6.3.2-2 at obj 28 0 (LinkAnnot)" in f for f in fast), fast
    assert validate_pdfa(records["visual"]) == [] and validate_pdfa(records["print"]) == []


def interesting_values(asked: list[tuple[str, Any]]) -> list[Any]:
    """Scalars of the records and every const and enum value of pikepdf's schemas: the
    values a schema branches on."""
    found: set[Any] = set()

    def walk(node: Any, in_schema: bool) -> Iterator[Any]:
        if isinstance(node, dict):
            for key, value in node.items():
                if in_schema and key == "const":
                    yield value
                elif in_schema and key == "enum":
                    yield from value
                else:
                    yield from walk(value, in_schema)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value, in_schema)
        elif not in_schema:
            yield node

    for name in (_schemas.COMMON, "pdfa-2b.json"):
        found.update(v for v in walk(_schemas._load_schema(name), True) if isinstance(v, str | int | float))
    for _, shallow in asked:
        found.update(v for v in walk(shallow, False) if isinstance(v, str | int | float))
    return sorted(found, key=repr)


@pytest.fixture(scope="module")
def mutations(asked: list[tuple[str, Any]]) -> st.SearchStrategy[tuple[str, Any]]:
    values = interesting_values(asked)
    keys = sorted({k for _, s in asked if isinstance(s, dict) for k in s} | {"/JavaScript", "/AA", "/Foo"})
    scalar = st.sampled_from(values) | st.none() | st.booleans()
    value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.sampled_from(keys), inner, max_size=3), max_leaves=6)

    @st.composite
    def mutated(draw: st.DrawFn) -> tuple[str, Any]:
        role, shallow = draw(st.sampled_from([(r, s) for r, s in asked if isinstance(s, dict)]))
        shallow = json.loads(json.dumps(shallow))
        for _ in range(draw(st.integers(1, 3))):
            op = draw(st.sampled_from(["drop", "set", "add"]))
            if op == "drop" and shallow:
                del shallow[draw(st.sampled_from(sorted(shallow)))]
            elif op == "set" and shallow:
                shallow[draw(st.sampled_from(sorted(shallow)))] = draw(value)
            else:
                shallow[draw(st.sampled_from(keys))] = draw(value)
        return role, shallow

    return mutated()


def test_both_validators_agree_on_mutated_objects(mutations: st.SearchStrategy[tuple[str, Any]]) -> None:
    seen = {True: 0, False: 0}

    @settings(max_examples=500)
    @given(mutations)
    def agree(case: tuple[str, Any]) -> None:
        compiled, reference = verdicts(*case)
        assert compiled == reference, case
        seen[reference] += 1

    agree()
    assert seen[False] > 0, "no mutation made an object fail: the test proves nothing"
