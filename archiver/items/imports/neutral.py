"""The neutral items format: JSON Lines or CSV, one post, comment, reply or message a row.

For accounts whose platform has no importer and for moving from another archiving service.
Every row is checked against ``schemas/items.schema.json`` (with the ``jsonschema``
library: the schema is the format's one definition, for us and for whoever writes such a
file) and against what a schema cannot say (a real date, media files present). Unlike a
platform's export this format is ours, so nothing in it is a tolerated quirk: every
finding of every row is collected, and one error lists them with their line numbers;
nothing is imported from a file with any.

CSV: the same field names as columns; ``own`` and ``deleted`` as ``true``/``false``,
``media`` and ``recipients`` as values separated by ``;``, an empty cell for null.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

import jsonschema

from archiver.errors import BadInputError
from archiver.items.imports import fields as f
from archiver.items.imports.csvstream import iter_lines
from archiver.items.imports.jsonstream import iter_items
from archiver.items.imports.model import ImportedItem, MediaRef, Skipped
from archiver.items.imports.sniff import RECORDS, Found
from archiver.items.imports.source import ExportSource
from archiver.items.imports.textfix import clean_text

_LISTED = 20  # findings named in the error; the rest are counted
_LIST_FIELDS = ("media", "recipients")
_BOOL_FIELDS = ("own", "deleted")


@cache
def schema() -> dict[str, Any]:
    text = resources.files("schemas").joinpath("items.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())


class _Shapes:
    """Remembers the shapes of rows the schema accepted, so 100,000 rows cost one check each.

    jsonschema takes ~0.13 ms a row, too slow for a large file. Whether a row is valid
    depends only on its keys, each value's type, and the values' relation to the schema's
    value rules: its length against every minLength/maxLength, its match of every pattern,
    and the value itself where an enum or const names it. That is a row's shape. The
    first row of each shape is validated in full; a later row of an accepted shape is
    known valid. A schema with a keyword the shape does not cover is validated row by row.
    """

    _COVERED = {"$schema", "$id", "title", "description", "type", "additionalProperties",
                "required", "properties", "items", "minLength", "maxLength", "enum",
                "pattern", "allOf", "if", "then", "const"}

    def __init__(self, doc: dict[str, Any]) -> None:
        self.cuts: set[int] = set()
        self.patterns: dict[str | None, list[re.Pattern[str]]] = {}  # by the property named
        self.literal: set[str] = set()  # properties whose value an enum or const names
        self.usable = self._walk(doc, None)
        self.sorted_cuts = tuple(sorted(self.cuts))
        self.accepted: set[Any] = set()

    def _walk(self, node: Any, prop: str | None) -> bool:
        if isinstance(node, list):
            return all(self._walk(n, prop) for n in node)
        if not isinstance(node, dict):
            return True
        if not set(node) <= self._COVERED:
            return False
        if "minLength" in node:
            self.cuts.add(node["minLength"])
        if "maxLength" in node:
            self.cuts.add(node["maxLength"] + 1)
        if "pattern" in node:
            self.patterns.setdefault(prop, []).append(re.compile(node["pattern"]))
        if ("enum" in node or "const" in node) and prop is not None:
            self.literal.add(prop)
        ok = all(self._walk(v, k) for k, v in node.get("properties", {}).items())
        return ok and all(self._walk(node[k], prop) for k in ("items", "allOf", "if", "then")
                          if k in node)

    def _value(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            size = len(value)
            return ("s", value if key in self.literal else None,
                    tuple(size >= c for c in self.sorted_cuts),
                    tuple(p.search(value) is not None for p in (
                        self.patterns.get(key, []) + self.patterns.get(None, []))))
        if isinstance(value, list):
            return ("l", frozenset(self._value(key, v) for v in value))
        if isinstance(value, dict):
            return ("d", id(value))  # never the same: objects are validated every time
        return (type(value).__name__, value if key in self.literal else None)

    def shape(self, row: Any) -> Any:
        if not self.usable or not isinstance(row, dict):
            return None
        return frozenset((k, self._value(k, v)) for k, v in row.items())


@cache
def _shapes() -> _Shapes:
    return _Shapes(schema())


def _schema_findings(row: Any) -> list[str]:
    shapes = _shapes()
    shape = shapes.shape(row)
    if shape is not None and shape in shapes.accepted:
        return []
    problems = [_message(e) for e in sorted(_validator().iter_errors(row), key=str)]
    if not problems and shape is not None:
        shapes.accepted.add(shape)
    return problems


def _message(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        return error.message.replace(" is a required property", " is missing")
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field")
    if error.validator == "enum":
        return f"{where} must be one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "pattern" and where == "created":
        return "created must be an ISO 8601 time with its offset, e.g. 2026-03-02T10:00:00+01:00"
    if error.validator == "type":
        return f"{where or 'row'} must be {' or '.join(_types(error.validator_value))}"
    return f"{where + ': ' if where else ''}{error.message}"


def _types(value: Any) -> list[str]:
    names = {"string": "a string", "boolean": "true or false", "array": "a list", "object": "an object"}
    return [names.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value])]


def _csv_rows(source: ExportSource, member: str) -> Iterator[tuple[int, Any, list[str]]]:
    header: list[str] | None = None
    for line, cells in iter_lines(source, member):
        if header is None:
            header = [h.strip() for h in cells]
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield line, None, [f"has {len(cells)} cells, the header {len(header)}"]
            continue
        row: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=True):
            if name in _LIST_FIELDS:
                row[name] = [p.strip() for p in cell.split(";") if p.strip()]
            elif name in _BOOL_FIELDS:
                value = {"true": True, "false": False, "": None}.get(cell.strip().lower(), cell)
                if value is None and name == "deleted":
                    continue
                row[name] = value
            else:
                row[name] = cell if cell != "" or name == "text" else None
        yield line, row, []


MAX_LINE = 16 << 20
"""An items line longer than this is refused unread: json.loads would take ~7 times it in memory."""


def _jsonl_rows(source: ExportSource, member: str) -> Iterator[tuple[int, Any, list[str]]]:
    with io.BufferedReader(source.open_member(member)) as fh:  # type: ignore[type-var]
        for line, raw in enumerate(iter(lambda: fh.readline(MAX_LINE + 1), b""), start=1):
            if len(raw) > MAX_LINE:
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line unread
                    raw = fh.readline(1 << 20)
                yield line, None, [f"is longer than {MAX_LINE >> 20} MiB; no item is that long"]
                continue
            try:
                text = raw.decode("utf-8-sig" if line == 1 else "utf-8")
            except UnicodeDecodeError:
                yield line, None, ["is not UTF-8"]
                continue
            if not text.strip():
                continue
            try:
                yield line, json.loads(text), []
            except (ValueError, RecursionError) as exc:
                yield line, None, [f"is not JSON ({str(exc).split(':')[0]})"]


def _json_rows(source: ExportSource, member: str) -> Iterator[tuple[int, Any, list[str]]]:
    for index, entry in enumerate(iter_items(source, member)):
        yield index + 1, entry, []


def _check(source: ExportSource, member: str, row: Any) -> tuple[list[str], dt.datetime | None,
                                                                 list[MediaRef]]:
    problems = _schema_findings(row)
    created: dt.datetime | None = None
    refs: list[MediaRef] = []
    if problems or not isinstance(row, dict):
        return problems, created, refs
    try:
        created = dt.datetime.fromisoformat(row["created"].replace("Z", "+00:00"))
    except ValueError as exc:
        problems.append(f"created {row['created']!r} is not a real time ({exc})")
    folder = str(PurePosixPath(member).parent)
    for path in row.get("media", []):
        ref = f.local_media(source, "" if folder == "." else folder, path)
        if isinstance(ref, MediaRef):
            refs.append(ref)
        else:
            problems.append(f"{ref}: {path}")
    return problems, created, refs


def read(source: ExportSource, found: list[Found]) -> Iterator[ImportedItem | Skipped]:
    """Every row of every items file, or one error listing all rows that do not fit."""
    findings: list[str] = []
    count = 0
    for file in sorted((x for x in found if x.role == RECORDS), key=lambda x: x.member):
        reader = {"csv": _csv_rows, "jsonl": _jsonl_rows}.get(file.kind, _json_rows)
        for line, row, early in reader(source, file.member):
            problems, created, refs = (early, None, []) if early else _check(
                source, file.member, row)
            if problems:
                count += 1
                findings.append(f"line {line}: {', '.join(problems)}")
                continue
            if findings or created is None:
                continue  # the import fails anyway; only findings are still collected
            yield _item(row, created, refs)
        if findings:
            shown = "; ".join(findings[:_LISTED])
            more = f"; and {len(findings) - _LISTED} more" if len(findings) > _LISTED else ""
            raise BadInputError(
                f"{source.label(file.member)}: {count} row{'s' if count != 1 else ''} do not "
                f"fit the items format ({shown}{more}); fix them (schema: "
                "schemas/items.schema.json) and import again")


def _item(row: dict[str, Any], created: dt.datetime, refs: list[MediaRef]) -> ImportedItem:
    def opt(name: str) -> str | None:
        value = row.get(name)
        return clean_text(value) if isinstance(value, str) and value != "" else None

    return ImportedItem(
        platform_id=row["id"],
        kind=row["kind"],
        parent_id=opt("parent_id"),
        author_handle=opt("author_handle"),
        author_name=opt("author_name"),
        is_own=row.get("own"),
        created=created.astimezone(dt.UTC) if created.tzinfo else None,
        edited=None,
        text=clean_text(row["text"]),
        url=opt("url"),
        media=tuple(refs),
        deleted=bool(row.get("deleted", False)),
        thread_id=opt("thread_id"),
        recipients=tuple(clean_text(r) for r in row.get("recipients", [])),
    )
