"""``archive package``: delivery packages, registration packages, and ``archive package validate``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from archiver.cli.common import archive_options, emit_json, home_from, json_option, open_from_options, positive_id
from archiver.cli.progress import reporter
from archiver.errors import BadInputError, ConfigError, ExitCode
from archiver.packages.content import parse_period
from archiver.packages.delivery import PROFILES, build_delivery
from archiver.packages.registration import build_registration
from archiver.packages.retention_records import disposal_source
from archiver.packages.schemaset import SchemaSet
from archiver.packages.validator import validate_package
from archiver.pdf.document import print_document


@click.command("package", context_settings={"ignore_unknown_options": False})
@click.argument("args", nargs=-1)
@click.option("--period", metavar="YYYYH1|YYYYH2", help="Half-year to deliver, e.g. 2026H1.")
@click.option("--account", "account_id", metavar="ID", help="Only this account (default: every account).")
@click.option("--profile", type=click.Choice(PROFILES), help="fgs2 (E-ARK CSIP/SIP 2.1, default) or fgs1.2.")
@click.option("--register", "register", is_flag=True, help="Registration package for the diarium of ITEM…")
@click.option("--case", "case_ref", metavar="DNR", help="Registry number (diarienummer) for the registration.")
@click.option("--protocol", "protocol_id", metavar="ID", help="Also register this culling record.")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="OUT.zip or OUT.tar writes an archive file, anything else a new folder.")
@click.option("--schema-dir", metavar="DIR", help="Official schemas (default: package.schema_dir in archive.toml).")
@click.option("--rules-only", is_flag=True,
              help="Where an official schema is not at hand, leave it out (build) or warn (validate).")
@archive_options
@json_option
@click.pass_context
def package_cmd(ctx: click.Context, args: tuple[str, ...], period: str | None, account_id: str | None,
                profile: str | None, register: bool, case_ref: str | None, protocol_id: str | None,
                out: Path | None, schema_dir: str | None, rules_only: bool, home_opt, db_opt, now_opt, by_opt,
                as_json: bool) -> None:
    """Write a package for the e-archive or the diarium, or validate one.

    \b
      archive package --period 2026H1 [--account A] [--profile fgs2|fgs1.2] -o OUT
      archive package --register ITEM… [--case DNR] [--protocol ID] -o OUT
      archive package validate PATH [--profile fgs2|fgs1.2] [--json]

    Packages are deterministic (same catalogue and --now, same bytes) and never replace an
    existing path (exit 73). validate lists every finding with its requirement id and exits
    0 (no errors) or 65.
    """
    if args and args[0] == "validate":
        _validate(ctx, args[1:], profile, schema_dir, rules_only, home_opt, as_json)
        return
    if out is None:
        raise BadInputError("give the output with -o OUT (OUT.zip, OUT.tar or a new folder)")
    archive = open_from_options(ctx, home_opt, db_opt, now_opt, by_opt)
    schemas = SchemaSet.from_settings(schema_dir or archive.settings.package.schema_dir or None,
                                      missing_ok=rules_only)
    if register or protocol_id:
        if period or account_id or profile not in (None, "fgs2"):
            raise BadInputError("--register takes items, --case and --protocol; --period, --account and "
                                "--profile go with a delivery package")
        items = [positive_id(a, "item") for a in args]
        with reporter().count(f"package {out.name}", "files written") as progress:
            result = build_registration(archive, items, out, case=case_ref, schemas=schemas,
                                        disposal=disposal_source(),
                                        protocol_id=positive_id(protocol_id, "protocol") if protocol_id else None,
                                        render=print_document, progress=progress)
    else:
        if args:
            raise BadInputError(f"unexpected {' '.join(args)!r}; items go with --register, validate with "
                                "archive package validate PATH")
        if not period:
            raise BadInputError("give --period YYYYH1|YYYYH2 for a delivery package, or --register ITEM…")
        with reporter().count(f"package {out.name}", "files written") as progress:
            result = build_delivery(archive, parse_period(period), out, profile=profile or "fgs2",
                                    schemas=schemas,
                                    account_id=positive_id(account_id, "account") if account_id else None,
                                    disposal=disposal_source(), render=print_document, progress=progress)
    if as_json:
        emit_json(result)
    else:
        click.echo(f"Wrote {result['kind']} package {result['objid']} ({result['profile']}) to {result['path']}: "
                   f"{result['files']} files, {result['bytes']} bytes, {result['items']} items.")


def _validate(ctx: click.Context, args: tuple[str, ...], profile: str | None, schema_dir: str | None,
              rules_only: bool, home_opt: str | None, as_json: bool) -> None:
    if len(args) != 1:
        raise BadInputError("give one package: archive package validate PATH")
    if not schema_dir:
        try:
            home = home_from(ctx, home_opt)
            schema_dir = home.load_settings().package.schema_dir or None
        except ConfigError:
            schema_dir = os.environ.get("ARCHIVE_SCHEMA_DIR") or None
    report = validate_package(Path(args[0]), SchemaSet.from_settings(schema_dir, missing_ok=rules_only), profile)
    if as_json:
        emit_json(report.as_dict())
    else:
        for f in report.findings:
            click.echo(f"{f.level.upper():7} {f.rule:12} {f.where + ': ' if f.where else ''}{f.message}")
        d = report.as_dict()
        click.echo(f"{report.path}: {'valid' if report.ok else 'NOT valid'} ({report.profile}); "
                   f"{d['errors']} errors, {d['warnings']} warnings, {report.files_checked} files checked.")
    if not report.ok:
        ctx.exit(int(ExitCode.bad_input))


COMMANDS = [package_cmd]
