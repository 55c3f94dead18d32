"""``archive capture``, ``archive due`` and ``archive snapshots``."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import click

from archiver.accounts.register import get_account
from archiver.capture import locks, redaction, runs, snapshots
from archiver.cli.common import archive_options, emit_json, json_option, note, open_from_options, positive_id
from archiver.cli.progress import reporter
from archiver.clock import local_minute, local_second
from archiver.errors import IntegrityError, PartialFailure


def capture_progress(jobs: int) -> AbstractContextManager[Callable[[str], None]]:
    """The capture's step lines (a bar on a terminal, nothing under -q)."""
    return reporter().events("capture", jobs, lambda m: runs.FINISHED in m)


def report_outcomes(outcomes: list[runs.Outcome], as_json: bool, as_jsonl: bool = False) -> None:
    if as_jsonl:
        for o in outcomes:  # one compact object per line, so `>> capture.jsonl` stays JSON Lines
            click.echo(json.dumps(o.as_dict(), ensure_ascii=False, default=str))
    elif as_json:
        emit_json([o.as_dict() for o in outcomes])
    else:
        for o in outcomes:
            where = f" boundary {o.boundary}" if o.boundary else ""
            late = f" (late by {o.late_seconds // 86400} days)" if o.late_seconds else ""
            if o.status == "ok":
                click.echo(f"account {o.account}: snapshot {o.snapshot}{where}{late}, "
                           f"{o.items_seen} items, {len(o.files)} files")
            else:
                click.echo(f"account {o.account}: FAILED{where}: {o.reason}")
    failed = [o for o in outcomes if o.status != "ok"]
    if failed:
        raise PartialFailure(f"{len(failed)} of {len(outcomes)} captures failed; the others are stored"
                             if len(failed) < len(outcomes) else
                             f"{len(failed)} capture{'s' if len(failed) != 1 else ''} failed")


@click.command("capture")
@click.argument("account_ids", nargs=-1)
@click.option("--all", "all_open", is_flag=True, help="Every open account.")
@click.option("--due", "due_only", is_flag=True,
              help="Only accounts missing their snapshot for the latest half-year boundary (for cron).")
@click.option("--reason", default=None, help='Why, e.g. "ny profilbild" (stored in the snapshot).')
@click.option("--jsonl", "as_jsonl", is_flag=True,
              help="Print one JSON object per capture, one per line (nothing when nothing was "
                   "captured): for appending to a log from cron.")
@archive_options
@json_option
@click.pass_context
def capture_cmd(ctx: click.Context, account_ids: tuple[str, ...], all_open: bool, due_only: bool,
                reason: str | None, as_jsonl: bool, home_opt, db_opt, now_opt, by_opt,
                as_json: bool) -> None:
    """Capture accounts as PDF/A snapshots: ACCOUNT_IDS, or --all, or --due.

    Exit 0 when all captures are stored (or nothing was due), 3 when some failed
    (the others are stored), 75 when another --due run holds the lock.
    """
    chosen = [name for name, given in (("ACCOUNT_IDS", bool(account_ids)), ("--all", all_open),
                                       ("--due", due_only)) if given]
    if len(chosen) != 1:
        raise click.UsageError("name the accounts to capture, or give --all or --due"
                               if not chosen else f"{' and '.join(chosen)} do not go together; "
                               "give account ids, --all or --due (one of them)", ctx=ctx)
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl do not go together; give one of them", ctx=ctx)
    ids = [positive_id(a) for a in account_ids]
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    tz = archive.settings.tz
    if due_only:
        with locks.run_lock(archive.home.locks_dir / "capture-due.lock"):
            with archive.transaction() as session:
                jobs = runs.due_jobs(session, archive.now, tz, archive.clock())
            if not jobs:
                note("Nothing due.")
            with capture_progress(len(jobs)) as progress:
                outcomes = runs.run(archive, jobs, progress=progress)
    else:
        with archive.transaction() as session:
            jobs = runs.adhoc_jobs(session, None if all_open else ids, archive.now, tz, reason or "ad hoc")
        with capture_progress(len(jobs)) as progress:
            outcomes = runs.run(archive, jobs, progress=progress)
    report_outcomes(outcomes, as_json, as_jsonl)


