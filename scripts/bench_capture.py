"""Benchmark: capture speed against bare Chromium, and parallel vs sequential --due.

Prints JSON with, in one run:
- ``single``: our capture of a 200-post fixture account (engine only: load, consent,
  scroll, expand, segments, print, media) vs bare Playwright doing the same navigation,
  scrolling, opening of the comments, one full-page screenshot and page.pdf. Goal: ratio <= 1.3.
- ``due``: `archive capture --due` over N fixture accounts (default 50) with
  capture.parallel = 3 (--parallel) vs 1, whole pipeline incl. PDF/A and catalogue: the
  installed command in a process of its own, its start and imports counted. Goal: <= 0.6.
  Beside it: the cores the sequential run kept busy (the ratio cannot go below that
  share of the machine) and bare Playwright doing the same accounts both ways.
- CPU: CPU-seconds per captured account for ours and for bare Chromium on the same
  accounts (goal: ours <= 1.5x bare), and the parallel due run's wall time against its
  CPU floor, the CPU it used spread over all cores (goal: wall <= 1.1x floor). CPU is
  this process plus every process below it, counted exactly from rusage and /proc
  before and after each run (see ``cpu()``), so Chromium, its renderers, the Playwright
  driver and the PDF/A workers count; the fixture platform runs in a process of its
  own and does not. Ours in parallel, bare Chromium one account at a time and bare
  Chromium in parallel are run in turn --due-repeat times (default 3) and their medians
  compared, so a change in the machine's load hits them alike. Beside them, ours one
  account at a time against bare one at a time (``ours_sequential``, ``ratio_sequential``):
  the same concurrency on both sides, read in the sequential run whose memory is sampled
  (the sampler's own CPU taken out). On a machine others load, wall times and so the
  wall/floor ratio are not this code's alone, and CPU-seconds rise with the contention.
- Bare Chromium opens the same comments ours archives (the profile's expanders, clicked
  by one script until none is left), so both shoot the same page and the ratios measure
  what our engine adds to Chromium's own work. The same bare run with the comments left
  closed, a page about a quarter as tall, is printed beside it (``comments_closed``): earlier
  figures used that baseline, which counted rendering the comments as our overhead.
- ``archive_work_cpu_s``: what ours does that bare Chromium does not, on one due account
  done alone, part by part: both PDF/A records built and validated, of which the
  validation and the caption, and the blank check of the segments (see ``archive_work``).
- peak memory (PSS) of the capturing process tree (Python, Playwright driver, Chromium),
  sampled from /proc; the fixture platform runs in a process of its own, outside it.
  Reading PSS costs the kernel some 20 ms per Chromium process, so the sampler runs
  in runs of its own (one more of ours in ``single``, one more parallel due run), never
  beside a run whose time or CPU is a figure here.
Every goal carries its own ``met`` flag, ``goals`` lists them all, and the top-level
``ok`` is true only when every capture succeeded and every goal was met. ``load`` is the
machine's load average before and after (others' work slows wall times, not CPU-seconds).
Progress goes to stderr as plain lines, one per step and one every 30 s while a step runs.
Run: .venv/bin/python scripts/bench_capture.py [--accounts 50] [--posts 200] [--parallel 3]
     [--api-delay 0.3] [--latency 0.05] [--repeat 3] [--due-repeat 3] [--only single|due]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import dataclasses
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from archiver.accounts import register
from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.site import profile_for
from archiver.chromium import LAUNCH_ARGS, find_chromium, launch_browser
from archiver.home.archive import init_archive
from archiver.home.config import Home, write_config

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
HEARTBEAT_S = 30.0
PR_SET_CHILD_SUBREAPER = 36
METER_CPU = [0.0]
"""CPU seconds the bench's memory sampler (``peak_memory()``) spent reading /proc. It runs
in this process, so getrusage counts it; ``cpu()`` takes it out again: it is the meter,
not the capture."""


def progress(message: str) -> None:
    """One plain line on stderr: the time, the machine's load, what the bench is doing."""
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"{time.strftime('%H:%M:%S')} [load {load}] {message}", file=sys.stderr, flush=True)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Announce a step, repeat "still running" every HEARTBEAT_S, and say how long it took."""
    progress(f"{name} ...")
    stop = threading.Event()
    t0 = time.perf_counter()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            progress(f"{name}: still running, {time.perf_counter() - t0:.0f} s")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        progress(f"{name}: done in {time.perf_counter() - t0:.1f} s")


def goal(value: float, limit: float) -> dict[str, object]:
    """A measured figure beside its goal (at most ``limit``) and whether it was met."""
    return {"value": round(value, 2), "goal": limit, "met": value <= limit}


def verdict(captures_ok: bool, goals: dict[str, dict[str, object]]) -> bool:
    """The top-level ``ok``: every capture succeeded and every goal was met."""
    return captures_ok and all(g["met"] is True for g in goals.values())


def _tree_pss_kib(root: int, exclude: int) -> int:
    """Proportional set size of *root* and all its descendants (Chromium, its renderers,
    the Playwright driver, PDF/A workers), read from /proc. PSS shares the memory that
    Chromium's processes have in common among them, so the sum is not double-counted;
    RUSAGE_CHILDREN would only know the largest child."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    total = 0
    for pid in parents:
        p = pid
        while p and p not in (root, exclude):
            p = parents.get(p, 0)
        if p != root or pid == exclude:
            continue
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total


