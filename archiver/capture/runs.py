"""Capture orchestration: which accounts to capture, running captures in parallel
browser contexts, turning results into verified PDF/A snapshots in the store, and
recording successes and failures in the catalogue.

A snapshot is stored only when every step succeeded: the engine's checks
(logged out, blank segment, incomplete feed, time limits) and both PDF/A files
validated after their last write. Anything else is a CaptureFailure row, an audit
entry and a "failed" outcome — never a stored success.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session

from archiver import __version__, schedule
from archiver.accounts import loginstate
from archiver.accounts.publish import PLATFORM_NAMES
from archiver.capture.buildpool import BuildPool
from archiver.capture.items import account_handle
from archiver.capture.locks import account_locks
from archiver.capture.model import CaptureResult, FetchedMedia, SeenItem
from archiver.capture.records import build_files, log_dict
from archiver.capture.site import load_profile, profile_for
from archiver.catalogue.models import Account, CaptureFailure, Snapshot, SnapshotFile
from archiver.errors import ArchiverError, BadInputError, NotFoundError
from archiver.home.archive import Archive
from archiver.home.files import scratch_dir
from archiver.home.store import record
from archiver.items.imports.model import ImportedItem, MediaRef
from archiver.items.ingest import Ingest, mark_removed_from_platform
from archiver.pdf.model import SnapshotMetadata
from retention.screen import Screen

log = logging.getLogger(__name__)
ENGINE = f"bevara/{__version__}"
FINISHED = "finished: "
"""Starts the last progress message of each account's capture (a progress bar counts them)."""
LATE_GRACE = dt.timedelta(days=1)
"""A boundary snapshot taken more than this after the boundary is flagged late."""


@dataclass(frozen=True)
class Job:
    """One capture to make: everything needed, read from the catalogue beforehand."""

    account_id: int
    name: str
    platform: str
    url: str
    profile: str | None
    storage_state: str | None
    trigger: str  # due | adhoc | close
    reason: str
    boundary: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None


@dataclass
class Outcome:
    account: int
    name: str
    status: str  # ok | failed
    reason: str | None
    boundary: dt.date | None
    snapshot: int | None = None
    late_seconds: int | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    items_seen: int = 0

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["boundary"] = self.boundary.isoformat() if self.boundary else None
        return d


# ----------------------------------------------------------------- planning


@dataclass(frozen=True)
class DueEntry:
    account_id: int
    name: str
    boundary: dt.date
    late_seconds: int | None


def due(session: Session, now: dt.datetime, tz: Any) -> list[DueEntry]:
    """Open accounts without a snapshot for the latest boundary, opened on or before it."""
    boundary = schedule.latest_boundary(now, tz)
    instant = schedule.boundary_instant(boundary, tz)
    done = set(session.scalars(select(Snapshot.account_id).where(Snapshot.boundary == boundary)))
    delay = now - instant
    late = int(delay.total_seconds()) if delay > LATE_GRACE else None
    out = []
    for a in session.scalars(select(Account).where(Account.closed.is_(None)).order_by(Account.id)):
        if a.opened > boundary or a.id in done:
            continue
        out.append(DueEntry(a.id, a.name, boundary, late))
    return out


def _job(a: Account, trigger: str, reason: str, boundary: dt.date | None,
         period: tuple[dt.date, dt.date] | None) -> Job:
    return Job(a.id, a.name, a.platform, a.url, a.profile, a.storage_state, trigger, reason,
               boundary, period[0] if period else None, period[1] if period else None)


def check_boundary_passed(boundary: dt.date, tz: Any, real_now: dt.datetime) -> None:
    """A boundary snapshot records the account as it stood at the boundary: taken before
    the boundary by the real clock, it would record a state that has not happened yet."""
    instant = schedule.boundary_instant(boundary, tz)
    if instant > real_now:
        raise BadInputError(
            f"the {boundary.isoformat()} boundary has not passed by the real clock "
            f"({real_now.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}); a boundary snapshot can only be "
            "taken after its boundary, so run it then")


