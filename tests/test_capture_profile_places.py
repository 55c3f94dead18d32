"""A profile field's places, tried in order, read the same item the same way everywhere.

X's own markup (saved profile pages of 2025) has no id attribute: the post's id is in the
status link around its time, the author in a link to the profile. The page below is
written here in that shape; ITEM_BOXES (where an item sits, for redaction) must key an
item by the id EXTRACT_ITEMS gives it, pattern included, as YouTube's ``v=`` needs.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from archiver.capture import page_scripts as js
from archiver.capture.itemboxes import ITEM_BOXES
from archiver.capture.items import specs_for_page
from archiver.capture.redaction import remove_item_html
from archiver.capture.site import profile_for
from archiver.chromium import launch_browser

X_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><main>
<article data-testid="tweet" aria-labelledby="id__a">
  <div data-testid="User-Name"><a href="/torsbykommun"><span>Torsby kommun</span></a>
    <a href="/torsbykommun/status/1904215007602082285"><time datetime="2025-03-24T16:53:31.000Z"
      >24 mars</time></a></div>
  <div data-testid="tweetText">Snöröjningen börjar i natt.</div>
  <div data-testid="tweetPhoto"><img src="/media/plog.jpg" width="400" height="300"></div>
  <a href="/torsbykommun/status/1904215007602082285/analytics">Visa</a>
</article>
<article data-testid="tweet" aria-labelledby="id__b">
  <a href="/torsbykommun"><span data-testid="socialContext">Torsby kommun reposted</span></a>
  <a href="/varmlandstrafik"><img src="/media/avatar.jpg" width="40" height="40"></a>
  <a href="/varmlandstrafik/status/1902427816769081377"><time datetime="2025-03-19T18:31:51.000Z">19 mars</time></a>
  <div data-testid="tweetText">Buss 310 går enligt vintertidtabell.</div>
</article>
</main></body></html>"""

YT_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<ytd-rich-item-renderer><a class="yt-lockup-metadata-view-model__title" href="/watch?v=dQw4w9WgXcQ&t=3">Budget 2026</a>
  <img class="ytCoreImageHost" src="/vi/dQw4w9WgXcQ/hq.jpg" width="320" height="180"></ytd-rich-item-renderer>
</body></html>"""


LI_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><main>
<div class="feed-shared-update-v2 artdeco-card" role="article" data-urn="urn:li:activity:7298432490627575809">
  <div class="update-components-actor__sub-description">1w • Edited •</div>
  <div class="update-components-text"><span dir="ltr">Nu öppnar vi anmälan till sommarskolan.</span></div>
  <div class="update-components-image"><img src="/dms/image/skola.jpg" width="600" height="400"></div>
</div>
<div class="feed-shared-update-v2" data-urn="urn:li:inAppPromotion:11940">En annons</div>
</main></body></html>"""


def _read(page_html: str, url: str, profile: str) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    specs = specs_for_page(profile_for(profile))

    async def go() -> tuple[list[dict[str, Any]], list[list[Any]]]:
        async with launch_browser() as browser:
            page = await browser.new_page()
            await page.route("**/*", lambda route: route.fulfill(
                body=page_html, content_type="text/html") if route.request.resource_type == "document"
                else route.fulfill(status=404))
            await page.goto(url)
            return (await js.evaluate_json(page, js.EXTRACT_ITEMS, specs),
                    await js.evaluate_json(page, ITEM_BOXES, specs))

    return asyncio.run(go())


@pytest.mark.browser
def test_the_x_profile_reads_xs_own_markup() -> None:
    items, boxes = _read(X_PAGE, "https://x.com/torsbykommun", "x")
    assert [(i["kind"], i["id"], i["author_handle"], i["created"], i["url"], i["text"], i["media"])
            for i in items] == [
        ("post", "1904215007602082285", "torsbykommun", "2025-03-24T16:53:31.000Z",
         "https://x.com/torsbykommun/status/1904215007602082285", "Snöröjningen börjar i natt.",
         ["https://x.com/media/plog.jpg"]),
        # a repost: the author is the original's, not the "… reposted" line's account
        ("post", "1902427816769081377", "varmlandstrafik", "2025-03-19T18:31:51.000Z",
         "https://x.com/varmlandstrafik/status/1902427816769081377",
         "Buss 310 går enligt vintertidtabell.", []),
    ]
    assert items[0]["author_name"] == "Torsby kommun"
    assert [b[0] for b in boxes] == ["1904215007602082285", "1902427816769081377"]


@pytest.mark.browser
def test_the_linkedin_profile_reads_the_signed_in_feed() -> None:
    """An administrator's saved session sees LinkedIn's own feed cards, not the guest page's;
    a promotion card is not a post."""
    items, boxes = _read(LI_PAGE, "https://www.linkedin.com/company/torsby/posts/", "linkedin")
    assert [(i["id"], i["created"], i["text"], i["media"]) for i in items] == [
        ("urn:li:activity:7298432490627575809", "1w • Edited •", "Nu öppnar vi anmälan till sommarskolan.",
         ["https://www.linkedin.com/dms/image/skola.jpg"])]
    assert [b[0] for b in boxes] == ["urn:li:activity:7298432490627575809"]


@pytest.mark.browser
def test_item_boxes_key_an_item_by_its_id_pattern_and_all() -> None:
    items, boxes = _read(YT_PAGE, "https://www.youtube.com/@torsby/videos", "youtube")
    assert [i["id"] for i in items] == ["dQw4w9WgXcQ"]
    assert [b[0] for b in boxes] == ["dQw4w9WgXcQ"]


def test_redaction_finds_the_item_by_the_id_the_capture_read() -> None:
    """The saved HTML keeps relative links; the id is read from them as the browser gave them."""
    notice = "[borttaget]"
    specs = list(profile_for("x").items)
    out = remove_item_html(X_PAGE, specs, "1902427816769081377", set(), notice, "https://x.com/torsbykommun")
    assert "Buss 310" not in out and "Snöröjningen" in out and out.count(notice) == 1
    yt = remove_item_html(YT_PAGE, list(profile_for("youtube").items), "dQw4w9WgXcQ", set(), notice,
                          "https://www.youtube.com/@torsby/videos")
    assert "Budget 2026" not in yt and notice in yt
