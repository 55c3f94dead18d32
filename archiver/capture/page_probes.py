"""Page scripts that judge a page we did not write: posts, interstitials, images, bands.

The profile's selectors (``page_scripts``) know one platform's markup; these scripts
know none, and look at what any feed has: ``article``/``[role=article]`` or blocks of
repeated siblings, machine or text dates, a visible login prompt, a page that draws
nothing. Same calling convention as ``page_scripts``: one arrow function, one argument.
"""

from __future__ import annotations

from archiver.capture.page_scripts import _CHANGES, _VISIBLE

# A login prompt, modal or interstitial only counts where a person would see it:
# rendered, inside the page's area, not under aria-hidden, and not clipped to nothing.
_SEEN = _VISIBLE + """
const seen = (el) => {
  if (!visible(el)) return false;
  if (el.closest('[aria-hidden="true"], [inert], noscript, template')) return false;
  const r = el.getBoundingClientRect();
  const se = document.scrollingElement || document.documentElement;
  const left = r.left + window.scrollX, top = r.top + window.scrollY;
  if (left + r.width <= 0 || top + r.height <= 0) return false;
  if (left >= Math.max(se.scrollWidth, window.innerWidth)) return false;
  if (top >= Math.max(se.scrollHeight, window.innerHeight)) return false;
  return true;
};
// For each needle, the first element in document order that visibly holds it. One walk
// over the text nodes serves every needle, and an element's rendered text is read once
// (innerText lays the page out: read per needle, thirty needles cost thirty layouts' worth).
const textHolders = (needles) => {
  const wants = [...new Set(needles.filter((t) => t))].map((t) => [t, t.toLowerCase()]);
  const found = new Map();
  const rendered = new Map();
  const seenEl = new Map();
  const walker = document.createTreeWalker(document.body || document.documentElement,
                                           NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n && found.size < wants.length; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
    const own = norm(n.data).toLowerCase();
    for (const [needle, want] of wants) {
      if (found.has(needle)) continue;
      // The node's own text, or its element's rendered text when short (a marker may
      // span a <b>); never a big container's textContent, which holds its scripts too.
      let hit = own.includes(want);
      if (!hit && el !== document.body && (el.textContent || '').length < 500) {
        if (!rendered.has(el)) rendered.set(el, norm(el.innerText).toLowerCase());
        hit = rendered.get(el).includes(want);
      }
      if (!hit) continue;
      if (!seenEl.has(el)) seenEl.set(el, seen(el));
      if (seenEl.get(el)) found.set(needle, el);
    }
  }
  return found;
};
"""

