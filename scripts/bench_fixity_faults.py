"""Fault injection: does `archive verify --full` find every fault put into the store?

Builds one home (an imported Facebook export plus --files media files of varied sizes,
each referenced by an item), then runs --trials trials on copies of it. Each trial picks
one to three faults at random (seeded) on distinct files: a flipped bit, a truncation,
a deletion, or a stray file (a digest-named file no row names, older than the grace
period). It runs fixity.check(full=True) and counts, per kind of fault, how many were
injected and how many the check named (the right kind of finding on the right file), and
any error finding no fault explains (a false alarm). Prints JSON; goal: all found, none
false. tests/test_fixity_faults.py runs it with fewer trials and asserts the goal.

Run: .venv/bin/python scripts/bench_fixity_faults.py [--trials 200] [--seed N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from archiver.accounts.register import AccountFields, add_account
from archiver.catalogue.models import Item, ItemMedia
from archiver.home import fixity
from archiver.home.archive import Archive, init_archive, open_archive
from archiver.home.config import Home
from archiver.home.store import record
from archiver.items.importer import import_export
from fixtures.exports.generate import generate_facebook_export

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
KINDS = ("bitflip", "truncation", "deletion", "stray")
EXPECTED = {"bitflip": "corrupt", "truncation": "size", "deletion": "missing", "stray": "stray"}


def build_home(root: Path, files: int, seed: int) -> list[str]:
    """A home whose store holds real imported media and *files* more; returns every digest."""
    archive = init_archive(Home(root), org_name="Fault kommun", org_id="212000-1769",
                           timezone="Europe/Stockholm", now=NOW, actor="faults", simulated_clock=True)
    with archive.transaction() as session:
        account = add_account(archive, session, AccountFields(
            name="Fault kommun", platform="facebook", url="https://www.facebook.com/faultkommun",
            unit="Kansliet", purpose="Information", admins=("A <a@fault.se>", "B <b@fault.se>"))).account.id
    import_export(archive, account, generate_facebook_export(root.parent / "fb.zip", items=40, seed=seed))
    rng = random.Random(seed)
    with archive.transaction() as session:
        items = list(session.query(Item).order_by(Item.id))
        for n in range(files):
            size = rng.choice((1, 2, 100, 4096, 65_536, 1 << 20)) + rng.randrange(64)
            ref = archive.store.put_bytes(rng.randbytes(size), "image/jpeg")
            record(session, ref, NOW)
            session.add(ItemMedia(item_id=items[n % len(items)].id, sha256=ref.sha256, name=f"extra-{n}.jpg",
                                  media_type="image/jpeg"))
    with archive.transaction() as session:
        digests = sorted(fixity._referenced_digests(session))
    archive.close()
    return digests


def inject(store: Path, kind: str, sha: str, rng: random.Random) -> str:
    """Put one fault into the store; returns the digest (or stray name) a finding must name."""
    path = store / sha[:2] / sha
    if kind == "deletion":
        path.unlink()
        return sha
    if kind == "stray":
        data = rng.randbytes(rng.randrange(1, 5000))
        name = hashlib.sha256(data).hexdigest()
        stray = store / name[:2] / name
        stray.parent.mkdir(exist_ok=True)
        stray.write_bytes(data)
        old = time.time() - 3600  # past the grace period: a killed run's file, not a live one's
        os.utime(stray, (old, old))
        return name
    size = path.stat().st_size
    path.chmod(0o644)
    with path.open("r+b") as fh:
        if kind == "truncation":
            fh.truncate(rng.randrange(size))
        else:
            offset = rng.randrange(size)
            fh.seek(offset)
            byte = fh.read(1)[0]
            fh.seek(offset)
            fh.write(bytes([byte ^ (1 << rng.randrange(8))]))
    path.chmod(0o444)
    return sha


def run_trials(trials: int, seed: int, workdir: Path, files: int = 24) -> dict[str, object]:
    template = workdir / "template"
    digests = build_home(template, files, seed)
    rng = random.Random(seed)
    counts = {k: {"injected": 0, "found": 0} for k in KINDS}
    false_alarms: list[str] = []
    missed: list[str] = []
    started = time.perf_counter()
    for trial in range(trials):
        home = workdir / f"trial-{trial}"
        shutil.copytree(template, home)
        faults = []
        for sha in rng.sample(digests, rng.randint(1, 3)):
            kind = rng.choice(KINDS)
            faults.append((kind, inject(home / "store", kind, sha, rng)))
        archive: Archive = open_archive(Home(home), now=NOW, actor="faults")
        try:
            report = fixity.check(archive, full=True)
        finally:
            archive.close()
        named = {(f.kind, f.sha256) for f in report.errors}
        explained = set()
        for kind, target in faults:
            counts[kind]["injected"] += 1
            if (EXPECTED[kind], target) in named:
                counts[kind]["found"] += 1
                explained.add((EXPECTED[kind], target))
            else:
                missed.append(f"trial {trial}: {kind} of {target}")
        false_alarms += [f"trial {trial}: {f.kind} {f.sha256}" for f in report.errors
                         if (f.kind, f.sha256) not in explained]
        shutil.rmtree(home)
    injected = sum(c["injected"] for c in counts.values())
    found = sum(c["found"] for c in counts.values())
    return {"trials": trials, "seed": seed, "files_per_home": len(digests), "faults_injected": injected,
            "faults_found": found, "per_fault": counts, "missed": missed, "false_alarms": false_alarms,
            "all_found": found == injected and not false_alarms,
            "seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--files", type=int, default=24)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run_trials(args.trials, args.seed, Path(tmp), args.files), indent=2))


if __name__ == "__main__":
    main()
