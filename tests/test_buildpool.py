"""The PDF/A build pool: a worker that dies fails only its own build."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.capture.buildpool import BuildPool
from archiver.errors import ArchiverError


def square_or_die(n: int, marker: str) -> int:
    """Kills its worker for n == 3; every other n is squared."""
    if n == 3:
        Path(marker).write_text("died")
        os._exit(1)
    return n * n


def refuse(n: int) -> int:
    raise ArchiverError(f"cannot build {n}")


def test_a_worker_that_dies_fails_only_its_own_build(tmp_path: Path) -> None:
    async def go() -> list[int | str]:
        async with BuildPool(2) as pool:

            async def one(n: int) -> int | str:
                try:
                    return await pool.run(square_or_die, n, str(tmp_path / "died"))
                except ArchiverError as e:
                    return str(e)

            return list(await asyncio.gather(*(one(n) for n in range(6))))

    results = asyncio.run(go())
    assert (tmp_path / "died").read_text() == "died"
    assert results == [0, 1, 4, "the PDF/A builder process died twice on this capture (out of memory?); "
                       "capture the account again, on its own", 16, 25]


def test_errors_raised_in_a_worker_come_back_as_they_are() -> None:
    async def go() -> None:
        async with BuildPool(1) as pool:
            await pool.run(refuse, 7)

    with pytest.raises(ArchiverError, match="^cannot build 7$"):
        asyncio.run(go())


def test_a_script_without_main_guard_is_told_what_to_do(tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text("import asyncio\nfrom archiver.capture.buildpool import BuildPool\n\n"
                      "async def main():\n    async with BuildPool(1) as pool:\n"
                      "        print(await pool.run(abs, -1))\n\nasyncio.run(main())\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 1 and done.stdout == ""
    assert ("archiver.errors.ArchiverError: the PDF/A builder processes could not start; a script "
            "that calls archiver.capture.runs.run must guard its entry point with "
            'if __name__ == "__main__":') in done.stderr.splitlines()


def test_the_workers_load_the_pdf_stage_and_not_the_catalogue_or_the_browser(tmp_path: Path) -> None:
    """The fork server imports the calling script and the build's modules for every worker;
    run as the ``archive`` script runs, it must not pull in SQLAlchemy, Alembic or Playwright
    (1 CPU-s a run that no build uses)."""
    script = tmp_path / "like_archive.py"
    script.write_text(
        "import asyncio, sys\n"
        "from archiver.__main__ import main  # what the archive script imports\n"
        "from archiver.capture.buildpool import BuildPool\n\n"
        "def loaded():\n"
        "    names = {m.split('.')[0] for m in sys.modules}\n"
        "    return sorted(names & {'sqlalchemy', 'alembic', 'playwright', 'pikepdf', 'fpdf'})\n\n"
        "async def go():\n    async with BuildPool(1) as pool:\n        print(await pool.run(loaded))\n\n"
        "if __name__ == '__main__':\n    asyncio.run(go())\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert (done.returncode, done.stdout, done.stderr) == (0, "['fpdf', 'pikepdf']\n", "")
