"""Benchmark: every hostile input ends quickly, in bounded memory, with its exit code.

Writes the corpus of fixtures/hostile (with the large cases unless --small), then runs
each case's command as its own process (`archive import`, `archive import --format
items`, `archive retention policy check --policy`, `archive package validate`) against a
fresh home and measures wall time and peak RSS from the child's rusage (os.wait4). Prints
JSON: every case with exit code, seconds, peak MiB and the first stderr line, and the
slowest case and the largest peak. A case passes if it exits 65 without a traceback.
With --pages it also captures every hostile page (fixtures/hostile/pages.py) as the tests
do (4 s step limit, 30 s in all) and reports each outcome, its time and the peak memory
(PSS) of the capturing process tree, Chromium's processes included.
Run: .venv/bin/python scripts/bench_hostile.py [--small] [--huge] [--pages] [--schema-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_capture import peak_memory

from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.site import load_profile
from archiver.chromium import launch_browser
from fixtures.hostile import pages as hostile_pages
from fixtures.hostile.generate import write_corpus

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-07-01T08:00:00+00:00"


def command(kind: str, path: Path, schema_dir: str | None) -> list[str]:
    return {"import": ["import", "1", str(path)],
            "items": ["import", "1", str(path), "--format", "items"],
            "policy": ["retention", "policy", "check", "--policy", str(path)],
            "validate": ["package", "validate", str(path), *(["--schema-dir", schema_dir] if schema_dir else [])],
            }[kind]


def run(home: Path, args: list[str]) -> dict[str, object]:
    env = {**os.environ, "ARCHIVE_NOW": NOW, "ARCHIVE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "archiver", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"exit": proc.returncode, "seconds": round(time.perf_counter() - t0, 3),
            "peak_mib": round(usage.ru_maxrss / 1024, 1), "traceback": "Traceback" in err,
            "stderr_lines": len(err.splitlines()), "stderr": err.strip().splitlines()[0][:200] if err.strip() else ""}


def capture_pages() -> dict[str, dict[str, object]]:
    async def one(url: str, workdir: Path) -> tuple[bool, str | None]:
        async with launch_browser() as browser:
            result = await capture(browser, CaptureRequest(url=url, profile=load_profile("generic"),
                                                           workdir=workdir, step_timeout=4, total_timeout=30))
        return result.ok, result.reason

    out: dict[str, dict[str, object]] = {}
    names = [*hostile_pages.PAGES, *hostile_pages.REDIRECTS]
    with hostile_pages.serve() as base, tempfile.TemporaryDirectory() as tmp:
        for name in names:
            t0 = time.perf_counter()
            with peak_memory(exclude=-1) as peak:
                ok, reason = asyncio.run(one(f"{base}/{name}", Path(tmp) / name))
            out[name] = {"ok": ok, "reason": reason, "seconds": round(time.perf_counter() - t0, 1),
                         "peak_pss_mib": round(peak[0] / 1024)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="only the small cases (no 256 MiB lines)")
    ap.add_argument("--huge", action="store_true", help="also the 2 GiB single lines (6 GiB of disk)")
    ap.add_argument("--pages", action="store_true", help="also capture the hostile pages (needs Chromium)")
    ap.add_argument("--schema-dir", default=next((str(p / "shared/reference/schemas") for p in ROOT.parents
                                                  if (p / "shared/reference/schemas").is_dir()), ""))
    args = ap.parse_args()
    schema_dir = args.schema_dir if args.schema_dir and Path(args.schema_dir).is_dir() else None
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp) / "corpus", large=not args.small, huge=args.huge)
        home = Path(tmp) / "home"
        base = {**os.environ, "ARCHIVE_NOW": NOW, "ARCHIVE_HOME": str(home), "PYTHONPATH": str(ROOT)}
        for setup in (["init", "--org", "Bench kommun", "--org-id", "212000-1769", "--simulated-clock"],
                      ["accounts", "add", "--name", "Bench", "--platform", "facebook", "--url",
                       "https://www.facebook.com/bench", "--unit", "K", "--purpose", "I",
                       "--admin", "A <a@bench.se>", "--admin", "B <b@bench.se>"]):
            subprocess.run([sys.executable, "-m", "archiver", *setup], env=base, check=True, capture_output=True)
        results = {}
        for name, case in corpus.items():
            results[name] = {"command": case.command, "attack": case.attack,
                             **run(home, command(case.command, Path(tmp) / "corpus" / name, schema_dir))}
    slowest = max(results, key=lambda n: results[n]["seconds"])  # type: ignore[arg-type,return-value]
    largest = max(results, key=lambda n: results[n]["peak_mib"])  # type: ignore[arg-type,return-value]
    ok = all(r["exit"] == 65 and not r["traceback"] for r in results.values())
    print(json.dumps({"cases": len(results), "all_exit_65_no_traceback": ok,
                      "slowest": {"case": slowest, "seconds": results[slowest]["seconds"],
                                  "peak_mib": results[slowest]["peak_mib"]},
                      "largest_peak": {"case": largest, "peak_mib": results[largest]["peak_mib"],
                                       "seconds": results[largest]["seconds"]},
                      "results": results, **_pages(args.pages)}, indent=2, ensure_ascii=False))


def _pages(wanted: bool) -> dict[str, object]:
    if not wanted:
        return {}
    pages = capture_pages()
    largest = max(pages, key=lambda n: pages[n]["peak_pss_mib"])  # type: ignore[arg-type,return-value]
    slowest = max(pages, key=lambda n: pages[n]["seconds"])  # type: ignore[arg-type,return-value]
    return {"pages": pages, "pages_largest_peak": {"page": largest, **pages[largest]},
            "pages_slowest": {"page": slowest, **pages[slowest]}}


if __name__ == "__main__":
    main()
