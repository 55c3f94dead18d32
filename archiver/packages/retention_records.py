"""The retention engine's records as the packages read them: decisions, culling runs, protocols.

This is the real ``DisposalSource`` (see ``archiver.packages.disposal``): it reads what
reviews decided and what culling runs executed, and invents nothing. An item no review
has looked at still reads "no culling decision recorded"; the policy's rule for it is a
proposal until a records officer decides, so it is not a disposal a package may state.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from archiver.catalogue.retention_tables import (
    RetentionCandidate,
    RetentionGroup,
    RetentionProtocol,
    RetentionStub,
)
from archiver.errors import BadInputError
from archiver.packages.disposal import CullingEvent, Disposal, DisposalSource, ProtocolDocument
from retention.protocol import protocol_record

_ACTIONS = {"gallras": "cull after period", "bevaras": "keep", "diarieförs": "register"}


def _mandate(g: RetentionGroup) -> str:
    parts = [g.mandate_body, g.mandate_date.isoformat() if g.mandate_date else "", g.mandate_section,
             f"dnr {g.mandate_dnr}" if g.mandate_dnr else ""]
    return " ".join(p for p in parts if p)


class RetentionRecords:
    """Decisions and culling runs from the catalogue's retention tables."""

    def for_items(self, session: Session, item_ids: Sequence[int]) -> Mapping[int, Disposal]:
        found: dict[int, Disposal] = {}
        ids = list(item_ids)
        for i in range(0, len(ids), 500):
            batch = ids[i:i + 500]
            # The newest review that decided on an item speaks for it; a culled item's stub
            # says when it went.
            rows = session.execute(
                select(RetentionCandidate, RetentionGroup)
                .join(RetentionGroup, RetentionGroup.id == RetentionCandidate.group_id)
                .where(RetentionCandidate.item_id.in_(batch), RetentionCandidate.decision.is_not(None))
                .order_by(RetentionCandidate.review_id))
            stubs = {s.item_id: s for s in session.scalars(
                select(RetentionStub).where(RetentionStub.item_id.in_(batch)))}
            for cand, group in rows:
                stub = stubs.get(cand.item_id)
                culls = group.action == "gallras" and cand.decision == "approve"
                found[cand.item_id] = Disposal(
                    disposable=culls, rule=cand.new_rule or group.rule_id, mandate=_mandate(group),
                    period=group.period, action=_ACTIONS.get(group.action, group.action),
                    disposal_date=stub.culled_at if stub else None,
                    comment=(f"culled under protocol {stub.protocol_id}" if stub else
                             f"review {cand.review_id}: {cand.decision}"
                             + (f" ({cand.why})" if cand.why else "")))
        return found

    def culling_events(self, session: Session, account_ids: Sequence[int], start: dt.datetime,
                       end: dt.datetime) -> Sequence[CullingEvent]:
        wanted = {str(a) for a in account_ids}
        events: list[CullingEvent] = []
        protocols = session.scalars(
            select(RetentionProtocol).where(RetentionProtocol.status == "complete",
                                            RetentionProtocol.executed_at >= start,
                                            RetentionProtocol.executed_at < end)
            .order_by(RetentionProtocol.id))
        for p in protocols:
            groups = {g.rule_id: g for g in session.scalars(
                select(RetentionGroup).where(RetentionGroup.review_id == p.review_id))}
            for rule, per_account in sorted(json.loads(p.counts or "{}").items()):
                culled = sum(n for acc, kinds in per_account.items() if acc in wanted for n in kinds.values())
                if culled and p.executed_at is not None:
                    g = groups.get(rule)
                    events.append(CullingEvent(protocol_id=p.id, at=p.executed_at, by=p.executed_by, rule=rule,
                                               mandate=_mandate(g) if g else "", items_culled=culled))
        return events

    def protocol(self, session: Session, protocol_id: int) -> ProtocolDocument:
        rec = protocol_record(session, protocol_id)  # NotFoundError names the listing command
        if rec["executed_at"] is None:
            raise BadInputError(f"protocol {protocol_id} is not complete; finish it with: "
                                f"archive retention apply {rec['review']} --execute")
        rows = "".join(
            f"<tr><td>{html.escape(rule)}</td><td>{html.escape(acc)}</td><td>{html.escape(kind)}</td>"
            f"<td class=n>{n}</td></tr>"
            for rule, accounts in sorted(rec["counts"].items()) for acc, kinds in sorted(accounts.items())
            for kind, n in sorted(kinds.items()))
        files = "".join(f"<li>{html.escape(f['name'])}: SHA-256 {f['sha256']}</li>" for f in rec["files"])
        doc = (f"<!doctype html><html lang='sv'><meta charset='utf-8'><title>Gallringsprotokoll {protocol_id}"
               "</title><style>body{font-family:'DejaVu Sans',sans-serif}td,th{border:1px solid #999;"
               "padding:2px 6px}table{border-collapse:collapse}.n{text-align:right}</style>"
               f"<h1>Gallringsprotokoll {protocol_id}</h1>"
               f"<p>Verkställt {html.escape(rec['executed_at'])} av {html.escape(rec['executed_by'])}; "
               f"godkänt av {html.escape(rec['approved_by'])}. Metod: {html.escape(rec['method'])}. "
               f"Gallrade: {rec['culled']}, överhoppade: {rec['skipped']}.</p>"
               "<table><tr><th>Regel</th><th>Konto</th><th>Typ</th><th>Antal</th></tr>" + rows + "</table>"
               f"<p>Protokollets filer i arkivet:</p><ul>{files}</ul>")
        return ProtocolDocument(protocol_id=protocol_id, title=f"Gallringsprotokoll {protocol_id}",
                                created_at=dt.datetime.fromisoformat(rec["executed_at"]),
                                by=rec["executed_by"], html=doc, data=rec)


def disposal_source() -> DisposalSource:
    """The one place the retention engine is wired into the packages."""
    return RetentionRecords()
