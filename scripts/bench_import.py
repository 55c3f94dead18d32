"""Benchmark: importing a generated 100,000-item Facebook export, end to end, and the same
number of items in the neutral items format (JSON Lines, every row schema-validated).

Prints JSON: items, seconds for each import (parse + catalogue + screen, one
transaction), items/s, a re-import of the same export, and the peak RSS of the
importing process. The export is generated in a child process so that its peak
memory is not the importer's. Every 50th comment carries personal data, so the
sensitive-data screen flags a realistic share. Goal: <= 15 s wall on an idle
machine; CPU seconds and the load average are printed so a busy machine's figure can be read.
Run: .venv/bin/python scripts/bench_import.py [--items N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from archiver.accounts import register
from archiver.home.archive import init_archive
from archiver.home.config import Home
from archiver.items.importer import import_export

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        export = Path(tmp) / "fb.zip"
        subprocess.run([sys.executable, "-c",
                        "import sys; from pathlib import Path; "
                        "from fixtures.exports.generate import generate_facebook_export; "
                        "generate_facebook_export(Path(sys.argv[1]), items=int(sys.argv[2]), "
                        "sensitive_every=50)", str(export), str(args.items)],
                       check=True, cwd=Path(__file__).resolve().parent.parent)
        items_file = Path(tmp) / "items.jsonl"
        subprocess.run([sys.executable, "-c",
                        "import sys; from pathlib import Path; "
                        "from fixtures.exports.layouts import generate_items_file; "
                        "generate_items_file(Path(sys.argv[1]), items=int(sys.argv[2]))",
                        str(items_file), str(args.items)],
                       check=True, cwd=Path(__file__).resolve().parent.parent)
        gen_s = time.perf_counter() - t0
        archive = init_archive(Home(Path(tmp) / "home"), org_name="Bench kommun", org_id="212000-1769",
                               timezone="Europe/Stockholm", now=NOW, actor="bench",
                               simulated_clock=True)
        with archive.transaction() as s:
            account = register.add_account(archive, s, register.AccountFields(
                name="Bench", platform="facebook", url="https://www.facebook.com/bench", unit="U",
                purpose="P")).account.id
            neutral_account = register.add_account(archive, s, register.AccountFields(
                name="Bench arkiv", platform="web", url="https://example.se/arkiv", unit="U",
                purpose="P")).account.id
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0, c0 = time.perf_counter(), time.process_time()
        report = import_export(archive, account, export, "facebook")
        import_s, import_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        again = import_export(archive, account, export, "facebook")
        reimport_s = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        neutral = import_export(archive, neutral_account, items_file, "items")
        neutral_s, neutral_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        archive.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "benchmark": "import facebook export",
        "items": args.items,
        "generate_export_s": round(gen_s, 2),
        "import_s": round(import_s, 2),
        "import_cpu_s": round(import_cpu_s, 2),
        "items_per_s": round(args.items / import_s),
        "goal_s": 15,
        "meets_goal": import_s <= 15,
        "reimport_unchanged_s": round(reimport_s, 2),
        "new": report.counts.new, "flagged": report.counts.flagged,
        "reimport_new": again.counts.new,
        "items_format_import_s": round(neutral_s, 2),
        "items_format_import_cpu_s": round(neutral_cpu_s, 2),
        "items_format_items_per_s": round(args.items / neutral_s),
        "items_format_meets_goal": neutral_s <= 15,
        "items_format_new": neutral.counts.new, "items_format_flagged": neutral.counts.flagged,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "rss_before_import_mib": round(rss_before / 1024, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
