"""Benchmark: a retention review over 1,000,000 items and a culling of 100,000 approved ones.

Prints JSON: seconds for the review (classification plus storing candidates and
exclusions), for `apply --execute` on 100,000 approved items including the protocol
(PDF/A, CSV, XML) with the process's CPU seconds beside the wall-clock ones (the machine
is shared, so the load average is printed too), and the peak RSS of the measuring process (the data are generated
in a child process with bulk Core inserts so their memory is not counted; Chromium's
print is a child too and reported apart). Goals: review <= 15 s, apply <= 20 s, RSS <= 512 MiB.
With BEVARA_TEST_POSTGRES_URL set the same runs against PostgreSQL beside SQLite.
Run: .venv/bin/python scripts/bench_retention.py [--items N] [--apply N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

from archiver.catalogue.models import Account, Item, ItemMark, ItemMedia, ItemVersion, StoredFile
from archiver.home.archive import init_archive, open_archive
from archiver.home.config import Home
from retention import culling, review
from retention.policy import Mandate, default_policy_text, load_policy, policy_path, write_mandate

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
CHUNK = 50_000
TEXTS = ("Tack för informationen!", "När öppnar badet?", "Bra jobbat", "Köp nu, rabattkod 50%",
         "Hej! Var hittar jag blanketten?", "Fint väder idag", "Gilla och dela")


def generate(root: Path, items: int, apply_n: int, db_url: str | None) -> None:
    """Fill a home: four accounts share `items - apply_n` items of every kind; the fifth
    holds `apply_n` old visitor comments, each with a version and every tenth with media."""
    archive = init_archive(Home(root), org_name="Bench kommun", org_id="212000-1769",
                           timezone="Europe/Stockholm", now=NOW, actor="bench", db_url=db_url,
                           policy_text=default_policy_text())
    write_mandate(policy_path(archive.home), None, Mandate("Kommunstyrelsen", dt.date(2024, 3, 12), "§ 45",
                                                           "KS 2024/123"))
    rnd = random.Random(2026)
    with archive.transaction() as s:
        for n in range(5):
            s.add(Account(name=f"Konto {n}", platform=("facebook", "instagram", "x")[n % 3],
                          url=f"https://example.org/{n}", unit="U", purpose="P", opened=dt.date(2019, 1, 1),
                          created_at=NOW, updated_at=NOW))
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC).timestamp()
    span = NOW.timestamp() - start
    base = {"thread_id": None, "edited_at": None, "url": None, "deleted_on_platform": False,
            "removed_from_platform": False, "removed_detected_at": None, "content_purged": False,
            "first_seen_at": NOW, "last_seen_at": NOW}
    with archive.engine.begin() as conn:
        n = 0
        while n < items - apply_n:
            rows = []
            for i in range(n, min(n + CHUNK, items - apply_n)):
                acc = 1 + i % 4
                kind = ("post", "comment", "comment", "reply", "message")[i % 5]
                parent = None if kind in ("post", "message") else f"a{acc}-{i - i % 5}"
                rows.append({**base, "account_id": acc, "platform_id": f"a{acc}-{i}", "kind": kind,
                             "parent_platform_id": parent, "author_handle": f"u{i % 997}",
                             "author_name": f"Besökare {i % 997}", "is_own": kind == "post",
                             "created_at": dt.datetime.fromtimestamp(start + rnd.random() * span, dt.UTC),
                             "text": TEXTS[i % len(TEXTS)]})
            conn.execute(insert(Item), rows)
            n += len(rows)
        ids = list(conn.scalars(select(Item.id).where(Item.id % 50 == 0)))
        conn.execute(insert(ItemMark), [{"item_id": i, "kind": "led-to-case", "case_ref": "KS 2026/1",
                                         "marked_by": "bench", "marked_at": NOW} for i in ids[::2]])
        old = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)
        first = (conn.scalar(select(Item.id).order_by(Item.id.desc()).limit(1)) or 0) + 1
        for c in range(0, apply_n, CHUNK):
            rows = [{**base, "account_id": 5, "platform_id": f"a5-{i}", "kind": "comment",
                     "parent_platform_id": None, "author_handle": "u", "author_name": "Besökare",
                     "is_own": False, "created_at": old, "text": f"Tack! {i}"}
                    for i in range(c, min(c + CHUNK, apply_n))]
            conn.execute(insert(Item), rows)
            conn.execute(insert(ItemVersion), [
                {"item_id": first + i, "seq": 1, "text": f"Tack! {i}",
                 "text_sha256": hashlib.sha256(f"Tack! {i}".encode()).hexdigest(), "edited_at": None,
                 "seen_at": NOW, "source": "bench"} for i in range(c, min(c + CHUNK, apply_n))])
        media = []
        for i in range(0, apply_n, 10):
            ref = archive.store.put_bytes(f"bild {i}".encode(), "image/jpeg")
            media.append((first + i, ref))
        conn.execute(insert(StoredFile), [{"sha256": r.sha256, "size": r.size, "media_type": r.media_type,
                                           "stored_at": NOW} for _, r in media])
        conn.execute(insert(ItemMedia), [{"item_id": iid, "sha256": r.sha256, "name": "b.jpg",
                                          "media_type": "image/jpeg", "purged": False} for iid, r in media])
    with archive.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    archive.close()


def measure(root: Path, db_url: str | None, apply_n: int) -> dict[str, float | int]:
    archive = open_archive(Home(root), now=NOW, actor="bench", db_url=db_url)
    policy = load_policy(policy_path(archive.home))
    t0, c0 = time.perf_counter(), time.process_time()
    with archive.transaction() as s:
        rid = review.run_review(archive, s, policy, as_of=NOW)
    review_s, review_cpu = time.perf_counter() - t0, time.process_time() - c0
    with archive.transaction() as s:
        summary = json.loads(s.get(review.RetentionReview, rid).summary)  # type: ignore[union-attr]
        rid5 = review.run_review(archive, s, policy, as_of=NOW, account_id=5)
    archive.actor = "registrator"
    with archive.transaction() as s:
        approved = review.decide(archive, s, policy, rid5, review.Decision("approve", "bench", everything=True))
    archive.actor = "bench"
    t1, c1 = time.perf_counter(), time.process_time()
    result = culling.apply_review(archive, rid5, execute=True)
    apply_s, apply_cpu = time.perf_counter() - t1, time.process_time() - c1
    archive.close()
    return {"review_s": round(review_s, 2), "review_cpu_s": round(review_cpu, 2),
            "review_candidates": summary["candidates"],
            "review_excluded": sum(summary["excluded"].values()), "approved": approved,
            "apply_execute_s": round(apply_s, 2), "apply_execute_cpu_s": round(apply_cpu, 2),
            "load_average": round(os.getloadavg()[0], 1), "culled": result.culled,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def run(items: int, apply_n: int, db_url: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "home"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", str(root), "--items", str(items),
                        "--apply", str(apply_n), *(["--db", db_url] if db_url else [])], check=True)
        gen_s = time.perf_counter() - t0
        out = subprocess.run([sys.executable, __file__, "--measure", str(root), "--apply", str(apply_n),
                              *(["--db", db_url] if db_url else [])], check=True, capture_output=True, text=True)
        return {"items": items, "generate_s": round(gen_s, 1), **json.loads(out.stdout)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--apply", type=int, default=100_000)
    ap.add_argument("--generate", type=Path)
    ap.add_argument("--measure", type=Path)
    ap.add_argument("--db")
    args = ap.parse_args()
    if args.generate:
        generate(args.generate, args.items, args.apply, args.db)
        return
    if args.measure:
        print(json.dumps(measure(args.measure, args.db, args.apply)))
        return
    report: dict[str, object] = {"goals": {"review_s": 15, "apply_execute_s": 20, "peak_rss_mib": 512},
                                 "sqlite": run(args.items, args.apply, None)}
    pg = os.environ.get("BEVARA_TEST_POSTGRES_URL")
    if pg:
        name = f"bevara_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            report["postgresql"] = run(args.items, args.apply, pg.rsplit("/", 1)[0] + f"/{name}")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
