"""Culling in the library: what a dry run lists, what execution removes and keeps, the
re-check at execution, the audit trail, and that a second run changes nothing.

Five visitor comments of March 2025 that the default policy culls by mid-2026; the
expectations below are worked out from what the test does to each after approval.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from retention_fixtures import Spec, add_account, add_items, make_archive
from sqlalchemy import func, insert, select

from archiver.catalogue.models import AuditEntry, Item, ItemFlag, ItemMark, ItemMedia, ItemVersion, StoredFile
from archiver.catalogue.retention_tables import RetentionStub
from archiver.home.archive import Archive
from archiver.pdf.model import DocumentMetadata
from retention import culling, review
from retention.holds import HoldScope, add_hold
from retention.policy import load_policy, policy_path

AS_OF = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
TEXTS = ["Tack för informationen", "Bra!", "Toppen", "Snyggt", "Kul"]


def _printer(html: str, out: Path, meta: DocumentMetadata) -> None:
    out.write_bytes(b"%PDF-1.7 stand-in: the PDF/A pipeline has its own tests\n")


def audits(archive: Archive, after: int = 0) -> list[tuple[str, dict[str, Any]]]:
    with archive.transaction() as s:
        return [(e.target, json.loads(e.changes)) for e in
                s.scalars(select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq))]


def last_seq(archive: Archive) -> int:
    with archive.transaction() as s:
        return s.scalar(select(func.max(AuditEntry.seq))) or 0


@pytest.fixture
def approved(tmp_path: Path) -> tuple[Archive, int, list[int]]:
    """An approved review of the five comments; then, before apply, one is held, one
    flagged and one marked as having led to a case."""
    archive = make_archive(tmp_path / "home")
    acc = add_account(archive)
    ids = add_items(archive, acc, [Spec(text=TEXTS[0], media=b"bild ett"), Spec(text=TEXTS[1], media=b"delad"),
                                   Spec(text=TEXTS[2], media=b"delad"), Spec(text=TEXTS[3]), Spec(text=TEXTS[4])])
    policy = load_policy(policy_path(archive.home))
    with archive.transaction() as s:
        rid = review.run_review(archive, s, policy, as_of=AS_OF)
    with archive.transaction() as s:
        assert review.decide(archive, s, policy, rid, review.Decision("approve", "ok", everything=True)) == 5
        add_hold(archive, s, HoldScope(reason="Begäran", items=(ids[2],)))
        version = s.scalar(select(ItemVersion.id).where(ItemVersion.item_id == ids[3]))
        s.execute(insert(ItemFlag), [{"item_id": ids[3], "version_id": version, "kind": "phone", "start": 0,
                                      "end": 3, "match": "Sny", "detail": ""}])
        s.execute(insert(ItemMark), [{"item_id": ids[4], "kind": "led-to-case", "case_ref": "KS 2026/9",
                                      "category": None, "law": None, "note": None, "marked_by": "anna",
                                      "marked_at": archive.now}])
    return archive, rid, ids


def test_a_dry_run_lists_what_would_go_and_why_the_rest_stays(approved: tuple[Archive, int, list[int]]) -> None:
    archive, rid, ids = approved
    before = last_seq(archive)
    result = culling.apply_review(archive, rid, execute=False)
    assert result.as_dict() == {
        "review": rid, "dry_run": True, "would_cull": 2, "items": [ids[0], ids[1]],
        "skipped": [{"item": ids[2], "reason": "hold"}, {"item": ids[3], "reason": "flagged"},
                    {"item": ids[4], "reason": "case"}]}
    assert last_seq(archive) == before, "a dry run writes nothing"
    with archive.transaction() as s:
        assert s.scalar(select(func.count()).select_from(RetentionStub)) == 0


@pytest.mark.parametrize("batch", [5000, 1])
def test_execution_culls_the_rest_keeps_stubs_and_shared_media_and_audits_each_step(
        approved: tuple[Archive, int, list[int]], batch: int) -> None:
    archive, rid, ids = approved
    only_one = hashlib.sha256(b"bild ett").hexdigest()
    shared = hashlib.sha256(b"delad").hexdigest()
    before = last_seq(archive)
    result = culling.apply_review(archive, rid, execute=True, printer=_printer, batch=batch)
    skipped = [{"item": ids[2], "reason": "hold"}, {"item": ids[3], "reason": "flagged"},
               {"item": ids[4], "reason": "case"}]
    out = result.as_dict()
    assert [f["name"] for f in out.pop("files")] == [f"gallringsprotokoll-1.{x}" for x in ("pdf", "csv", "xml")]
    assert out == {"review": rid, "culled": 2, "skipped": skipped, "protocol": 1}
    with archive.transaction() as s:
        rows = {i.id: (i.text, i.author_name, i.author_handle, i.url, i.content_purged)
                for i in s.scalars(select(Item))}
        assert rows[ids[0]] == rows[ids[1]] == ("", None, None, None, True)
        assert rows[ids[2]] == (TEXTS[2], "Besökare 2", "user2", None, False)
        assert s.scalar(select(func.count()).select_from(ItemVersion).where(ItemVersion.item_id.in_(ids[:2]))) == 0
        stubs = {st.item_id: (st.protocol_id, st.review_id, st.culled_at, st.text_sha256)
                 for st in s.scalars(select(RetentionStub))}
        assert stubs == {ids[0]: (1, rid, AS_OF, hashlib.sha256(TEXTS[0].encode()).hexdigest()),
                         ids[1]: (1, rid, AS_OF, hashlib.sha256(TEXTS[1].encode()).hexdigest())}
        assert dict(s.execute(select(ItemMedia.item_id, ItemMedia.purged)).all()) == {
            ids[0]: True, ids[1]: True, ids[2]: False}
        # "delad" is still the held item's image: its bytes stay; "bild ett" had no other user.
        assert set(s.scalars(select(StoredFile.sha256).where(StoredFile.sha256.in_([only_one, shared])))) == {shared}
        record = culling.stub_record(s, ids[0])
        assert record is not None and culling.stub_record(s, ids[2]) is None
        assert {k: record[k] for k in ("culled_at", "review", "protocol", "text_sha256", "protocol_status")} == {
            "culled_at": "2026-07-01T08:00:00+00:00", "review": rid, "protocol": 1,
            "text_sha256": hashlib.sha256(TEXTS[0].encode()).hexdigest(), "protocol_status": "complete"}
        assert [f["name"] for f in record["protocol_files"]] == [f"gallringsprotokoll-1.{x}"
                                                                 for x in ("pdf", "csv", "xml")]
    assert not archive.store.path_for(only_one).exists() and archive.store.path_for(shared).exists()
    trail = audits(archive, before)
    assert trail[0] == ("protocol:1", {"started": True, "review": rid, "approved_by": ["anna"],
                                       "clock": "simulated clock"})
    batches = [c for t, c in trail[1:-1]]
    assert [t for t, _ in trail] == ["protocol:1"] * len(trail)
    assert sorted(i for c in batches for i in c["culled"]) == ids[:2]
    assert {k: v for c in batches for k, v in c["skipped"].items()} == {
        str(ids[2]): "hold", str(ids[3]): "flagged", str(ids[4]): "case"}
    assert [d for c in batches for d in c["media_deleted"]] == [only_one]
    complete = trail[-1][1]
    assert (complete["complete"], complete["culled"], complete["skipped"]) == (True, 2, 3)
    assert sorted(complete["files"]) == ["csv", "pdf", "xml"]
    # A second --execute finds the protocol complete: the same answer, nothing written.
    again = culling.apply_review(archive, rid, execute=True, printer=_printer, batch=batch)
    assert again == result
    assert len(audits(archive, before)) == len(trail)


def test_an_item_decided_for_registration_is_neither_culled_nor_listed_as_skipped(
        approved: tuple[Archive, int, list[int]]) -> None:
    archive, rid, ids = approved
    with archive.transaction() as s:
        policy = load_policy(policy_path(archive.home))
        assert review.decide(archive, s, policy, rid, review.Decision("register", "diarieförs", items=(ids[1],))) == 1
    assert culling.apply_review(archive, rid, execute=False).as_dict() == {
        "review": rid, "dry_run": True, "would_cull": 1, "items": [ids[0]],
        "skipped": [{"item": ids[2], "reason": "hold"}, {"item": ids[3], "reason": "flagged"},
                    {"item": ids[4], "reason": "case"}]}


def test_files_a_crashed_run_left_behind_are_deleted_by_the_next(
        approved: tuple[Archive, int, list[int]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch commits, then the process dies before deleting the bytes: the re-run's
    sweep removes them, though no item is left to cull."""
    archive, rid, ids = approved
    only_one = hashlib.sha256(b"bild ett").hexdigest()

    def crash(archive: Archive, digests: list[str]) -> None:
        raise RuntimeError("killed between the commit and the deletion")

    monkeypatch.setattr(culling, "_delete_files", crash)
    with pytest.raises(RuntimeError):
        culling.apply_review(archive, rid, execute=True, printer=_printer)
    assert archive.store.path_for(only_one).exists()
    monkeypatch.undo()
    result = culling.apply_review(archive, rid, execute=True, printer=_printer)
    assert result.culled == 2
    assert not archive.store.path_for(only_one).exists()
    assert archive.store.path_for(hashlib.sha256(b"delad").hexdigest()).exists()


def test_an_item_registered_in_a_later_review_after_approval_is_skipped_at_execution(
        approved: tuple[Archive, int, list[int]]) -> None:
    """Registration (diarieföring) decided in another review between approval and apply
    saves the item: apply re-checks it at that moment."""
    archive, rid, ids = approved
    policy = load_policy(policy_path(archive.home))
    with archive.transaction() as s:
        later = review.run_review(archive, s, policy, as_of=AS_OF)
    with archive.transaction() as s:
        assert review.decide(archive, s, policy, later, review.Decision("register", "diarieförs",
                                                                          items=(ids[1],))) == 1
    result = culling.apply_review(archive, rid, execute=True, printer=_printer)
    assert (result.culled, result.skipped) == (1, [
        {"item": ids[1], "reason": "registered"}, {"item": ids[2], "reason": "hold"},
        {"item": ids[3], "reason": "flagged"}, {"item": ids[4], "reason": "case"}])