@click.command("due")
@archive_options
@json_option
@click.pass_context
def due_cmd(ctx: click.Context, home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """List accounts whose snapshot for the latest half-year boundary is missing."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        entries = runs.due(session, archive.now, archive.settings.tz)
    if as_json:
        emit_json([{"account": e.account_id, "name": e.name, "boundary": e.boundary.isoformat(),
                    "late_seconds": e.late_seconds} for e in entries])
        return
    for e in entries:
        late = f" (late by {e.late_seconds // 86400} days)" if e.late_seconds else ""
        click.echo(f"{e.account_id:>4}  {e.name}  boundary {e.boundary}{late}")
    if not entries:
        note("Nothing due.")


@click.group("snapshots")
def snapshots_group() -> None:
    """Stored snapshots: list, show, export, and failed captures."""


@snapshots_group.command("list")
@click.option("--account", "account_id", type=int, help="Only this account.")
@archive_options
@json_option
@click.pass_context
def snapshots_list(ctx: click.Context, account_id: int | None, home_opt, db_opt, now_opt, by_opt,
                   as_json: bool) -> None:
    """List snapshots, oldest first."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        records = [snapshots.snapshot_record(s) for s in snapshots.list_snapshots(session, account_id)]
    tz = archive.settings.tz
    if as_json:
        emit_json(records)
        return
    for r in records:
        late = " late" if r["late_seconds"] else ""
        notes = ((" [redacted]" if r["redacted"] else "")
                 + (f" [{r['clock']}]" if r["clock"] != "real clock" else ""))
        click.echo(f"{r['id']:>5}  account {r['account']:<4} {local_minute(r['captured_at'], tz)}  "
                   f"{r['trigger']:<5} {r['boundary'] or '-':<10}{late}  {r['reason']}{notes}")


@snapshots_group.command("show")
@click.argument("snapshot_id")
@archive_options
@json_option
@click.pass_context
def snapshots_show(ctx: click.Context, snapshot_id: str, home_opt, db_opt, now_opt, by_opt,
                   as_json: bool) -> None:
    """One snapshot with its files and their SHA-256."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        ident = positive_id(snapshot_id, "snapshot")
        snap = snapshots.get_snapshot(session, ident)
        r = snapshots.snapshot_record(snap, archive.store.path_for)
        r["redactions"] = redaction.redactions_of(session, ident)
        person = snapshots.archivist_record(archive, snap)
    if as_json:
        emit_json(r)
        return
    tz = archive.settings.tz
    # What a person reads: the account by name, times in the home's zone with the UTC value
    # beside them, lateness in days; --json keeps the catalogue's record.
    shown = {**r, "account": f"{r['account']} {person['account_name']} ({person['platform']})",
             "captured_at": f"{local_second(r['captured_at'], tz)} ({r['captured_at']})",
             "late_days": person["late_days"]}
    for key in ("id", "account", "trigger", "boundary", "captured_at", "late_seconds", "late_days",
                "reason", "url", "complete", "items_seen", "followers", "engine", "captured_by", "clock",
                "redacted"):
        click.echo(f"{key + ':':<13} {shown[key] if shown[key] is not None else '-'}")
    for f in r["files"]:
        click.echo(f"file:         {f['role']:<10} {f['sha256']}  {f['size']:>9}  {f['name']}")
    for x in r["redactions"]:
        click.echo(f"redaction:    item {x['item']} ({x['platform_id']}) on {local_minute(x['at'], tz)} "
                   f"by {x['by']}: {x['legal_basis']}")


@snapshots_group.command("export")
@click.argument("snapshot_id")
@click.option("-o", "--output", "dest", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the files and snapshot.json to.")
@archive_options
@json_option
@click.pass_context
def snapshots_export(ctx: click.Context, snapshot_id: str, dest: Path, home_opt, db_opt, now_opt,
                     by_opt, as_json: bool) -> None:
    """Copy a snapshot's files out of the store (digests verified) for the archivist."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    files = snapshots.export_snapshot(archive, positive_id(snapshot_id, "snapshot"), dest)
    if as_json:
        emit_json(files)
    else:
        note(f"Exported {len(files)} files to {dest}.")


@snapshots_group.command("verify")
@click.argument("snapshot_ids", nargs=-1)
@archive_options
@json_option
@click.pass_context
def snapshots_verify(ctx: click.Context, snapshot_ids: tuple[str, ...], home_opt, db_opt, now_opt,
                     by_opt, as_json: bool) -> None:
    """Re-hash a snapshot's files, validate its PDF/A records and check its redactions.

    Every snapshot without ids. Exit 65 when any finding is made.
    """
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        ids = ([positive_id(i, "snapshot") for i in snapshot_ids] if snapshot_ids else
               [s.id for s in snapshots.list_snapshots(session)])
    reports = [snapshots.verify_snapshot(archive, i) for i in ids]
    if as_json:
        emit_json(reports)
    else:
        for r in reports:
            redacted = (f" (redacted: item {', '.join(map(str, r['redacted_items']))})"
                        if r["redacted_items"] else "")
            click.echo(f"snapshot {r['snapshot']}: {'ok' if r['ok'] else 'FAILED'}{redacted}")
            for f in r["findings"]:
                click.echo(f"  {f}")
    bad = [r["snapshot"] for r in reports if not r["ok"]]
    if bad:
        raise IntegrityError(f"snapshot{'s' if len(bad) > 1 else ''} {', '.join(map(str, bad))} "
                             "failed verification; restore the named files from backup")


@snapshots_group.command("failures")
@click.option("--account", "account_id", type=int, help="Only this account.")
@archive_options
@json_option
@click.pass_context
def snapshots_failures(ctx: click.Context, account_id: int | None, home_opt, db_opt, now_opt, by_opt,
                       as_json: bool) -> None:
    """Captures that did not produce a snapshot, oldest first, with the reason."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        if account_id is not None:
            get_account(session, account_id)
        records = [snapshots.failure_record(f) for f in snapshots.list_failures(session, account_id)]
    tz = archive.settings.tz
    if as_json:
        emit_json(records)
        return
    if not records:
        note("No failed captures.")
    for r in records:
        click.echo(f"{r['id']:>5}  account {r['account']:<4} {local_minute(r['at'], tz)}  {r['trigger']:<5} "
                   f"{r['boundary'] or '-':<10}  {r['reason']}")


COMMANDS = [capture_cmd, due_cmd, snapshots_group]
