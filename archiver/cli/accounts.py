"""``archive accounts``: the register of social-media accounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from archiver.accounts import loginstate, publish
from archiver.accounts import register as lib
from archiver.capture import runs
from archiver.capture.site import profile_names
from archiver.cli.capture import capture_progress
from archiver.cli.common import (
    archive_options,
    emit_json,
    json_option,
    note,
    open_from_options,
    positive_id,
    warn,
)
from archiver.errors import BadInputError, CaptureError
from archiver.home.files import atomic_write_text


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise BadInputError(f"{option} {value!r} is not a date; use YYYY-MM-DD, e.g. 2021-03-15") from e


def account_field_options(required: bool):
    def deco(fn):
        opts = [
            click.option("--name", help="Account name as shown on the platform."),
            click.option("--platform", type=str,
                         help=f"One of: {', '.join(lib.PLATFORMS)}."),
            click.option("--url", help="Address of the account page."),
            click.option("--unit", help="Responsible unit (förvaltning/enhet)."),
            click.option("--purpose", help="Why the account exists."),
            click.option("--responsible", help="Named responsible person."),
            click.option("--admin", "admins", multiple=True, metavar='"NAME <EMAIL>"',
                         help="Administrator; repeat for each (at least two)."
                              + ("" if required else " Replaces the whole list.")),
            *(() if required else (
                click.option("--add-admin", "add_admins", multiple=True, metavar='"NAME <EMAIL>"',
                             help="Add an administrator, keeping the others; repeatable."),
                click.option("--remove-admin", "remove_admins", multiple=True, metavar="EMAIL",
                             help="Remove an administrator (by e-mail, name or \"NAME <EMAIL>\"); "
                                  "repeatable."))),
            click.option("--opened", metavar="DATE",
                         help="Date the account was opened (YYYY-MM-DD)"
                              + ("; without it today is recorded, with a warning." if required else ".")),
            click.option("--profile", help="Site profile name overriding the platform's."),
        ]
        for opt in reversed(opts):
            fn = opt(fn)
        return fn
    return deco


def fields_from(name, platform, url, unit, purpose, responsible, admins, opened, profile,
                *, replace_admins: bool, add_admins=(), remove_admins=()) -> lib.AccountFields:
    return lib.AccountFields(
        name=name, platform=platform, url=url, unit=unit, purpose=purpose, responsible=responsible,
        admins=tuple(admins) if (admins or not replace_admins) else None,
        opened=parse_date(opened, "--opened"), profile=profile,
        add_admins=tuple(add_admins), remove_admins=tuple(remove_admins),
    )


@click.group("accounts")
def accounts_group() -> None:
    """Register, edit, close and publish the municipality's accounts."""


@accounts_group.command("add")
@account_field_options(required=True)
@archive_options
@json_option
@click.pass_context
def add(ctx: click.Context, name, platform, url, unit, purpose, responsible, admins, opened, profile,
        home_opt, db_opt, now_opt, by_opt, as_json) -> None:
    """Register an account; prints its id.

    Example: archive accounts add --name "Torsby kommun" --platform facebook
    --url https://www.facebook.com/torsbykommun --unit Kommunikation
    --purpose "Information till invånare" --admin "Anna Berg <anna.berg@torsby.se>"
    --admin "Per Lind <per.lind@torsby.se>"
    """
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    f = fields_from(name, platform, url, unit, purpose, responsible, admins, opened, profile,
                    replace_admins=False)
    with archive.transaction() as session:
        outcome = lib.add_account(archive, session, f, profile_names())
        account_id = outcome.account.id
    for w in outcome.warnings:
        warn(w)
    if as_json:
        emit_json({"id": account_id})
    else:
        click.echo(account_id)


