"""``archive retention``: the records officer's commands (policy, holds, review, decide,
apply, protocols, status). Each parses, calls retention/ and reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from archiver.cli.common import archive_options, emit_json, json_option, open_from_options, warn
from archiver.cli.common import note as tell
from archiver.errors import BadInputError
from archiver.home.archive import Archive
from archiver.home.files import atomic_write_text
from archiver.schedule import parse_instant
from retention import culling, holds, protocol, review, status
from retention.policy import Mandate, Policy, load_policy, officer_settings, write_mandate


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise BadInputError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from e


def _policy(archive: Archive, path: Path | None = None) -> Policy:
    policy = load_policy(path or officer_settings(archive.home).policy)
    for w in policy.warnings:
        warn(w)
    return policy


@click.group("retention")
def retention_group() -> None:
    """Retention: policy, holds, reviews and culling with a gallringsprotokoll."""


@retention_group.group("policy")
def policy_group() -> None:
    """The retention policy file (gallringsbeslut as data)."""


@policy_group.command("check")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Check this file instead of the home's policy.")
@archive_options
@json_option
@click.pass_context
def policy_check(ctx: click.Context, policy_file: Path | None, home_opt, db_opt, now_opt, by_opt,
                 as_json: bool) -> None:
    """Check the policy; every error with its line number (exit 65), warnings on stderr."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    policy = _policy(archive, policy_file)
    if as_json:
        emit_json({"policy": str(policy.path), "rules": len(policy.rules), "warnings": list(policy.warnings),
                   "sha256": policy.sha256})
    else:
        click.echo(f"Policy {policy.path}: {len(policy.rules)} rules, {len(policy.warnings)} warnings.")


@policy_group.command("show")
@archive_options
@json_option
@click.pass_context
def policy_show(ctx: click.Context, home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """The rules in order, with action, frist and mandate."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    policy = _policy(archive)
    rows = [{"id": r.id, "handlingstyp": r.handlingstyp, "klassa": r.klassa, "action": r.action,
             "frist": r.frist.kind if r.frist else None, "mandate": r.mandate.cite() if r.mandate else None}
            for r in policy.rules]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:<16} {r['action']:<11} {r['klassa']:<7} {r['handlingstyp']}"
                   f"{'  [' + r['mandate'] + ']' if r['mandate'] else ''}")


@policy_group.command("mandate")
@click.argument("rules", nargs=-1)
@click.option("--all", "all_rules", is_flag=True, help="Every culling rule.")
@click.option("--body", required=True, help='Deciding body, e.g. "Kommunstyrelsen".')
@click.option("--date", "day", required=True, help="Date of the decision, YYYY-MM-DD.")
@click.option("--section", required=True, help='Paragraph, e.g. "§ 45".')
@click.option("--dnr", required=True, help='Diarienummer, e.g. "KS 2024/123".')
@archive_options
@json_option
@click.pass_context
def policy_mandate(ctx: click.Context, rules: tuple[str, ...], all_rules: bool, body: str, day: str,
                   section: str, dnr: str, home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """Enter the municipality's gallringsbeslut on culling rules, keeping the file's comments."""
    if bool(rules) == all_rules:
        raise BadInputError("name the rules (RULE…) or give --all, not both and not neither")
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    path = officer_settings(archive.home).policy
    mandate = Mandate(body.strip(), _date(day, "--date") or dt.date.min, section.strip(), dnr.strip())
    if not all((mandate.body, mandate.section, mandate.dnr)):
        raise BadInputError("--body, --section and --dnr must not be empty")
    done = write_mandate(path, None if all_rules else list(rules), mandate)
    with archive.transaction() as session:
        archive.audit(session, "policy", {"mandate": mandate.cite(), "rules": done})
    if as_json:
        emit_json({"rules": done, "mandate": mandate.cite()})
    else:
        tell(f"Mandate {mandate.cite()} entered on: {', '.join(done)}.")


@retention_group.group("holds")
def holds_group() -> None:
    """Holds (gallringsstopp) that stop culling."""


@holds_group.command("add")
@click.option("--reason", required=True, help='Why, e.g. "Begäran om utlämnande, dnr KS 2026/45".')
@click.option("--item", "items", multiple=True, type=int, help="An item to hold (repeatable).")
@click.option("--account", "account_id", type=int, help="Every item of this account.")
@click.option("--from", "date_from", metavar="DATE", help="Items created on or after DATE.")
@click.option("--to", "date_to", metavar="DATE", help="Items created on or before DATE.")
@click.option("--text", help="Items whose text contains TEXT.")
@archive_options
@json_option
@click.pass_context
def holds_add(ctx: click.Context, reason: str, items: tuple[int, ...], account_id: int | None,
              date_from: str | None, date_to: str | None, text: str | None, home_opt, db_opt, now_opt,
              by_opt, as_json: bool) -> None:
    """Place a hold; it covers matching items now and later, until released."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    scope = holds.HoldScope(reason=reason, items=items, account_id=account_id,
                            date_from=_date(date_from, "--from"), date_to=_date(date_to, "--to"), text=text)
    with archive.transaction() as session:
        hold, n = holds.add_hold(archive, session, scope)
        hold_id = hold.id
    if as_json:
        emit_json({"hold": hold_id, "items": n})
    else:
        tell(f"Hold {hold_id} placed: {n} items now.")


