"""``archive import``, ``archive items`` and ``archive report``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from archiver.capture import redaction
from archiver.catalogue.models import Item
from archiver.cli.common import archive_options, emit_json, json_option, open_from_options, positive_id
from archiver.cli.common import note as tell
from archiver.cli.progress import reporter
from archiver.clock import local_date, local_second
from archiver.errors import BadInputError
from archiver.home.files import atomic_write_text
from archiver.items import marks, search
from archiver.items import report as yearly_report
from archiver.items.importer import import_export
from archiver.items.imports import FORMATS
from retention.culling import stub_record
from retention.finding import KINDS as FINDING_KINDS


@click.command("import")
@click.argument("account_id")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("auto", *FORMATS)), default="auto",
              show_default=True, help="Export format; auto detects it from the files.")
@archive_options
@json_option
@click.pass_context
def import_cmd(ctx: click.Context, account_id: str, path: Path, fmt: str, home_opt, db_opt,
               now_opt, by_opt, as_json: bool) -> None:
    """Import a platform's data export (zip, tgz, folder or one of its files) for an account.

    The format is detected from what the files hold; an export of another platform
    than the account's is refused (exit 65). --format items reads the neutral items
    format (JSON Lines or CSV, schemas/items.schema.json) into an account of any
    platform. Re-importing the same export adds nothing; a newer overlapping export
    adds only new items and new versions. A broken export is rejected whole (exit 65).
    """
    ident = positive_id(account_id)
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    with reporter().count(f"import {path.name}", "records read") as progress:
        report = import_export(archive, ident, path, fmt, progress=progress)
    data = {"import": report.import_id, "account": report.account_id, "format": report.format,
            **report.counts.as_dict(), "removed_from_platform": report.removed_from_platform}
    if as_json:
        emit_json(data)
        return
    c = report.counts
    click.echo(f"Imported {report.source} ({report.format}) into account {report.account_id}: "
               f"{c.new} new, {c.updated} updated, {c.unchanged} unchanged, "
               f"{sum(c.skipped.values())} skipped, {c.flagged} flagged for review, "
               f"{report.removed_from_platform} no longer on the platform.")
    for reason, n in sorted(c.skipped.items()):
        tell(f"  skipped {n}: {reason}")
    for where, reason in c.skipped_records:
        tell(f"    {where}: {reason}")
    if (left := sum(c.skipped.values()) - len(c.skipped_records)) > 0:
        tell(f"    … and {left} more (not listed)")


def _date(value: str | None, option: str, tz: dt.tzinfo) -> dt.datetime | None:
    if value is None:
        return None
    try:
        d = dt.date.fromisoformat(value)
    except ValueError as e:
        raise BadInputError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from e
    return dt.datetime.combine(d, dt.time(), tz).astimezone(dt.UTC)


def filter_options(fn):
    for opt in reversed([
        click.option("--account", "account_id", type=int, help="Only this account."),
        click.option("--kind", type=click.Choice(("post", "comment", "reply", "message"))),
        click.option("--from", "since", metavar="DATE", help="Created on or after DATE."),
        click.option("--to", "until", metavar="DATE", help="Created before DATE."),
        click.option("--flag", type=click.Choice((*FINDING_KINDS, "any")),
                     help="Flagged by the screen: a kind of finding, or 'any'."),
        click.option("--mark", type=click.Choice(("led-to-case", "removed", "confidential", "any"))),
        click.option("--removed-from-platform", "gone", is_flag=True,
                     help="Only items a later source no longer had."),
        click.option("--limit", type=int, default=100, show_default=True),
    ]):
        fn = opt(fn)
    return fn


@click.group("items")
def items_group() -> None:
    """Posts, comments and messages from captures and imports."""


def author_text(r: dict[str, Any]) -> str:
    """Name and handle; an X message from someone else carries only the sender's user id."""
    handle = (r["author_handle"] or "").lstrip("@")
    if r["author"]:
        return f"{r['author']} (@{handle})" if handle else r["author"]
    if handle:
        return f"user id {handle}" if handle.isdigit() else f"@{handle}"
    return "-"


def item_line(r: dict[str, Any], tz: ZoneInfo) -> str:
    """One item record as a line of a listing: id, account, day, kind, author, text, [flags] <marks>.

    The day is the home's local date, the one ``--from``/``--to`` filter on (a post at 23:30
    on 18 June in Stockholm is dated 2026-06-18, though it is 21:30 UTC)."""
    tags = " ".join([*(f"[{k}]" for k in r["flags"]), *(f"<{m}>" for m in r["marks"])])
    created = (dt.datetime.fromisoformat(r["created"]).astimezone(tz).date().isoformat()
               if r["created"] else "-" * 10)
    text_one_line = " ".join(r["text"].split())
    who = r["author"] or (author_text(r) if r["author_handle"] else "-")
    return (f"{r['id']:>6}  account {r['account']:<4} {created}  {r['kind']:<7}  {who}: "
            f"{text_one_line[:100]}{' ' + tags if tags else ''}")


