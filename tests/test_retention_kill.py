"""SIGKILL during `apply --execute` at random moments: the catalogue is left at a batch
boundary (old state or resumable), the re-run completes, nothing is culled twice or half."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import shutil
import time
from pathlib import Path

import pytest
from retention_fixtures import NOW, Spec, add_account, add_items, make_archive
from sqlalchemy import func, select

from archiver.catalogue.models import Item, ItemVersion
from archiver.catalogue.retention_tables import RetentionCandidate, RetentionProtocol, RetentionStub
from archiver.home.archive import open_archive
from archiver.home.audit import verify
from archiver.home.config import Home
from retention import culling, review
from retention.policy import load_policy, policy_path

ITEMS = 200
BATCH = 10
TRIALS = 20
# The culling runs in a forked child: a real process the test can SIGKILL, without paying a
# fresh interpreter's imports for each of the trials.
FORK = multiprocessing.get_context("fork")


def template(root: Path) -> Path:
    archive = make_archive(root, now=NOW)
    acc = add_account(archive)
    add_items(archive, acc, [Spec(text=f"Tack {n}", media=f"bild {n % 7}".encode()) for n in range(ITEMS)])
    policy = load_policy(policy_path(archive.home))
    with archive.transaction() as s:
        rid = review.run_review(archive, s, policy, as_of=NOW)
    archive.actor = "eva"
    with archive.transaction() as s:
        review.decide(archive, s, policy, rid, review.Decision("approve", "ok", everything=True))
    archive.close()
    return root


def _apply(home: Path) -> None:
    archive = open_archive(Home(home), now=dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC), actor="per")
    culling.apply_review(archive, 1, execute=True, batch=BATCH)


def start(home: Path) -> multiprocessing.process.BaseProcess:
    proc = FORK.Process(target=_apply, args=(home,))
    proc.start()
    return proc


def check_consistent(home: Path) -> int:
    """Every candidate is wholly culled (stub, no text, no versions) or wholly untouched."""
    archive = open_archive(Home(home), now=NOW, actor="check")
    try:
        with archive.transaction() as s:
            assert verify(s).ok
            stubs = set(s.scalars(select(RetentionStub.item_id)))
            for iid, outcome in s.execute(select(RetentionCandidate.item_id, RetentionCandidate.outcome)):
                item = s.get(Item, iid)
                assert item is not None
                versions = s.scalar(select(func.count()).select_from(ItemVersion).where(ItemVersion.item_id == iid))
                if outcome == "culled":
                    assert iid in stubs and item.text == "" and item.content_purged and versions == 0
                else:
                    assert outcome is None and iid not in stubs and item.text.startswith("Tack") and versions == 1
            return len(stubs)
    finally:
        archive.close()


def stubs(home: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{home / 'catalogue.sqlite'}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM retention_stubs").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def kill_after(home: Path, proc: multiprocessing.process.BaseProcess, target: int, extra: float) -> None:
    """SIGKILL once *target* stubs are committed (plus a random few ms), or at exit."""
    while proc.is_alive() and stubs(home) < target:
        time.sleep(0.002)
    time.sleep(extra)
    proc.kill()
    proc.join(timeout=60)


@pytest.mark.slow
def test_sigkill_during_apply_leaves_a_resumable_state(tmp_path: Path) -> None:
    base = template(tmp_path / "template")
    timing = tmp_path / "timing"
    shutil.copytree(base, timing)
    t0 = time.monotonic()
    proc = start(timing)
    proc.join(timeout=300)
    assert proc.exitcode == 0, "the culling run failed; its traceback is in the captured stderr"
    full = time.monotonic() - t0
    rnd = random.Random(13)
    partial_states = 0
    for trial in range(TRIALS):
        home = tmp_path / f"trial-{trial}"
        shutil.copytree(base, home)
        proc = start(home)
        if trial % 3:  # two kills in three while batches commit, at a random batch and moment
            kill_after(home, proc, rnd.randint(1, ITEMS - 1), rnd.uniform(0, 0.01))
        else:  # the rest at any moment: start-up, culling, the protocol's printing
            time.sleep(rnd.uniform(0.0, full))
            proc.kill()
            proc.join(timeout=60)
        before = check_consistent(home)
        partial_states += 0 < before < ITEMS
        archive = open_archive(Home(home), now=NOW + dt.timedelta(minutes=5), actor="per")
        try:
            result = culling.apply_review(archive, 1, execute=True, batch=BATCH)
            assert result.culled == ITEMS
            again = culling.apply_review(archive, 1, execute=True, batch=BATCH)
            assert again.as_dict() == result.as_dict()
            with archive.transaction() as s:
                protocols = list(s.scalars(select(RetentionProtocol)))
                assert [(p.status, p.culled) for p in protocols] == [("complete", ITEMS)]
            for n in range(7):
                digest = __import__("hashlib").sha256(f"bild {n}".encode()).hexdigest()
                assert not archive.store.path_for(digest).exists()
        finally:
            archive.close()
        assert check_consistent(home) == ITEMS
        shutil.rmtree(home)
    assert partial_states >= 3, "the kills should land inside the culling often enough to test resuming"