@holds_group.command("list")
@click.option("--all", "include_released", is_flag=True, help="Released holds too.")
@archive_options
@json_option
@click.pass_context
def holds_list(ctx: click.Context, include_released: bool, home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """Active holds with what they cover."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    with archive.transaction() as session:
        rows = holds.list_holds(session, archive.settings.tz, include_released=include_released)
    if as_json:
        emit_json(rows)
        return
    for h in rows:
        state = f"released {h['released_at'][:10]}" if h["released_at"] else "active"
        click.echo(f"{h['hold']:>4}  {state:<20} {h['items']:>6} items  {h['reason']}")


@holds_group.command("release")
@click.argument("hold_id", type=int)
@click.option("--reason", required=True, help="Why the hold ends.")
@archive_options
@json_option
@click.pass_context
def holds_release(ctx: click.Context, hold_id: int, reason: str, home_opt, db_opt, now_opt, by_opt,
                  as_json: bool) -> None:
    """Release a hold; its items are reviewed again from the next review on."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    with archive.transaction() as session:
        holds.release_hold(archive, session, hold_id, reason)
    if as_json:
        emit_json({"hold": hold_id, "released": True})
    else:
        tell(f"Hold {hold_id} released.")


def _write_report(report: dict[str, Any], fmt: str, output: Path | None, org_name: str, as_json: bool) -> None:
    if as_json or fmt == "json":
        emit_json({k: v for k, v in report.items()})
        return
    if fmt in ("csv", "html"):
        text = review.render_csv(report) if fmt == "csv" else review.render_html(report, org_name=org_name)
        if output is None:
            click.echo(text, nl=False)
        else:
            atomic_write_text(output, text)
            tell(f"Wrote {output}.")
        return
    click.echo(f"Review {report['review']} ({report['status']}), as of {report['as_of'][:10]}:")
    click.echo(f"{'group':<6} {'rule':<14} {'account':>7} {'period':<8} {'count':>7}  span")
    for g in report["groups"]:
        click.echo(f"{g['group']:<6} {g['rule']:<14} {g['account']:>7} {g['period']:<8} {g['count']:>7}  "
                   f"{g['from']} – {g['to']}")
    total = sum(g["count"] for g in report["groups"])
    click.echo(f"{total} candidates in {len(report['groups'])} groups.")
    for reason, n in report["excluded_counts"].items():
        click.echo(f"  excluded {reason}: {n}")


FORMAT = click.option("--format", "fmt", type=click.Choice(("table", "csv", "html", "json")),
                      default="table", show_default=True)
OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))