def _run_list(ctx, text, account_id, kind, since, until, flag, mark, gone, limit,
              home_opt, db_opt, now_opt, by_opt, as_json) -> None:
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    tz = archive.settings.tz
    f = search.ItemFilter(account_id=account_id, kind=kind, since=_date(since, "--from", tz),
                              until=_date(until, "--to", tz), flag=flag, mark=mark, text=text,
                              removed_from_platform=True if gone else None, limit=limit)
    with archive.transaction() as session:
        records = [search.item_record(i) for i in search.find(session, f)]
    if as_json:
        emit_json(records)
        return
    for r in records:
        click.echo(item_line(r, tz))
    tell(f"{len(records)} item{'s' if len(records) != 1 else ''}.")


@items_group.command("list")
@filter_options
@archive_options
@json_option
@click.pass_context
def items_list(ctx: click.Context, **kw) -> None:
    """List items, newest first; sensitive spans are masked."""
    _run_list(ctx, None, **kw)


@items_group.command("search")
@click.argument("text")
@filter_options
@archive_options
@json_option
@click.pass_context
def items_search(ctx: click.Context, text: str, **kw) -> None:
    """Find items whose text contains TEXT (case-insensitive)."""
    _run_list(ctx, text, **kw)


@items_group.command("show")
@click.argument("item_id")
@click.option("--unmasked", is_flag=True, help="Show what the screen found in clear text.")
@archive_options
@json_option
@click.pass_context
def items_show(ctx: click.Context, item_id: str, unmasked: bool, home_opt, db_opt, now_opt, by_opt,
               as_json: bool) -> None:
    """One item with its versions, sources, marks and flags."""
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    with archive.transaction() as session:
        rec = search.item_record(search.get_item(session, positive_id(item_id, "item")),
                                     masked=not unmasked, full=True)
        rec["culled"] = stub_record(session, rec["id"])
    if as_json:
        emit_json(rec)
        return
    for line in show_lines(rec, archive.settings.tz):
        click.echo(line)


MARK_LABELS = {
    "led-to-case": "led to case",
    "removed": "removed by a moderator",
    "confidential": "confidential",
}
MASKING_NOTE = ("masking:   * hides a digit or letter of a personnummer, samordningsnummer, phone, "
                "e-mail or address; [hälsa] and [soc] stand for health and social-services words; "
                "--unmasked shows the text in clear")


def show_lines(rec: dict[str, Any], tz: ZoneInfo) -> list[str]:
    """`items show` as text: every field of the JSON record, labelled so that a reader can
    tell the archive's marks (what a moderator did) from what the platform shows now.
    Times are the home's local time with the zone named, dates its local dates (the JSON
    keeps UTC): 21:30 UTC on 18 June is shown as 23:30 CEST, a day the listing agrees with."""
    def field(label: str, value: Any) -> str:
        return f"{label + ':':<10} {'-' if value is None or value == '' else value}"

    def when(value: str | None) -> str | None:
        return local_second(value, tz) if value else None

    def day(value: str) -> str:
        return local_date(value, tz)

    author = author_text(rec)
    if rec["own"] is not None:
        author += ", the account itself" if rec["own"] else ", not the account"
    lines = [field("id", rec["id"]), field("account", rec["account"]),
             field("platform_id", rec["platform_id"]), field("kind", rec["kind"]),
             field("parent", rec["parent"]), field("thread", rec["thread"]),
             field("author", author)]
    if rec["recipients"]:
        lines.append(field("to", ", ".join(rec["recipients"])))
    lines += [field("created", when(rec["created"])), field("edited", when(rec["edited"])),
              field("url", rec["url"]), field("text", rec["text"])]
    if rec["masked"]:
        lines.append(MASKING_NOTE)
    for v in rec["versions"]:
        lines.append(f"version {v['seq']} ({v['source']}, {day(v['seen'])}): {v['text']}")
    for f in rec["flag_spans"]:
        lines.append(f"flag:      {f['kind']} {f['match']} {f['detail'] or ''}".rstrip())
    for m in rec["marks"]:
        detail = "; ".join(f"{k.replace('_', ' ')} {m[k]}" for k in ("case_ref", "category", "law",
                                                                     "police_report", "note") if m[k])
        lines.append(f"mark:      {MARK_LABELS.get(m['kind'], m['kind'])}"
                     f"{' (' + detail + ')' if detail else ''} by {m['by']} {day(m['at'])}")
    for md in rec["media"]:
        lines.append(f"media:     {md['name']} {md['media_type']} {md['sha256']}"
                     f"{' (purged)' if md['purged'] else ''}")
    for src in rec["sources"]:
        where = f"snapshot {src['snapshot']}" if src["snapshot"] else (
            f"import {src['import']}" if src["import"] else "other")
        lines.append(f"source:    {where}, {day(src['seen'])}")
    lines.append(f"deleted by the account on the platform (per its export): "
                 f"{'yes' if rec['deleted_on_platform'] else 'no'}")
    lines.append(f"missing from the platform at a later complete capture: "
                 f"{'yes' if rec['removed_from_platform'] else 'no'}")
    if rec["content_purged"]:
        lines.append("content:   purged (text and media deleted; the record and digests remain)")
    if rec["culled"]:
        c = rec["culled"]
        lines.append(f"culled:    {day(c['culled_at'])} under rule {c['rule']}, review {c['review']}, "
                     f"protocol {c['protocol']} (text sha256 {c['text_sha256']})")
        for f in c["protocol_files"]:
            lines.append(f"protocol:  {f['name']} {f['sha256']}")
    return lines


