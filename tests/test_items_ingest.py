"""Ingest: identity of records across sources, directly against the catalogue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archiver import accounts
from archiver.archive import Archive, init_archive
from archiver.catalogue.models import Item, ItemSource
from archiver.home import Home
from archiver.imports.model import ImportedItem
from archiver.items import Ingest
from retention.screen import Screen

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
CREATED = dt.datetime(2026, 3, 2, 9, 15, 7, tzinfo=dt.UTC)
STOCKHOLM = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    arc = init_archive(Home(tmp_path / "home"), org_name="Torsby kommun", org_id="212000-1769",
                       timezone="Europe/Stockholm", now=NOW, actor="test")
    with arc.transaction() as s:
        accounts.add_account(arc, s, accounts.AccountFields(
            name="Torsby", platform="facebook", url="https://www.facebook.com/torsby", unit="U",
            purpose="P"))
    return arc


def record(platform_id: str, text: str, created: dt.datetime = CREATED) -> ImportedItem:
    return ImportedItem(platform_id=platform_id, kind="post", parent_id=None, author_handle="torsby",
                        author_name="Torsby kommun", is_own=True, created=created, edited=None,
                        text=text, url=None)


def ingest(archive: Archive, records: list[ImportedItem], **source: int) -> None:
    with archive.transaction() as s:
        Ingest(s, account_id=1, now=NOW, source="test", screen=Screen(), **source).run(records)


@pytest.mark.parametrize("first_is_capture", [True, False])
def test_capture_and_export_of_one_post_are_one_item(archive: Archive, first_is_capture: bool) -> None:
    """The page's id and the export's derived id differ; time and text make them one item,
    whatever the offset the time was written in and however the text was wrapped."""
    captured = record("1234567890", "Välkommen till biblioteket!  📚\nÖppet i dag.")
    exported = record("fb:abc", "Välkommen till biblioteket! 📚 Öppet i dag.",
                      CREATED.astimezone(STOCKHOLM))
    for rec in ([captured, exported] if first_is_capture else [exported, captured]):
        ingest(archive, [rec])
    with archive.transaction() as s:
        assert s.scalar(select(func.count(Item.id))) == 1
        assert s.scalar(select(func.count(ItemSource.id))) == 2


def test_different_time_or_text_stays_apart(archive: Archive) -> None:
    ingest(archive, [record("1", "Öppet i dag.")])
    ingest(archive, [record("fb:a", "Öppet i dag.", CREATED + dt.timedelta(seconds=1)),
                     record("fb:b", "Stängt i dag.")])
    with archive.transaction() as s:
        assert s.scalar(select(func.count(Item.id))) == 3
