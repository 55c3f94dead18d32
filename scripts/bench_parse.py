"""Measure how fast a 100,000-item Facebook export is generated and parsed.

Usage: python scripts/bench_parse.py [items]
Prints generation time, parse time, items/s and peak RSS (ru_maxrss) of the process.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

from archiver.items.imports import ImportedItem, detect_format, open_export, read_export
from fixtures.exports.generate import generate_facebook_export


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fb.zip"
        t0 = time.perf_counter()
        # Generate in a child process so the peak RSS below is the parser's alone.
        ctx = multiprocessing.get_context("spawn")
        child = ctx.Process(target=generate_facebook_export, args=(path,),
                            kwargs={"items": items})
        child.start()
        child.join()
        t1 = time.perf_counter()
        size = path.stat().st_size
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        count = skipped = 0
        with open_export(path) as source:
            for record in read_export(source, detect_format(source)):
                if isinstance(record, ImportedItem):
                    count += 1
                else:
                    skipped += 1
        t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"generated {items:,} entries in {t1 - t0:.2f} s ({size:,} bytes zipped)")
    print(f"parsed {count:,} items, {skipped:,} skipped in {t2 - t1:.2f} s "
          f"= {count / (t2 - t1):,.0f} items/s")
    print(f"peak RSS of the parsing process {peak / 1024:.0f} MiB "
          f"(before parsing {rss_before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
