"""Ingest: identity of records across sources, directly against the catalogue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archiver.accounts import register
from archiver.catalogue.models import (
    ImportRun,
    Item,
    ItemFlag,
    ItemMedia,
    ItemSource,
    ItemVersion,
    Snapshot,
    StoredFile,
)
from archiver.home.archive import Archive, init_archive
from archiver.home.config import Home
from archiver.home.store import StoredRef
from archiver.items.imports.model import ImportedItem, MediaRef, Skipped
from archiver.items.ingest import Counts, Ingest, content_key, mark_removed_from_platform, normalise, text_digest
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


def ingest(archive: Archive, records: list[ImportedItem], *, snapshot_id: int | None = None,
           import_id: int | None = None) -> None:
    with archive.transaction() as s:
        Ingest(s, account_id=1, now=NOW, source="test", screen=Screen(), snapshot_id=snapshot_id,
               import_id=import_id).run(records)


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


def test_skipped_entries_and_unknown_kinds_are_counted_named_and_reported() -> None:
    """What the import prints and audits: every skip named with where and why, counts by reason."""
    counts = Ingest(cast(Session, _NoSession()), account_id=1, now=NOW, source="test", screen=Screen()).run([
        Skipped("posts_1.json#3", "no timestamp"),
        dataclasses.replace(record("st1", "En berättelse"), kind="story"),
        Skipped("posts_1.json#9", "no timestamp"),
    ])
    assert counts.as_dict() == {
        "new": 0, "updated": 0, "unchanged": 0, "flagged": 0, "skipped": 3,
        "skipped_reasons": {"no timestamp": 2, "unknown kind 'story'": 1},
        "skipped_records": [{"where": "posts_1.json#3", "reason": "no timestamp"},
                            {"where": "st1", "reason": "unknown kind 'story'"},
                            {"where": "posts_1.json#9", "reason": "no timestamp"}],
    }


class _NoSession:
    """A batch of only skipped records must not touch the catalogue at all."""

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"session.{name} used for a batch with nothing to add")


def test_skips_past_the_first_thousand_are_counted_but_not_listed() -> None:
    counts = Counts()
    for n in range(1001):
        counts.skip(f"rad {n + 1}", "no timestamp")
    assert counts.skipped == {"no timestamp": 1001}
    assert len(counts.skipped_records) == 1000
    assert counts.skipped_records[-1] == ("rad 1000", "no timestamp")
    assert counts.as_dict()["skipped"] == 1001


def test_content_key_is_the_utc_instant_and_the_folded_text_whatever_the_machines_zone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:
        at = dt.datetime(2026, 3, 2, 10, 15, 7, tzinfo=STOCKHOLM)
        # "e" + combining acute is NFC "é"; runs of spaces, newlines and no-break spaces are one space.
        assert content_key("comment", at, "  Cafe\u0301et\u00a0 öppnar \n i dag ") == \
            "comment|2026-03-02T09:15:07+00:00|Caféet öppnar i dag"
        assert content_key("post", None, "Caféet") == ""
        assert normalise("a\tb\n\nc") == "a b c"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_text_digest_is_sha256_of_the_utf8_bytes() -> None:
    # `printf 'å' | sha256sum` in a UTF-8 shell: the digest of the bytes c3 a5.
    assert text_digest("å") == "e83979df9d36090142f23051f8e8d7ad48e5c20dff5c9e7b92ca3454f67469f9"


def test_sources_name_the_snapshot_or_import_that_saw_the_item(archive: Archive) -> None:
    with archive.transaction() as s:
        snap = Snapshot(account_id=1, trigger="adhoc", reason="test", url="https://www.facebook.com/torsby",
                        captured_at=NOW, engine_version="test", items_seen=1, complete=True, captured_by="test")
        run = ImportRun(account_id=1, format="facebook", source_name="a.zip", at=NOW, counts="{}")
        s.add_all([snap, run])
        s.flush()
        snap_id, run_id = snap.id, run.id
    ingest(archive, [record("1", "Öppet i dag.")], snapshot_id=snap_id)
    ingest(archive, [record("1", "Öppet i dag."), record("2", "Stängt i dag.")], import_id=run_id)
    with archive.transaction() as s:
        rows = s.execute(select(Item.platform_id, ItemSource.snapshot_id, ItemSource.import_id, ItemSource.seen_at)
                         .join(Item).order_by(ItemSource.id)).all()
    assert [tuple(r) for r in rows] == [("1", snap_id, None, NOW), ("1", None, run_id, NOW),
                                        ("2", None, run_id, NOW)]


def test_two_findings_in_one_text_are_two_flags(archive: Archive) -> None:
    ingest(archive, [record("1", "Ring 070-123 45 67 eller 08-123 456 78.")])
    with archive.transaction() as s:
        assert s.execute(select(ItemFlag.kind, ItemFlag.start, ItemFlag.match)
                         .order_by(ItemFlag.start)).all() == [
            ("phone", 5, "070-123 45 67"), ("phone", 25, "08-123 456 78")]


def test_removed_from_platform_marks_only_unseen_items_of_the_kinds_in_the_window(archive: Archive) -> None:
    """[since, until): an item created at `since` is inside, one at `until` is not."""
    since, until = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    ingest(archive, [
        record("before", "a", since - dt.timedelta(seconds=1)),
        record("at-since", "b", since),
        record("seen", "c", since + dt.timedelta(days=1)),
        record("gone", "d", since + dt.timedelta(days=2)),
        dataclasses.replace(record("comment", "e", since + dt.timedelta(days=3)), kind="comment"),
        record("already", "f", since + dt.timedelta(days=4)),
        record("at-until", "g", until),
    ])
    earlier = NOW - dt.timedelta(days=30)
    with archive.transaction() as s:
        ids = {pid: iid for pid, iid in s.execute(select(Item.platform_id, Item.id))}
        s.execute(update(Item).where(Item.platform_id == "already")
                  .values(removed_from_platform=True, removed_detected_at=earlier))
        later = NOW + dt.timedelta(hours=1)
        n = mark_removed_from_platform(s, account_id=1, seen={ids["seen"]}, since=since, until=until, now=later)
        assert n == 2
        marked = [tuple(r) for r in s.execute(select(Item.platform_id, Item.removed_detected_at)
                                              .where(Item.removed_from_platform).order_by(Item.platform_id))]
    assert marked == [("already", earlier), ("at-since", later), ("gone", later)]


def test_repeats_of_a_new_record_in_one_export_are_its_versions(archive: Archive) -> None:
    """An export listing a post three times (edited, then again without an edit time) gives
    one item with the last text, the last known edit time and three versions in order."""
    edited = CREATED + dt.timedelta(hours=2)
    ingest(archive, [record("x", "Första"), dataclasses.replace(record("x", "Andra"), edited=edited),
                     record("x", "Tredje")])
    with archive.transaction() as s:
        assert [tuple(r) for r in s.execute(select(Item.platform_id, Item.text, Item.edited_at))] == [
            ("x", "Tredje", edited)]
        assert [tuple(r) for r in s.execute(select(ItemVersion.seq, ItemVersion.text, ItemVersion.edited_at)
                                            .order_by(ItemVersion.seq))] == [
            (1, "Första", None), (2, "Andra", edited), (3, "Tredje", None)]


def test_an_item_seen_again_is_no_longer_removed_from_the_platform(archive: Archive) -> None:
    ingest(archive, [record("1", "Öppet i dag.")])
    with archive.transaction() as s:
        s.execute(update(Item).values(removed_from_platform=True, removed_detected_at=NOW))
    ingest(archive, [record("1", "Öppet i dag.")])
    with archive.transaction() as s:
        assert tuple(s.execute(select(Item.removed_from_platform, Item.removed_detected_at)).one()) == (False, None)


def test_new_media_are_live_rows_and_stored_once(archive: Archive) -> None:
    ingest_with_media(archive, [with_image(record("1", "Öppet i dag."), "a/bild.png"),
                                with_image(record("2", "Stängt i dag."), "b/bild.png")])
    with archive.transaction() as s:
        assert [tuple(r) for r in s.execute(select(ItemMedia.name, ItemMedia.media_type, ItemMedia.purged)
                                            .order_by(ItemMedia.id))] == [
            ("bild.png", "image/png", False), ("bild.png", "image/png", False)]
        # The callback stored each path's text as the bytes: "a/bild.png" is 10 bytes, so is "b/bild.png".
        assert sorted(tuple(r) for r in s.execute(select(StoredFile.size, StoredFile.media_type))) == [
            (10, "image/png"), (10, "image/png")]


def test_a_later_source_seeing_a_post_deleted_marks_it_so_and_counts_what_it_flagged(archive: Archive) -> None:
    with archive.transaction() as s:
        counts = Ingest(s, account_id=1, now=NOW, source="test", screen=Screen()).run(
            [record("1", "Ring 070-123 45 67"), record("2", "Hej"),
             dataclasses.replace(record("3", "Meddelande"), kind="message", recipients=("Åsa Öberg",))])
    assert (counts.new, counts.flagged) == (3, 1)
    ingest(archive, [dataclasses.replace(record("1", "Ring 070-123 45 67"), deleted=True)])
    with archive.transaction() as s:
        assert dict(s.execute(select(Item.platform_id, Item.deleted_on_platform)).all()) == {
            "1": True, "2": False, "3": False}
        # Recipients are kept readable in the catalogue, not as \\u escapes.
        assert s.scalar(select(Item.recipients).where(Item.platform_id == "3")) == '["Åsa Öberg"]'


def test_a_missing_media_file_costs_only_that_file(archive: Archive) -> None:
    def store(ref: MediaRef) -> StoredRef | None:
        return None if ref.path == "borta.png" else archive.store.put_bytes(ref.path.encode(), "image/png")

    rec = dataclasses.replace(record("1", "Två bilder"), media=(
        MediaRef(path="borta.png", media_type="image/png", uri="borta.png"),
        MediaRef(path="kvar.png", media_type="image/png", uri="kvar.png")))
    with archive.transaction() as s:
        counts = Ingest(s, account_id=1, now=NOW, source="test", screen=Screen(), media=store).run([rec])
    assert counts.skipped_records == [("borta.png", "media file listed but missing from the export")]
    assert media_of(archive) == {"1": ["kvar.png"]}


@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_a_batch_edge_changes_neither_the_items_nor_the_counts(archive: Archive, batch: int,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Records are read 1,000 at a time; where the edges fall must not matter."""
    import archiver.items.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "BATCH", batch)
    records = [record("a", "Tack!"), record("b", "Tack!"),  # two people, one second, one word
               record("a", "Tack!"), record("a", "Tack så mycket!")]  # a repeat, then an edit
    with archive.transaction() as s:
        counts = Ingest(s, account_id=1, now=NOW, source="test", screen=Screen()).run(records)
        rows = s.execute(select(Item.platform_id, Item.text).order_by(Item.platform_id)).all()
        versions = s.scalar(select(func.count()).select_from(ItemVersion))
    assert [tuple(r) for r in rows] == [("a", "Tack så mycket!"), ("b", "Tack!")]
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)  # counted per item, not per record
    assert versions == 3  # a: two texts, b: one