# Posts read without a profile. Candidates: outermost article/[role=article]; failing
# those, the children of the element with the most repeated, content-bearing children
# of one tag and class (a feed's list). Dates are returned raw, best first, for Python
# (dates.py) to resolve; text dates are short text nodes that look like a date.
GENERIC_POSTS = (
    """(a) => {"""
    + _VISIBLE
    + _CHANGES
    + """
  const OUTSIDE = 'nav, header, footer, aside, [role="navigation"], [role="banner"], ' +
                  '[role="contentinfo"], [role="complementary"], [role="dialog"]';
  const ART = 'article, [role="article"]';
  let posts = Array.from(document.querySelectorAll(ART)).filter(
    (el) => !(el.parentElement && el.parentElement.closest(ART)) && !el.closest(OUTSIDE) && visible(el));
  let how = 'article';
  if (!posts.length) {
    how = 'repeated';
    const sig = (el) => el.tagName + '.' + Array.from(el.classList)
      .filter((c) => !/\\d/.test(c)).sort().join('.');
    const meaty = (el) => ((el.textContent || '').trim().length >= 15 || el.querySelector('img, video'))
      && visible(el);
    let best = null, bestScore = 0;
    const all = document.body ? document.body.getElementsByTagName('*') : [];
    for (let i = 0; i < all.length && i < 20000; i++) {
      const parent = all[i];
      if (parent.childElementCount < 3 || ['UL', 'OL'].includes(parent.tagName) && parent.closest(OUTSIDE))
        continue;
      if (parent.closest(OUTSIDE)) continue;
      const groups = new Map();
      for (const child of parent.children) {
        if (['SCRIPT', 'STYLE', 'TEMPLATE', 'LINK', 'META'].includes(child.tagName)) continue;
        const key = sig(child);
        groups.set(key, (groups.get(key) || []).concat([child]));
      }
      for (const members of groups.values()) {
        const score = members.filter(meaty).length;
        if (score >= 3 && score > bestScore) { best = members.filter(meaty); bestScore = score; }
      }
    }
    posts = best || [];
  }
  const PERMALINK = new RegExp('(/posts?/|/status/|/p/|/watch[?]|/video/|/reel/|story_fbid|' +
                               'permalink|/feed/update/|/shorts/)', 'i');
  // A grid of picture tiles (an Instagram profile) repeats rows, not posts: rows whose
  // children are each one post's picture, one permalink and no text of their own, are
  // read tile by tile.
  const tiles = (row) => {
    const kids = Array.from(row.children).filter(visible);
    const one = (kid) => {
      const hrefs = new Set(Array.from(kid.querySelectorAll('a[href]'), (l) => l.getAttribute('href'))
        .filter((h) => PERMALINK.test(h)));
      return hrefs.size === 1 && kid.querySelector('img') && norm(kid.innerText).length < 15;
    };
    return kids.length >= 2 && kids.every(one) ? kids : null;
  };
  if (how === 'repeated' && posts.length) {
    const split = posts.map(tiles);
    if (split.every((kids) => kids)) { posts = split.flat(); how = 'tiles'; }
  }
  const DATE_ATTR = /^data-(.*(time|date|stamp|created|published).*)$/i;
  const MACHINE = /^(\\d{9,13}(\\.\\d+)?|\\d{4}-\\d{2}-\\d{2}([T ][\\d:.]+)?(Z|[+-]\\d{2}:?\\d{2})?)$/;
  const MONTH = /\\b(jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)[a-zé]*\\.?/i;
  const UNITS = 's|sek|min|m|h|hrs?|t|tim|timmar|timme|d|dag|dagar|v|w|wks?|veckor?|weeks?|days?|' +
                'hours?|mins?|minutes?|months?|mths?|mos?|mån(ader)?|år|y|yrs?|years?';
  const RELATIVE = new RegExp('^((för\\\\s+)?\\\\d+\\\\s*(' + UNITS + ')\\\\.?(\\\\s+(sedan|ago))?|' +
                              'igår|i går|idag|i dag|yesterday|today|just nu|just now)(?![a-zåäö])', 'i');
  // "2M", "1,2 tn", "3.4K" are counts (views, followers), never dates.
  const COUNT = /^\\d+([.,]\\d+)?\\s*([KMB]|tn|mn|milj)\\.?$|^\\d+[.,]\\d+\\s*[a-z]*$/;
  // A weekday alone ("on Sat", "last Tue", "i lördags") or the moment itself ("nyss"), as
  // dates.py reads them; only as the whole text, never inside a sentence.
  const WEEKDAY = new RegExp('^((on|last|i) )?(mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|' +
                             'thursday|friday|saturday|sunday|måndag|tisdag|onsdag|torsdag|fredag|' +
                             'lördag|söndag)s?$|^(nyss|just nu|just now)$', 'i');
  const looksLikeDate = (t) => t.length <= 40 && !COUNT.test(t) && (WEEKDAY.test(t) ||
    /\\d|går|dag|yesterday|today/i.test(t) &&
    (RELATIVE.test(t) || (MONTH.test(t) && /\\d/.test(t)) || /\\d{4}-\\d{2}-\\d{2}/.test(t) ||
     /^\\d{1,2}[./]\\d{1,2}[./]\\d{2,4}$/.test(t)));
  // Facebook's data-store and data-ft carry the post's own JSON: its publish time (the
  // date text beside it is in the viewer's zone, often without a year) and its id. An id
  // followed by "_" is one half of a page_post pair (the page's own id), never the post's.
  const QUOTE = String.raw`\\\\?["']?`;  // a quote, escaped or not, or none
  const EMBEDDED_TIME = new RegExp(
    '(publish_time|created_time|creation_time|date_published|datePublished)' + QUOTE +
    String.raw`\\s*:\\s*` + QUOTE + String.raw`(\\d{9,13}|\\d{4}-\\d{2}-\\d{2}T[\\d:.]+(?:Z|[+-]\\d{2}:?\\d{2})?)`);
  const EMBEDDED_ID = new RegExp('(top_level_post_id|story_fbid|post_id|tweet_id)' + QUOTE +
                                 String.raw`[.:=]\\s*\\[?` + QUOTE + String.raw`(\\d{5,25})(?![\\d_])`);
  const embedded = (el, pattern) => {
    for (const at of el.attributes) {
      if (!at.name.startsWith('data-') || at.value.length > 50000) continue;
      const m = pattern.exec(at.value);
      if (m) return m[2];
    }
    return null;
  };
  const dates = (el) => {
    const out = [];
    const own = embedded(el, EMBEDDED_TIME);
    if (own) out.push(own);
    for (const t of el.querySelectorAll('time[datetime]')) out.push(t.getAttribute('datetime'));
    for (const t of el.querySelectorAll('abbr[data-utime]')) out.push(t.getAttribute('data-utime'));
    for (const node of [el, ...el.querySelectorAll('*')].slice(0, 400)) {
      for (const at of node.attributes) {
        if (DATE_ATTR.test(at.name) && MACHINE.test(at.value.trim())) out.push(at.value.trim());
      }
    }
    for (const t of el.querySelectorAll('time')) out.push(norm(t.textContent));
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n && out.length < 8; n = walker.nextNode()) {
      const t = norm(n.data);
      if (t && looksLikeDate(t)) out.push(t);
    }
    return out.filter((v, i) => v && out.indexOf(v) === i).slice(0, 6);
  };
  const hash = (s) => {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return (h >>> 0).toString(36);
  };
  const imgSrc = (img) => {
    const v = img.currentSrc || img.src || img.getAttribute('data-src') ||
      img.getAttribute('data-lazy-src') || img.getAttribute('data-original') ||
      img.getAttribute('data-delayed-url') || '';
    try { return v ? new URL(v, document.baseURI).href : ''; } catch (e) { return ''; }
  };
  const seen = window.__bevaraGenericSeen || (window.__bevaraGenericSeen = new WeakMap());
  const changed = changesSince('generic');  // as EXTRACT_ITEMS: compare only what changed
  const out = [];
  for (const el of posts) {
    if (seen.has(el) && !changed(el)) continue;
    const sigText = el.textContent + '\\u0000' +
      Array.from(el.getElementsByTagName('img'), imgSrc).join(' ');
    const cached = seen.get(el);
    if (cached === sigText) continue;
    const links = Array.from(el.querySelectorAll('a[href]'));
    const perma = links.find((l) => PERMALINK.test(l.getAttribute('href') || ''));
    const timeLink = el.querySelector('time') ? el.querySelector('time').closest('a[href]') : null;
    const url = perma ? perma.href : (timeLink ? timeLink.href : null);
    const named = (names) => names.map((n) => el.getAttribute(n)).find((v) => v && v.length < 200);
    // An id the platform gave the post before an element id, which may be a new one each load.
    const idAttr = named(['data-post-id', 'data-id', 'data-item-id', 'data-urn', 'data-video-id',
                          'data-ft-id']) || embedded(el, EMBEDDED_ID) || named(['id']);
    let text = norm(el.innerText || el.textContent);
    if (how === 'tiles')  // a picture tile's caption is its image's alt text
      text = norm(text + ' ' + Array.from(el.querySelectorAll('img[alt]'), (i) => i.alt).join(' '));
    const id = idAttr || (url ? 'u-' + hash(url) : 't-' + hash(text.slice(0, 300)));
    const media = [];
    for (const img of el.querySelectorAll('img')) {
      const w = Math.max(img.width || 0, parseInt(img.getAttribute('width') || '0', 10));
      const v = imgSrc(img);
      if (v && !v.startsWith('data:') && w >= 64 && !media.includes(v)) media.push(v);
    }
    const item = {kind: 'post', id: 'generic:' + id, parent: null, author_handle: null,
                  author_name: null, created: dates(el), text, url, media, reader: 'generic'};
    seen.set(el, sigText);
    out.push(item);
  }
  return {how, posts: out};
}"""
)

