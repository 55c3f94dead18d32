"""Migrations, the file store, and the catalogue on PostgreSQL."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from archiver.catalogue import db
from archiver.catalogue.models import Base
from archiver.errors import IntegrityError
from archiver.home.store import FileStore


def test_empty_database_upgrades_to_head(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    assert db.current_revision(engine) is None
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    db.upgrade(engine)  # idempotent
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_models_match_migrations(tmp_path: Path) -> None:
    """Autogenerate finds nothing to do: the models and the migration chain agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = db.make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    db.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_store_is_content_addressed_and_write_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "store")
    data = "Välkommen till Torsby! 🎉".encode()
    ref = store.put_bytes(data, "text/plain")
    assert ref.sha256 == hashlib.sha256(data).hexdigest()
    assert ref.size == len(data)
    path = store.path_for(ref.sha256)
    assert path.read_bytes() == data
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert store.put_bytes(data, "text/plain") == ref
    assert list((tmp_path / "store" / ".incoming").iterdir()) == []
    store.verify(ref.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(IntegrityError, match="does not match its digest"):
        store.verify(ref.sha256)


def test_store_writes_nothing_for_a_file_it_already_holds(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An export names one picture from thousands of records: the second copy costs no write."""
    store = FileStore(tmp_path / "store")
    small = b"profile picture"
    large = bytes(range(256)) * 9000  # over two read chunks: goes through a temp file
    first_small, first_large = store.put_bytes(small, "image/jpeg"), store.put_bytes(large, "image/png")
    assert first_large.size == len(large)
    assert store.path_for(first_large.sha256).read_bytes() == large

    def no_temp_files(*args: object, **kwargs: object) -> None:
        raise AssertionError("wrote a temp file for content the store holds")

    monkeypatch.setattr("archiver.home.store.tempfile.mkstemp", no_temp_files)
    assert store.put_bytes(small, "image/jpeg") == first_small
    with pytest.raises(AssertionError, match="wrote a temp file"):
        store.put_bytes(b"a new picture", "image/jpeg")


@pytest.mark.postgres
def test_postgres_upgrade_and_cli(tmp_path: Path, postgres_url: str) -> None:
    """The same migrations and commands on PostgreSQL, in a throw-away database."""
    from conftest import FIXED_NOW, ORG, Cli, add_account

    url = postgres_url
    arc = Cli(home=tmp_path / "home", env={"ARCHIVE_NOW": FIXED_NOW})
    arc.ok("--db", url, "init", *ORG, "--simulated-clock")
    assert f'url = "{url}"' in (tmp_path / "home" / "archive.toml").read_text()
    assert add_account(arc) == 1
    assert arc.json("accounts", "show", "1")["name"] == "Torsby kommun"
    # Items: the executemany + select-back path, versions and flags on PostgreSQL.
    from fixtures.exports import generate

    older, newer = generate.generate_facebook_overlap_pair(tmp_path, items=40, new_items=12)
    first = arc.json("import", "1", str(older))
    assert (first["new"], first["updated"]) == (40, 0)
    again = arc.json("import", "1", str(older))
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 40)
    later = arc.json("import", "1", str(newer))
    assert later["new"] == 12 and later["updated"] > 0
    flagged = generate.generate_facebook_export(tmp_path / "flagged.zip", items=30, seed=7,
                                                sensitive_every=1)
    assert arc.json("import", "1", str(flagged))["flagged"] == 10
    assert arc.json("audit", "verify")["entries"] == 6