def test_records_of_one_export_are_not_merged_by_content_with_each_other(archive: Archive) -> None:
    """A capture's item is matched by content once: the next alike record is another item."""
    ingest(archive, [record("cap-1", "Välkommen!")])
    ingest(archive, [record("fb-1", "Välkommen!"), record("fb-2", "Välkommen!"), record("fb-1", "Välkommen!")])
    with archive.transaction() as s:
        assert s.execute(select(Item.platform_id).order_by(Item.id)).scalars().all() == ["cap-1", "fb-2"]


def test_an_edit_counts_as_updated_and_two_edits_in_one_run_are_two_versions(archive: Archive) -> None:
    ingest(archive, [record("1", "Första")])
    with archive.transaction() as s:
        counts = Ingest(s, account_id=1, now=NOW, source="test", screen=Screen()).run(
            [record("1", "Andra"), record("1", "Tredje")])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 0)
    with archive.transaction() as s:
        assert [tuple(r) for r in s.execute(select(ItemVersion.seq, ItemVersion.text).order_by(ItemVersion.seq))] == [
            (1, "Första"), (2, "Andra"), (3, "Tredje")]


def test_a_file_named_twice_in_a_post_and_a_file_another_post_stored_are_stored_once(archive: Archive) -> None:
    twice = dataclasses.replace(record("1", "Tre bilder"), media=tuple(
        MediaRef(path=name, media_type="image/png", uri=name) for name in ("samma.png", "samma.png", "annan.png")))
    ingest_with_media(archive, [twice])
    ingest_with_media(archive, [with_image(record("2", "Samma bild igen"), "samma.png")])
    assert media_of(archive) == {"1": ["annan.png", "samma.png"], "2": ["samma.png"]}
    with archive.transaction() as s:
        assert s.scalar(select(func.count()).select_from(StoredFile)) == 2
