"""Which items a policy makes candidates for culling, and why the others stay.

One streaming pass over the items decides each one: protections first (hold, case,
confidential, flagged, moderated, registered — whatever the policy says), then the first
matching rule, then its mandate and frist. A second step keeps the post a kept comment
answers (``context``), transitively, since a kept reply is unreadable without what it
answers. The pass keeps only compact arrays per candidate, so a million items fit in a
few tens of MiB. Parent links are compared by a 64-bit hash of (account, platform id); a
collision can only keep an item that could have gone, never the reverse.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from archiver.catalogue.models import Account, Item, ItemFlag, ItemMark
from archiver.catalogue.retention_tables import RetentionCandidate, RetentionReview
from retention.deadline import eligible_from
from retention.holds import HoldIndex
from retention.policy import Policy, Rule

REASONS = ("hold", "case", "flagged", "confidential", "moderated", "registered", "too-young",
           "no-mandate", "no-rule", "context")
PROTECTIONS = {"led-to-case": "case", "confidential": "confidential", "removed": "moderated"}
CHUNK = 20_000


@dataclass
class Classified:
    """Candidates and exclusions as parallel arrays (ids, group index, times, reasons)."""

    ids: array[int] = field(default_factory=lambda: array("q"))
    group: array[int] = field(default_factory=lambda: array("l"))
    published: array[float] = field(default_factory=lambda: array("d"))
    eligible: array[float] = field(default_factory=lambda: array("d"))
    groups: list[tuple[str, int, str]] = field(default_factory=list)  # (rule id, account, period)
    excluded_ids: array[int] = field(default_factory=lambda: array("q"))
    excluded_reason: array[int] = field(default_factory=lambda: array("b"))
    kept_by_rule: Counter[str] = field(default_factory=Counter)

    def excluded_counts(self) -> dict[str, int]:
        c = Counter(self.excluded_reason)
        return {REASONS[k]: n for k, n in sorted(c.items())}


def _matches(rule: Rule, kind: str, own: bool | None, account: int, platform: str, flagged: bool,
             marks: set[str] | None, age_days: int, text: str) -> bool:
    m = rule.match
    if m.kinds is not None and kind not in m.kinds:
        return False
    if m.author is not None and (own is not True if m.author == "own" else own is not False):
        return False
    if m.accounts is not None and account not in m.accounts:
        return False
    if m.platforms is not None and platform not in m.platforms:
        return False
    if m.flags is not None and flagged != (m.flags == "any"):
        return False
    if m.marks is not None:
        if m.marks == "none":
            if marks:
                return False
        elif not (marks and marks & m.marks):  # type: ignore[operator]
            return False
    if m.min_age_days is not None and age_days < m.min_age_days:
        return False
    return not m.text or any(p.search(text) for p in m.text)


def classify(session: Session, policy: Policy, *, as_of: dt.datetime, tz: ZoneInfo,
             account_id: int | None = None) -> Classified:
    accounts = {a.id: (a.platform, a.closed) for a in session.scalars(select(Account))}
    flagged = set(session.scalars(select(ItemFlag.item_id).distinct()))
    marks: dict[int, set[str]] = {}
    for iid, kind in session.execute(select(ItemMark.item_id, ItemMark.kind)).tuples():
        marks.setdefault(iid, set()).add(kind)
    registered = set(session.scalars(select(RetentionCandidate.item_id)
                                     .where(RetentionCandidate.decision == "register")))
    decided = (select(RetentionCandidate.item_id, RetentionCandidate.decision, RetentionCandidate.until,
                      RetentionCandidate.new_rule)
               .where(RetentionCandidate.decision.in_(("extend", "reclassify")))
               .join(RetentionReview, RetentionReview.id == RetentionCandidate.review_id)
               .order_by(RetentionCandidate.review_id))
    extended: dict[int, dt.date] = {}
    reclassified: dict[int, str] = {}
    for iid, decision, until, new_rule in session.execute(decided).tuples():
        if decision == "extend" and until:
            extended[iid] = until
        elif decision == "reclassify" and new_rule:
            reclassified[iid] = new_rule
    holds = HoldIndex(session, tz)
    rules = policy.rules
    rule_by_id = {r.id: r for r in rules}
    need_text = policy.uses_text or holds.needs_text
    as_of_ts = as_of.timestamp()
    out = Classified()
    group_index: dict[tuple[str, int, str], int] = {}
    kept_parents: set[int] = set()
    self_keys = array("q")
    parent_keys = array("q")
    text_col = Item.text if need_text else Item.id
    q = select(Item.id, Item.account_id, Item.kind, Item.is_own, Item.created_at, Item.first_seen_at,
               Item.platform_id, Item.parent_platform_id, text_col).where(Item.content_purged.is_(False))
    if account_id is not None:
        q = q.where(Item.account_id == account_id)
    half_year_of: dict[tuple[int, int], str] = {}
    for row in session.execute(q.execution_options(yield_per=CHUNK)).tuples():
        iid, acc, kind, own, created, first_seen, pid, parent, text = row
        published = created or first_seen
        text = str(text) if need_text else ""
        reason = None
        h = holds.covers(iid, acc, published, text)
        if h is not None:
            reason = 0
        else:
            item_marks = marks.get(iid)
            if item_marks and "led-to-case" in item_marks:
                reason = 1
            elif iid in flagged:
                reason = 2
            elif item_marks and "confidential" in item_marks:
                reason = 3
            elif item_marks and "removed" in item_marks:
                reason = 4
            elif iid in registered:
                reason = 5
        rule: Rule | None = None
        if reason is None:
            platform, closed = accounts[acc]
            age_days = int((as_of_ts - published.timestamp()) // 86400)
            rule = rule_by_id.get(reclassified.get(iid, "")) if iid in reclassified else None
            if rule is None:
                for r in rules:
                    if _matches(r, kind, own, acc, platform, iid in flagged, marks.get(iid), age_days, text):
                        rule = r
                        break
            if rule is None:
                reason = 8
            elif not rule.culls:
                out.kept_by_rule[rule.id] += 1
            elif rule.mandate is None:
                reason = 7
            else:
                assert rule.frist is not None
                when = eligible_from(rule.frist, published, tz, account_closed=closed)
                until = extended.get(iid)
                if until is not None:
                    ext = dt.datetime.combine(until, dt.time(0), tzinfo=tz).timestamp()
                    when = when if when is None or when.timestamp() >= ext else dt.datetime.fromtimestamp(ext, dt.UTC)
                if when is None or when.timestamp() > as_of_ts:
                    reason = 6
                else:
                    local = published.astimezone(tz)
                    hk = (local.year, local.month)
                    period = half_year_of.get(hk)
                    if period is None:
                        period = half_year_of[hk] = f"{local.year}-H{1 if local.month < 7 else 2}"
                    gk = (rule.id, acc, period)
                    g = group_index.get(gk)
                    if g is None:
                        g = group_index[gk] = len(out.groups)
                        out.groups.append(gk)
                    out.ids.append(iid)
                    out.group.append(g)
                    out.published.append(published.timestamp())
                    out.eligible.append(when.timestamp())
                    self_keys.append(hash((acc, pid)))
                    parent_keys.append(hash((acc, parent)) if parent else 0)
                    continue
        if reason is not None:
            out.excluded_ids.append(iid)
            out.excluded_reason.append(reason)
        if parent:
            kept_parents.add(hash((acc, parent)))
    _keep_context(out, self_keys, parent_keys, kept_parents)
    return out


def _keep_context(out: Classified, self_keys: array[int], parent_keys: array[int], kept: set[int]) -> None:
    """Move candidates that a kept item answers to the exclusions, until nothing changes."""
    alive = bytearray(b"\x01") * len(out.ids)
    changed = True
    while changed:
        changed = False
        for i in range(len(out.ids)):
            if alive[i] and self_keys[i] in kept:
                alive[i] = 0
                changed = True
                out.excluded_ids.append(out.ids[i])
                out.excluded_reason.append(REASONS.index("context"))
                if parent_keys[i]:
                    kept.add(parent_keys[i])
    if all(alive):
        return
    for name in ("ids", "group", "published", "eligible"):
        old = getattr(out, name)
        setattr(out, name, array(old.typecode, (v for v, a in zip(old, alive, strict=True) if a)))
