"""Holds in the library: refusals word for word, coverage in the home's zone, release.

Expected counts are worked out by hand from the items inserted here (Stockholm is
UTC+1 in March), not read back from the engine.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from retention_fixtures import Spec, add_account, add_items, make_archive
from sqlalchemy import func, select, update

from archiver.catalogue.models import AuditEntry, Item
from archiver.catalogue.retention_tables import RetentionHold
from archiver.errors import ArchiverError, BadInputError, NotFoundError
from archiver.home.archive import Archive
from retention.holds import HoldScope, add_hold, held_items, list_holds, release_hold

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    arc = make_archive(tmp_path / "home", mandate=False)
    account = add_account(arc)
    # Stockholm is UTC+1 in March: 22:30 UTC on 1 March is still 1 March there, 23:00 UTC is
    # midnight starting 2 March, 23:30 UTC is 00:30 on 2 March; 23:00 UTC on 2 March starts 3 March.
    add_items(arc, account, [Spec(created=dt.datetime(2026, 3, 1, 22, 30, tzinfo=UTC), text="Före"),
                             Spec(created=dt.datetime(2026, 3, 1, 23, 0, tzinfo=UTC), text="Midnatt"),
                             Spec(created=dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC), text="Andra mars"),
                             Spec(created=dt.datetime(2026, 3, 2, 23, 0, tzinfo=UTC), text="Tredje mars midnatt"),
                             Spec(created=dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC), text="Tredje mars")])
    return arc


def refusal(archive: Archive, scope: HoldScope, error: type[ArchiverError] = BadInputError) -> str:
    with pytest.raises(error) as err, archive.transaction() as s:
        add_hold(archive, s, scope)
    with archive.transaction() as s:
        assert s.scalar(select(func.count()).select_from(RetentionHold)) == 0
    return str(err.value)


def test_a_hold_without_reason_or_scope_names_both_problems(archive: Archive) -> None:
    assert refusal(archive, HoldScope(reason="  ")) == (
        '--reason must say why, e.g. "Begäran om utlämnande, dnr KS 2026/45"; '
        "give what the hold covers: --item ID, --account A, --from/--to DATE or --text Q")
    assert refusal(archive, HoldScope(reason="JO", date_from=dt.date(2026, 3, 3),
                                      date_to=dt.date(2026, 3, 2))) == "--from is after --to"
    assert refusal(archive, HoldScope(reason="JO", account_id=7), NotFoundError) == (
        "account 7 does not exist; see: archive accounts list --all")
    assert refusal(archive, HoldScope(reason="JO", items=(999, 1, 998)), NotFoundError) == (
        "item 998, 999 does not exist; find items with: archive items list")


@pytest.mark.parametrize(("since", "until", "covered"), [
    (dt.date(2026, 3, 2), None, 4),   # Midnatt (at the first instant) and the three after it
    (None, dt.date(2026, 3, 1), 1),   # Före: 1 March ends just before Midnatt
    (dt.date(2026, 3, 2), dt.date(2026, 3, 2), 2),  # Midnatt, Andra mars; not 3 March's first instant
])
def test_a_date_alone_is_scope_enough_and_days_are_the_homes(archive: Archive, since: dt.date | None,
                                                             until: dt.date | None, covered: int) -> None:
    with archive.transaction() as s:
        _, now = add_hold(archive, s, HoldScope(reason="Begäran", date_from=since, date_to=until))
    assert now == covered
    with archive.transaction() as s:
        assert [h["items"] for h in list_holds(s, STOCKHOLM)] == [covered]


def test_a_listed_hold_says_what_it_covers(archive: Archive) -> None:
    with archive.transaction() as s:
        add_hold(archive, s, HoldScope(reason="Begäran", account_id=1, date_from=dt.date(2026, 3, 2),
                                       date_to=dt.date(2026, 3, 2), text="MARS"))
    with archive.transaction() as s:
        assert list_holds(s, STOCKHOLM) == [{
            "hold": 1, "reason": "Begäran", "account": 1, "from": "2026-03-02", "to": "2026-03-02",
            "text": "MARS", "created_by": "anna", "created_at": "2026-07-01T08:00:00+00:00",
            "released_at": None, "released_by": None, "release_reason": None,
            "items": 1}]  # Andra mars: the text matches in any case


def test_release_needs_a_reason_is_audited_and_happens_once(archive: Archive) -> None:
    with archive.transaction() as s:
        hold, _ = add_hold(archive, s, HoldScope(reason="JO-anmälan", text="mars"))
        hold_id = hold.id
    with pytest.raises(BadInputError) as err, archive.transaction() as s:
        release_hold(archive, s, hold_id, " ")
    assert str(err.value) == '--reason must say why the hold ends, e.g. "Begäran avgjord"'
    with archive.transaction() as s:
        release_hold(archive, s, hold_id, " Avgjord ")
    with archive.transaction() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
        assert (last.target, json.loads(last.changes)) == (f"hold:{hold_id}", {"released": "Avgjord",
                                                              "clock": "simulated clock"})
        assert list_holds(s, STOCKHOLM) == []
        [released] = list_holds(s, STOCKHOLM, include_released=True)
        assert (released["hold"], released["release_reason"], released["items"]) == (hold_id, "Avgjord", 3)
        assert (released["released_at"], released["released_by"]) == ("2026-07-01T08:00:00+00:00", "anna")
    with pytest.raises(BadInputError) as err, archive.transaction() as s:
        release_hold(archive, s, hold_id, "igen")
    assert str(err.value) == f"hold {hold_id} was already released on 2026-07-01; nothing changed"


def test_apply_rechecks_every_active_hold_in_turn(archive: Archive) -> None:
    """held_items (apply's re-check) tries each hold until one covers the item; another
    account's hold, a released hold and a day edge cover nothing here."""
    other = add_account(archive, name="Annat konto")
    with archive.transaction() as s:
        ids = dict(s.execute(select(Item.text, Item.id)).all())
        h_other, _ = add_hold(archive, s, HoldScope(reason="Annat", account_id=other))
        h_until, _ = add_hold(archive, s, HoldScope(reason="Till 1 mars", date_to=dt.date(2026, 3, 1)))
        h_third, _ = add_hold(archive, s, HoldScope(reason="Tredje", date_from=dt.date(2026, 3, 3), text="TREDJE"))
        h_item, _ = add_hold(archive, s, HoldScope(reason="Ett inlägg", items=(ids["Andra mars"],)))
        h_gone, _ = add_hold(archive, s, HoldScope(reason="Släppt", items=(ids["Midnatt"],)))
        release_hold(archive, s, h_gone.id, "Avgjord")
        expected = {ids["Före"]: h_until.id, ids["Andra mars"]: h_item.id,
                    ids["Tredje mars midnatt"]: h_third.id, ids["Tredje mars"]: h_third.id}
        assert h_other.id not in expected.values()
        assert held_items(s, STOCKHOLM, list(ids.values())) == expected


def test_criteria_alone_cover_items_and_an_undated_item_counts_from_when_it_was_first_seen(
        archive: Archive) -> None:
    with archive.transaction() as s:
        ids = dict(s.execute(select(Item.text, Item.id)).all())
        s.execute(update(Item).where(Item.id == ids["Före"]).values(created_at=None))  # first seen 2026-07-01
        h_late, _ = add_hold(archive, s, HoldScope(reason="Sommar", date_from=dt.date(2026, 6, 1)))
        h_text, _ = add_hold(archive, s, HoldScope(reason="Tredje", date_from=dt.date(2026, 3, 3), text="mars"))
        assert held_items(s, STOCKHOLM, list(ids.values())) == {
            ids["Före"]: h_late.id, ids["Tredje mars midnatt"]: h_text.id, ids["Tredje mars"]: h_text.id}
        release_hold(archive, s, h_late.id, "Klar")
        release_hold(archive, s, h_text.id, "Klar")
        h_account, _ = add_hold(archive, s, HoldScope(reason="Hela kontot", account_id=1))
        assert held_items(s, STOCKHOLM, list(ids.values())) == {i: h_account.id for i in ids.values()}
