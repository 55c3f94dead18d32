"""``python -m archiver`` and the ``archive`` script: the CLI, imported only once called.

The PDF/A build workers fork from a server that imports the calling script as its main
module (`archiver.capture.buildpool`). A script that imported the CLI itself would load
SQLAlchemy, Alembic and every command there, 1 CPU-s a run, for a process that only
builds PDFs.
"""

from __future__ import annotations


def main() -> None:
    from archiver.cli import main as run_cli

    run_cli()


if __name__ == "__main__":
    main()