@contextmanager
def peak_memory(exclude: int) -> Iterator[list[int]]:
    """Sample the process tree's memory every 0.2 s; yields a one-element list holding the peak."""
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            started = time.thread_time()
            peak[0] = max(peak[0], _tree_pss_kib(os.getpid(), exclude))
            METER_CPU[0] += time.thread_time() - started

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


@contextmanager
def platform(api_delay: float, latency: float) -> Iterator[tuple[str, int]]:
    """The fixture platform in its own process, as a real platform would be: its CPU
    time and threads must not count against (or compete with) the capturing process."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "fixtures.platform", "--seed", "2026", "--now", NOW.isoformat(),
         "--api-delay", str(api_delay), "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        base = line.split(" on ", 1)[1].split()[0].rstrip("/")
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


CLICK_ALL = """(selectors) => {
  let clicked = 0;
  for (const selector of selectors)
    for (const button of document.querySelectorAll(selector)) { button.click(); clicked++; }
  return clicked;
}"""


async def bare_steps(page: Any, url: str, workdir: Path, expanders: tuple[str, ...] = ()) -> None:
    """What a plain Playwright script does: load, consent, scroll to the end, open the
    comments (click every *expanders* button until none is left), shoot, print.

    With no expanders it shoots the feed with its comments closed: a smaller page than
    the one we archive, so CPU compared with it counts that content as our overhead."""
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
    for _ in range(25):  # as many rounds as our profiles allow
        # One script clicks them all, as ours does: Playwright's click() per button scrolls
        # to it and checks it first, and costs bare Chromium more than our whole expansion.
        if not await page.evaluate(CLICK_ALL, list(expanders)):
            break
        await page.wait_for_timeout(250)
    await page.screenshot(path=str(workdir / "bare.png"), full_page=True)
    await page.pdf(path=str(workdir / "bare.pdf"))


async def bare(url: str, workdir: Path, expanders: tuple[str, ...]) -> float:
    from playwright.async_api import async_playwright

    t0 = time.perf_counter()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(find_chromium()), headless=True,
                                          args=["--disable-background-networking", "--no-first-run"])
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await bare_steps(page, url, workdir, expanders)
        await browser.close()
    return time.perf_counter() - t0


async def bare_due(base: str, n: int, posts: int, parallel: int, root: Path,
                   expanders: tuple[str, ...]) -> float:
    """The due run's accounts done by bare Playwright, a fresh context each, ``parallel`` at
    a time: what this machine allows Chromium alone, the ceiling for our ratio."""
    from playwright.async_api import async_playwright

    slots = asyncio.Semaphore(parallel)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(find_chromium()), headless=True,
                                          args=list(LAUNCH_ARGS))

        async def one(i: int) -> None:
            async with slots:
                context = await browser.new_context(viewport={"width": 1280, "height": 900})
                workdir = root / str(i)
                workdir.mkdir(parents=True)
                await bare_steps(await context.new_page(), f"{base}/x/konto{i}?posts={posts}", workdir,
                                 expanders)
                await context.close()

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        took = time.perf_counter() - t0
        await browser.close()
    return took


def reap_orphans_here() -> None:
    """Make this process the reaper of every orphan below it (prctl PR_SET_CHILD_SUBREAPER).

    Chromium does not wait for all its processes (the zygote, crashpad and renderers
    outlive the browser process on close), and an orphan's CPU time is lost with it:
    reparented to the machine's init and reaped there, it reaches no rusage of ours.
    Adopted here instead, each one stays a zombie under this process, its final times
    readable in /proc, until ``cpu()`` has counted it and reaps it."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")