# What the page is, judged by what is visible: login prompts (and whether they cover the
# page), block and interstitial texts, browser-download links, and whether anything is
# drawn at all. Returns raw facts; overlays.py decides.
JUDGE_PAGE = (
    """(m) => {"""
    + _SEEN
    + """
  const vw = window.innerWidth, vh = window.innerHeight;
  const overlayOf = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.position === 'fixed' || e.tagName === 'DIALOG' || e.getAttribute('aria-modal') === 'true'
          || (e.getAttribute('role') || '').toLowerCase() === 'dialog') return e;
    }
    return null;
  };
  const covers = (el) => {
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    return (w * h) / (vw * vh);
  };
  const holders = textHolders([].concat(m.loggedOutTexts, m.blockedTexts,
                                         ...Object.values(m.interstitials)));
  const find = (selectors, texts) => {
    for (const s of selectors) {
      try { for (const el of document.querySelectorAll(s)) if (seen(el)) return [s, el]; }
      catch (e) { /* a bad selector must not break the others */ }
    }
    for (const t of texts) { const el = t ? holders.get(t) : null; if (el) return [t, el]; }
    return null;
  };
  const describe = (hit) => {
    if (!hit) return null;
    const overlay = overlayOf(hit[1]);
    return {marker: hit[0], overlay: !!overlay, coverage: overlay ? covers(overlay) : null};
  };
  const kinds = {};
  const said = {};  // the sentence each interstitial marker was found in
  for (const [kind, texts] of Object.entries(m.interstitials)) {
    const hit = find([], texts);
    if (hit) { kinds[kind] = hit[0]; said[kind] = norm(hit[1].innerText || '').slice(0, 160); }
  }
  const vendors = new Set();
  for (const a of document.querySelectorAll('a[href]')) {
    const h = (a.getAttribute('href') || '').toLowerCase();
    const v = /(google)\\.[a-z.]+\\/chrome|(mozilla)\\.org.*firefox|(microsoft)\\.com.*edge|/.source;
    const w = new RegExp(v + '(apple)\\\\.com\\\\/safari|(opera)\\\\.com').exec(h);
    if (w && seen(a)) vendors.add(w.slice(1).find((x) => x));
  }
  const body = document.body;
  const text = body ? norm(body.innerText) : '';
  let media = 0;
  for (const el of document.querySelectorAll('img, video, canvas, svg, iframe, picture')) {
    const r = el.getBoundingClientRect();
    if (r.width >= 100 && r.height >= 100 && seen(el)) media++;
  }
  // A visible progress indicator (X: role=progressbar "Loading posts by @…"): content the
  // page's scripts are still, or were never done, fetching.
  let loading = null;
  for (const el of document.querySelectorAll('[role="progressbar"], [aria-busy="true"]')) {
    if (!seen(el)) continue;
    loading = norm(el.getAttribute('aria-label') || el.innerText || '') || 'a loading indicator';
    break;
  }
  return {loggedOut: describe(find(m.loggedOutSelectors, m.loggedOutTexts)),
          blocked: describe(find(m.blockedSelectors, m.blockedTexts)),
          interstitials: kinds, interstitialTexts: said, browserLinks: vendors.size,
          textLength: text.length, text: text.slice(0, 200), media, loading};
}"""
)

