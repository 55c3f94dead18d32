"""Worker processes for the CPU-bound part of a capture run: building and checking PDF/A.

The build is Python work (pikepdf's validator above all). In a thread it holds the GIL
and stalls the event loop that drives the browser contexts; in processes it runs on
the cores Chromium leaves idle. Workers start with forkserver, because forking a
process that runs an event loop, Playwright's pipes and database connections is not
safe (a forked PostgreSQL connection closed in the child ends the parent's session).

The price of forkserver is Python's rule for process pools: a script that calls
``archiver.capture.runs.run`` must guard its entry point with ``if __name__ == "__main__":``.
A pool that cannot start fails each build with a reason that says so.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, TypeVar

from archiver.errors import ArchiverError

T = TypeVar("T")

PRELOAD = ["__main__", "archiver.capture.records", "archiver.pdf.pdfa", "archiver.pdf.ocr",
           "fpdf", "pikepdf.pdfa", "jsonschema_rs"]
"""What the fork server imports once for all workers: the calling script (the ``archive``
script imports no more than `archiver.__main__`), the build's modules, and what they
import only when building (fpdf2 for the caption, pikepdf's validator, jsonschema-rs that
speeds it up). None of them loads SQLAlchemy or Playwright (tests/test_buildpool.py)."""
START_TIMEOUT = 60.0
"""Seconds a worker may take to start and import what a build needs."""


class BuildPool:
    """A process pool that replaces itself when a worker dies.

    A build that kills its process (out of memory on a huge page) breaks the whole
    pool and every build in flight. Each of those is tried once more in a process of
    its own, so only the build that kills its process again fails: one bad account
    never stops the others.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, min(workers, os.cpu_count() or 1))
        self._pool = self._new()
        self._started: asyncio.Future[None]

    def _new(self, workers: int | None = None) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        # The fork server imports the caller's main module and the build's modules once;
        # each worker forks from it with them loaded instead of importing them itself.
        # Ignored once the fork server runs.
        context.set_forkserver_preload(PRELOAD)
        return ProcessPoolExecutor(max_workers=workers or self.workers, mp_context=context)

    async def __aenter__(self) -> BuildPool:
        """Start the workers in the background: they import what a build needs (some 1-3 s),
        while the caller launches Chromium and loads the first pages. Only a build waits."""
        self._started = asyncio.ensure_future(asyncio.to_thread(self._start))
        return self

    def _start(self) -> None:
        try:
            self._pool.submit(_ready).result(timeout=START_TIMEOUT)
        except BrokenProcessPool as e:
            self._pool.shutdown(wait=False, cancel_futures=True)
            raise ArchiverError(
                "the PDF/A builder processes could not start; a script that calls "
                'archiver.capture.runs.run must guard its entry point with if __name__ == "__main__":'
            ) from e

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # The start runs to its end first, even when the caller failed before any build
        # (Chromium did not launch): a pool is not shut down halfway through starting.
        # A failed start is not raised here: each build that needed the pool failed with it.
        await asyncio.wait([self._started])
        self._started.exception()
        self._pool.shutdown(wait=True, cancel_futures=True)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a worker once the pool has started; errors it raises, and a
        start that failed, come back as they are."""
        await asyncio.shield(self._started)  # one build giving up must not cancel the start
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            if self._pool is pool:  # the first to notice replaces it
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new()
        solo = self._new(workers=1)
        try:
            return await loop.run_in_executor(solo, fn, *args)
        except BrokenProcessPool:
            raise ArchiverError(
                "the PDF/A builder process died twice on this capture (out of memory?); "
                "capture the account again, on its own"
            ) from None
        finally:
            solo.shutdown(wait=False)


def _ready() -> bool:
    return True
