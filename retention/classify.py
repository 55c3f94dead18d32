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
import itertools
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archiver.catalogue.models import Account, Item, ItemFlag, ItemMark
from archiver.catalogue.retention_tables import RetentionCandidate
from retention.deadline import INACTUAL, Frist, HalfYears, eligible_from, local_midnight
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


def _static_match(rule: Rule, kind: str, own: bool | None, account: int, platform: str, flagged: bool,
                  marks: frozenset[str] | None) -> bool:
    """The rule's conditions that do not depend on the item's text or age."""
    m = rule.match
    if m.kinds is not None and kind not in m.kinds:
        return False
    if m.author is not None and (not own if m.author == "own" else (own is None or bool(own))):
        return False
    if m.accounts is not None and account not in m.accounts:
        return False
    if m.platforms is not None and platform not in m.platforms:
        return False
    if m.flags is not None and flagged != (m.flags == "any"):
        return False
    if m.marks is not None:
        if m.marks == "none":
            return not marks
        return bool(marks and marks & m.marks)  # type: ignore[operator]
    return True


def _dynamic_match(rule: Rule, age_days: float, text: str) -> bool:
    m = rule.match
    if m.min_age_days is not None and age_days < m.min_age_days:
        return False
    return not m.text or any(p.search(text) for p in m.text)


def epoch(session: Session, column: Any) -> Any:
    """Seconds since 1970 for a UTC timestamp column, computed by the database: converting a
    million datetimes in Python costs more than the rest of the review."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return func.extract("epoch", column)


def classify(session: Session, policy: Policy, *, as_of: dt.datetime, tz: ZoneInfo,
             account_id: int | None = None) -> Classified:
    accounts = {a.id: (a.platform, a.closed) for a in session.scalars(select(Account))}
    flagged = set(session.scalars(select(ItemFlag.item_id).distinct()))
    marks_of: dict[int, set[str]] = {}
    for iid, kind in session.execute(select(ItemMark.item_id, ItemMark.kind)):
        marks_of.setdefault(iid, set()).add(kind)
    marks = {i: frozenset(k) for i, k in marks_of.items()}
    registered = set(session.scalars(select(RetentionCandidate.item_id)
                                     .where(RetentionCandidate.decision == "register")))
    decided = (select(RetentionCandidate.item_id, RetentionCandidate.decision, RetentionCandidate.until,
                      RetentionCandidate.new_rule)
               .where(RetentionCandidate.decision.in_(("extend", "reclassify")))
               .order_by(RetentionCandidate.review_id))
    extended: dict[int, float] = {}
    reclassified: dict[int, str] = {}
    for iid, decision, until, new_rule in session.execute(decided):
        if decision == "extend" and until:
            extended[iid] = local_midnight(until, tz).timestamp()
        elif decision == "reclassify" and new_rule:
            reclassified[iid] = new_rule
    holds = HoldIndex(session, tz)
    halves = HalfYears(tz)
    rules = policy.rules
    rule_by_id = {r.id: r for r in rules}
    need_text = policy.uses_text or holds.needs_text
    as_of_ts = as_of.timestamp()
    out = Classified()
    group_index: dict[tuple[str, int, str], int] = {}
    kept_parents: set[int] = set()
    self_keys = array("q")
    parent_keys = array("q")
    shortlist: dict[tuple[Any, ...], tuple[Rule, ...]] = {}
    published_col = func.coalesce(Item.created_at, Item.first_seen_at)
    q = select(Item.id, Item.account_id, Item.kind, Item.is_own, epoch(session, published_col),
               Item.platform_id, Item.parent_platform_id, Item.text if need_text else Item.id,
               ).where(Item.content_purged.is_(False))
    if account_id is not None:
        q = q.where(Item.account_id == account_id)
    conn = session.connection()
    # The compiled statement run on the driver: SQLAlchemy's per-row result processing
    # would double the review's time for nothing (the values are ints, floats and text).
    sql = str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.exec_driver_sql(sql).cursor
    rows = itertools.chain.from_iterable(iter(lambda: cursor.fetchmany(CHUNK), []))
    labels = halves.labels
    for iid, acc, kind, own, ts, pid, parent, text in rows:
        ts = float(ts)
        text = str(text) if need_text else ""
        reason = None
        item_marks = marks.get(iid)
        if holds.by_item.get(iid) is not None or (
                holds.criteria and holds.covers(iid, acc, dt.datetime.fromtimestamp(ts, dt.UTC), text)):
            reason = 0
        elif item_marks and "led-to-case" in item_marks:
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
            if iid in reclassified:
                rule = rule_by_id.get(reclassified[iid])
            if rule is None:
                key = (kind, own, acc, iid in flagged, item_marks)
                short = shortlist.get(key)
                if short is None:
                    platform = accounts[acc][0]
                    short = shortlist[key] = tuple(r for r in rules if _static_match(
                        r, kind, own, acc, platform, iid in flagged, item_marks))
                age_days = (as_of_ts - ts) / 86400
                for r in short:
                    if _dynamic_match(r, age_days, text):
                        rule = r
                        break
            if rule is None:
                reason = 8
            elif not rule.culls:
                out.kept_by_rule[rule.id] += 1
            elif rule.mandate is None:
                reason = 7
            else:
                when = _eligible(rule.frist, ts, halves, tz, accounts[acc][1])
                postponed = extended.get(iid)
                if when is not None and postponed is not None:
                    when = max(when, postponed)
                if when is None or when > as_of_ts:
                    reason = 6
                else:
                    gk = (rule.id, acc, labels[halves.index(ts)])
                    g = group_index.get(gk)
                    if g is None:
                        g = group_index[gk] = len(out.groups)
                        out.groups.append(gk)
                    out.ids.append(iid)
                    out.group.append(g)
                    out.published.append(ts)
                    out.eligible.append(when)
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


def _eligible(frist: Frist | None, ts: float, halves: HalfYears, tz: ZoneInfo,
              closed: dt.date | None) -> float | None:
    """eligible_from() as a timestamp, with the common half-year case done by bisection."""
    assert frist is not None
    if frist.kind == INACTUAL and not frist.days:
        return halves.end_after(ts, frist.halfyears)
    when = eligible_from(frist, dt.datetime.fromtimestamp(ts, dt.UTC), tz, account_closed=closed)
    return when.timestamp() if when is not None else None


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
