"""Ingest: identity of records across sources, directly against the catalogue."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from archiver.accounts import register
from archiver.catalogue.models import Item, ItemMedia, ItemSource, ItemVersion
from archiver.home.archive import Archive, init_archive
from archiver.home.config import Home
from archiver.home.store import StoredRef
from archiver.items.imports.model import ImportedItem, MediaRef
from archiver.items.ingest import Ingest
from retention.screen import Screen

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
CREATED = dt.datetime(2026, 3, 2, 9, 15, 7, tzinfo=dt.UTC)
STOCKHOLM = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    arc = init_archive(Home(tmp_path / "home"), org_name="Torsby kommun", org_id="212000-1769",
                       timezone="Europe/Stockholm", now=NOW, actor="test",
                       simulated_clock=True)
    with arc.transaction() as s:
        register.add_account(arc, s, register.AccountFields(
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


def test_one_batch_finding_an_item_by_id_and_another_by_content(archive: Archive) -> None:
    """The same-instant query also returns the item found by id; it must stay one record
    of that item, or its versions look new and the insert breaks the unique key."""
    ingest(archive, [record("fb:a", "Öppet i dag."), record("fb:b", "Stängt i dag.")])
    ingest(archive, [record("111", "Öppet i dag."), record("fb:b", "Stängt i dag.")])
    with archive.transaction() as s:
        assert s.scalar(select(func.count(Item.id))) == 2
        assert s.scalar(select(func.count(ItemVersion.id))) == 2


def with_image(rec: ImportedItem, name: str) -> ImportedItem:
    return dataclasses.replace(rec, media=(MediaRef(path=name, media_type="image/png", uri=name),))


def ingest_with_media(archive: Archive, records: list[ImportedItem]) -> None:
    """Ingest whose media callback stores each named file's name as its bytes."""
    def store(ref: MediaRef) -> StoredRef:
        return archive.store.put_bytes(ref.path.encode(), "image/png")

    with archive.transaction() as s:
        Ingest(s, account_id=1, now=NOW, source="test", screen=Screen(), media=store).run(records)


def media_of(archive: Archive) -> dict[str, list[str]]:
    with archive.transaction() as s:
        return {pid: sorted(m.name for m in s.scalars(
                    select(ItemMedia).join(Item).where(Item.platform_id == pid)))
                for pid in s.scalars(select(Item.platform_id))}


def test_an_item_imported_without_media_gains_them_from_a_later_source(archive: Archive) -> None:
    ingest(archive, [record("fb:a", "Öppet i dag."), record("fb:b", "Stängt i dag.")])
    ingest_with_media(archive, [with_image(record("111", "Öppet i dag."), "first.png")])
    ingest_with_media(archive, [with_image(record("111", "Öppet i dag."), "again.png"),
                                with_image(record("fb:b", "Stängt i dag."), "b.png"),
                                with_image(record("fb:b", "Stängt i dag."), "b-twice.png")])
    # An item keeps the media it has; one batch naming an item twice adds them once.
    assert media_of(archive) == {"fb:a": ["first.png"], "fb:b": ["b.png"]}


def test_a_purged_item_never_gets_media_back(archive: Archive) -> None:
    ingest(archive, [record("fb:a", "Öppet i dag.")])
    with archive.transaction() as s:
        s.execute(update(Item).values(content_purged=True))
    ingest_with_media(archive, [with_image(record("fb:a", "Öppet i dag."), "back.png")])
    assert media_of(archive) == {"fb:a": []}