# Whether any end-of-feed text is visible in or above the viewport.
END_TEXT_SEEN = (
    """(texts) => {"""
    + _SEEN
    + """
  const holders = textHolders(texts);
  for (const t of texts) {
    const el = t ? holders.get(t) : null;
    if (el && el.getBoundingClientRect().top < window.innerHeight) return t;
  }
  return null;
}"""
)

# Makes every image of the page load now: lazy loading lifted, data-src-style attributes
# resolved into src/srcset. Returns how many images it changed.
LIFT_LAZY_IMAGES = """() => {
  let changed = 0;
  const SRC = ['data-src', 'data-lazy-src', 'data-original', 'data-url', 'data-img-src',
               'data-delayed-url'];  // the last is LinkedIn's
  const SRCSET = ['data-srcset', 'data-lazy-srcset'];
  for (const img of document.querySelectorAll('img')) {
    if (img.loading === 'lazy') { img.loading = 'eager'; changed++; }
    if (!img.getAttribute('src')) {
      const v = SRC.map((n) => img.getAttribute(n)).find((x) => x);
      if (v) { img.setAttribute('src', v); changed++; }
    }
    if (!img.getAttribute('srcset')) {
      const v = SRCSET.map((n) => img.getAttribute(n)).find((x) => x);
      if (v) { img.setAttribute('srcset', v); changed++; }
    }
  }
  for (const source of document.querySelectorAll('picture source[data-srcset]')) {
    if (source.getAttribute('srcset')) continue;
    source.setAttribute('srcset', source.getAttribute('data-srcset'));
    changed++;
  }
  return changed;
}"""