def due_jobs(session: Session, now: dt.datetime, tz: Any,
             real_now: dt.datetime | None = None) -> list[Job]:
    """Jobs for what is due at *now*; *real_now* (the real clock) must be past the boundary."""
    jobs = []
    entries = due(session, now, tz)
    if entries:
        check_boundary_passed(entries[0].boundary, tz, real_now or dt.datetime.now(dt.UTC))
    for entry in entries:
        account = session.get(Account, entry.account_id)
        assert account is not None
        jobs.append(_job(account, "due", "halvårsskifte", entry.boundary,
                         schedule.period_of(entry.boundary)))
    return jobs


def adhoc_jobs(session: Session, account_ids: Sequence[int] | None, now: dt.datetime, tz: Any,
               reason: str, trigger: str = "adhoc") -> list[Job]:
    """Jobs for named accounts (or every open one); the period is the current half-year."""
    if account_ids is None:
        accounts = list(session.scalars(select(Account).where(Account.closed.is_(None))
                                        .order_by(Account.id)))
    else:
        accounts = []
        for i in dict.fromkeys(account_ids):  # "capture 2 2" is one capture of account 2
            a = session.get(Account, i)
            if a is None:
                raise NotFoundError(f"account {i} does not exist; list accounts with: archive accounts list --all")
            if a.closed is not None and trigger != "close":
                raise BadInputError(f"account {i} was closed on {a.closed.isoformat()}; closed "
                                    f"accounts are not captured (reopen it first with: archive "
                                    f"accounts reopen {i} --reason TEXT --decided-by NAME)")
            accounts.append(a)
    start = schedule.latest_boundary(now, tz)
    today = now.astimezone(tz).date()
    return [_job(a, trigger, reason, None, (start, today)) for a in accounts]


# ----------------------------------------------------------------- running


def run(archive: Archive, jobs: Sequence[Job], *, progress: Callable[[str], None] | None = None,
        screen: Screen | None = None) -> list[Outcome]:
    """Capture every job; one failing account never stops the others.

    The PDF/A records are built in worker processes (``archiver.capture.buildpool``), so a
    script calling this needs ``if __name__ == "__main__":`` around its entry point.
    """
    if not jobs:
        return []
    jobs = list({j.account_id: j for j in reversed(jobs)}.values())[::-1]  # one per account
    with account_locks(archive.home.locks_dir, [j.account_id for j in jobs]):
        return asyncio.run(_run(archive, jobs, progress or (lambda _m: None), screen or Screen()))


@dataclass
class _Shared:
    """What the captures of one run share: the browser and its slots, the PDF/A builders, and
    the one thread that writes the catalogue."""

    browser: Any
    slots: asyncio.Semaphore
    builders: BuildPool
    writer: ThreadPoolExecutor

    async def write(self, fn: Callable[..., Outcome], *args: Any) -> Outcome:
        """Store a snapshot or a failure off the event loop: a store's hashing and fsyncs took
        75 ms of an account, during which no browser context got a command. One thread does
        every write of the run, in the order the captures end, as the loop did before."""
        return await asyncio.get_running_loop().run_in_executor(self.writer, fn, *args)


async def _run(archive: Archive, jobs: Sequence[Job], progress: Callable[[str], None],
               screen: Screen) -> list[Outcome]:
    from archiver.chromium import launch_browser  # Playwright: loaded only for a real run

    parallel = archive.settings.capture_parallel
    # The builders start while Chromium launches and the first pages load (BuildPool).
    async with BuildPool(parallel) as builders, launch_browser() as browser:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bevara-catalogue") as writer:
            shared = _Shared(browser, asyncio.Semaphore(parallel), builders, writer)  # a slot is a context

            async def one(job: Job) -> Outcome:
                return await _capture_one(archive, shared, job, progress, screen)
            return list(await asyncio.gather(*(one(j) for j in jobs)))


