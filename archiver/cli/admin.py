"""Commands about the archive home itself: init, audit, db."""

from __future__ import annotations

import logging
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from archiver.catalogue import db
from archiver.cli.common import (
    CliError,
    Ctx,
    archive_options,
    emit_json,
    home_from,
    json_option,
    note,
    open_from_options,
)
from archiver.cli.items import item_line
from archiver.clock import now_source, refuse_set_time, resolve_now
from archiver.errors import ExitCode
from archiver.home import fixity
from archiver.home.archive import init_archive, open_archive
from archiver.home.audit import BROKEN_FIX, intact_phrase, os_user
from archiver.home.audit import count as count_entries
from archiver.home.audit import verify as verify_chain
from archiver.home.config import valid_timezone
from retention.policy import default_policy_text


@click.command("init")
@click.option("--org", "org_name", required=True, help='Record creator, e.g. "Torsby kommun".')
@click.option("--org-id", required=True, help="Organisationsnummer, e.g. 212000-1769.")
@click.option("--tz", "timezone", default="Europe/Stockholm", show_default=True,
              help="Time zone for half-year boundaries.")
@click.option("--force", is_flag=True,
              help="Make the home in a folder that already holds other files.")
@click.option("--simulated-clock", is_flag=True,
              help="A home for demos and tests: writes may take --now, and every record "
                   "says \"simulated clock\". Never for real records.")
@archive_options
@json_option
@click.pass_context
def init_cmd(ctx: click.Context, org_name: str, org_id: str, timezone: str, force: bool, simulated_clock: bool,
             home_opt: str | None, db_opt: str | None, now_opt: str | None, by_opt: str | None,
             as_json: bool) -> None:
    """Create an archive home: archive.toml, catalogue, file store, policy folder.

    Example: archive init --home /srv/bevara --org "Torsby kommun" --org-id 212000-1769
    """
    home = home_from(ctx, home_opt)
    now = resolve_now(now_opt, os.environ, ZoneInfo(timezone if valid_timezone(timezone) else "UTC"))
    source = now_source(now_opt, os.environ)
    if source is not None and not simulated_clock:
        raise refuse_set_time(source)
    group = ctx.find_object(Ctx) or Ctx()
    archive = init_archive(home, org_name=org_name, org_id=org_id, timezone=timezone, now=now,
                           actor=by_opt or os_user(), db_url=db_opt or group.db,
                           simulated_clock=simulated_clock, policy_text=default_policy_text(),
                           force=force)
    archive.close()
    if as_json:
        emit_json({"home": str(home.root), "organisation": org_name, "timezone": timezone,
                   "clock": archive.clock_label})
    else:
        note(f"Created archive home {home.root} for {org_name} ({org_id}).")

log = logging.getLogger("archiver.verify")


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit log of every change."""


@audit_group.command("verify")
@archive_options
@json_option
@click.pass_context
def audit_verify(ctx: click.Context, home_opt: str | None, db_opt: str | None, now_opt: str | None,
                 by_opt: str | None, as_json: bool) -> None:
    """Check that no audit entry was altered, removed or reordered. Exit 65 if one was."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        report = verify_chain(session)
        total = count_entries(session)
    if as_json:
        emit_json({"entries": total, "good_entries": report.good, "ok": report.ok,
                   "problem": report.first_problem, "broken_seq": report.broken_seq})
    if not report.ok:
        raise CliError(f"audit log broken: {report.first_problem}; {intact_phrase(report)}; "
                       f"{BROKEN_FIX}", int(ExitCode.bad_input))
    if not as_json:
        click.echo(f"Audit log intact: {report.entries} entries.")


@click.command("verify")
@click.option("--full", is_flag=True, help="Re-hash every stored byte (slower); default checks presence, size, mode.")
@archive_options
@json_option
@click.pass_context
def verify_cmd(ctx: click.Context, full: bool, home_opt: str | None, db_opt: str | None, now_opt: str | None,
               by_opt: str | None, as_json: bool) -> None:
    """Check the file store against the catalogue, and the audit chain. Exit 65 with findings.

    Safe while captures and imports run: only committed files and rows are judged.
    Schedule it weekly, and with --full monthly.
    """
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    report = fixity.check(archive, full=full, progress=_progress_every(5.0))
    if as_json:
        emit_json(report.as_dict())
    else:
        for f in report.findings:
            affected = f" [{'; '.join(f.records)}]" if f.records else ""
            click.echo(f"{f.level}: {f.kind}: {f.message}{affected}")
    if not report.ok:
        raise CliError(f"verify found {len(report.errors)} problem(s) in {archive.home.root}; "
                       "see the findings above for what to do", int(ExitCode.bad_input))
    if not as_json:
        click.echo(f"Store intact: {report.files_checked} files"
                   + (f", {report.bytes_hashed} bytes re-hashed" if full else "")
                   + f"; audit log intact: {report.audit_entries} entries.")


def _progress_every(seconds: float) -> Callable[[int, int], None]:
    """A progress line on stderr at most every *seconds*, so a long run is not silent."""
    last = [time.monotonic()]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= seconds:
            last[0] = now
            log.info("verify: %d of %d files checked", done, total)

    return report


@click.group("db")
def db_group() -> None:
    """Catalogue schema migrations."""


