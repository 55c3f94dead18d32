"""Retention reviews: a numbered list of candidates in groups, the records officer's
decisions on it, and its exports (terminal table, CSV, a printable Swedish HTML page).

A review freezes what the policy proposed at ``as_of``; decisions are recorded per item
with who, when and why, and nothing is culled until ``apply --execute``.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archiver.catalogue.retention_tables import (
    RetentionCandidate,
    RetentionExclusion,
    RetentionGroup,
    RetentionReview,
)
from archiver.errors import BadInputError, NotFoundError
from archiver.home.archive import Archive
from retention.classify import REASONS, classify
from retention.holds import HoldScope, add_hold
from retention.policy import Policy

DECISIONS = ("approve", "extend", "reclassify", "register", "hold")
INSERT_CHUNK = 20_000


def run_review(archive: Archive, session: Session, policy: Policy, *, as_of: dt.datetime,
               account_id: int | None = None) -> int:
    """Classify every item and store the review; returns its number."""
    tz = archive.settings.tz
    c = classify(session, policy, as_of=as_of, tz=tz, account_id=account_id)
    summary = {"candidates": len(c.ids), "excluded": c.excluded_counts(),
               "kept_by_rule": dict(sorted(c.kept_by_rule.items())), "policy": str(policy.path)}
    review = RetentionReview(as_of=as_of, account_id=account_id, policy_sha256=policy.sha256,
                             created_by=archive.actor, created_at=archive.now, status="open",
                             summary=json.dumps(summary, ensure_ascii=False))
    session.add(review)
    session.flush()
    counts = [0] * len(c.groups)
    first = [float("inf")] * len(c.groups)
    last = [float("-inf")] * len(c.groups)
    for g, t in zip(c.group, c.published, strict=True):
        counts[g] += 1
        first[g] = min(first[g], t)
        last[g] = max(last[g], t)
    group_ids: list[int] = []
    for n, (rule_id, acc, period) in enumerate(c.groups):
        rule = policy.rule(rule_id)
        assert rule.mandate is not None
        row = RetentionGroup(review_id=review.id, key=f"G{n + 1}", rule_id=rule_id,
                             handlingstyp=rule.handlingstyp, klassa=rule.klassa, action=rule.action,
                             account_id=acc, period=period, count=counts[n],
                             first_at=dt.datetime.fromtimestamp(first[n], dt.UTC) if counts[n] else None,
                             last_at=dt.datetime.fromtimestamp(last[n], dt.UTC) if counts[n] else None,
                             mandate_body=rule.mandate.body, mandate_date=rule.mandate.date,
                             mandate_section=rule.mandate.section, mandate_dnr=rule.mandate.dnr)
        session.add(row)
        session.flush()
        group_ids.append(row.id)
    rid = review.id
    _bulk(session, "retention_candidates (review_id, item_id, group_id)", 3,
          ((rid, i, group_ids[g]) for i, g in zip(c.ids, c.group, strict=True)))
    _bulk(session, "retention_exclusions (review_id, item_id, reason)", 3,
          ((rid, i, REASONS[r]) for i, r in zip(c.excluded_ids, c.excluded_reason, strict=True)))
    archive.audit(session, f"review:{review.id}", {
        "as_of": as_of.isoformat(), "account": account_id, "policy_sha256": policy.sha256,
        "groups": {f"G{n + 1}": [g[0], g[1], g[2], counts[n]] for n, g in enumerate(c.groups)},
        **summary})
    return review.id


def _bulk(session: Session, into: str, width: int, rows: Iterator[tuple[Any, ...]]) -> None:
    """Plain executemany with tuples: a review stores up to a million rows, and building a
    dict and bound parameters per row in SQLAlchemy costs more than the database does."""
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {into} VALUES ({', '.join([mark] * width)})"
    while chunk := list(itertools.islice(rows, INSERT_CHUNK)):
        conn.exec_driver_sql(sql, chunk)


def get_review(session: Session, review_id: int) -> RetentionReview:
    review = session.get(RetentionReview, review_id)
    if review is None:
        raise NotFoundError(f"review {review_id} does not exist; start one with: archive retention review")
    return review


def group_records(session: Session, review_id: int, tz: dt.tzinfo) -> list[dict[str, Any]]:
    def day(t: dt.datetime | None) -> str | None:
        return t.astimezone(tz).date().isoformat() if t else None

    return [{"group": g.key, "rule": g.rule_id, "handlingstyp": g.handlingstyp, "klassa": g.klassa,
             "account": g.account_id, "period": g.period, "count": g.count, "from": day(g.first_at),
             "to": day(g.last_at),
             "mandate": f"{g.mandate_body} {g.mandate_date.isoformat()} {g.mandate_section}, dnr {g.mandate_dnr}"}
            for g in session.scalars(select(RetentionGroup).where(RetentionGroup.review_id == review_id)
                                     .order_by(RetentionGroup.id))]


def review_report(session: Session, review_id: int, tz: dt.tzinfo, *, items: bool = True) -> dict[str, Any]:
    """The review as the CLI prints it with --json."""
    review = get_review(session, review_id)
    summary = json.loads(review.summary)
    out: dict[str, Any] = {"review": review.id, "status": review.status, "as_of": review.as_of.isoformat(),
                           "created_by": review.created_by, "groups": group_records(session, review_id, tz),
                           "excluded_counts": summary["excluded"], "kept_by_rule": summary["kept_by_rule"]}
    if items:
        out["candidates"] = [
            {"item": iid, "group": key, "rule": rule, "action": action, "decision": decision,
             "outcome": outcome}
            for iid, key, rule, action, decision, outcome in session.execute(
                select(RetentionCandidate.item_id, RetentionGroup.key, RetentionGroup.rule_id,
                       RetentionGroup.action, RetentionCandidate.decision, RetentionCandidate.outcome)
                .join(RetentionGroup, RetentionGroup.id == RetentionCandidate.group_id)
                .where(RetentionCandidate.review_id == review_id).order_by(RetentionCandidate.item_id))]
        out["excluded"] = [{"item": iid, "reason": reason} for iid, reason in session.execute(
            select(RetentionExclusion.item_id, RetentionExclusion.reason)
            .where(RetentionExclusion.review_id == review_id).order_by(RetentionExclusion.item_id))]
    return out


@dataclass(frozen=True)
class Decision:
    action: str
    why: str
    everything: bool = False
    groups: tuple[str, ...] = ()
    items: tuple[int, ...] = ()
    until: dt.date | None = None
    rule: str | None = None


def decide(archive: Archive, session: Session, policy: Policy, review_id: int, d: Decision, *,
           four_eyes: bool = False) -> int:
    """Record one decision on part of a review; returns how many candidates it covers."""
    review = get_review(session, review_id)
    problems = []
    if d.action not in DECISIONS:
        problems.append(f"decision must be one of {', '.join(DECISIONS)}")
    if sum((d.everything, bool(d.groups), bool(d.items))) != 1:
        problems.append("choose what the decision covers: --all, --group G… or --item ID…")
    if not d.why.strip():
        problems.append("--why must give the justification")
    if d.action == "extend" and (d.until is None or d.until <= review.as_of.date()):
        problems.append("extend needs --until DATE after the review's date")
    if d.action == "reclassify":
        if not d.rule:
            problems.append("reclassify needs --rule R, the rule the items belong to")
        else:
            policy.rule(d.rule)
    if problems:
        raise BadInputError("; ".join(problems))
    if review.status != "open":
        raise BadInputError(f"review {review_id} has been applied; start a new one with: archive retention review")
    if four_eyes and d.action == "approve" and archive.actor == review.created_by:
        raise BadInputError(f"four-eyes rule: {archive.actor} created review {review_id} and may not approve it; "
                            "another records officer must approve (--by NAME)")
    where = [RetentionCandidate.review_id == review_id, RetentionCandidate.outcome.is_(None)]
    if d.groups:
        gids = dict(session.execute(select(RetentionGroup.key, RetentionGroup.id).where(
            RetentionGroup.review_id == review_id, RetentionGroup.key.in_(d.groups))).all())
        missing = [g for g in d.groups if g not in gids]
        if missing:
            raise NotFoundError(f"review {review_id} has no group {', '.join(missing)}; "
                                f"see: archive retention review show {review_id}")
        where.append(RetentionCandidate.group_id.in_(list(gids.values())))
    if d.items:
        have = set(session.scalars(select(RetentionCandidate.item_id).where(
            RetentionCandidate.review_id == review_id, RetentionCandidate.item_id.in_(d.items))))
        missing_items = [str(i) for i in d.items if i not in have]
        if missing_items:
            raise NotFoundError(f"item {', '.join(missing_items)} is not a candidate of review {review_id}")
        where.append(RetentionCandidate.item_id.in_(d.items))
    n = session.scalar(select(func.count()).select_from(RetentionCandidate).where(*where)) or 0
    session.execute(update(RetentionCandidate).where(*where).values(
        decision=d.action, decided_by=archive.actor, decided_at=archive.now, why=d.why.strip(),
        until=d.until, new_rule=d.rule))
    hold_id = None
    if d.action == "hold" and n:
        ids = tuple(session.scalars(select(RetentionCandidate.item_id).where(*where)))
        hold, _ = add_hold(archive, session, HoldScope(reason=d.why, items=ids))
        hold_id = hold.id
    archive.audit(session, f"review:{review_id}", {
        "decision": d.action, "why": d.why.strip(), "all": d.everything, "groups": list(d.groups),
        "items": list(d.items), "until": d.until, "rule": d.rule, "count": n, "hold": hold_id})
    return n


CSV_HEADER = ["post", "grupp", "regel", "handlingstyp", "konto", "period", "åtgärd", "beslut", "skäl"]
REASONS_SV = {"hold": "gallringsstopp", "case": "lett till ärende", "flagged": "flaggad",
              "confidential": "sekretess", "moderated": "modererad", "registered": "diarieförd",
              "too-young": "för ung", "no-mandate": "gallringsbeslut saknas", "no-rule": "ingen regel",
              "context": "sammanhang"}


def render_csv(report: dict[str, Any]) -> str:
    groups = {g["group"]: g for g in report["groups"]}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for c in report["candidates"]:
        g = groups[c["group"]]
        w.writerow([c["item"], c["group"], c["rule"], g["handlingstyp"], g["account"], g["period"],
                    c["action"], c["decision"] or "", ""])
    for e in report["excluded"]:
        w.writerow([e["item"], "", "", "", "", "", "undantas", "", REASONS_SV[e["reason"]]])
    return buf.getvalue()


def render_html(report: dict[str, Any], *, org_name: str) -> str:
    """A self-contained, printable page in Swedish: no scripts, no external resources."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(g['group'])}</td><td>{e(g['handlingstyp'])}<br><small>{e(g['rule'])}, Klassa "
        f"{e(g['klassa'])}</small></td><td>{g['account']}</td><td>{e(g['period'])}</td>"
        f"<td class=n>{g['count']}</td><td>{e(g['from'] or '')} – {e(g['to'] or '')}</td>"
        f"<td>{e(g['mandate'])}</td></tr>" for g in report["groups"])
    excl = "".join(f"<tr><td>{e(REASONS_SV[k])}</td><td class=n>{n}</td></tr>"
                   for k, n in report["excluded_counts"].items())
    cand = "".join(f"<tr><td>{c['item']}</td><td>{e(c['group'])}</td><td>{e(c['rule'])}</td>"
                   f"<td>{e(c['decision'] or '–')}</td></tr>" for c in report["candidates"])
    ex_items = "".join(f"<tr><td>{x['item']}</td><td>{e(REASONS_SV[x['reason']])}</td></tr>"
                       for x in report["excluded"])
    return f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8">
