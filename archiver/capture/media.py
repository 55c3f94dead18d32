"""The images and videos of captured posts, fetched as files.

A captured item should hold its media in the store like an imported one does, not
only as pixels in a screenshot segment. Each URL an item names is fetched once through
the capture's own browser context (same cookies, same user agent), bounded in time and
size. A medium that cannot be fetched is noted in the capture log and the capture goes
on: the visual record still shows it, and failing a whole snapshot over one image would
lose more than it keeps.
"""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import BrowserContext

from archiver.capture.model import FetchedMedia
from archiver.capture.network import is_web
from archiver.capture.steps import CaptureFailed, StepRunner

MAX_MEDIA_BYTES = 50 * 1024 * 1024
MAX_MEDIA_FILES = 1000
MEDIA_TIMEOUT = 20.0
MEDIA_TYPES = ("image/", "video/")
PROGRESS_EVERY = 25
"""A progress line per this many media, not one per image."""
PARALLEL_FETCHES = 6
"""As many as Chromium opens to one host at a time."""


@dataclass
class MediaFetch:
    """What fetching gave: files by URL, and one line per medium that was not fetched."""

    files: dict[str, FetchedMedia]
    problems: list[str]


async def fetch_media(context: BrowserContext, steps: StepRunner, workdir: Path,
                      urls: list[str]) -> MediaFetch:
    folder = workdir / "media"
    folder.mkdir(exist_ok=True)
    done = MediaFetch({}, [])
    wanted = list(dict.fromkeys(urls))
    if len(wanted) > MAX_MEDIA_FILES:
        done.problems.append(f"{len(wanted) - MAX_MEDIA_FILES} more media not fetched "
                             f"(limit {MAX_MEDIA_FILES} per capture)")
    wanted = wanted[:MAX_MEDIA_FILES]
    timeout = min(MEDIA_TIMEOUT, steps.step_timeout)
    slots = asyncio.Semaphore(PARALLEL_FETCHES)

    async def one(n: int, url: str) -> FetchedMedia | str:
        if not is_web(url):
            return "not an http(s) address"
        async with slots:
            try:
                return await steps.run(
                    "media", lambda: _fetch(context, url, folder, n, timeout),
                    label=f"media {n}/{len(wanted)}", timeout=timeout + 1, record=False,
                    quiet=n % PROGRESS_EVERY != 0 and n != len(wanted))
            except CaptureFailed as failure:
                return failure.reason

    results = await asyncio.gather(*(one(n, url) for n, url in enumerate(wanted, 1)))
    for url, fetched in zip(wanted, results, strict=True):
        if isinstance(fetched, str):
            done.problems.append(f"{url}: {fetched}")
        else:
            done.files[url] = fetched
    return done


async def _fetch(context: BrowserContext, url: str, folder: Path, n: int,
                 timeout: float) -> FetchedMedia | str:
    """The stored file, or why there is none."""
    response = await context.request.get(url, timeout=timeout * 1000, max_redirects=5,
                                         fail_on_status_code=False)
    try:
        if not response.ok:
            return f"HTTP {response.status}"
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if not media_type.startswith(MEDIA_TYPES):
            return f"not an image or video ({media_type or 'no content type'})"
        declared = int(response.headers.get("content-length") or 0)
        if declared > MAX_MEDIA_BYTES:
            return f"{declared} bytes, over the {MAX_MEDIA_BYTES} byte limit"
        body = await response.body()
        if len(body) > MAX_MEDIA_BYTES:
            return f"{len(body)} bytes, over the {MAX_MEDIA_BYTES} byte limit"
    finally:
        await response.dispose()
    suffix = mimetypes.guess_extension(media_type) or ""
    path = folder / f"{n:04d}{suffix}"
    path.write_bytes(body)
    return FetchedMedia(path=path, media_type=media_type)
