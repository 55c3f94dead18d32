"""Consent banners to dismiss, and pages that mean "this is not the account's feed".

A login wall or a "temporarily blocked" page renders fine and scrolls fine, which is
exactly why it must be detected: archiving it as a snapshot would be a fake success.
"""

from __future__ import annotations

import contextlib

from playwright.async_api import Frame, Page

from archiver.capture import page_scripts as js
from archiver.capture.model import CaptureLog
from archiver.capture.network import NetworkWatch
from archiver.capture.site import SiteProfile

LOGIN_REQUIRED = "login required"
BLOCKED = "blocked by platform"
MAX_CONSENT_CLICKS = 4
"""Layered banners (cookie wall, then a "manage" step) need a few clicks; a loop does not."""


async def page_state_problem(page: Page, profile: SiteProfile) -> tuple[str, str] | None:
    """Return (reason, matching marker) when the page is a login wall or a block page."""
    markers = {
        "loggedOutSelectors": list(profile.logged_out_selectors),
        "loggedOutTexts": list(profile.logged_out_texts),
        "blockedSelectors": list(profile.blocked_selectors),
        "blockedTexts": list(profile.blocked_texts),
    }
    if not any(markers.values()):
        return None
    state = await page.evaluate(js.DETECT_STATE, markers)
    if state.get("blocked"):
        return BLOCKED, str(state["blocked"])
    if state.get("loggedOut"):
        return LOGIN_REQUIRED, str(state["loggedOut"])
    return None


async def dismiss_consent(
    page: Page, profile: SiteProfile, fallback: SiteProfile | None, log: CaptureLog,
    network: NetworkWatch,
) -> list[str]:
    """Click consent buttons (profile's first, then the generic ones) until none is left.

    Frames are searched too: many consent platforms render their banner in an iframe.
    Returns the labels clicked, also appended to ``log.overlays_dismissed``.
    """
    selectors = list(profile.consent_selectors)
    texts = list(profile.consent_texts)
    if fallback is not None and fallback.name != profile.name:
        selectors += [s for s in fallback.consent_selectors if s not in selectors]
        texts += [t for t in fallback.consent_texts if t not in texts]
    if not selectors and not texts:
        return []
    clicked: list[str] = []
    for _ in range(MAX_CONSENT_CLICKS):
        label = await _click_best(page, {"selectors": selectors, "texts": texts})
        if label is None:
            break
        clicked.append(label)
        log.overlays_dismissed.append(label)
        await network.quiet(quiet_s=0.2, max_s=2.0)
    return clicked


async def _click_best(page: Page, wanted: dict[str, list[str]]) -> str | None:
    """Click the best-ranked consent button in any frame; return its label or None."""
    best: tuple[int, Frame, dict[str, object]] | None = None
    for frame in page.frames:
        try:
            found = await frame.evaluate(js.MARK_CONSENT, wanted)
        except Exception:  # noqa: BLE001 - detached or cross-origin-crashed frames are skipped
            continue
        if found and (best is None or int(found[0]["rank"]) < best[0]):
            best = (int(found[0]["rank"]), frame, found[0])
    if best is None:
        return None
    _, frame, button = best
    target = frame.locator(f'[data-bevara-consent="{button["index"]}"]').first
    # Marked before the click (which may remove it) so a button that stays is not pressed again.
    with contextlib.suppress(Exception):
        await target.evaluate(
            "(el) => el.setAttribute('data-bevara-consent-done', '')", timeout=1000
        )
    try:
        await target.click(timeout=3000)
    except Exception:  # noqa: BLE001 - covered or animating: fall back to a DOM click
        with contextlib.suppress(Exception):
            await target.evaluate("(el) => el.click()", timeout=1000)
    with contextlib.suppress(Exception):
        await target.wait_for(state="hidden", timeout=2000)
    return str(button["label"])
