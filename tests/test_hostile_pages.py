"""Captures of hostile pages (fixtures/hostile/pages.py) end in bounded time with a reason.

Each page misbehaves as a page can: a busy loop, dialogs and pop-ups without end, a
page that reloads or rewrites itself, a 50 MB image, a download, redirects to another
host and to file://. The capture either stores what a person sees (dialogs dismissed,
the big image refused by the media limits) or fails saying what happened; it never
raises, hangs or leaves a download behind.
"""

from __future__ import annotations

import asyncio
import re
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.capture.engine import CaptureRequest, capture
from archiver.capture.model import CaptureResult
from archiver.capture.site import load_profile
from archiver.chromium import launch_browser
from fixtures.hostile.pages import serve

pytestmark = pytest.mark.browser

STEP = 4
HUNG = rf"timed out in step (detect|consent|scroll|top|extract) after {STEP} s"  # wherever the page stops answering
EXPECTED: dict[str, tuple[bool, str | None]] = {
    "busy-loop": (False, HUNG),
    "popups": (False, HUNG),
    "beforeunload": (False, r"the page navigated by itself during step \w+ \(a reload or a redirect\)"),
    "alert-loop": (True, None),        # dialogs are dismissed; the text is there
    "rewrites": (True, None),          # a changing counter does not stop the record
    "big-image": (True, None),         # the media limits refuse the 50 MB body
    "download": (False, "download refused: the page starts a download instead of showing the account"),
    "to-other-host": (False, "navigation blocked: host localhost is not allowed"),
    "to-file": (False, "navigation blocked: the page redirects to a non-web URL"),
    # near its heap limit the tab spends its time collecting garbage: it crashes, or a step times out first
    "memory-hog": (False, r"the page crashed its browser tab \(it ran out of memory or hit a browser limit\)|" + HUNG),
}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve() as url:
        yield url


def _capture(url: str, workdir: Path) -> CaptureResult:
    async def go() -> CaptureResult:
        async with launch_browser() as browser:
            return await capture(browser, CaptureRequest(url=url, profile=load_profile("generic"), workdir=workdir,
                                                         step_timeout=STEP, total_timeout=30))

    return asyncio.run(go())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_hostile_page_ends_in_bounded_time_with_its_reason(base: str, name: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = _capture(f"{base}/{name}", tmp_path)
    took = time.monotonic() - started
    ok, reason = EXPECTED[name]
    assert result.ok is ok, result.reason
    if reason is None or name not in ("busy-loop", "popups", "beforeunload", "memory-hog"):
        assert result.reason == reason
    else:
        assert result.reason is not None and re.fullmatch(reason, result.reason), result.reason
    assert took < 4 * STEP, f"{name} took {took:.1f} s"
    assert not [p for p in tmp_path.rglob("*") if p.name == "bomb.bin"], "a download was kept"
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"hostile page {name}: {took:.1f} s, test process peak {peak_mib:.0f} MiB", file=sys.stderr)
