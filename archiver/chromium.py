"""The one module that knows where the Chromium program is and how to start and stop it.

Playwright drives Debian's Chromium instead of its bundled build (no downloads on
archive hosts), so the executable path, the launch flags and the clean-up of the
process tree live here and nowhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.errors import MissingDependencyError

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/lib/chromium/chromium"),  # the real binary: no wrapper script, no wrapper errors
    Path("/usr/bin/chromium"),  # Debian's shell wrapper, works but prints test errors
)

LAUNCH_ARGS: tuple[str, ...] = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--force-color-profile=srgb",  # same colours on every host
    "--font-render-hinting=none",  # glyph shapes that do not depend on the host's hinting
    "--hide-scrollbars",
    "--deny-permission-prompts",
    "--disable-notifications",
    "--disable-background-timer-throttling",  # timers keep running in background tabs
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--lang=sv-SE",
    # No GPU on the servers this runs on: without this Chromium emulates one in software
    # (SwiftShader) to composite every frame, which cost 12 % more CPU per capture here.
    "--disable-gpu",
    # A page's script heap stops at 2 GiB instead of V8's own 4 GiB: a page that hoards
    # memory crashes its tab sooner (the capture fails saying so) and the machine keeps
    # room for parallel captures. Real account pages after a long scroll hold a few
    # hundred MB.
    "--js-flags=--max-old-space-size=2048",
)

_CLOSE_TIMEOUT = 10.0
"""Seconds granted to a polite close before the process tree is killed."""


def find_chromium() -> Path:
    """Return the Chromium executable, preferring the real binary over Debian's wrapper."""
    for candidate in CHROMIUM_CANDIDATES:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise MissingDependencyError(
        "Chromium not found at "
        + " or ".join(str(c) for c in CHROMIUM_CANDIDATES)
        + "; install it with: apt-get install chromium"
    )


@contextlib.asynccontextmanager
async def launch_browser(
    executable: Path | None = None,
    *,
    extra_args: Sequence[str] = (),
    launch_timeout: float = 30.0,
) -> AsyncIterator[Browser]:
    """Start headless Chromium; on exit close it and kill whatever of its process tree is left.

    Orphaned Chromium processes are a known plague of capture tools, so the exit path
    runs even on cancellation and ends with SIGKILL for survivors, chosen by process id
    and start time so that no unrelated process is ever hit.
    """
    exe = executable if executable is not None else find_chromium()
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        raise MissingDependencyError(
            f"Chromium not found at {exe}; install it with: apt-get install chromium"
        )
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:  # pragma: no cover - dependency is declared in pyproject
        raise MissingDependencyError(
            "the Python package playwright is missing; "
            "install it with: pip install playwright==1.65.2"
        ) from exc

    marker = f"--bevara-launch={uuid.uuid4().hex}"  # ignored by Chromium, lets us find our process
    pw = await async_playwright().start()
    browser: Browser | None = None
    tree: dict[int, str] = {}
    try:
        browser = await pw.chromium.launch(
            executable_path=str(exe),
            headless=True,
            args=[*LAUNCH_ARGS, *extra_args, marker],
            timeout=launch_timeout * 1000,
        )
        yield browser
    finally:
        tree = _process_tree(_find_marked_process(marker))
        try:
            if browser is not None:
                await _bounded(browser.close())
            await _bounded(pw.stop())
        finally:
            _kill_survivors(tree)


async def _bounded(awaitable: object) -> None:
    """Await a clean-up call for at most _CLOSE_TIMEOUT seconds, ignoring its errors."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(awaitable, _CLOSE_TIMEOUT)  # type: ignore[arg-type]


def _proc_stat(pid: int) -> tuple[int, str] | None:
    """Return (parent pid, start time) of a process from /proc, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()  # the command name may contain spaces
    return int(fields[1]), fields[19]


def _find_marked_process(marker: str) -> int | None:
    """Find the Chromium main process among our descendants by its unique marker flag."""
    for pid in _process_tree(os.getpid()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline.split(b"\0"):
            return pid
    return None


def _process_tree(root: int | None) -> dict[int, str]:
    """Map pid → start time for root and all its descendants (empty where /proc is missing)."""
    if root is None or not Path("/proc").is_dir():
        return {}
    parents: dict[int, int] = {}
    starts: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _proc_stat(int(entry.name))
        if stat is not None:
            parents[int(entry.name)], starts[int(entry.name)] = stat
    tree: dict[int, str] = {}
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        if pid in starts and pid not in tree:
            tree[pid] = starts[pid]
            frontier.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def _kill_survivors(tree: dict[int, str]) -> None:
    """SIGKILL every process of the recorded tree that still runs with the same start time."""
    for pid, started in tree.items():
        if pid == os.getpid():
            continue
        stat = _proc_stat(pid)
        if stat is not None and stat[1] == started:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