<title>Gallringsgranskning {report['review']} – {e(org_name)}</title>
<style>
body{{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10pt;margin:1.5em;color:#000}}
h1{{font-size:15pt}} h2{{font-size:12pt;margin-top:1.5em}}
table{{border-collapse:collapse;width:100%;margin:.5em 0}}
th,td{{border:1px solid #777;padding:3px 5px;text-align:left;vertical-align:top}}
th{{background:#eee}} td.n{{text-align:right}} small{{color:#333}}
@media print{{body{{margin:0}} tr{{break-inside:avoid}} thead{{display:table-header-group}}}}
</style></head><body>
<h1>Gallringsgranskning nr {report['review']}</h1>
<p>{e(org_name)}. Granskning per {e(report['as_of'][:10])}, upprättad av {e(report['created_by'])}.
Status: {'öppen' if report['status'] == 'open' else 'verkställd'}.</p>
<h2>Förslag till gallring per grupp</h2>
<table><thead><tr><th>Grupp</th><th>Handlingstyp</th><th>Konto</th><th>Halvår</th><th>Antal</th>
<th>Datum</th><th>Gallringsbeslut</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Undantagna poster per skäl</h2>
<table><thead><tr><th>Skäl</th><th>Antal</th></tr></thead><tbody>{excl}</tbody></table>
<h2>Poster föreslagna för gallring</h2>
<table><thead><tr><th>Post</th><th>Grupp</th><th>Regel</th><th>Beslut</th></tr></thead><tbody>{cand}</tbody></table>
<h2>Undantagna poster</h2>
<table><thead><tr><th>Post</th><th>Skäl</th></tr></thead><tbody>{ex_items}</tbody></table>
</body></html>
"""