async def _capture_one(archive: Archive, shared: _Shared, job: Job, progress: Callable[[str], None],
                       screen: Screen) -> Outcome:
    """One account, whatever happens: a bug met on one page must not cost the others their
    snapshots, so it becomes that account's failure, traceback in the debug log."""
    try:
        outcome = await _capture_account(archive, shared, job, progress, screen)
    except Exception as e:  # noqa: BLE001 - see docstring; ArchiverErrors are handled inside
        log.debug("account %s (%s): internal error", job.account_id, job.name, exc_info=True)
        outcome = await shared.write(_fail, archive, job, f"internal error: {type(e).__name__}: {e} "
                                     "(set ARCHIVE_DEBUG=1 for a traceback and report it)", {})
    progress(f"account {job.account_id} ({job.name}): {FINISHED}"
             + (f"snapshot {outcome.snapshot}" if outcome.status == "ok" else "capture failed"))
    return outcome


async def _capture_account(archive: Archive, shared: _Shared, job: Job, progress: Callable[[str], None],
                           screen: Screen) -> Outcome:
    """Capture in a browser slot, then build the records outside it so the next capture starts."""
    from archiver.capture.engine import CaptureRequest, capture  # Playwright, as above

    label = f"account {job.account_id} ({job.name})"
    with scratch_dir(archive.home.tmp_dir, "capture-") as workdir:  # killed runs' folders go first
        async with shared.slots:
            progress(f"{label}: start {job.url}")
            period_start = (schedule.boundary_instant(job.period_start, archive.settings.tz)
                            if job.period_start else None)
            try:
                request = CaptureRequest(
                    url=job.url, profile=load_profile(job.profile) if job.profile else profile_for(job.platform),
                    workdir=workdir, period_start=period_start, timezone=archive.settings.timezone,
                    storage_state=loginstate.state_for_capture(archive.home, job.storage_state),
                    step_timeout=archive.settings.capture_step_timeout,
                    total_timeout=archive.settings.capture_total_timeout,
                    progress=lambda step: progress(f"{label}: {step}"))
                result = await capture(shared.browser, request)
            except ArchiverError as e:
                return await shared.write(_fail, archive, job, str(e), {})
        if not result.ok:
            return await shared.write(_fail, archive, job, result.reason or "capture failed", log_dict(result))
        progress(f"{label}: building PDF/A")
        try:  # a pool that could not start fails every build with its reason
            files = await shared.builders.run(build_files, snapshot_metadata(archive, job, result),
                                              result, workdir)
        except ArchiverError as e:
            return await shared.write(_fail, archive, job, str(e), log_dict(result))
        progress(f"{label}: storing")
        return await shared.write(_store, archive, job, result, files, screen)


class CaptionSettings(TypedDict):
    """What the records' caption page takes from the home (SnapshotMetadata's caption fields)."""

    organisation: str
    organisation_id: str
    timezone: str
    font_cache: Path


def caption_settings(archive: Archive) -> CaptionSettings:
    s = archive.settings
    return {"organisation": s.org_name, "organisation_id": s.org_id, "timezone": s.timezone,
            "font_cache": archive.home.cache_dir / "fonts"}


def snapshot_metadata(archive: Archive, job: Job, result: CaptureResult) -> SnapshotMetadata:
    """What both records' XMP and caption page say about this capture."""
    assert result.html is not None
    return SnapshotMetadata(
        account=f"{job.account_id} {job.name}", platform=job.platform, url=job.url,
        captured_at=archive.now, boundary=job.boundary, period_start=job.period_start,
        period_end=job.period_end, reason=job.reason, engine_version=ENGINE,
        html_sha256=hashlib.sha256(result.html.read_bytes()).hexdigest(),
        title=result.log.title or job.name, clock=archive.clock_label,
        platform_name=PLATFORM_NAMES.get(job.platform, job.platform), **caption_settings(archive))


