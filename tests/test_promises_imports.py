"""Imports through the CLI: every hostile or broken export ends in its exact one-line message
and exit 65 with nothing written, and a zip bomb that is otherwise a valid export is refused
for being a bomb (so removing the ratio check cannot pass unnoticed)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Cli, add_account
from test_imports_safety import BROKEN, EXPECTED

from archiver.errors import ExitCode
from fixtures.exports.generate import generate_facebook_export

OWN_PLATFORM = {"latin1-linkedin.zip": "linkedin", "utf16-linkedin.zip": "linkedin",
                "truncated-csv.zip": "youtube", "x-bad-prefix.zip": "x"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_gives_the_exact_message_and_changes_nothing(arc: Cli, name: str,
                                                         tree: Callable[[Path], dict[str, bytes]]) -> None:
    # Each broken export goes to an account of its own platform, so that what is refused is
    # the export's damage, not the platform mismatch.
    platform = OWN_PLATFORM.get(name, "facebook")
    account = add_account(arc, "Torsby kommun", platform, f"https://www.{platform}.com/torsbykommun")
    before = tree(arc.home)
    result = arc("import", str(account), str(BROKEN / name))
    assert (result.exit_code, result.stderr) == (ExitCode.bad_input, f"Error: {EXPECTED[name]}\n")
    assert result.stdout == ""
    assert tree(arc.home) == before


def test_a_valid_export_with_a_bomb_member_is_refused_as_a_bomb(arc: Cli, tmp_path: Path,
                                                                 tree: Callable[[Path], dict[str, bytes]]) -> None:
    account = add_account(arc)
    path = generate_facebook_export(tmp_path / "fb.zip", items=5)
    assert arc.json("import", str(account), str(path), "--format", "facebook")["new"] > 0  # valid as it is
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("your_facebook_activity/other/padding.json", b" " * (8 << 20) + b"{}")
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("your_facebook_activity/other/padding.json")
        ratio = info.file_size / info.compress_size
    assert ratio > 1000  # by hand: 8 MiB of spaces deflate to a few kB
    before = tree(arc.home)
    result = arc("import", str(account), str(path))
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == (f"Error: fb.zip: member 'your_facebook_activity/other/padding.json' expands "
                             f"{round(ratio):,}:1 (limit 200:1), a zip bomb; refusing to import it "
                             "(re-download the export)\n")
    assert tree(arc.home) == before


def test_missing_export_is_not_found(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    result = arc("import", str(account), str(tmp_path / "saknas.zip"))
    assert (result.exit_code, result.stderr) == (
        ExitCode.not_found,
        f"Error: {tmp_path / 'saknas.zip'} does not exist; give the export's zip file, folder or file\n")
    nobody = arc("import", "9", str(generate_facebook_export(tmp_path / "fb.zip", items=3)))
    assert (nobody.exit_code, nobody.stderr) == (ExitCode.not_found, "Error: account 9 does not exist; "
                                                 "list accounts with: archive accounts list --all\n")