@db_group.command("upgrade")
@archive_options
@click.pass_context
def db_upgrade(ctx: click.Context, home_opt: str | None, db_opt: str | None, now_opt: str | None,
               by_opt: str | None) -> None:
    """Migrate the catalogue to this program's schema (safe to repeat)."""
    home = home_from(ctx, home_opt)
    group = ctx.find_object(Ctx) or Ctx()
    settings = home.load_settings()
    archive = open_archive(home, now=resolve_now(now_opt, os.environ, settings.tz),
                           actor=by_opt or os_user(), db_url=db_opt or group.db,
                           check_schema=False)
    try:
        before = db.current_revision(archive.engine)
        db.upgrade(archive.engine)
        after = db.current_revision(archive.engine)
    finally:
        archive.close()
    note(f"Catalogue schema: {before or 'empty'} -> {after}.")


COMMANDS = [init_cmd, audit_group, db_group, verify_cmd]


@click.command("demo")
@click.option("--home", "home_opt", metavar="DIR",
              help="Folder for the demo archive home [default: archive --home if given, else demo-home].")
@click.option("--fresh", is_flag=True, help="Replace a previous demo home in that folder.")
@click.option("--posts", type=click.IntRange(1, 500), default=40, show_default=True,
              help="Posts per fixture account.")
@click.option("--schema-dir", type=click.Path(path_type=Path), envvar="ARCHIVE_SCHEMA_DIR",
              help="Official METS/CSIP/SIP/ERMS schemas, for the closing delivery package.")
@json_option
@click.pass_context
def demo_cmd(ctx: click.Context, home_opt: str | None, fresh: bool, posts: int, schema_dir: Path | None,
             as_json: bool) -> None:
    """Run the main job end to end on the built-in fixture platform."""
    from archiver.demo import DEMO_TIMEZONE, run_demo  # brings in the fixture platform, only the demo needs it

    # `archive --home X demo` means X, as for every other command; $ARCHIVE_HOME does not,
    # so a demo never lands in the production home the environment names.
    group: Ctx = ctx.find_object(Ctx) or Ctx()
    result = run_demo(Path(home_opt or group.home or "demo-home"), fresh=fresh, actor=os_user(), posts=posts,
                      schema_dir=schema_dir, progress=note)
    ok = [o for o in result.outcomes if o.status == "ok"]
    if as_json:
        emit_json({"home": str(result.home), "register": str(result.register_html),
                   "captures": [o.as_dict() for o in result.outcomes],
                   "import": result.imported.counts.as_dict() if result.imported else None,
                   "flagged": result.flagged, "package": result.package,
                   "retention_review": result.review, "retention_dry_run": result.dry_run})
    else:
        click.echo(f"Archive home: {result.home}")
        for o in result.outcomes:
            state = f"snapshot {o.snapshot}, {o.items_seen} items" if o.status == "ok" else f"FAILED: {o.reason}"
            click.echo(f"  {o.name}: {state}")
        if result.imported:
            c = result.imported.counts
            click.echo(f"  Facebook export: {c.new} new items, {c.flagged} flagged for review")
        if result.flagged:
            click.echo("Flagged for review (sensitive spans masked), newest first; "
                       "where each came from:")
            for r in result.flagged:
                click.echo(f"{item_line(r, ZoneInfo(DEMO_TIMEZONE))}  (from {', '.join(r['seen_in'])})")
        if result.review is not None and result.dry_run is not None:
            r = result.review
            click.echo(f"Retention review {r['review']}: {sum(g['count'] for g in r['groups'])} candidates "
                       f"in {len(r['groups'])} groups; excluded: "
                       + ", ".join(f"{k} {n}" for k, n in r["excluded_counts"].items()))
            click.echo(f"  dry run: {result.dry_run['would_cull']} items would be culled "
                       f"(archive retention apply {r['review']} --execute to cull)")
        click.echo(f"Public register: {result.register_html}")
        click.echo(package_line(result.package or {}))
        click.echo(f"Next: ARCHIVE_HOME={shlex.quote(str(result.home))} {archive_command()} "
                   "items list --flag any")
    if result.package and result.package.get("valid") is False:
        raise CliError("the demo's delivery package did not validate", int(ExitCode.partial_failure))
    if len(ok) != len(result.outcomes):
        raise CliError("some demo captures failed", int(ExitCode.partial_failure))


def archive_command() -> str:
    """How to run this same archive from any shell, venv activated or not: the ``archive``
    script beside this interpreter, or ``python -m archiver`` with its full path."""
    script = Path(sys.executable).parent / "archive"
    if script.is_file() and os.access(script, os.X_OK):
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m archiver"


COMMANDS.append(demo_cmd)


def package_line(pkg: dict[str, Any]) -> str:
    """The demo's last word on its delivery package: where, whether valid, and by what."""
    verdict = "valid" if pkg["valid"] else "NOT valid"
    missing = pkg.get("schemas_missing") or []
    if not missing:
        return f"Delivery package: {pkg['path']} ({verdict}: E-ARK CSIP/SIP rules and official schemas)"
    return (f"Delivery package: {pkg['path']} ({verdict} by the E-ARK CSIP/SIP rules; not checked against "
            f"{', '.join(missing)}: pass --schema-dir DIR with the official schemas)")
