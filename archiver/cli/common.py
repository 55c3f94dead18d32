"""Shared pieces of the click CLI: error handling, option bundles, output helpers.

The CLI only parses, calls the library and reports. Data goes to stdout (JSON
with ``--json``); logs, warnings and progress go to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from archiver.clock import now_source, refuse_set_time, resolve_now
from archiver.errors import ArchiverError, ExitCode
from archiver.home.archive import Archive, open_archive
from archiver.home.audit import os_user
from archiver.home.config import Home, resolve_home

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("archiver")


class CliError(click.ClickException):
    """An ArchiverError on its way out: click prints "Error: …" and exits with our code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # per instance: our exit-code table


class ArchiveGroup(click.Group):
    """Turns every ArchiverError into its exit code and one line; anything else is exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiverError as e:
            raise CliError(e.message, int(e.exit_code)) from e
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`archive items list | head -1`): what it read was
            # complete, so stop quietly; stdout goes to /dev/null so the interpreter's
            # final flush cannot fail again.
            quiet_stdout()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as e:  # noqa: BLE001 - the last line of defence
            if os.environ.get("ARCHIVE_DEBUG") or logging.getLogger().level <= logging.DEBUG:
                traceback.print_exc()
            raise CliError(
                f"internal error: {type(e).__name__}: {e} (set ARCHIVE_DEBUG=1 for a traceback "
                "and report it)",
                int(ExitCode.internal_error),
            ) from e


def quiet_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@dataclass
class Ctx:
    """Options given to the group itself, before the subcommand."""

    home: str | None = None
    db: str | None = None
    quiet: bool = False


def archive_options(fn: F) -> F:
    """--home, --db, --now and --by on every command that opens an archive."""
    options = [
        click.option("--home", "home_opt", metavar="DIR",
                     help="Archive home (default: $ARCHIVE_HOME)."),
        click.option("--db", "db_opt", metavar="URL",
                     help="Catalogue database URL, overriding archive.toml "
                          "(e.g. postgresql+psycopg://user@host/bevara)."),
        click.option("--now", "now_opt", metavar="TIME",
                     help="Treat this ISO 8601 date/time as now for what is due and what is reported "
                          "(default: $ARCHIVE_NOW, else the clock); a command that writes takes "
                          "it only on a home made with init --simulated-clock."),
        click.option("--by", "by_opt", metavar="NAME",
                     help="Who is acting, for the audit log (default: the OS user)."),
    ]
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(fn)


def home_from(ctx: click.Context, home_opt: str | None) -> Home:
    group: Ctx = ctx.find_object(Ctx) or Ctx()
    return resolve_home(home_opt or group.home, os.environ)


def open_from_options(ctx: click.Context, home_opt: str | None, db_opt: str | None,
                      now_opt: str | None, by_opt: str | None, *, write: bool = True) -> Archive:
    """Open the archive the options name, with the command's clock and actor fixed.

    A command that writes (the default, so a new command is safe until it says
    otherwise) refuses ``--now``/``ARCHIVE_NOW`` before doing anything, unless the home
    has a simulated clock: a record states the real time.
    """
    group: Ctx = ctx.find_object(Ctx) or Ctx()
    home = home_from(ctx, home_opt)
    settings = home.load_settings()
    now = resolve_now(now_opt, os.environ, settings.tz)
    source = now_source(now_opt, os.environ)
    if write and source is not None and not settings.simulated_clock:
        raise refuse_set_time(source)
    archive = open_archive(home, now=now, actor=by_opt or os_user(), command=command_path(ctx),
                           db_url=db_opt or group.db)
    ctx.call_on_close(archive.close)
    return archive


def command_path(ctx: click.Context) -> str:
    """The command as typed, minus the program name: "accounts add"."""
    return " ".join(ctx.command_path.split()[1:])


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def warn(message: str) -> None:
    click.echo(f"Warning: {message}", err=True)


def is_quiet() -> bool:
    """Whether ``archive -q`` was given: cron wants silence unless something is wrong."""
    ctx = click.get_current_context(silent=True)
    group = ctx.find_object(Ctx) if ctx is not None else None
    return bool(group and group.quiet)


def note(message: str) -> None:
    """An informational line on stderr ("Account 2 updated."); nothing under -q."""
    if not is_quiet():
        click.echo(message, err=True)


LISTINGS = {"account": "archive accounts list --all", "snapshot": "archive snapshots list",
            "item": "archive items list", "protocol": "archive retention protocols list"}
"""Where a user finds the ids of each kind, for the usage error of a mistyped one."""


def positive_id(value: str, what: str = "account") -> int:
    """An id typed on the command line; a word where a number belongs is a usage error (2)."""
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1 or not value.strip().isdigit():
        where = LISTINGS.get(what)
        raise click.UsageError(f"{value!r} is not {'an' if what[0] in 'aeiou' else 'a'} {what} id "
                               "(a whole number)" + (f"; see them with: {where}" if where else ""),
                               ctx=click.get_current_context(silent=True))
    return n


def configure_logging(verbose: int, quiet: bool) -> None:
    """-vv or ARCHIVE_DEBUG shows debug lines, among them the tracebacks of internal errors
    that a run survived (one account's capture)."""
    debug = verbose > 1 or bool(os.environ.get("ARCHIVE_DEBUG"))
    level = logging.WARNING if quiet else (logging.DEBUG if debug else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("archiver")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
