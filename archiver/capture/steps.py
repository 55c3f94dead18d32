"""Timed, bounded steps: the one place that turns hangs and page errors into reasons.

Playwright calls can wait forever (``page.pdf()`` has no timeout at all), so every
step runs under ``asyncio.wait_for`` and is written to the capture log with its
duration. A failing step raises ``CaptureFailed`` carrying the one-line reason the
CaptureResult will show; the engine never lets a page problem escape as an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from archiver.capture.model import CaptureLog, Step

T = TypeVar("T")


class CaptureFailed(Exception):
    """Internal: stops a capture with a reason for CaptureResult (never leaves the engine)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def seconds(value: float) -> str:
    """Format a limit the way reasons show it: "30", "2.5"."""
    return f"{value:g}"


WAITS_FOR = {
    "goto": "the page to load",
    "images": "the page's images to load",
    "html": "the page's HTML",
    "mhtml": "Chromium's MHTML archive of the page",
    "print pdf": "Chromium to print the page",
}
"""What a slow step is waiting for, in words, for the "still waiting" progress line."""


class StepRunner:
    """Runs steps under a time limit, logs them and reports progress.

    A step that runs longer than ``heartbeat`` seconds says every ``heartbeat`` seconds
    what it still waits for, so a hanging page is not 45 silent seconds.
    """

    def __init__(
        self,
        log: CaptureLog,
        step_timeout: float,
        progress: Callable[[str], None] | None = None,
        heartbeat: float = 10.0,
    ) -> None:
        self.log = log
        self.step_timeout = step_timeout
        self.current = "start"
        self._progress = progress
        self.heartbeat = heartbeat
        self.navigations = 0
        """How often the page has navigated by itself so far (the engine counts them)."""

    def report(self, label: str) -> None:
        """Tell the caller what is happening; a failing progress callback is ignored."""
        if self._progress is not None:
            with contextlib.suppress(Exception):  # progress output must never stop a capture
                self._progress(label)

    def record(self, name: str, started: float, ok: bool, detail: str = "") -> None:
        """Append one Step to the log (used directly for multi-round phases)."""
        self.log.steps.append(Step(name, round(time.monotonic() - started, 3), ok, detail))

    async def run(
        self,
        name: str,
        factory: Callable[[], Awaitable[T]],
        *,
        label: str | None = None,
        timeout: float | None = None,
        record: bool = True,
        quiet: bool = False,
    ) -> T:
        """Await ``factory()`` within the step limit; failures become CaptureFailed.

        ``record=False`` is for the many small rounds of a phase (scrolling, segments)
        that the caller logs as one step; ``quiet`` skips the progress line.
        """
        limit = self.step_timeout if timeout is None else timeout
        self.current = name
        if not quiet:
            self.report(label or name)
        started = time.monotonic()
        navigated = self.navigations
        beat = (asyncio.ensure_future(self._still_waiting(name, label or name, limit, started))
                if self._progress is not None else None)
        try:
            value = await asyncio.wait_for(factory(), limit)
        except (TimeoutError, PlaywrightTimeoutError) as exc:
            self.record(name, started, False, "timed out")
            if self.navigations > navigated:
                raise CaptureFailed(f"{NAVIGATED_AWAY} during step {name} (a reload or a redirect)") from exc
            raise CaptureFailed(f"timed out in step {name} after {seconds(limit)} s") from exc
        except PlaywrightError as exc:
            message = describe_error(exc)
            self.record(name, started, False, message)
            known = next((why for mark, why in KNOWN_ERRORS if mark in message), None)
            if "Execution context was destroyed" in message:
                known = f"{NAVIGATED_AWAY} during step {name} (a reload or a redirect)"
            raise CaptureFailed(known or f"step {name} failed: {message}") from exc
        finally:
            if beat is not None:
                beat.cancel()
        if record:
            self.record(name, started, True)
        return value

    async def _still_waiting(self, name: str, label: str, limit: float, started: float) -> None:
        what = WAITS_FOR.get(name, f"step {label}")
        while True:
            await asyncio.sleep(self.heartbeat)
            self.report(f"still waiting for {what} ({label}, {time.monotonic() - started:.0f} s "
                        f"of the {seconds(limit)} s limit)")


KNOWN_ERRORS = (
    ("Download is starting", "download refused: the page starts a download instead of showing the account"),
    ("net::ERR_UNSAFE_REDIRECT", "navigation blocked: the page redirects to a non-web URL"),
    ("Target crashed", "the page crashed its browser tab (it ran out of memory or hit a browser limit)"),
)
"""Chromium's words for what a hostile page did, and what the failure should say instead."""
NAVIGATED_AWAY = "the page navigated by itself"


def describe_error(exc: BaseException) -> str:
    """First line of a Playwright error, without its call log."""
    text = str(getattr(exc, "message", "") or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
