"""Marks in the library: every refusal at once word for word, repeats recorded once,
a CSAM purge touching that item only. Items are inserted by hand (retention_fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from retention_fixtures import Spec, add_account, add_items, make_archive
from sqlalchemy import select

from archiver.catalogue.models import Item, ItemFlag, ItemMark
from archiver.errors import BadInputError
from archiver.home.archive import Archive
from archiver.items.marks import MarkRequest, mark_item, validate


def refusal(req: MarkRequest) -> str:
    with pytest.raises(BadInputError) as err:
        validate(req)
    return str(err.value)


def test_every_problem_with_a_mark_is_named_at_once() -> None:
    assert refusal(MarkRequest()) == "give --led-to-case DNR, --removed --category CAT or --confidential --law REF"
    assert refusal(MarkRequest(led_to_case="ärende", removed=True, category="skräp", police_report="12345")) == (
        "--led-to-case 'ärende' is not a diarienummer like \"KS 2026/123\"; "
        "--removed needs --category, one of: uppvigling, hets mot folkgrupp, olaga våldsskildring, "
        "upphovsrättsintrång, reklam, kränkande personuppgifter, barnpornografibrott; "
        "--police-report '12345' is not a police report number like \"5000-K123456-26\"")
    assert refusal(MarkRequest(led_to_case="KS 2026/1", category="reklam", police_report="K1-26",
                               law="OSL 21 kap. 1 §")) == (
        "--category and --police-report go with --removed; --law goes with --confidential")
    assert refusal(MarkRequest(confidential=True, law="sekretess")) == (
        "--confidential needs --law citing the secrecy provision, e.g. \"OSL 21 kap. 1 §\"")
    validate(MarkRequest(removed=True, category="barnpornografibrott", police_report=" 5000-k123456-26 "))


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    arc = make_archive(tmp_path / "home", mandate=False)
    add_items(arc, add_account(arc), [Spec(text="Ring 070-123 45 67", flagged=True),
                                       Spec(text="Mitt nummer 070-765 43 21", flagged=True)])
    return arc


def test_a_repeated_mark_is_recorded_once_and_another_kind_still_is(archive: Archive) -> None:
    with archive.transaction() as s:
        assert [m.kind for m in mark_item(archive, s, 1, MarkRequest(led_to_case="KS 2026/9"))] == ["led-to-case"]
    with archive.transaction() as s:
        assert mark_item(archive, s, 1, MarkRequest(led_to_case=" KS 2026/9 ")) == []
        made = mark_item(archive, s, 1, MarkRequest(led_to_case="KS 2026/9", removed=True, category="reklam"))
        assert [m.kind for m in made] == ["removed"]
    with archive.transaction() as s:
        assert sorted(s.scalars(select(ItemMark.kind).where(ItemMark.item_id == 1))) == ["led-to-case", "removed"]


def test_a_csam_mark_blanks_that_item_only(archive: Archive) -> None:
    with archive.transaction() as s:
        mark_item(archive, s, 1, MarkRequest(removed=True, category="barnpornografibrott",
                                             police_report="5000-K123456-26"))
    with archive.transaction() as s:
        assert dict(s.execute(select(Item.id, Item.text)).all()) == {1: "", 2: "Mitt nummer 070-765 43 21"}
        assert dict(s.execute(select(ItemFlag.item_id, ItemFlag.match)).all()) == {1: "", 2: "Mit"}