# Waits (bounded by the caller) for every image to be decoded; reports each one that is
# not drawn, with the URL it wanted.
IMAGES_DECODED = """async (ms) => {
  const imgs = Array.from(document.images);
  const wanted = (img) => img.currentSrc || img.src || img.getAttribute('data-src') || '';
  await Promise.race([
    Promise.allSettled(imgs.map((img) => img.getAttribute('src') || img.getAttribute('srcset')
      ? img.decode() : Promise.resolve())),
    new Promise((r) => setTimeout(r, ms)),
  ]);
  const missing = [];
  for (const img of imgs) {
    const url = wanted(img);
    if (!url || url.startsWith('data:')) continue;
    if (!(img.complete && img.naturalWidth > 0)) missing.push({url, complete: img.complete});
  }
  return {total: imgs.length, missing};
}"""

# Scroll positions (document y) from which each image not yet loaded comes into view.
IMAGE_POSITIONS = """() => {
  const ys = [];
  for (const img of document.images) {
    if (img.complete && img.naturalWidth > 0) continue;
    const r = img.getBoundingClientRect();
    ys.push(Math.max(0, r.top + window.scrollY - window.innerHeight / 3));
  }
  return ys.sort((a, b) => a - b);
}"""

# Whether anything visible is drawn in the document band [top, bottom): text, images,
# canvases, video, SVG, form controls, or boxes whose background, border or shadow
# differs from the page's own background. Returns a short description or null.
# Only what a person would see counts: text or a box off the page's left edge, outside a
# clipping ancestor or under an opaque box (a saved app page whose feed was laid out off
# screen, under the app's own background) is in the DOM but not drawn.
DRAWN_IN_BAND = (
    """(band) => {"""
    + _VISIBLE
    + """
  const pageBg = getComputedStyle(document.body || document.documentElement).backgroundColor;
  const rootBg = getComputedStyle(document.documentElement).backgroundColor;
  const transparent = (c) => !c || c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const clear = (c) => transparent(c) || c === pageBg || c === rootBg;
  const width = document.documentElement.clientWidth || window.innerWidth;
  const inBand = (r) => r.width > 0 && r.height > 0 && r.top + window.scrollY < band.bottom
    && r.bottom + window.scrollY > band.top && r.right > 0 && r.left < width;
  // Whether the middle of the part of box r (of el, or of text in el) that lies on the page
  // and in the band is shown: inside every clipping box around it, and not under an
  // opaque box that is not its own.
  const seen = (r, clipper, el = clipper) => {
    const x = (Math.max(r.left, 0) + Math.min(r.right, width)) / 2;
    const sy = window.scrollY;
    const y = (Math.max(r.top + sy, band.top) + Math.min(r.bottom + sy, band.bottom)) / 2;  // document y
    for (let a = clipper; a && a !== document.documentElement; a = a.parentElement) {
      if (getComputedStyle(a).overflow === 'visible') continue;
      const c = a.getBoundingClientRect();
      if (x < c.left || x >= c.right || y < c.top + sy || y >= c.bottom + sy) return false;
    }
    // Only a point in the viewport can be hit-tested: bring it there, and back at once
    // (fixed boxes move with the viewport, and every other box is measured from here).
    if (y < sy || y >= sy + window.innerHeight) window.scrollTo(window.scrollX, y - window.innerHeight / 2);
    const vy = y - window.scrollY;
    const hit = vy >= 0 && vy < window.innerHeight ? document.elementFromPoint(x, vy) : null;
    window.scrollTo(window.scrollX, sy);
    if (!hit || hit === el || hit.contains(el)) return true;  // not hit-tested: count it
    // Something else is on top there: a transparent link layer lets the text show, a box
    // with a background of its own hides it.
    for (let c = hit; c && !c.contains(el); c = c.parentElement) {
      const cs = getComputedStyle(c);
      if (!transparent(cs.backgroundColor) || cs.backgroundImage !== 'none') return false;
    }
    return true;
  };
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!/\\S/.test(n.data) || !el || !visible(el)) continue;
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
    range.selectNodeContents(n);
    for (const r of range.getClientRects())
      if (inBand(r) && seen(r, el)) return 'text "' + n.data.trim().slice(0, 40) + '"';
  }
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (!inBand(r) || !visible(el) || !seen(r, el.parentElement || el, el)) continue;
    if (['IMG', 'CANVAS', 'VIDEO', 'svg', 'IFRAME', 'INPUT', 'TEXTAREA', 'SELECT', 'PICTURE',
         'OBJECT', 'EMBED'].includes(el.tagName))
      return el.tagName.toLowerCase();
    const cs = getComputedStyle(el);
    if (!clear(cs.backgroundColor)) return 'background ' + cs.backgroundColor;
    if (cs.backgroundImage && cs.backgroundImage !== 'none') return 'background image';
    if (cs.boxShadow && cs.boxShadow !== 'none') return 'shadow';
    for (const side of ['Top', 'Right', 'Bottom', 'Left']) {
      if (parseFloat(cs['border' + side + 'Width']) > 0 && cs['border' + side + 'Style'] !== 'none'
          && !clear(cs['border' + side + 'Color'])) return 'border';
    }
  }
  return null;
}"""
)


