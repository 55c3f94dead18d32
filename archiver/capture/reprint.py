"""A redacted snapshot's print record, printed again by Chromium from its own files.

The print record is Chromium's print of the page, so a redacted one is printed the same
way (`artifacts.print_pdf`: same width, scale, margins and print CSS) from the redacted
HTML. Nothing is fetched from the platform: every request the page makes is answered from
the snapshot's MHTML (style sheets, images, fonts as captured), anything it does not hold
is refused, and no script runs (the page's own are stripped and none is served; the
print step evaluates its own), so the page cannot change what it shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archiver.capture import artifacts
from archiver.capture.model import CaptureLog
from archiver.capture.steps import CaptureFailed, StepRunner
from archiver.errors import CaptureError

VIEWPORT = (1280, 900)
"""The capture engine's viewport (CaptureRequest's default)."""


async def reprint(html: str, url: str, resources: dict[str, tuple[str, bytes]], workdir: Path,
                  step_timeout: float = 45.0) -> Path:
    """Print *html* as if loaded from *url*, its sub-resources served from *resources*."""
    from archiver.chromium import launch_browser

    html = _without_scripts(html)

    async def answer(route: Any) -> None:
        request_url = route.request.url
        if route.request.resource_type == "script":
            await route.abort()
        elif request_url == url:
            await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        elif request_url in resources:
            content_type, body = resources[request_url]
            await route.fulfill(status=200, content_type=content_type, body=body)
        else:
            await route.abort()

    steps = StepRunner(CaptureLog(), step_timeout)
    async with launch_browser() as browser:
        context = await browser.new_context(
            viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]}, device_scale_factor=1,
            service_workers="block")
        try:
            page = await context.new_page()
            await page.route("**/*", answer)
            response = await page.goto(url, wait_until="load", timeout=step_timeout * 1000)
            if response is None or response.status != 200:
                raise CaptureError(f"cannot load the redacted page of {url} for printing")
            return await artifacts.print_pdf(page, steps, workdir, VIEWPORT[0])
        except CaptureFailed as e:
            raise CaptureError(f"printing the redacted page of {url} failed: {e.reason}") from e
        finally:
            await context.close()


def _without_scripts(text: str) -> str:
    from lxml import etree, html

    root = html.document_fromstring(text)
    doctype = root.getroottree().docinfo.doctype
    for el in list(root.iter("script", "noscript")):
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    for el in root.iter():
        for attr in [a for a in el.attrib if str(a).lower().startswith("on")]:
            del el.attrib[attr]
    return (doctype + "\n" if doctype else "") + etree.tostring(root, method="html", encoding="unicode")
