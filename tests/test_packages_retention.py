"""What the packages state about disposal comes from the retention engine's own records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from retention_fixtures import Spec, add_account, add_items, make_archive
from sqlalchemy import select

from archiver.catalogue.retention_tables import RetentionCandidate, RetentionStub
from archiver.errors import NotFoundError
from archiver.packages.retention_records import disposal_source
from archiver.pdf.model import DocumentMetadata
from retention import culling, review
from retention.policy import load_policy, policy_path

AS_OF = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)


def _fake_printer(html: str, out: Path, meta: DocumentMetadata) -> None:
    out.write_bytes(b"%PDF-1.7 stand-in for the protocol: the PDF/A pipeline has its own tests\n")


def test_decisions_and_culling_runs_reach_the_packages(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "home")
    acc = add_account(archive)
    ids = add_items(archive, acc, [Spec(text="Tack för informationen"), Spec(text="Bra!"),
                                   Spec(kind="post", own=True, text="Välkommen till biblioteket")])
    policy = load_policy(policy_path(archive.home))
    source = disposal_source()
    with archive.transaction() as s:
        assert source.for_items(s, ids) == {}, "nothing is stated before a review decides"
        rid = review.run_review(archive, s, policy, as_of=AS_OF)
    with archive.transaction() as s:
        candidates = sorted(s.scalars(select(RetentionCandidate.item_id).where(RetentionCandidate.review_id == rid)))
        assert candidates, "the default policy culls simple visitor comments of 2025 by mid-2026"
        review.decide(archive, s, policy, rid, review.Decision("approve", "ok", everything=True))
    result = culling.apply_review(archive, rid, execute=True, printer=_fake_printer)
    with archive.transaction() as s:
        stubs = {st.item_id: st for st in s.scalars(select(RetentionStub))}
        assert sorted(stubs) == candidates
        disposals = source.for_items(s, ids)
        assert sorted(disposals) == candidates
        for item_id, d in disposals.items():
            assert d.disposable is True
            assert d.mandate == "Kommunstyrelsen 2024-03-12 § 45 dnr KS 2024/123"
            assert d.rule == stubs[item_id].rule_id
            assert d.disposal_date == stubs[item_id].culled_at
            assert d.comment == f"culled under protocol {result.protocol}"
        events = source.culling_events(s, [acc], dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                                       dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        assert sum(e.items_culled for e in events) == len(candidates)
        assert {e.protocol_id for e in events} == {result.protocol}
        assert source.culling_events(s, [acc + 1], dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                                     dt.datetime(2100, 1, 1, tzinfo=dt.UTC)) == []
        doc = source.protocol(s, result.protocol)
        assert doc.title == f"Gallringsprotokoll {result.protocol}"
        assert f"Gallrade: {len(candidates)}" in doc.html
        with pytest.raises(NotFoundError):
            source.protocol(s, 999)
    archive.close()