def _round_script() -> str:
    from archiver.capture.page_scripts import SCROLL_ROUND

    return (
        "async (a) => {\n  const round = " + SCROLL_ROUND + ";\n  const generic = " + GENERIC_POSTS
        + ";\n  const endText = " + END_TEXT_SEEN + """;
  const r = await round(a);
  r.how = null;
  if (a.generic && !r.items.some((i) => i.kind === 'post')) {
    const g = generic({});
    r.items = r.items.concat(g.posts);
    r.how = g.how;
  }
  r.endText = r.atBottom && a.endTexts.length ? endText(a.endTexts) : null;
  return r;
}"""
    )


ROUND = _round_script()
"""One scroll round (page_scripts.SCROLL_ROUND) plus, while the profile has found no
post, the generic reader, and at the bottom the generic end texts."""

# At the bottom a scroll call moves nothing, so no scroll event fires and a loader that
# listens for them never asks for more: move up a little and back down, two frames apart.
# Back down means back to where it was, not to the new bottom: a batch that arrives
# between the two moves would otherwise be jumped over, and a virtualised feed parks
# the posts it jumped over before anything reads them.
NUDGE = """async (dy) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
  const back = window.scrollY;
  window.scrollBy(0, -Math.min(dy, 240));
  await frame();
  window.scrollTo(0, back);
  await frame();
  return window.scrollY;
}"""