@accounts_group.command("list")
@click.option("--all", "include_closed", is_flag=True, help="Include closed accounts.")
@archive_options
@json_option
@click.pass_context
def list_cmd(ctx: click.Context, include_closed: bool, home_opt, db_opt, now_opt, by_opt,
             as_json: bool) -> None:
    """List open accounts (all with --all)."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        accounts = lib.list_accounts(session, include_closed=include_closed)
        records = [lib.account_record(a, internal=True) for a in accounts]
    if as_json:
        emit_json(records)
        return
    if not records:
        note("No accounts registered. Add one with: archive accounts add …")
        return
    for r in records:
        state = f"closed {r['closed']}" if r["closed"] else "open"
        click.echo(f"{r['id']:>4}  {r['platform']:<9}  {r['name']}  ({r['unit']}; {state})  {r['url']}")


@accounts_group.command("show")
@click.argument("account_id")
@archive_options
@json_option
@click.pass_context
def show(ctx: click.Context, account_id: str, home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """Show one account with its administrators."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        account = lib.get_account(session, positive_id(account_id))
        record = lib.account_record(account, internal=True)
        warnings = lib.admin_warning(account) if account.closed is None else []
    if as_json:
        emit_json(record)
    else:
        labels = {"administrators": "administrators"}
        for key, value in record.items():
            if key == "administrators":
                value = ", ".join(f"{a['name']} <{a['email']}>" for a in value) or "none"
            click.echo(f"{labels.get(key, key) + ':':<15} {value if value is not None else '-'}")
    for w in warnings:
        warn(w)


@accounts_group.command("edit")
@click.argument("account_id")
@account_field_options(required=False)
@archive_options
@json_option
@click.pass_context
def edit(ctx: click.Context, account_id: str, name, platform, url, unit, purpose, responsible,
         admins, add_admins, remove_admins, opened, profile, home_opt, db_opt, now_opt, by_opt,
         as_json) -> None:
    """Change an account's details; --add-admin/--remove-admin change the administrators,
    --admin replaces the whole list. Values equal to the stored ones change nothing."""
    ident = positive_id(account_id)
    given = [name, platform, url, unit, purpose, responsible, opened, profile]
    if all(v is None for v in given) and not (admins or add_admins or remove_admins):
        raise click.UsageError("give at least one option to change, such as --unit", ctx=ctx)
    if admins and (add_admins or remove_admins):
        raise click.UsageError("--admin replaces the list; give it, or --add-admin/--remove-admin, "
                               "not both", ctx=ctx)
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    f = fields_from(name, platform, url, unit, purpose, responsible, admins, opened, profile,
                    replace_admins=True, add_admins=add_admins, remove_admins=remove_admins)
    with archive.transaction() as session:
        outcome = lib.edit_account(archive, session, ident, f, profile_names())
        record = lib.account_record(outcome.account, internal=True)
    for w in outcome.warnings:
        warn(w)
    if as_json:
        emit_json({**record, "changed": outcome.changed})
    elif outcome.changed:
        note(f"Account {record['id']} updated.")
    else:
        note(f"Account {record['id']}: nothing changed (the values given are the ones stored).")


@accounts_group.command("close")
@click.argument("account_id")
@click.option("--reason", required=True, help="Why the account is closed.")
@click.option("--decided-by", required=True, help="Who decided (S12: head of communications).")
@click.option("--no-final-snapshot", is_flag=True,
              help="Close without the final snapshot (e.g. the page is already gone); recorded "
                   "in the audit log.")
