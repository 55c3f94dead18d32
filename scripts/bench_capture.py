"""Benchmark: capture speed against bare Chromium, and parallel vs sequential --due.

Prints JSON with, in one run:
- ``single``: our capture of a 200-post fixture account (engine only: load, consent,
  scroll, expand, segments, print) vs bare Playwright doing the same navigation,
  scrolling, one full-page screenshot and page.pdf. Goal: ratio <= 1.3.
- ``due``: `capture --due` over N fixture accounts (default 50) with
  capture.parallel = 3 vs 1, whole pipeline incl. PDF/A and catalogue. Goal: <= 0.6.
- peak RSS of this process and of its children (Chromium).
Run: .venv/bin/python scripts/bench_capture.py [--accounts 50] [--posts 200]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import resource
import tempfile
import time
from pathlib import Path

from archiver import accounts, snapshots
from archiver.archive import init_archive
from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.profiles import profile_for
from archiver.chromium import find_chromium, launch_browser
from archiver.home import Home
from fixtures.platform import FixturePlatform

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)


async def bare(url: str, workdir: Path) -> float:
    from playwright.async_api import async_playwright

    t0 = time.perf_counter()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(find_chromium()), headless=True,
                                          args=["--disable-background-networking", "--no-first-run"])
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await page.goto(url)
        for button in await page.query_selector_all("[role=dialog] button"):
            await button.click()
            break
        last = 0
        while True:
            height = await page.evaluate("document.documentElement.scrollHeight")
            if height == last:
                break
            last = height
            await page.mouse.wheel(0, height)
            await page.wait_for_timeout(250)
        await page.screenshot(path=str(workdir / "bare.png"), full_page=True)
        await page.pdf(path=str(workdir / "bare.pdf"))
        await browser.close()
    return time.perf_counter() - t0


async def ours(url: str, workdir: Path) -> tuple[float, bool]:
    t0 = time.perf_counter()
    async with launch_browser() as browser:
        result = await capture(browser, CaptureRequest(url=url, profile=profile_for("facebook"),
                                                       workdir=workdir, period_start=None))
    return time.perf_counter() - t0, result.ok


def due_run(fp: FixturePlatform, n: int, posts: int, parallel: int, root: Path) -> float:
    archive = init_archive(Home(root), org_name="Bench", org_id="212000-1769",
                           timezone="Europe/Stockholm", now=NOW, actor="bench")
    archive.settings = dataclasses.replace(archive.settings, capture_parallel=parallel)
    with archive.transaction() as s:
        for i in range(n):
            accounts.add_account(archive, s, accounts.AccountFields(
                name=f"Konto {i}", platform="x", url=fp.account_url("x", f"konto{i}", posts=posts),
                unit="U", purpose="P", opened=dt.date(2020, 1, 1)))
    with archive.transaction() as s:
        jobs = snapshots.due_jobs(s, archive.now, archive.settings.tz)
    t0 = time.perf_counter()
    outcomes = snapshots.run(archive, jobs)
    took = time.perf_counter() - t0
    failed = [o.reason for o in outcomes if o.status != "ok"]
    if failed:
        raise SystemExit(f"captures failed: {failed[:3]}")
    archive.close()
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=50)
    ap.add_argument("--posts", type=int, default=200)
    ap.add_argument("--due-posts", type=int, default=20)
    args = ap.parse_args()
    out: dict[str, object] = {"benchmark": "capture"}
    with FixturePlatform(seed=2026, now=NOW) as fp, tempfile.TemporaryDirectory() as tmp:
        url = fp.account_url("facebook", "bench", posts=args.posts)
        bare_s = asyncio.run(bare(url, Path(tmp)))
        ours_s, ok = asyncio.run(ours(url, Path(tmp) / "ours"))
        out["single"] = {"posts": args.posts, "ours_s": round(ours_s, 2), "bare_s": round(bare_s, 2),
                         "ratio": round(ours_s / bare_s, 2), "goal": 1.3, "ok": ok}
        par = due_run(fp, args.accounts, args.due_posts, 3, Path(tmp) / "par")
        seq = due_run(fp, args.accounts, args.due_posts, 1, Path(tmp) / "seq")
        out["due"] = {"accounts": args.accounts, "posts_each": args.due_posts,
                      "parallel3_s": round(par, 1), "sequential_s": round(seq, 1),
                      "ratio": round(par / seq, 2), "goal": 0.6}
    out["peak_rss_mib_self"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["peak_rss_mib_children"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
