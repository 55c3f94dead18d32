"""JavaScript the engine evaluates inside the captured page.

Kept as Python strings (not .js files) so they ship with the package without extra
package-data rules. Each script is one arrow function taking a single argument, so
``page.evaluate(SCRIPT, arg)`` is the whole calling convention. Scripts only read the
page or make the changes the engine asks for; they never navigate.
Scripts that return much (items, text boxes) are called through `evaluate_json`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Frame, Page


async def evaluate_json(target: Page | Frame, script: str, arg: Any = None) -> Any:
    """``target.evaluate(script, arg)``, argument and result carried as JSON strings.

    Playwright carries values node by node: the page serialises every node, the driver
    converts it, and its Python side validates each node again; in a profile of a due
    run that validation was the main process's largest Python cost, as the items of
    every scroll round (145 rounds in a 200-post feed) pass through it, and the
    profile's selectors and texts go the other way on every call (1.1 ms of Python and
    0.4 ms of driver per call for the items script's 2 KB of specs, 0.3 ms as one
    string). ``JSON.stringify`` and ``JSON.parse`` do it natively. The scripts called
    through it take and return plain data (no Date, NaN or cycles); ``undefined``
    comes back as None, as Playwright gives it.
    """
    wrapped = ("async (arg) => JSON.stringify(await (" + script + ")(JSON.parse(arg)), "
               "(key, value) => value === undefined ? null : value)")
    return json.loads(await target.evaluate(wrapped, json.dumps(arg)))


# A visible element: rendered, not visibility:hidden, not fully transparent.
# checkVisibility's opacity test only catches opacity 0 on the element or an ancestor.
# Feeds park elements they have not measured yet at a near-zero opacity (X's timeline
# cells at 0.01): drawn, but no one sees them, and their raster is flat. Opacities
# multiply down the tree, so the element's is the product of its ancestors', each
# looked up once per script call.
_VISIBLE = """
const opacityOf = new Map();
const opacity = (el) => {
  if (!el || el.nodeType !== 1) return 1;
  let value = opacityOf.get(el);
  if (value === undefined) {
    value = parseFloat(getComputedStyle(el).opacity) * opacity(el.parentElement);
    opacityOf.set(el, value);
  }
  return value;
};
const visible = (el) => {
  if (!el || !el.isConnected) return false;
  if (el.checkVisibility && !el.checkVisibility({opacityProperty: true, visibilityProperty: true}))
    return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && opacity(el) >= 0.05;
};
const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim();
"""

# Which elements may have changed since the caller's last look, from a MutationObserver
# the first look installs (one per *key*, so two readers keep their own count). An
# element counts as changed when a text, child or image-source change happened inside
# it, an image in it loaded (currentSrc changes without a mutation), or it was
# (re)inserted; the first look sees everything as changed. The page's DOM is not
# touched: the state lives in a window property, which no serialisation carries, and
# in WeakSets, which keep no node alive that the page has dropped.
_CHANGES = """
const changesSince = (key) => {
  const all = window.__bevaraChanges || (window.__bevaraChanges = {});
  let t = all[key];
  if (!t) {
    t = all[key] = {inside: new WeakSet(), added: new WeakSet()};
    // An element's ancestors are marked with it; a marked one's are marked already.
    const touch = (n) => { for (let e = n; e && !t.inside.has(e); e = e.parentNode) t.inside.add(e); };
    t.note = (records) => {
      for (const r of records) {
        touch(r.target);
        for (const n of r.addedNodes) t.added.add(n);
      }
    };
    t.observer = new MutationObserver(t.note);
    t.observer.observe(document, {subtree: true, childList: true, characterData: true,
                                  attributes: true, attributeFilter: ['src', 'srcset', 'sizes']});
    const loaded = (e) => { if (e.target instanceof Element) touch(e.target); };
    document.addEventListener('load', loaded, true);
    document.addEventListener('error', loaded, true);
    return () => true;
  }
  t.note(t.observer.takeRecords());
  const {inside, added} = t;
  t.inside = new WeakSet();
  t.added = new WeakSet();
  return (el) => {
    if (inside.has(el)) return true;
    for (let e = el; e; e = e.parentNode) if (added.has(e)) return true;
    return false;
  };
};
"""

PAGE_METRICS = """() => {
  const se = document.scrollingElement || document.documentElement;
  const height = Math.max(se.scrollHeight, document.body ? document.body.scrollHeight : 0);
  return {height, width: se.scrollWidth, scrollY: window.scrollY,
          viewport: window.innerHeight,
          atBottom: window.scrollY + window.innerHeight >= height - 2,
          title: document.title, url: location.href};
}"""

SCROLL_BY = """(dy) => { window.scrollBy(0, dy); return window.scrollY; }"""

SCROLL_TO_TOP = """() => { window.scrollTo(0, 0); return window.scrollY; }"""

# Marks consent buttons with data-bevara-consent="<rank>" so Python can click them with a
# real mouse click; returns [{rank, label}] best first. A text match only counts inside
# something overlay-like, so a page's own "Acceptera" button is never pressed.
MARK_CONSENT = (
    """(m) => {"""
    + _VISIBLE
    + """
  for (const el of document.querySelectorAll('[data-bevara-consent]'))
    el.removeAttribute('data-bevara-consent');
  const overlayish = (el) => {
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const role = (e.getAttribute('role') || '').toLowerCase();
      if (role === 'dialog' || role === 'alertdialog' || e.tagName === 'DIALOG') return true;
      if (e.getAttribute('aria-modal') === 'true') return true;
      const pos = getComputedStyle(e).position;
      if (pos === 'fixed' || pos === 'sticky') return true;
      const cls = typeof e.className === 'string' ? e.className : '';
      const names = (e.id || '') + ' ' + cls;
      if (/cookie|consent|gdpr|privacy|samtycke|banner/i.test(names)) return true;
    }
    return false;
  };
  const found = [];
  const seen = new Set();
  const add = (el, label, rank) => {
    if (seen.has(el) || !visible(el) || el.disabled) return;
    if (el.hasAttribute('data-bevara-consent-done')) return;
    seen.add(el);
    el.setAttribute('data-bevara-consent', String(found.length));
    found.push({rank, label, index: found.length});
  };
  const labelOf = (el) =>
    norm(el.tagName === 'INPUT' ? el.value : (el.innerText || el.textContent));
  m.selectors.forEach((s, i) => {
    try {
      for (const el of document.querySelectorAll(s)) add(el, labelOf(el).slice(0, 80) || s, i);
    } catch (e) {}
  });
  const wanted = m.texts.map((t) => norm(t).toLowerCase());
  const buttons = document.querySelectorAll(
    'button, [role="button"], a, input[type="button"], input[type="submit"]');
  for (const el of buttons) {
    const label = labelOf(el).toLowerCase();
    const i = wanted.indexOf(label);
    if (i >= 0 && overlayish(el)) add(el, m.texts[i], 1000 + i);
  }
  found.sort((a, b) => a.rank - b.rank);
  return found;
}"""
)

# Clicks every visible, not yet clicked expander ("Visa 3 kommentarer", "Visa svar", …).
# Links to other documents are skipped: clicking them would leave the page.
CLICK_EXPANDERS = (
    """(m) => {"""
    + _VISIBLE
    + """
  const texts = m.texts.map((t) => norm(t).toLowerCase());
  const patterns = m.patterns.map((p) => new RegExp(p, 'i'));
  const candidates = new Set();
  for (const s of m.selectors) {
    try { document.querySelectorAll(s).forEach((el) => candidates.add(el)); } catch (e) {}
  }
  if (texts.length || patterns.length) {
    // innerText of every link and button on a long feed, every round, is the cost here:
    // an element whose text has not changed since it last failed to match is skipped.
    const notExpander = window.__bevaraNotExpander || (window.__bevaraNotExpander = new WeakMap());
    const clickable = 'button, [role="button"], a, summary, span[tabindex], div[tabindex]';
    for (const el of document.querySelectorAll(clickable)) {
      if (el.hasAttribute('data-bevara-clicked')) continue;
      const raw = el.textContent;
      if (notExpander.get(el) === raw) continue;
      const label = norm(el.innerText || raw);
      if (label && label.length <= 80
          && (texts.includes(label.toLowerCase()) || patterns.some((p) => p.test(label))))
        candidates.add(el);
      else notExpander.set(el, raw);
    }
  }
  const clicked = [];
  for (const el of candidates) {
    if (el.hasAttribute('data-bevara-clicked') || !visible(el) || el.disabled) continue;
    if (el.getAttribute('aria-expanded') === 'true') continue;
    if (el.tagName === 'A') {
      const href = el.getAttribute('href') || '';
      if (href && !href.startsWith('#') && !href.toLowerCase().startsWith('javascript:')) continue;
    }
    el.setAttribute('data-bevara-clicked', '');
    if (el.tagName === 'SUMMARY' && el.parentElement) el.parentElement.open = true;
    else el.click();
    clicked.push(norm(el.innerText || el.textContent).slice(0, 80));
  }
  return clicked;
}"""
)

# Reads every post/comment/reply in the DOM that is new or changed since the last call.
# A field is looked up inside the item but never inside a nested item, so a post's text
# is not its comments' text.
# Reading an item's fields (site.Field): a place is an element inside the item, not inside
# an item nested in it, and its attribute or text, cut by a pattern; a field's places are
# tried in order. Needs ``specs``; used by EXTRACT_ITEMS and itemboxes.ITEM_BOXES, so an
# item's id is read alike everywhere.
READ_FIELDS = """
  const all = specs.map((s) => s.container).join(', ');
  const ownedBy = (el, item) => {
    if (el === item) return true;
    const owner = el.parentElement ? el.parentElement.closest(all) : null;
    return owner === item;
  };
  const find = (item, f) => {
    if (!f.selector) return item;
    for (const el of item.querySelectorAll(f.selector)) if (ownedBy(el, item)) return el;
    return null;
  };
  const value = (el, f) => {
    const v = rawValue(el, f);
    if (v === null || !f.pattern) return v;
    const m = new RegExp(f.pattern).exec(v);
    return m ? (m[1] !== undefined ? m[1] : m[0]) : null;
  };
  const rawValue = (el, f) => {
    if (!el) return null;
    if (f.attr) {
      if (f.attr === 'href' && el.href) return String(el.href);
      if (f.attr === 'src' && (el.currentSrc || el.src)) return String(el.currentSrc || el.src);
      const lazy = el.getAttribute('data-src') || el.getAttribute('data-delayed-url');
      if (f.attr === 'src' && lazy)  // a lazy image not loaded yet (LinkedIn: data-delayed-url)
        return new URL(lazy, document.baseURI).href;
      const v = el.getAttribute(f.attr);
      return v === null ? null : v;
    }
    return (el.innerText || el.textContent || '').trim();
  };
  const read = (item, places) => {  // the first place that gives a value
    for (const f of places) { const v = value(find(item, f), f); if (v) return v; }
    return null;
  };