@retention_group.group("review", invoke_without_command=True)
@click.option("--as-of", "as_of", metavar="DATE", help="Review as of DATE (default: now).")
@click.option("--account", "account_id", type=int, help="Only this account.")
@FORMAT
@OUTPUT
@archive_options
@json_option
@click.pass_context
def review_cmd(ctx: click.Context, as_of: str | None, account_id: int | None, fmt: str, output: Path | None,
               home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """Start a numbered retention review: candidates in groups, exclusions with reasons."""
    if ctx.invoked_subcommand is not None:
        return
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    policy = _policy(archive)
    try:
        when = parse_instant(as_of, archive.settings.tz) if as_of else archive.now
    except ValueError as e:
        raise BadInputError(f"--as-of: {e}") from e
    with archive.transaction() as session:
        review_id = review.run_review(archive, session, policy, as_of=when, account_id=account_id)
    with archive.transaction() as session:
        report = review.review_report(session, review_id, archive.settings.tz)
    _write_report(report, fmt, output, archive.settings.org_name, as_json)


@review_cmd.command("show")
@click.argument("review_id", type=int)
@FORMAT
@OUTPUT
@archive_options
@json_option
@click.pass_context
def review_show(ctx: click.Context, review_id: int, fmt: str, output: Path | None, home_opt, db_opt,
                now_opt, by_opt, as_json: bool) -> None:
    """Show a review again, with its decisions so far."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    with archive.transaction() as session:
        report = review.review_report(session, review_id, archive.settings.tz)
    _write_report(report, fmt, output, archive.settings.org_name, as_json)


@retention_group.command("decide")
@click.argument("review_id", type=int)
@click.argument("action", type=click.Choice(review.DECISIONS))
@click.option("--all", "everything", is_flag=True, help="Every candidate of the review.")
@click.option("--group", "groups", multiple=True, help="A group, e.g. G1 (repeatable).")
@click.option("--item", "items", multiple=True, type=int, help="A candidate item (repeatable).")
@click.option("--why", required=True, help="The justification, recorded with the decision.")
@click.option("--until", metavar="DATE", help="extend: postpone until DATE.")
@click.option("--rule", help="reclassify: the rule the items belong to.")
@archive_options
@json_option
@click.pass_context
def decide_cmd(ctx: click.Context, review_id: int, action: str, everything: bool, groups: tuple[str, ...],
               items: tuple[int, ...], why: str, until: str | None, rule: str | None, home_opt, db_opt,
               now_opt, by_opt, as_json: bool) -> None:
    """Decide on candidates: approve, extend, reclassify, register or hold."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    policy = _policy(archive)
    d = review.Decision(action=action, why=why, everything=everything, groups=groups, items=items,
                        until=_date(until, "--until"), rule=rule)
    with archive.transaction() as session:
        n = review.decide(archive, session, policy, review_id, d,
                          four_eyes=officer_settings(archive.home).four_eyes)
    if as_json:
        emit_json({"review": review_id, "decision": action, "items": n})
    else:
        tell(f"Review {review_id}: {action} on {n} items.")


@retention_group.command("apply")
@click.argument("review_id", type=int)
@click.option("--execute", is_flag=True, help="Cull for real (default: a dry run).")
@archive_options
@json_option
@click.pass_context
def apply_cmd(ctx: click.Context, review_id: int, execute: bool, home_opt, db_opt, now_opt, by_opt,
              as_json: bool) -> None:
    """List what an approved review would cull; with --execute, cull and write the protocol."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    note = officer_settings(archive.home).backup_note
    result = culling.apply_review(archive, review_id, execute=execute,
                                  backup_note=note or culling.DEFAULT_BACKUP_NOTE)
    if as_json:
        emit_json(result.as_dict())
        return
    if not execute:
        click.echo(f"Dry run: review {review_id} would cull {len(result.would_cull)} items; "
                   f"{len(result.skipped)} would be skipped. Cull with --execute.")
    else:
        click.echo(f"Culled {result.culled} items; protocol {result.protocol}.")
        for f in result.files:
            click.echo(f"  {f['name']}  {f['sha256']}")
    for s in result.skipped:
        tell(f"  skipped item {s['item']}: {s['reason']}")


@retention_group.group("protocols")
def protocols_group() -> None:
    """Gallringsprotokoll: the permanent records of culling runs."""


@protocols_group.command("list")
@archive_options
@json_option
@click.pass_context
def protocols_list(ctx: click.Context, home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """Every protocol, oldest first."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    with archive.transaction() as session:
        rows = protocol.list_protocols(session)
    if as_json:
        emit_json(rows)
        return
    for p in rows:
        click.echo(f"{p['protocol']:>4}  review {p['review']:<4} {p['status']:<9} "
                   f"{(p['executed_at'] or '')[:10]}  {p['culled']} culled, {p['skipped']} skipped, "
                   f"by {p['executed_by']}")


@protocols_group.command("export")
@click.argument("protocol_id", type=int)
@click.option("-o", "--output", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the PDF/A, CSV and XML into.")
@archive_options
@json_option
@click.pass_context
def protocols_export(ctx: click.Context, protocol_id: int, folder: Path, home_opt, db_opt, now_opt, by_opt,
                     as_json: bool) -> None:
    """Copy a protocol's files out of the store (each checked against its digest)."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    with archive.transaction() as session:
        paths = protocol.export_protocol(archive, session, protocol_id, folder)
    if as_json:
        emit_json({"protocol": protocol_id, "files": [str(p) for p in paths]})
    else:
        for p in paths:
            click.echo(str(p))


@retention_group.command("status")
@archive_options
@json_option
@click.pass_context
def status_cmd(ctx: click.Context, home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """Open reviews, items due and overdue for review, active holds."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    policy = _policy(archive)
    with archive.transaction() as session:
        data = status.status(session, policy, as_of=archive.now, tz=archive.settings.tz)
    if as_json:
        emit_json(data)
        return
    click.echo(f"As of {data['as_of'][:10]}: {data['due_for_review']} items due for review, "
               f"{data['overdue']} overdue, {data['in_open_reviews']} in open reviews, "
               f"{len(data['active_holds'])} active holds, {data['culled_total']} culled so far.")
    for r in data["open_reviews"]:
        click.echo(f"  open review {r['review']}: {r['candidates']} candidates, {r['approved']} approved")


COMMANDS = [retention_group]