@archive_options
@json_option
@click.pass_context
def close(ctx: click.Context, account_id: str, reason: str, decided_by: str,
          no_final_snapshot: bool, home_opt, db_opt, now_opt, by_opt, as_json: bool) -> None:
    """Close an account: a final snapshot first, then date, reason and decision-maker.

    If the final snapshot fails the account stays open (exit 3).
    """
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    ident = positive_id(account_id)
    with archive.transaction() as session:
        account = lib.get_account(session, ident)
        if account.closed is not None:
            raise BadInputError(f"account {ident} was already closed on {account.closed.isoformat()}")
        jobs = [] if no_final_snapshot else runs.adhoc_jobs(
            session, [ident], archive.now, archive.settings.tz, f"slutlig ögonblicksbild före avslut: {reason}",
            trigger="close")
    with capture_progress(len(jobs)) as progress:
        outcomes = runs.run(archive, jobs, progress=progress)
    failed = [o for o in outcomes if o.status != "ok"]
    if failed:
        raise CaptureError(f"final snapshot of account {ident} failed: {failed[0].reason}; "
                           "the account stays open (retry, or close with --no-final-snapshot)")
    with archive.transaction() as session:
        account = lib.close_account(archive, session, ident, reason=reason, decided_by=decided_by,
                                    final_snapshot=outcomes[0].snapshot if outcomes else None)
        record = lib.account_record(account, internal=True)
    if as_json:
        emit_json(record)
    else:
        note(f"Account {record['id']} closed on {record['closed']}.")


@accounts_group.command("reopen")
@click.argument("account_id")
@click.option("--reason", required=True, help="Why the account is opened again.")
@click.option("--decided-by", required=True, help="Who decided.")
@archive_options
@json_option
@click.pass_context
def reopen(ctx: click.Context, account_id: str, reason: str, decided_by: str, home_opt, db_opt,
           now_opt, by_opt, as_json: bool) -> None:
    """Reopen a closed account, the one change a closed account accepts (audited)."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    with archive.transaction() as session:
        account = lib.reopen_account(archive, session, positive_id(account_id), reason=reason,
                                     decided_by=decided_by)
        record = lib.account_record(account, internal=True)
    if as_json:
        emit_json(record)
    else:
        note(f"Account {record['id']} reopened.")


@accounts_group.command("login-state")
@click.argument("account_id")
@click.argument("state_file", required=False, type=click.Path(path_type=Path))
@click.option("--clear", is_flag=True, help="Remove the account's login state.")
@archive_options
@click.pass_context
def login_state(ctx: click.Context, account_id: str, state_file: Path | None, clear: bool, home_opt,
                db_opt, now_opt, by_opt) -> None:
    """Give captures of an account a logged-in session (a Playwright storage state).

    The file is copied into the home's secrets folder with mode 0600; delete your own
    copy afterwards. Make one on a workstation, logged in as the account:
    playwright codegen --save-storage=state.json https://www.facebook.com/
    """
    if clear == (state_file is not None):
        raise click.UsageError("give either STATE_FILE or --clear")
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    ident = positive_id(account_id)
    if state_file is not None:
        loginstate.set_state(archive, ident, state_file)
        note(f"Login state of account {ident} set.")
        return
    loginstate.clear_state(archive, ident)
    note(f"Login state of account {ident} removed.")


@accounts_group.command("register")
@click.option("--format", "fmt", type=click.Choice(publish.FORMATS), default="html",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (atomically) instead of stdout.")
@click.option("--internal", is_flag=True,
              help="Include administrators and closing decisions (not for publication).")
@click.option("--excel", is_flag=True,
              help="With --format csv: semicolons, UTF-8 with BOM and Swedish headings, as "
                   "Excel set to Swedish opens it.")
@archive_options
@click.pass_context
def register_cmd(ctx: click.Context, fmt: str, output: Path | None, internal: bool, excel: bool,
                 home_opt, db_opt, now_opt, by_opt) -> None:
    """The public register of accounts (S10), for the municipality's website."""
    if excel and fmt != "csv":
        raise click.UsageError("--excel shapes CSV only; add --format csv")
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        accounts = lib.list_accounts(session, include_closed=True)
        text = publish.render(fmt, accounts, org_name=archive.settings.org_name,
                               generated=archive.now, internal=internal, excel=excel)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text, parents=False)
        note(f"Wrote {output}.")


COMMANDS = [accounts_group]