@items_group.command("mark")
@click.argument("item_id")
@click.option("--led-to-case", metavar="DNR", help='The item led to action in case DNR, e.g. "KS 2026/123".')
@click.option("--removed", is_flag=True, help="A moderator removed it from the platform.")
@click.option("--category", type=click.Choice(marks.REMOVAL_CATEGORIES), help="Why it was removed.")
@click.option("--police-report", metavar="NR", help="Police report number, if reported.")
@click.option("--confidential", is_flag=True, help="It holds confidential information.")
@click.option("--law", metavar="REF", help='Secrecy provision, e.g. "OSL 21 kap. 1 §".')
@click.option("--note", help="Why, in a sentence.")
@archive_options
@json_option
@click.pass_context
def items_mark(ctx: click.Context, item_id: str, led_to_case, removed, category, police_report,
               confidential, law, note, home_opt, db_opt, now_opt, by_opt, as_json) -> None:
    """Mark an item: led to a case, removed by a moderator, or confidential.

    --category barnpornografibrott deletes the item's text and media at once, keeps
    metadata only, and redacts every snapshot that shows the item (all its files; the
    print record is printed again with Chromium); the old files leave the store.
    """
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    req = marks.MarkRequest(led_to_case=led_to_case, removed=removed, category=category,
                            police_report=police_report, confidential=confidential, law=law,
                            note=note)
    ident = positive_id(item_id, "item")
    marks.validate(req)
    with archive.transaction() as session:
        done: list[redaction.Redacted] = []
        if req.removed and req.category == marks.CSAM:
            item = session.get(Item, ident)
            if item is not None:
                done = redaction.redact_item(archive, session, item, req.category)
                archive.audit(session, f"item:{ident}", {"redacted_snapshots": {
                    str(d.snapshot): d.files for d in done}})
        made = marks.mark_item(archive, session, ident, req)
        kinds = [m.kind for m in made]
    with archive.transaction() as session:
        deleted = redaction.delete_unreferenced(archive, session, [o for d in done for o in d.old])
    asked = [k for k, given in (("led-to-case", req.led_to_case), ("removed", req.removed),
                                ("confidential", req.confidential)) if given and k not in kinds]
    if as_json:
        emit_json({"item": ident, "marks": kinds, "already_marked": asked,
                   "redacted_snapshots": [d.snapshot for d in done], "files_deleted": len(deleted)})
    else:
        if kinds:
            tell(f"Item {ident} marked: {', '.join(kinds)}.")
        if asked:
            tell(f"Item {ident} already has the same {', '.join(asked)} mark; not added again.")
        if done:
            tell(f"Redacted snapshots {', '.join(str(d.snapshot) for d in done)}; "
                 f"{len(deleted)} old files deleted from the store.")


@click.command("report")
@click.option("--year", type=int, required=True, help="Calendar year to report on.")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "html", "json")),
              default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--excel", is_flag=True,
              help="With --format csv: semicolons, UTF-8 with BOM and Swedish headings, as "
                   "Excel set to Swedish opens it.")
@archive_options
@json_option
@click.pass_context
def report_cmd(ctx: click.Context, year: int, fmt: str, output: Path | None, excel: bool, home_opt,
               db_opt, now_opt, by_opt, as_json: bool) -> None:
    """Yearly statistics per account (Torsby 4.3, S14). --json is --format json."""
    if excel and fmt != "csv":
        raise click.UsageError("--excel shapes CSV only; add --format csv")
    explicit = ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
    if as_json and explicit and fmt != "json":
        raise click.UsageError(f"--json is --format json; give one of --json and --format {fmt}")
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt, write=False)
    problem = yearly_report.check_year(year, archive.now, archive.settings.tz)
    if problem:
        raise click.BadParameter(problem, param_hint="'--year'")
    with archive.transaction() as session:
        rows = yearly_report.yearly(session, year, archive.settings.tz)
    text = yearly_report.render("json" if as_json else fmt, rows, year=year,
                                org_name=archive.settings.org_name, org_id=archive.settings.org_id,
                                generated=archive.now, excel=excel)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text, parents=False)
        tell(f"Wrote {output}.")


COMMANDS = [import_cmd, items_group, report_cmd]
