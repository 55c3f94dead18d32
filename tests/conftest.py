"""Shared test fixtures: a CLI runner with a fixed clock, archive homes, markers.

Browser tests need Debian's Chromium; they are skipped with a reason when it is
missing, never silently passed. PostgreSQL tests run when
BEVARA_TEST_POSTGRES_URL names a server (scripts/test.sh starts one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from archiver.cli import cli

# Property tests: "ci" (the default) derives its examples from each test, so a run is
# repeatable and CI never goes red at random; "slow" searches wider and at random:
# HYPOTHESIS_PROFILE=slow .venv/bin/python -m pytest tests/test_imports_props.py
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("slow", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
# scripts/mutation.sh runs the tests under mutmut's trampolines, which are slower: no deadline
# there (a slow mutant is not a killed one), and fewer examples per mutant.
settings.register_profile("mutation", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FIXED_NOW = "2026-07-01T08:00:00+00:00"
ORG = ("--org", "Torsby kommun", "--org-id", "212000-1769")


def chromium_available() -> bool:
    return any(Path(p).exists() for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"))


@pytest.fixture
def pdf_text() -> Callable[[Path | str], str]:
    """Text of a PDF as poppler's pdftotext extracts it: what a reader's copy and paste gets."""

    def extract(path: Path | str) -> str:
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout

    return extract


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_browser = pytest.mark.skip(reason="Chromium not installed (apt-get install chromium)")
    skip_pg = pytest.mark.skip(reason="BEVARA_TEST_POSTGRES_URL not set")
    for item in items:
        if "browser" in item.keywords and not chromium_available():
            item.add_marker(skip_browser)
        if "postgres" in item.keywords and not os.environ.get("BEVARA_TEST_POSTGRES_URL"):
            item.add_marker(skip_pg)


@dataclass
class Cli:
    """Runs ``archive`` in-process against one archive home with a fixed clock."""

    home: Path
    env: dict[str, str]

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["--home", str(self.home), *args],
                             env={**self.env, **(env or {})}, input=input, catch_exceptions=False)

    def ok(self, *args: str, **kw: Any) -> Result:
        result = self(*args, **kw)
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, **kw: Any) -> Any:
        return json.loads(self.ok(*args, "--json", **kw).stdout)


@pytest.fixture
def cli_home(tmp_path: Path) -> Cli:
    """A CLI bound to a not-yet-initialised home."""
    return Cli(home=tmp_path / "home", env={"ARCHIVE_NOW": FIXED_NOW, "ARCHIVE_HOME": ""})


@pytest.fixture(scope="session")
def initialised_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `archive init --simulated-clock` per session: its home is the same bytes every time
    (fixed clock, no path inside), so copying it saves running the migrations for every test."""
    template = Cli(home=tmp_path_factory.mktemp("initialised") / "home",
                   env={"ARCHIVE_NOW": FIXED_NOW, "ARCHIVE_HOME": ""})
    template.ok("init", *ORG, "--simulated-clock")
    return template.home


@pytest.fixture
def arc(cli_home: Cli, initialised_home: Path) -> Cli:
    """A CLI bound to an initialised home with a simulated clock, so writes take FIXED_NOW."""
    shutil.copytree(initialised_home, cli_home.home, copy_function=shutil.copy)
    return cli_home


ADMINS = ("--admin", "Anna Berg <anna.berg@torsby.se>", "--admin", "Per Lind <per.lind@torsby.se>")


def add_account(arc: Cli, name: str = "Torsby kommun", platform: str = "facebook",
                url: str = "https://www.facebook.com/torsbykommun", *extra: str) -> int:
    data = arc.json("accounts", "add", "--name", name, "--platform", platform, "--url", url,
                    "--unit", "Kommunikationsenheten", "--purpose", "Information till invånare",
                    *ADMINS, *extra)
    return int(data["id"])


@pytest.fixture
def add() -> Callable[..., int]:
    return add_account


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, to prove a failed command changed nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and not p.name.endswith(("-wal", "-shm"))}


@pytest.fixture
def tree() -> Callable[[Path], dict[str, bytes]]:
    return snapshot_tree


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database on the server BEVARA_TEST_POSTGRES_URL names."""
    admin_url = os.environ["BEVARA_TEST_POSTGRES_URL"]
    name = f"bevara_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: Engine, name: str) -> None:
    """Drop a test database, waiting out a server process of another role still on it.

    ``WITH (FORCE)`` ends the test's own connections, but a test role may not end another
    role's (an autovacuum worker on the fresh database, CI saw once): that one goes by
    itself within moments, so retry for a few seconds before leaving the database behind.
    """
    for _ in range(40):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            time.sleep(0.25)
    warnings.warn(f"test database {name} could not be dropped; drop it by hand", stacklevel=1)
