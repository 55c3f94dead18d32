"""Consent banners to dismiss, and pages that mean "this is not the account's feed".

A login wall, a "temporarily blocked" page or an "update your browser" interstitial
renders fine and scrolls fine, which is exactly why it must be detected: archiving it as
a snapshot would be a fake success. What counts is what a person would see: a login
form in a hidden modal, a small prompt over visible posts or text in <noscript> is not
a wall. The profile's markers come first, the generic profile's apply everywhere.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from playwright.async_api import Frame, Page

from archiver.capture import page_probes as probes
from archiver.capture import page_scripts as js
from archiver.capture.model import CaptureLog
from archiver.capture.network import NetworkWatch
from archiver.capture.site import SiteProfile

LOGIN_REQUIRED = "login required"
BLOCKED = "blocked by platform"
UNSUPPORTED_BROWSER = "unsupported browser"
JAVASCRIPT_REQUIRED = "javascript required"
ACCOUNT_NOT_FOUND = "account not found"
MAX_CONSENT_CLICKS = 4
"""Layered banners (cookie wall, then a "manage" step) need a few clicks; a loop does not."""


COVERING = 0.5
"""Share of the viewport a login overlay must cover to count as a wall: a corner box or
a bottom sheet over visible posts is a prompt, not a wall."""
EMPTY_TEXT = 1
"""Fewer visible characters than this, and no picture, is a page that drew nothing."""
BROWSER_LINKS = 2
"""Visible links to this many browser vendors' download pages make an "update your
browser" page, in whatever language it is written."""


@dataclass
class PageVerdict:
    """What the page is: ``reason`` when it is not the account's feed; ``login_prompt``
    when a login prompt shows beside visible posts (fatal only if the feed stops there)."""

    reason: str | None = None
    detail: str = ""
    login_prompt: str | None = None
    loading: str | None = None
    """A visible progress indicator's label: where no post was found, the page had not
    finished drawing the account (its scripts still, or never done, fetching it)."""


def _merged(profile: SiteProfile, generic: SiteProfile | None, name: str) -> list[str]:
    values = list(getattr(profile, name))
    if generic is not None and generic.name != profile.name:
        values += [v for v in getattr(generic, name) if v not in values]
    return values


async def judge_page(page: Page, profile: SiteProfile, generic: SiteProfile | None,
                     posts_visible: int) -> PageVerdict:
    """Judge the page by what is visible (hidden forms and <noscript> text do not count)."""
    markers = {
        name: _merged(profile, generic, field)
        for name, field in (("loggedOutSelectors", "logged_out_selectors"),
                            ("loggedOutTexts", "logged_out_texts"),
                            ("blockedSelectors", "blocked_selectors"),
                            ("blockedTexts", "blocked_texts"))
    }
    markers["interstitials"] = {  # type: ignore[assignment]
        UNSUPPORTED_BROWSER: _merged(profile, generic, "unsupported_browser_texts"),
        JAVASCRIPT_REQUIRED: _merged(profile, generic, "javascript_required_texts"),
        ACCOUNT_NOT_FOUND: _merged(profile, generic, "not_found_texts"),
    }
    state = await js.evaluate_json(page, probes.JUDGE_PAGE, markers)
    if state.get("blocked"):
        return PageVerdict(BLOCKED, f"matched {state['blocked']['marker']!r}")
    kinds: dict[str, str] = state.get("interstitials") or {}
    if UNSUPPORTED_BROWSER in kinds or (state["browserLinks"] >= BROWSER_LINKS and not posts_visible):
        marker = kinds.get(UNSUPPORTED_BROWSER) or f"{state['browserLinks']} browser download links"
        return PageVerdict(
            f"{UNSUPPORTED_BROWSER}: the platform served an \"update your browser\" page "
            f"({marker!r}) instead of the account", f"matched {marker!r}")
    if JAVASCRIPT_REQUIRED in kinds and not posts_visible:
        return PageVerdict(
            f"{JAVASCRIPT_REQUIRED}: the platform served a page saying {kinds[JAVASCRIPT_REQUIRED]!r} "
            "instead of the account", f"matched {kinds[JAVASCRIPT_REQUIRED]!r}")
    if ACCOUNT_NOT_FOUND in kinds and not posts_visible:
        said = (state.get("interstitialTexts") or {}).get(ACCOUNT_NOT_FOUND) or kinds[ACCOUNT_NOT_FOUND]
        return PageVerdict(
            f"{ACCOUNT_NOT_FOUND}: the platform's page says {said!r} (the account may be closed, "
            "renamed or private; check its URL in the register)", f"matched {kinds[ACCOUNT_NOT_FOUND]!r}")
    login = state.get("loggedOut")
    if login:
        covering = not login["overlay"] or (login["coverage"] or 0) >= COVERING
        if login["overlay"] and not covering:
            detail = f"login prompt {login['marker']!r} ignored: it covers {login['coverage']:.0%} of the view"
            return PageVerdict(None, detail, loading=state.get("loading"))
        if posts_visible and not login["overlay"]:
            return PageVerdict(None, f"login prompt {login['marker']!r} beside {posts_visible} posts",
                               login_prompt=str(login["marker"]))
        return PageVerdict(LOGIN_REQUIRED, f"matched {login['marker']!r}")
    if state["textLength"] < EMPTY_TEXT and not state["media"] and not posts_visible:
        return PageVerdict(
            f"{JAVASCRIPT_REQUIRED}: the page draws nothing "
            "(an empty app shell: its scripts did not render the account)",
            f"{state['textLength']} visible characters, no pictures")
    return PageVerdict(None, "", loading=state.get("loading"))


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