"""

EXTRACT_ITEMS = (
    """(specs) => {"""
    + _CHANGES
    + READ_FIELDS
    + """
  // Reading innerText lays the page out, and a long feed holds hundreds of items:
  // an item whose text and images have not changed since the last read is skipped.
  // Comparing every item's text costs as much as the feed is long, every round, so
  // only the items the page changed since the last round are compared at all.
  const seen = window.__bevaraSeen || (window.__bevaraSeen = new WeakMap());
  const changed = changesSince('items');
  const signature = (item) => item.textContent + '\u0000' +
    Array.from(item.getElementsByTagName('img'), (i) => i.currentSrc || i.src || '').join(' ');
  const out = [];
  for (const s of specs) {
    let nodes;
    try { nodes = document.querySelectorAll(s.container); } catch (e) { continue; }
    for (const item of nodes) {
      if (seen.has(item) && !changed(item)) continue;
      const sig = signature(item);
      if (seen.get(item) === sig) continue;
      const id = read(item, s.id);
      if (!id) { seen.delete(item); continue; }  // read again next round, changed or not
      seen.set(item, sig);
      let parent = read(item, s.parent_id);
      if (!parent && s.kind !== 'post' && item.parentElement) {
        const up = item.parentElement.closest(all);
        if (up) {
          const upSpec = specs.find((x) => up.matches(x.container));
          parent = upSpec ? read(up, upSpec.id) : null;
        }
      }
      const media = [];
      for (const f of s.media) {  // every place's pictures, each once
        for (const el of item.querySelectorAll(f.selector || '*')) {
          if (!ownedBy(el, item)) continue;
          const v = value(el, f);
          if (v && !v.startsWith('data:') && !media.includes(v)) media.push(v);
        }
      }
      out.push({kind: s.kind, id, parent, author_handle: read(item, s.author_handle),
                author_name: read(item, s.author_name), created: read(item, s.created),
                text: read(item, s.text) || '', url: read(item, s.url), media});
    }
  }
  return out;
}"""
)

READ_FOLLOWERS = """(f) => {
  const el = document.querySelector(f.selector);
  if (!el) return null;
  return f.attr ? el.getAttribute(f.attr) : (el.innerText || el.textContent);
}"""

COUNT_ELEMENTS = """(selector) => {
  try { return document.querySelectorAll(selector).length; } catch (e) { return 0; }
}"""

ELEMENT_REACHED = """(selector) => {
  try {
    for (const el of document.querySelectorAll(selector))
      if (el.getBoundingClientRect().top < window.innerHeight) return true;
  } catch (e) { /* a bad selector means: not reached */ }
  return false;
}"""

# One box per rendered line of every visible text node, in document coordinates:
# words are measured one by one and grouped into lines by their top edge, so each box
# carries exactly the characters Chromium drew on that line (emoji and å/ä/ö included).
TEXT_BOXES = (
    """() => {"""
    + _VISIBLE
    + """
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION', 'TEXTAREA', 'HEAD']);
  const shown = new Map();
  const isShown = (el) => {
    if (!shown.has(el)) shown.set(el, visible(el));
    return shown.get(el);
  };
  const sx = window.scrollX, sy = window.scrollY;
  const boxes = [];
  const range = document.createRange();
  const root = document.body || document.documentElement;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const data = node.data;
    if (!/\\S/.test(data)) continue;
    const el = node.parentElement;
    if (!el || skip.has(el.tagName) || el.closest('svg') || !isShown(el)) continue;
    const fontSize = parseFloat(getComputedStyle(el).fontSize) || 0;
    const words = [];
    const re = /\\S+/g;
    let m;
    while ((m = re.exec(data)) !== null) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = range.getClientRects();
      if (!rects.length) continue;
      const r = rects[0];
      if (r.width <= 0 || r.height <= 0) continue;
      words.push({start: m.index, end: m.index + m[0].length, top: r.top});
    }
    let line = null;
    const flush = () => {
      if (!line) return;
      range.setStart(node, line.start);
      range.setEnd(node, line.end);
      const r = range.getBoundingClientRect();
      const text = norm(data.slice(line.start, line.end));
      if (text && r.width > 0 && r.height > 0)
        boxes.push([r.left + sx, r.top + sy, r.width, r.height, text, fontSize]);
    };
    for (const w of words) {
      if (line && Math.abs(w.top - line.top) < 2) { line.end = w.end; continue; }
      flush();
      line = {start: w.start, end: w.end, top: w.top};
    }
    flush();
  }
  return boxes;
}"""
)

# Injected before page.pdf(): let the page grow to its full height and drop CSS background
# images, whose gradients and tiles become PDF patterns the PDF/A validator cannot check.
PRINT_CSS = """
html, body { height: auto !important; overflow: visible !important; }
*, *::before, *::after { background-image: none !important; }
""".strip()

# Print shows fixed and sticky elements on every page; make them ordinary blocks first.
UNSTICK_FOR_PRINT = """() => {
  let changed = 0;
  for (const el of document.querySelectorAll('body *')) {
    const pos = getComputedStyle(el).position;
    if (pos === 'fixed' || pos === 'sticky') {
      el.style.setProperty('position', 'static', 'important');
      changed++;
    }
  }
  return changed;
}"""

# The engine's bookkeeping attributes must not end up in the archived HTML.
REMOVE_MARKS = """() => {
  const names = ['data-bevara-consent', 'data-bevara-consent-done', 'data-bevara-clicked'];
  for (const name of names)
    for (const el of document.querySelectorAll('[' + name + ']')) el.removeAttribute(name);
}"""


# One scroll round in one round trip: read new items, click expanders, check the end
# marker, then scroll on unless at the bottom and let one frame pass so scroll
# listeners (infinite scroll, virtualisers) have run before the next round reads.
SCROLL_ROUND = (
    """async (a) => {
  const extract = """
    + EXTRACT_ITEMS
    + """;
  const click = """
    + CLICK_EXPANDERS
    + """;
  const reached = """
    + ELEMENT_REACHED
    + """;
  const items = a.specs.length ? extract(a.specs) : [];
  const clicked = a.expanders ? click(a.expanders) : [];
  const end = a.endMarker ? reached(a.endMarker) : false;
  const se = document.scrollingElement || document.documentElement;
  const height = Math.max(se.scrollHeight, document.body ? document.body.scrollHeight : 0);
  const atBottom = window.scrollY + window.innerHeight >= height - 2;
  if (!end && !atBottom) {
    window.scrollBy(0, a.step);
    await new Promise((r) => requestAnimationFrame(r));
  }
  return {items, clicked, end, height, atBottom};
}"""
)
