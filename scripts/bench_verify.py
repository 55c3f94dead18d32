"""Benchmark: `archive verify --full` against sha256sum over the same stored files.

Fills a fresh home's store with --files files of --mib MiB each (random bytes, rows in
the catalogue), reads them once so both runs start from a warm page cache, then times
sha256sum over the files and fixity.check(full=True) over the home, twice each,
alternating. Prints JSON with both medians, the ratio (goal: verify <= 1.2x sha256sum)
and the peak RSS of this process. Run: .venv/bin/python scripts/bench_verify.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from archiver.home import fixity
from archiver.home.archive import init_archive
from archiver.home.config import Home
from archiver.home.store import record

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
GOAL = 1.2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=256)
    ap.add_argument("--mib", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent.parent) as tmp:
        archive = init_archive(Home(Path(tmp) / "home"), org_name="Bench kommun", org_id="212000-1769",
                               timezone="Europe/Stockholm", now=NOW, actor="bench", simulated_clock=True)
        block = bytearray(os.urandom(args.mib << 20))
        paths = []
        with archive.transaction() as s:
            for i in range(args.files):
                block[:8] = i.to_bytes(8, "big")
                ref = archive.store.put_bytes(bytes(block), "application/pdf")
                record(s, ref, NOW)
                paths.append(str(archive.store.path_for(ref.sha256)))
        subprocess.run(["cat", *paths], stdout=subprocess.DEVNULL, check=True)  # warm the cache
        ours, theirs = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            subprocess.run(["sha256sum", *paths], stdout=subprocess.DEVNULL, check=True)
            theirs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            report = fixity.check(archive, full=True)
            ours.append(time.perf_counter() - t0)
            assert report.ok and report.bytes_hashed == args.files * (args.mib << 20), report.as_dict()
        archive.close()
    total = args.files * args.mib
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(json.dumps({
        "files": args.files, "mib": total,
        "sha256sum_s": round(statistics.median(theirs), 2), "verify_full_s": round(statistics.median(ours), 2),
        "verify_mib_per_s": round(total / statistics.median(ours), 1),
        "ratio": round(ratio, 3), "goal": GOAL, "ok": ratio <= GOAL,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs": {"sha256sum": [round(x, 2) for x in theirs], "verify": [round(x, 2) for x in ours]},
    }, indent=2))


if __name__ == "__main__":
    main()