def as_imported(i: SeenItem, handle: str, media: dict[str, FetchedMedia]) -> ImportedItem:
    own = None if i.author_handle is None else i.author_handle.lstrip("@").lower() == handle
    refs = tuple(MediaRef(path=url, media_type=media[url].media_type, uri=url)
                 for url in i.media if url in media)
    return ImportedItem(platform_id=i.platform_id, kind=i.kind, parent_id=i.parent_id,
                        author_handle=i.author_handle, author_name=i.author_name, is_own=own,
                        created=i.created, edited=None, text=i.text, url=i.url, media=refs)


def _store(archive: Archive, job: Job, result: CaptureResult, files: list[tuple[str, Path]],
           screen: Screen) -> Outcome:
    refs = [(role, path, archive.store.put_file(path)) for role, path in files]
    late = None
    if job.boundary is not None:
        try:
            check_boundary_passed(job.boundary, archive.settings.tz, archive.clock())
        except BadInputError as e:
            return _fail(archive, job, str(e), {})
        delay = archive.now - schedule.boundary_instant(job.boundary, archive.settings.tz)
        late = int(delay.total_seconds()) if delay > LATE_GRACE else None
    complete = (result.log.reached_period_start or result.log.end_marker_seen
                or result.log.end_text_seen is not None)
    try:
        with archive.transaction() as session:
            snap = Snapshot(account_id=job.account_id, trigger=job.trigger, boundary=job.boundary,
                            period_start=job.period_start, period_end=job.period_end,
                            reason=job.reason, url=job.url, captured_at=archive.now,
                            late_seconds=late, engine_version=ENGINE,
                            items_seen=len(result.items), followers=result.log.followers,
                            complete=complete, captured_by=archive.actor,
                            clock=archive.clock_label)
            for role, path, ref in refs:
                record(session, ref, archive.now)
                snap.files.append(SnapshotFile(role=role, name=path.name, sha256=ref.sha256))
            session.add(snap)
            session.flush()
            ingest = Ingest(session, account_id=job.account_id, now=archive.now,
                            source=f"snapshot:{snap.id}", screen=screen, snapshot_id=snap.id,
                            media=lambda ref: archive.store.put_file(result.media[ref.path].path,
                                                                     ref.media_type))
            handle = account_handle(job.url)
            counts = ingest.run(as_imported(i, handle, result.media) for i in result.items)
            removed = 0
            if complete and job.period_start is not None:
                removed = mark_removed_from_platform(
                    session, account_id=job.account_id, seen=ingest.seen_ids,
                    since=schedule.boundary_instant(job.period_start, archive.settings.tz),
                    until=archive.now, now=archive.now)
            archive.audit(session, f"account:{job.account_id}", {
                "snapshot": snap.id, "trigger": job.trigger, "reason": job.reason,
                "boundary": job.boundary.isoformat() if job.boundary else None,
                "late_seconds": late, "files": {role: ref.sha256 for role, _, ref in refs},
                "items": counts.as_dict(), "removed_from_platform": removed})
            snapshot_id = snap.id
    except DBIntegrityError:
        return _fail(archive, job, f"a snapshot for boundary {job.boundary} was stored by another run", {})
    return Outcome(job.account_id, job.name, "ok", None, job.boundary, snapshot_id, late,
                   [{"role": role, "path": str(archive.store.path_for(ref.sha256)),
                     "sha256": ref.sha256, "media_type": ref.media_type} for role, _, ref in refs],
                   len(result.items))


def _fail(archive: Archive, job: Job, reason: str, capture_log: dict[str, Any]) -> Outcome:
    log.warning("account %s (%s): capture failed: %s", job.account_id, job.name, reason)
    with archive.transaction() as session:
        session.add(CaptureFailure(account_id=job.account_id, trigger=job.trigger,
                                   boundary=job.boundary, at=archive.now, reason=reason,
                                   log=json.dumps(capture_log, ensure_ascii=False)))
        archive.audit(session, f"account:{job.account_id}",
                      {"capture_failed": reason, "trigger": job.trigger,
                       "boundary": job.boundary.isoformat() if job.boundary else None})
    return Outcome(job.account_id, job.name, "failed", reason, job.boundary)
