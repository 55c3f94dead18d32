"""The neutral items format: round trip, detection, exact errors for bad rows, media, CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FIXED_NOW, Cli, add_account

from archiver.errors import ExitCode
from archiver.items.imports import neutral
from fixtures.exports import generate

COMPARED = ("platform_id", "kind", "parent", "thread", "recipients", "author", "author_handle",
            "own", "created", "text", "url", "deleted_on_platform")


def as_items_row(record: dict[str, Any]) -> dict[str, Any]:
    """One ``archive items list --json`` record as a row of the items format (README)."""
    return {"id": record["platform_id"], "kind": record["kind"], "parent_id": record["parent"],
            "thread_id": record["thread"], "author_name": record["author"],
            "author_handle": record["author_handle"], "own": record["own"],
            "created": record["created"], "text": record["text"], "url": record["url"],
            "recipients": record["recipients"], "deleted": record["deleted_on_platform"]}


def _write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_schema_is_valid_and_loaded_as_package_data() -> None:
    jsonschema.Draft202012Validator.check_schema(neutral.schema())
    assert neutral.schema()["required"] == ["id", "kind", "created", "text"]


@pytest.mark.parametrize("fmt", ["x", "facebook"])
def test_items_list_round_trips_through_the_items_format(arc: Cli, tmp_path: Path,
                                                         fmt: str) -> None:
    maker = generate.generate_x_export if fmt == "x" else generate.generate_facebook_export
    account = add_account(arc, "Källa", fmt, f"https://example.se/{fmt}")
    arc.ok("import", str(account), str(maker(tmp_path / f"{fmt}.zip", items=40)))
    before = arc.json("items", "list", "--account", str(account), "--limit", "1000")
    assert any(r["kind"] != "post" for r in before)
    path = _write_jsonl(tmp_path / "items.jsonl", [as_items_row(r) for r in before])

    fresh = Cli(home=tmp_path / "fresh", env={"ARCHIVE_NOW": FIXED_NOW, "ARCHIVE_HOME": ""})
    fresh.ok("init", "--org", "Torsby kommun", "--org-id", "212000-1769", "--simulated-clock")
    other = add_account(fresh, "Arkiv", "web", "https://example.se/arkiv")  # any platform fits
    data = fresh.json("import", str(other), str(path))  # detected by content
    assert data["format"] == "items" and data["new"] == len(before) and data["skipped"] == 0
    after = fresh.json("items", "list", "--account", str(other), "--limit", "1000")
    assert [{k: r[k] for k in COMPARED} for r in after] == [
        {k: r[k] for k in COMPARED} for r in before]
    again = fresh.json("import", str(other), str(path), "--format", "items")
    assert (again["new"], again["unchanged"]) == (0, len(before))


def test_bad_rows_are_listed_with_their_lines_and_nothing_is_written(arc: Cli, tmp_path: Path,
                                                                    tree) -> None:
    account = add_account(arc)
    good = {"id": "a1", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "Hej"}
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join([
        json.dumps(good),
        json.dumps({**good, "id": "a2", "kind": "tweet"}),
        "{not json",
        json.dumps({**good, "id": "a3", "created": "2026-03-02 10:00"}),
        json.dumps({**good, "id": "a4", "kind": "reply", "own": "ja"}),
        json.dumps({**good, "id": "a5", "created": "2026-02-30T10:00:00+01:00", "colour": 1}),
        json.dumps({**good, "id": "a6", "kind": "message", "media": ["bild.jpg"]}),
    ]) + "\n", "utf-8")
    before = tree(arc.home)
    result = arc("import", str(account), str(path), "--format", "items")
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == (
        "Error: items.jsonl:items.jsonl: 6 rows do not fit the items format (line 2: kind must "
        "be one of post, comment, reply, message; line 3: is not JSON (Expecting property name "
        "enclosed in double quotes); line 4: created must be an ISO 8601 time with its offset, "
        "e.g. 2026-03-02T10:00:00+01:00; line 5: own must be true or false or null; line 6: unknown field "
        "('colour' was unexpected); line 7: 'thread_id' is missing); fix them (schema: "
        "schemas/items.schema.json) and import again\n")
    assert tree(arc.home) == before


def test_an_impossible_date_and_missing_media_are_findings(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    path = _write_jsonl(tmp_path / "items.jsonl", [
        {"id": "a", "kind": "post", "created": "2026-02-30T10:00:00+01:00", "text": "x"},
        {"id": "b", "kind": "post", "created": "2026-03-02T10:00:00Z", "text": "y",
         "media": ["bilder/saknas.jpg"]}])
    result = arc("import", str(account), str(path))
    assert result.exit_code == ExitCode.bad_input
    assert ("line 1: created '2026-02-30T10:00:00+01:00' is not a real time (day is out of "
            "range for month)") in result.stderr
    assert "line 2: media file listed but missing from the export: bilder/saknas.jpg" in (
        result.stderr)


def test_media_paths_are_relative_to_the_file_and_csv_reads_alike(arc: Cli,
                                                                  tmp_path: Path) -> None:
    account = add_account(arc, "Webb", "web", "https://torsby.se")
    folder = tmp_path / "flytt"
    (folder / "bilder").mkdir(parents=True)
    (folder / "bilder" / "älg.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (folder / "items.csv").write_text(
        "id,kind,parent_id,thread_id,author_name,author_handle,own,created,text,url,media,"
        "recipients,deleted\r\n"
        'p1,post,,,Torsby kommun,torsby,true,2026-03-02T10:00:00+01:00,"Älgvandring 🫎\r\n'
        'i helgen",https://torsby.se/p1,bilder/älg.png,,false\r\n'
        "m1,message,,t1,Åsa Öberg,,false,2026-03-02T11:00:00+01:00,När öppnar ni?,,,"
        "Torsby kommun,\r\n", "utf-8")
    data = arc.json("import", str(account), str(folder / "items.csv"))
    assert (data["format"], data["new"], data["skipped"]) == ("items", 2, 0)
    items = {i["platform_id"]: i for i in arc.json("items", "list", "--account", str(account))}
    assert items["p1"]["text"] == "Älgvandring 🫎\r\ni helgen"
    assert items["p1"]["own"] is True and items["p1"]["url"] == "https://torsby.se/p1"
    assert items["m1"]["thread"] == "t1" and items["m1"]["recipients"] == ["Torsby kommun"]
    shown = arc.json("items", "show", str(arc.json("items", "list", "--kind", "post")[0]["id"]))
    assert [m["name"] for m in shown["media"]] == ["älg.png"]


def test_a_row_of_an_accepted_shape_is_still_checked_for_its_values(arc: Cli,
                                                                   tmp_path: Path) -> None:
    """The memo of valid row shapes (neutral._Shapes) must not wave through a bad value."""
    account = add_account(arc)
    good = {"id": "a", "kind": "post", "created": "2026-03-02T10:00:00+01:00", "text": "x"}
    path = _write_jsonl(tmp_path / "items.jsonl", [
        good, {**good, "id": "b" * 201}, {**good, "id": "c", "kind": "story"},
        {**good, "id": "d", "created": "2026-03-02T10:00:00"}, {**good, "id": ""}])
    result = arc("import", str(account), str(path))
    assert result.exit_code == ExitCode.bad_input
    assert "4 rows do not fit" in result.stderr
    for line in ("line 2: id: '" + "b" * 201 + "' is too long", "line 3: kind must be one of",
                 "line 4: created must be an ISO 8601", "line 5: id: '' should be non-empty"):
        assert line in result.stderr
