"""The records officer's overview: open reviews, items due and overdue, active holds.

Culling is a duty (Stockholm; Örebro: "Gallring ska ske årligen"), so an item that has
been eligible for a review for more than a year without being culled counts as overdue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archiver.catalogue.retention_tables import RetentionCandidate, RetentionReview, RetentionStub
from retention.classify import classify
from retention.holds import list_holds
from retention.policy import Policy

OVERDUE_AFTER = dt.timedelta(days=365)


def status(session: Session, policy: Policy, *, as_of: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    zone = tz
    c = classify(session, policy, as_of=as_of, tz=zone)
    in_open = set(session.scalars(select(RetentionCandidate.item_id).join(
        RetentionReview, RetentionReview.id == RetentionCandidate.review_id).where(
        RetentionReview.status == "open")))
    due = [i for i in c.ids if i not in in_open]
    limit = (as_of - OVERDUE_AFTER).timestamp()
    overdue = sum(1 for i, t in zip(c.ids, c.eligible, strict=True) if t <= limit)
    open_reviews = [{"review": r.id, "as_of": r.as_of.isoformat(), "created_by": r.created_by,
                     "candidates": session.scalar(select(func.count()).select_from(RetentionCandidate)
                                                  .where(RetentionCandidate.review_id == r.id)) or 0,
                     "approved": session.scalar(select(func.count()).select_from(RetentionCandidate).where(
                         RetentionCandidate.review_id == r.id, RetentionCandidate.decision == "approve")) or 0}
                    for r in session.scalars(select(RetentionReview).where(RetentionReview.status == "open")
                                             .order_by(RetentionReview.id))]
    return {"as_of": as_of.isoformat(), "open_reviews": open_reviews, "due_for_review": len(due),
            "in_open_reviews": len(c.ids) - len(due), "overdue": overdue,
            "excluded": c.excluded_counts(), "active_holds": list_holds(session, zone),
            "culled_total": session.scalar(select(func.count()).select_from(RetentionStub)) or 0,
            "policy_warnings": list(policy.warnings)}
