"""``python -m archiver`` runs the ``archive`` command."""

from __future__ import annotations

from archiver.cli import main

if __name__ == "__main__":
    main()
