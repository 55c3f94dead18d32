"""The ``archive`` command: one console script, subcommands grouped by what users do.

A thin shell: each command parses its options, calls one library function and reports
the result (data on stdout, logs on stderr). It may import every stage; none imports it.
"""

from __future__ import annotations

import click

from archiver import __version__
from archiver.cli import accounts, admin, capture, items, packages, retention
from archiver.cli.common import ArchiveGroup, Ctx, configure_logging


@click.group(cls=ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", metavar="DIR", help="Archive home (default: $ARCHIVE_HOME).")
@click.option("--db", metavar="URL", help="Catalogue database URL, overriding archive.toml.")
@click.option("-v", "--verbose", count=True, help="More log output on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.version_option(__version__, prog_name="archive")
@click.pass_context
def cli(ctx: click.Context, home: str | None, db: str | None, verbose: int, quiet: bool) -> None:
    """Bevara: capture, keep and cull a municipality's social-media records.

    Exit codes: 0 ok, 1 internal error, 2 usage, 3 partial failure, 65 bad input,
    66 not found, 69 missing program, 73 cannot write, 75 busy, 78 configuration.
    """
    ctx.obj = Ctx(home=home, db=db, quiet=quiet)
    configure_logging(verbose, quiet)


def _register() -> None:
    for module in (admin, accounts, capture, items, packages, retention):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="archive")
