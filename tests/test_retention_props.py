"""Property tests: whatever the policy and the items, protected items are never culled,
every executed apply leaves a protocol whose counts equal its stubs, and the audit chain holds."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from retention_fixtures import Spec, add_account, add_items, make_archive
from sqlalchemy import func, select

from archiver.catalogue.models import Item, ItemMark, Snapshot, SnapshotFile
from archiver.catalogue.retention_tables import RetentionProtocol, RetentionStub
from archiver.home.audit import verify
from retention import culling, review
from retention.deadline import eligible_from
from retention.holds import HoldScope, add_hold
from retention.policy import load_policy, policy_path
from retention.protocol import protocol_record

AS_OF = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)

rule_st = st.fixed_dictionaries({
    "action": st.sampled_from(["gallras", "gallras", "bevaras", "diarieförs"]),
    "kind": st.none() | st.lists(st.sampled_from(["post", "comment", "reply", "message"]), min_size=1, unique=True),
    "author": st.sampled_from([None, "own", "visitor"]),
    "flags": st.sampled_from([None, "any", "none"]),
    "marks": st.sampled_from([None, "none", ["led-to-case"], ["removed", "confidential"]]),
    "frist": st.sampled_from([("vid inaktualitet", "1 halvår"), ("vid inaktualitet", "40 dagar"),
                              ("omedelbart", None), ("1 år efter årets utgång", None)]),
    "mandate": st.sampled_from([True, True, False]),
})
CATCH_ALL = {"action": "gallras", "kind": None, "author": None, "flags": None, "marks": None,
             "frist": ("omedelbart", None), "mandate": True}
"""Last rule of every generated policy, so that most examples cull something."""

item_st = st.builds(
    Spec,
    kind=st.sampled_from(["post", "comment", "reply", "message"]),
    own=st.booleans(),
    created=st.datetimes(min_value=dt.datetime(2023, 1, 1), max_value=dt.datetime(2026, 6, 30),
                         timezones=st.just(dt.UTC)),
    text=st.sampled_from(["Tack!", "När öppnar badet?", "Köp nu", "Hej"]),
    flagged=st.booleans(),
    mark=st.sampled_from([None, None, None, "led-to-case", "removed", "confidential"]),
    media=st.sampled_from([None, b"a", b"b"]),
    in_snapshot=st.booleans(),
)


def policy_text(rules: list[dict[str, Any]]) -> str:
    doc = tomlkit.document()
    doc["version"] = 1
    aot = tomlkit.aot()
    for n, r in enumerate(rules):
        t = tomlkit.table()
        t.update({"id": f"r{n}", "handlingstyp": f"Typ {n}", "klassa": "2.9.2", "action": r["action"]})
        if r["action"] == "gallras":
            t["frist"] = r["frist"][0]
            if r["frist"][1]:
                t["minimum"] = r["frist"][1]
        match = {k: r[k] for k in ("kind", "author", "flags", "marks") if r[k] is not None}
        t["match"] = match
        if r["mandate"] and r["action"] == "gallras":
            t["mandate"] = {"body": "KS", "date": dt.date(2024, 1, 1), "section": "§ 1", "dnr": "KS 2024/1"}
        aot.append(t)
    doc["rule"] = aot
    return tomlkit.dumps(doc)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=st.lists(rule_st, min_size=1, max_size=5), specs=st.lists(item_st, min_size=1, max_size=25),
       held=st.sets(st.integers(0, 24)), registered=st.sets(st.integers(0, 24)),
       late_hold=st.sets(st.integers(0, 24)))
def test_protected_items_are_never_culled(rules: list[dict[str, Any]], specs: list[Spec], held: set[int],
                                          registered: set[int], late_hold: set[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        archive = make_archive(Path(tmp) / "h", mandate=False, now=AS_OF)
        try:
            run(archive, rules, specs, held, registered, late_hold)
        finally:
            archive.close()


def run(archive: Any, rules: list[dict[str, Any]], specs: list[Spec], held: set[int], registered: set[int],
        late_hold: set[int]) -> None:
    policy_path(archive.home).write_text(policy_text([*rules, CATCH_ALL]))
    policy = load_policy(policy_path(archive.home))
    acc = add_account(archive)
    ids = add_items(archive, acc, specs)
    held_ids = {ids[i] for i in held if i < len(ids)}
    with archive.transaction() as s:
        if held_ids:
            add_hold(archive, s, HoldScope("Begäran", items=tuple(sorted(held_ids))))
    # A first review sends some items to the registrator.
    with archive.transaction() as s:
        first = review.run_review(archive, s, policy, as_of=AS_OF)
    reg = {ids[i] for i in registered if i < len(ids)}
    with archive.transaction() as s:
        cands = set(s.scalars(select(review.RetentionCandidate.item_id)
                              .where(review.RetentionCandidate.review_id == first)))
        if reg & cands:
            review.decide(archive, s, policy, first, review.Decision("register", "viktig",
                                                                     items=tuple(sorted(reg & cands))))
    reg &= cands
    with archive.transaction() as s:
        snapshots_before = [(r.id, r.items_seen) for r in s.scalars(select(Snapshot))]
        snap_files = [(f.snapshot_id, f.sha256) for f in s.scalars(select(SnapshotFile))]
        rid = review.run_review(archive, s, policy, as_of=AS_OF)
    with archive.transaction() as s:
        if s.scalar(select(func.count()).select_from(review.RetentionCandidate)
                    .where(review.RetentionCandidate.review_id == rid)):
            review.decide(archive, s, policy, rid, review.Decision("approve", "ok", everything=True))
    late = {ids[i] for i in late_hold if i < len(ids)}
    with archive.transaction() as s:
        if late:
            add_hold(archive, s, HoldScope("JO", items=tuple(sorted(late))))
    result = culling.apply_review(archive, rid, execute=True)
    with archive.transaction() as s:
        stubs = {st.item_id: st for st in s.scalars(select(RetentionStub))}
        culled = set(stubs)
        marked = set(s.scalars(select(ItemMark.item_id)))
        flagged = {ids[i] for i, sp in enumerate(specs) if sp.flagged}
        assert not culled & (held_ids | late | reg | marked | flagged)
        for iid, stub in stubs.items():
            item = s.get(Item, iid)
            assert item is not None and item.text == "" and item.content_purged
            rule = policy.rule(stub.rule_id)
            assert rule.culls and rule.mandate is not None and rule.frist is not None
            when = eligible_from(rule.frist, item.created_at or item.first_seen_at, archive.settings.tz)
            assert when is not None and when <= AS_OF  # never too young
        assert [(r.id, r.items_seen) for r in s.scalars(select(Snapshot))] == snapshots_before
        assert [(f.snapshot_id, f.sha256) for f in s.scalars(select(SnapshotFile))] == snap_files
        for _, digest in snap_files:
            assert archive.store.path_for(digest).exists()
        for sp, iid in zip(specs, ids, strict=True):
            if sp.media is not None and iid not in culled:
                assert archive.store.path_for(hashlib.sha256(sp.media).hexdigest()).exists()
        protocol = s.scalar(select(RetentionProtocol).where(RetentionProtocol.review_id == rid))
        assert protocol is not None and protocol.status == "complete"
        rec = protocol_record(s, protocol.id)
        per_kind = sum(n for accounts in rec["counts"].values() for kinds in accounts.values() for n in kinds.values())
        assert rec["culled"] == per_kind == len(culled) == result.culled
        assert {f["role"] for f in rec["files"]} == {"pdf", "csv", "xml"}
        assert verify(s).ok