def _proc_stats() -> dict[int, list[str]]:
    """The fields after the command name of every process's /proc/<pid>/stat."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    return stats


def _tree_cpu_s(root: int, exclude: int) -> float:
    """CPU seconds of every process below *root* (not *exclude*'s subtree), live or zombie:
    its own utime + stime and the cutime + cstime of the children it reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = _proc_stats()
    total = 0
    for pid, fields in stats.items():
        p = pid
        while p and p not in (root, exclude):
            p = int(stats[p][1]) if p in stats else 0
        if p == root and pid != root:
            total += sum(int(v) for v in fields[11:15])
    return total / tick


def _reap_zombies(exclude: int) -> None:
    """Reap the orphans this process adopted once they have ended (and been counted)."""
    for pid, fields in _proc_stats().items():
        if fields[0] == "Z" and int(fields[1]) == os.getpid() and pid != exclude:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)


def _rusage_s() -> float:
    """This process's CPU seconds and those of the children it (as subreaper: any
    descendant) reaped."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


@contextmanager
def cpu(exclude: int) -> Iterator[list[float]]:
    """CPU seconds the block used: this process and every process below it (Chromium, its
    renderers, the Playwright driver, the PDF/A workers), exactly, with no sampling.

    Read once before and once after: getrusage for this process and what it reaped, plus
    utime + stime + cutime + cstime of every descendant in /proc. A process that ends is
    either reaped by its parent (its time moves into the parent's cutime, still counted)
    or, orphaned, adopted by this process (``reap_orphans_here``) and left a zombie whose
    times /proc still shows until the final reading has counted them. The memory
    sampler's CPU (METER_CPU) is not counted."""
    spent = [0.0]
    _reap_zombies(exclude)
    before = _rusage_s() + _tree_cpu_s(os.getpid(), exclude)
    meter_before = METER_CPU[0]
    try:
        yield spent
    finally:
        after = _rusage_s() + _tree_cpu_s(os.getpid(), exclude)
        spent[0] = after - before - (METER_CPU[0] - meter_before)
        _reap_zombies(exclude)


def busy_cpu_s() -> float:
    """CPU seconds all cores have spent not idle since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


async def ours(url: str, workdir: Path) -> tuple[float, bool]:
    t0 = time.perf_counter()
    async with launch_browser() as browser:
        result = await capture(browser, CaptureRequest(url=url, profile=profile_for("facebook"),
                                                       workdir=workdir, period_start=None))
    return time.perf_counter() - t0, result.ok


def _cpu_median(work: Any, repeat: int = 3) -> float:
    """Median CPU seconds of this process over *repeat* calls of ``work()``."""
    spent = []
    for _ in range(repeat):
        started = time.process_time()
        work()
        spent.append(time.process_time() - started)
    return statistics.median(spent)


def archive_work(base: str, posts: int, root: Path) -> dict[str, float]:
    """CPU-seconds of the archive's own work on one due account, part by part: what bare
    Chromium does not do at all. Timed in this process, after one warm-up build.

    * ``records``: both PDF/A records built, caption included, each validated;
    * ``validation``: of that, pikepdf's validator (and our XMP checks) on the two files;
    * ``caption``: of that, fpdf2 making the two caption pages from the cached font subsets;
    * ``blank_check``: every segment decoded and checked for blank bands (the main
      process, while Chromium shoots the next one).
    """
    from archiver.capture.artifacts import inspect_segment
    from archiver.pdf.caption import RECORDS, caption_pages
    from archiver.pdf.model import SnapshotMetadata
    from archiver.pdf.pdfa import build_visual_pdfa, make_print_pdfa, validate_pdfa

    async def one() -> Any:
        async with launch_browser() as browser:
            return await capture(browser, CaptureRequest(
                url=f"{base}/x/konto0?posts={posts}", profile=profile_for("x"), workdir=root,
                period_start=None))

    result = asyncio.run(one())
    if not result.ok or result.print_pdf is None:
        raise SystemExit(f"archive work: the capture failed: {result.reason}")
    visual, printed = root / "visual.pdf", root / "print-record.pdf"

    def meta() -> SnapshotMetadata:  # a new capture time each call: no cached caption
        return SnapshotMetadata(
            account="1 Konto 0", platform="x", url=f"{base}/x/konto0",
            captured_at=dt.datetime.now(dt.UTC), boundary=NOW.date(), period_start=dt.date(2026, 1, 1),
            period_end=NOW.date(), reason="due", engine_version="bench", html_sha256="0" * 64,
            title="Konto 0", clock="real clock", platform_name="X", organisation="Bench",
            organisation_id="212000-1769", timezone="Europe/Stockholm",
            font_cache=root / "fonts")  # as a home's cache/fonts

    def records() -> None:
        m = meta()
        build_visual_pdfa(result.segments, visual, m)
        make_print_pdfa(result.print_pdf, printed, m)

    def blank_check() -> None:
        for segment in result.segments:
            inspect_segment(segment.path, segment.text_boxes)

    records()  # imports and first-use caches, as a build worker has them after its first build
    return {"records": round(_cpu_median(records), 3),
            "validation": round(_cpu_median(lambda: (validate_pdfa(visual), validate_pdfa(printed))), 3),
            "caption": round(_cpu_median(lambda: caption_pages(meta(), tuple(RECORDS))), 3),
            "blank_check": round(_cpu_median(blank_check), 3),
            "segments": len(result.segments)}


def due_home(base: str, n: int, posts: int, parallel: int, root: Path) -> Path:
    """A home with *n* fixture accounts due at NOW and capture.parallel = *parallel*."""
    archive = init_archive(Home(root), org_name="Bench", org_id="212000-1769",
                           timezone="Europe/Stockholm", now=NOW, actor="bench",
                           simulated_clock=True)
    archive.settings = dataclasses.replace(archive.settings, capture_parallel=parallel)
    write_config(archive.home, archive.settings)
    with archive.transaction() as s:
        for i in range(n):
            register.add_account(archive, s, register.AccountFields(
                name=f"Konto {i}", platform="x", url=f"{base}/x/konto{i}?posts={posts}",
                unit="U", purpose="P", opened=dt.date(2020, 1, 1)))
    archive.close()
    return root


def due_run(home: Path) -> float:
    """`archive capture --due` on *home*, as cron runs it: the installed script in a process
    of its own, so its start, its imports and the PDF/A workers' fork server count, as they
    do on a real run (a run inside this script would give the fork server this script to
    import instead of the ``archive`` script)."""
    script = Path(sys.executable).with_name("archive")
    if not script.is_file():
        raise SystemExit(f"no {script}: install the project in this venv (pip install -e .)")
    t0 = time.perf_counter()
    done = subprocess.run([str(script), "--home", str(home), "-q", "capture", "--due",
                           "--now", NOW.isoformat(), "--json"], capture_output=True, text=True)
    took = time.perf_counter() - t0
    try:
        outcomes = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"capture --due exited {done.returncode}: {done.stderr.strip()}") from None
    failed = [o["reason"] for o in outcomes if o["status"] != "ok"]
    if done.returncode != 0 or failed or not outcomes:
        raise SystemExit(f"capture --due exited {done.returncode}; failed: {failed[:3]}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=50)
    ap.add_argument("--posts", type=int, default=200)
    ap.add_argument("--due-posts", type=int, default=20)
    ap.add_argument("--parallel", type=int, default=3, help="capture.parallel for the parallel run")
    ap.add_argument("--api-delay", type=float, default=0.0,
                    help="seconds the platform takes per feed API call")
    ap.add_argument("--latency", type=float, default=0.0,
                    help="seconds added to every request: a real platform is not on loopback")
    ap.add_argument("--repeat", type=int, default=3, help="single: runs of each, medians compared")
    ap.add_argument("--due-repeat", type=int, default=3,
                    help="due: runs of ours (parallel) and of bare Chromium (sequential and parallel), "
                         "in turn; medians compared")
    ap.add_argument("--only", choices=("single", "due"), help="run one part only")
    args = ap.parse_args()
    reap_orphans_here()
    out: dict[str, Any] = {"benchmark": "capture", "api_delay_s": args.api_delay,
                           "latency_s": args.latency,
                           "load": {"before": [round(v, 2) for v in os.getloadavg()]}}
    goals: dict[str, dict[str, object]] = {}
    captures_ok = True
    with platform(args.api_delay, args.latency) as (base, platform_pid), tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "single"):
            url = f"{base}/facebook/bench?posts={args.posts}"
            bare_runs, ours_runs, oks, peaks = [], [], [], []
            bare_cpu, ours_cpu = [], []
            closed_runs, closed_cpu = [], []
            expanders = profile_for("facebook").expand_selectors
            for n in range(args.repeat):  # alternated, so drift in load hits both alike
                with step(f"single {n + 1}/{args.repeat}: bare Chromium"), \
                        cpu(platform_pid) as spent:
                    bare_runs.append(asyncio.run(bare(url, Path(tmp), expanders)))
                bare_cpu.append(spent[0])
                with step(f"single {n + 1}/{args.repeat}: bare Chromium, comments closed"), \
                        cpu(platform_pid) as spent:
                    closed_runs.append(asyncio.run(bare(url, Path(tmp), ())))
                closed_cpu.append(spent[0])
                with step(f"single {n + 1}/{args.repeat}: ours"), cpu(platform_pid) as spent:
                    took, ok = asyncio.run(ours(url, Path(tmp) / f"ours{n}"))
                ours_cpu.append(spent[0])
                ours_runs.append(took)
                oks.append(ok)
            with step("single: ours, peak memory"), peak_memory(platform_pid) as peak:
                oks.append(asyncio.run(ours(url, Path(tmp) / "ours-memory"))[1])
            peaks.append(peak[0])
            ours_s, bare_s = statistics.median(ours_runs), statistics.median(bare_runs)
            cpu_ours, cpu_bare = statistics.median(ours_cpu), statistics.median(bare_cpu)
            captures_ok = captures_ok and all(oks)
            goals["single_wall_ratio"] = goal(ours_s / bare_s, 1.3)
            goals["single_cpu_ratio"] = goal(cpu_ours / cpu_bare, 1.5)
            out["single"] = {"posts": args.posts, "runs": args.repeat,
                             "ours_s": round(ours_s, 2), "bare_s": round(bare_s, 2),
                             "ours_runs_s": [round(t, 2) for t in ours_runs],
                             "bare_runs_s": [round(t, 2) for t in bare_runs],
                             "ratio": goals["single_wall_ratio"], "captures_ok": all(oks),
                             "peak_pss_mib": round(max(peaks) / 1024, 1),
                             "cpu_s": {"ours": round(cpu_ours, 2), "bare": round(cpu_bare, 2),
                                       "ours_runs": [round(c, 2) for c in ours_cpu],
                                       "bare_runs": [round(c, 2) for c in bare_cpu],
                                       "ratio": goals["single_cpu_ratio"]},
                             # Bare Chromium shooting the feed with its comments closed:
                             # a smaller page, the baseline of earlier sessions' figures.
                             "comments_closed": {
                                 "bare_s": round(statistics.median(closed_runs), 2),
                                 "bare_cpu_s": round(statistics.median(closed_cpu), 2),
                                 "wall_ratio": round(ours_s / statistics.median(closed_runs), 2),
                                 "cpu_ratio": round(cpu_ours / statistics.median(closed_cpu), 2)}}
        if args.only in (None, "due"):
            cores = os.cpu_count() or 1
            expanders = profile_for("x").expand_selectors
            homes = {name: due_home(base, args.accounts, args.due_posts, parallel, Path(tmp) / name)
                     for name, parallel in (("par-memory", args.parallel), ("seq", 1))}
            ours_cpu: list[float] = []
            walls: list[float] = []
            floors: list[float] = []
            machine_floors: list[float] = []
            others: list[float] = []
            bare_cpu: list[float] = []
            bare_walls: list[float] = []
            bare_par_cpus: list[float] = []
            bare_par_walls: list[float] = []
            for n in range(args.due_repeat):  # alternated, so drift in load hits both alike
                home = due_home(base, args.accounts, args.due_posts, args.parallel, Path(tmp) / f"par{n}")
                with step(f"due {n + 1}/{args.due_repeat}: ours, {args.accounts} accounts, "
                          f"parallel {args.parallel}"), cpu(platform_pid) as spent:
                    machine_before = busy_cpu_s()
                    walls.append(due_run(home))
                    machine = busy_cpu_s() - machine_before
                ours_cpu.append(spent[0])
                floors.append(walls[-1] / (spent[0] / cores))
                machine_floors.append(walls[-1] / (max(machine, spent[0]) / cores))
                others.append(max(0.0, machine - spent[0]))
                for parallel, walls_of, cpus_of, name in ((1, bare_walls, bare_cpu, "sequential"),
                                                          (args.parallel, bare_par_walls, bare_par_cpus,
                                                           f"parallel {args.parallel}")):
                    with step(f"due {n + 1}/{args.due_repeat}: bare Chromium, {name}"), \
                            cpu(platform_pid) as spent:
                        walls_of.append(asyncio.run(bare_due(base, args.accounts, args.due_posts, parallel,
                                                             Path(tmp) / f"bare-{parallel}-{n}", expanders)))
                    cpus_of.append(spent[0])
            bare_par, bare_par_cpu = statistics.median(bare_par_walls), statistics.median(bare_par_cpus)
            par, bare_seq = statistics.median(walls), statistics.median(bare_walls)
            par_cpu, bare_cpu_due = statistics.median(ours_cpu), statistics.median(bare_cpu)
            with step(f"due: ours, {args.accounts} accounts, parallel {args.parallel}, peak memory"), \
                    peak_memory(platform_pid) as par_peak:
                due_run(homes["par-memory"])
            with step(f"due: ours, {args.accounts} accounts, sequential"), \
                    peak_memory(platform_pid) as seq_peak, cpu(platform_pid) as seq_cpu:
                busy = busy_cpu_s()
                seq = due_run(homes["seq"])
                seq_cores = (busy_cpu_s() - busy) / seq
            with step("due: bare Chromium, sequential, comments closed"), \
                    cpu(platform_pid) as closed_cpu_due:
                asyncio.run(bare_due(base, args.accounts, args.due_posts, 1, Path(tmp) / "bc", ()))
            with step("due: the archive's own work on one account, part by part"):
                work = archive_work(base, args.due_posts, Path(tmp) / "work")
            goals["due_ratio"] = goal(par / seq, 0.6)
            goals["due_cpu_per_account_ratio"] = goal(par_cpu / bare_cpu_due, 1.5)
            goals["parallel_wall_vs_floor"] = goal(statistics.median(floors), 1.1)
            out["due"] = {"accounts": args.accounts, "posts_each": args.due_posts,
                          "parallel": args.parallel, "parallel_s": round(par, 1),
                          "sequential_s": round(seq, 1), "ratio": goals["due_ratio"],
                          "parallel_peak_pss_mib": round(par_peak[0] / 1024, 1),
                          "sequential_peak_pss_mib": round(seq_peak[0] / 1024, 1),
                          # A parallel run cannot beat the busy cores of the sequential one
                          # spread over all cores: the ratio's floor on this machine.
                          "cores": cores, "sequential_cores_busy": round(seq_cores, 2),
                          "ratio_floor": round(seq_cores / cores, 2),
                          # CPU per captured account, whole pipeline (ours) vs Chromium alone.
                          "cpu_per_account_s": {
                              "ours": round(par_cpu / args.accounts, 2),
                              "bare": round(bare_cpu_due / args.accounts, 2),
                              "ours_runs": [round(c / args.accounts, 2) for c in ours_cpu],
                              "bare_runs": [round(c / args.accounts, 2) for c in bare_cpu],
                              "ratio": goals["due_cpu_per_account_ratio"],
                              # Bare Chromium as many at a time as ours: two cores that
                              # are both busy spend more CPU-s on the same work.
                              "bare_parallel": round(bare_par_cpu / args.accounts, 2),
                              "bare_parallel_runs": [round(c / args.accounts, 2) for c in bare_par_cpus],
                              "ratio_to_bare_parallel": round(par_cpu / bare_par_cpu, 2),
                              # Both one account at a time: the same contention on each side.
                              "ours_sequential": round(seq_cpu[0] / args.accounts, 2),
                              "ratio_sequential": round(seq_cpu[0] / bare_cpu_due, 2),
                              # The feed shot with its comments closed (earlier baseline).
                              "bare_comments_closed": round(closed_cpu_due[0] / args.accounts, 2),
                              "ratio_to_comments_closed": round(par_cpu / closed_cpu_due[0], 2)},
                          # What ours does that bare Chromium does not, in CPU-s of one
                          # account done alone (not under the parallel run's contention).
                          "archive_work_cpu_s": work,
                          # The parallel run cannot end before its CPU spread over all cores.
                          "parallel_cpu_s": round(par_cpu, 1),
                          "parallel_cpu_floor_s": round(par_cpu / cores, 1),
                          "parallel_wall_vs_floor": goals["parallel_wall_vs_floor"],
                          # What the rest of the machine (the fixture platform, other
                          # people's work) ran on the same cores meanwhile, and the wall
                          # against the floor of both: near 1 means the cores were full.
                          "parallel_others_cpu_s": round(statistics.median(others), 1),
                          "parallel_wall_vs_machine_floor": round(statistics.median(machine_floors), 2),
                          "bare_chromium": {"parallel_s": round(bare_par, 1),
                                            "sequential_s": round(bare_seq, 1),
                                            "ratio": round(bare_par / bare_seq, 2)}}
    out["load"]["after"] = [round(v, 2) for v in os.getloadavg()]
    out["goals"] = goals
    out["meter_cpu_s"] = round(METER_CPU[0], 2)  # the samplers' own CPU, not counted above
    out["captures_ok"] = captures_ok
    out["ok"] = verdict(captures_ok, goals)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
