"""Packaging and validation throughput against sha256sum + tar on the same files, in one run.

Builds a throwaway archive home with ~2 GB of snapshot-like files (random bytes, so nothing
compresses), then times, on the same stored files with a warm page cache for both:

* ``archive package --period … -o OUT.tar`` (library call) vs ``sha256sum FILES`` + ``tar cf``;
* ``archive package validate OUT.tar`` vs ``sha256sum -c``.

Goal: packaging at >= 0.8x the throughput of sha256sum + tar. Prints JSON; everything is
deleted afterwards. Usage: scripts/bench_package.py [--gb 2] [--dir /tmp] [--schemas DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from archiver.accounts import register
from archiver.catalogue.models import Snapshot, SnapshotFile
from archiver.home.archive import init_archive
from archiver.home.config import Home
from archiver.home.store import record
from archiver.packages.content import parse_period
from archiver.packages.delivery import build_delivery
from archiver.packages.disposal import NoRetention
from archiver.packages.schemaset import SchemaSet
from archiver.packages.validator import validate_package

NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
FILES = (("visual-pdf", "snapshot-visual.pdf", 0.55), ("print-pdf", "snapshot-print.pdf", 0.3),
         ("html", "page.html", 0.1), ("mhtml", "page.mhtml", 0.05))


def no_render(html: str, out: Path, meta: object) -> None:
    raise AssertionError("the bench packages snapshots only; nothing is rendered")


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=2.0)
    ap.add_argument("--dir", default=tempfile.gettempdir())
    here = Path(__file__).resolve().parents
    default_schemas = next((p / "shared/reference/schemas" for p in here[1:4] if (p / "shared").is_dir()), "")
    ap.add_argument("--schemas", default=os.environ.get("ARCHIVE_SCHEMA_DIR", str(default_schemas)))
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-package-", dir=args.dir))
    try:
        print(json.dumps(run(root, args.gb, Path(args.schemas)), indent=2))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(root: Path, gb: float, schema_dir: Path) -> dict[str, object]:
    archive = init_archive(Home(root / "home"), org_name="Bench kommun", org_id="212000-1769",
                           timezone="Europe/Stockholm", now=NOW, actor="bench", simulated_clock=True)
    snapshots = max(1, round(gb * 10))
    per_snapshot = int(gb * (1 << 30) / snapshots)
    paths: list[Path] = []
    with archive.transaction() as session:
        acc = register.add_account(archive, session, register.AccountFields(
            name="Bench", platform="facebook", url="https://www.facebook.com/bench", unit="IT", purpose="bench",
            admins=("A <a@x.se>", "B <b@x.se>"), opened=dt.date(2020, 1, 1))).account
        for n in range(snapshots):
            files = []
            for role, name, share in FILES:
                src = root / "incoming.bin"
                with src.open("wb") as fh:
                    left = int(per_snapshot * share)
                    while left > 0:
                        chunk = os.urandom(min(left, 1 << 24))
                        fh.write(chunk)
                        left -= len(chunk)
                ref = archive.store.put_file(src)
                src.unlink()
                record(session, ref, NOW)
                files.append(SnapshotFile(role=role, name=name, sha256=ref.sha256))
                paths.append(archive.store.path_for(ref.sha256))
            session.add(Snapshot(account_id=acc.id, trigger="adhoc", boundary=None, period_start=None, period_end=None,
                                 reason="bench", url=acc.url, captured_at=NOW - dt.timedelta(days=n + 1),
                                 late_seconds=None, engine_version="bevara/bench", items_seen=0, followers=None,
                                 complete=True, captured_by="bench", files=files))
    total = sum(p.stat().st_size for p in paths)
    names = [str(p) for p in paths]
    subprocess.run(["cat", *names], stdout=subprocess.DEVNULL, check=True)  # warm the page cache for both sides
    schemas = SchemaSet.from_settings(schema_dir)
    out = root / "package.tar"
    ours = timed(lambda: build_delivery(archive, parse_period("2026H1"), out, account_id=None, profile="fgs2",
                                        schemas=schemas, disposal=NoRetention(), render=no_render))
    package_bytes = out.stat().st_size
    report = None

    def validate() -> None:
        nonlocal report
        report = validate_package(out, schemas)

    ours_validate = timed(validate)
    assert report is not None and report.ok, report.as_dict() if report else None
    out.unlink()
    sums = root / "SHA256SUMS"
    base_sum = timed(lambda: sums.write_bytes(subprocess.run(["sha256sum", *names], capture_output=True,
                                                             check=True).stdout))
    base_tar = timed(lambda: subprocess.run(["tar", "cf", str(root / "baseline.tar"), *names], check=True,
                                            stderr=subprocess.DEVNULL))
    (root / "baseline.tar").unlink()
    base_check = timed(lambda: subprocess.run(["sha256sum", "-c", "--quiet", str(sums)], check=True))
    archive.close()
    mb = total / 1e6
    return {
        "bytes": total, "files": len(paths), "package_bytes": package_bytes, "python": sys.version.split()[0],
        "package": {"seconds": round(ours, 2), "MB_per_s": round(mb / ours, 1)},
        "sha256sum_plus_tar": {"seconds": round(base_sum + base_tar, 2), "sha256sum_s": round(base_sum, 2),
                               "tar_s": round(base_tar, 2), "MB_per_s": round(mb / (base_sum + base_tar), 1)},
        "package_vs_baseline": round((base_sum + base_tar) / ours, 2),
        "goal": ">= 0.8",
        "validate": {"seconds": round(ours_validate, 2), "MB_per_s": round(mb / ours_validate, 1),
                     "files_checked": report.files_checked},
        "sha256sum_check": {"seconds": round(base_check, 2), "MB_per_s": round(mb / base_check, 1)},
        "validate_vs_sha256sum_check": round(base_check / ours_validate, 2),
    }


if __name__ == "__main__":
    main()
