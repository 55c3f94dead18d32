"""The hostile corpus (fixtures/hostile): every command fed a crafted file answers in one line.

Exports, items files and policy files end in one ``Error: …`` line and exit 65; packages
and METS files are reported by ``package validate`` with their findings and exit 65. No
traceback, and nothing in the home changes. The large cases (a 256 MiB line) are `slow`;
scripts/bench_hostile.py times every case and measures its peak memory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Cli
from test_packages import SCHEMAS

from archiver.errors import ExitCode
from fixtures.hostile.generate import LARGE, SMALL, write_corpus

KEPT = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "files"


def _args(command: str, path: Path) -> tuple[str, ...]:
    return {"import": ("import", "1", str(path)),
            "items": ("import", "1", str(path), "--format", "items"),
            "policy": ("retention", "policy", "check", "--policy", str(path)),
            "validate": ("package", "validate", str(path), "--schema-dir", str(SCHEMAS))}[command]


@pytest.fixture
def home(arc: Cli, add: Callable[..., int]) -> Cli:
    add(arc)
    return arc


def test_the_kept_files_are_what_the_generator_writes() -> None:
    assert sorted(p.name for p in KEPT.iterdir()) == sorted(SMALL)
    for name, (_, make) in SMALL.items():
        assert (KEPT / name).read_bytes() == make(), f"{name}: run python -m fixtures.hostile.generate"


def _check(home: Cli, command: str, path: Path, tree: Callable[[Path], dict[str, bytes]]) -> str:
    if command == "validate" and SCHEMAS is None:
        pytest.skip("../shared/reference/schemas not present")
    before = tree(home.home)
    result = home(*_args(command, path))
    assert result.exit_code == ExitCode.bad_input, (path.name, result.exit_code, result.output)
    assert "Traceback" not in result.output
    if command == "validate":
        assert result.stderr == ""
        assert result.stdout.splitlines()[-1].startswith(f"{path}: NOT valid"), result.stdout
    else:
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert tree(home.home) == before, f"{path.name} changed the home"
    return result.output


@pytest.mark.parametrize("name", sorted(SMALL))
def test_a_hostile_file_ends_in_one_line_and_changes_nothing(home: Cli, name: str,
                                                              tree: Callable[[Path], dict[str, bytes]]) -> None:
    case, _ = SMALL[name]
    output = _check(home, case.command, KEPT / name, tree)
    if name.startswith("mets-") or name == "package-hostile.tar":
        assert "BEVARA-SEC3" in output or "BEVARA-SEC1" in output, output  # entities, DTDs, traversal named


def test_the_messages_name_the_attack(home: Cli) -> None:
    expected = {
        "export-json-100000-deep.zip": "is nested more than 4096 levels deep, which no export is",
        "policy-deep-arrays.toml": "not valid TOML: nested too deep; a policy needs a few levels",
        "policy-huge-frist.toml": "is not a regular expression (the repetition number is too large)",
        "policy-rule-not-table.toml": "line 1: rule 1 must be a table: [[rule]] with keys under it",
    }
    for name, text in expected.items():
        result = home(*_args(SMALL[name][0].command, KEPT / name))
        assert text in result.stderr, (name, result.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LARGE))
def test_a_large_hostile_file_is_refused_too(home: Cli, name: str, tmp_path: Path,
                                             tree: Callable[[Path], dict[str, bytes]]) -> None:
    LARGE[name][1](tmp_path / name)
    output = _check(home, LARGE[name][0].command, tmp_path / name, tree)
    if name.endswith(".json"):  # read only as far as the first 4 MiB without a quote (a zip is a bomb first)
        assert "holds a single value longer than 4 MiB, which no export does; re-download the export" in output


def test_write_corpus_writes_every_small_case(tmp_path: Path) -> None:
    assert sorted(write_corpus(tmp_path)) == sorted(SMALL)
