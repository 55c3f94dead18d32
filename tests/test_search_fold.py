"""Search matches as a Swedish reader does: any case, accents optional, å ä ö letters of their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXED_NOW, ORG, Cli
from hypothesis import given
from hypothesis import strategies as st

from archiver.catalogue.textfold import fold
from fixtures.exports.generate import facebook_export_of_posts

POSTS = [
    "Snöröjningen börjar i natt på Älvgatan",
    "SNÖRÖJNING: hör av dig om din gata är glömd",
    "Öppet hus på Café Ågatan",
    "Rabatt 50% på simhallens årskort",
    "Østergade-utställningen öppnar",
    "Agatan stängd för vägarbete",
    "Återvinningscentralen har nya öppettider",
    "Sortera till ÅTERVINNING, inte i soporna",
]


@pytest.mark.parametrize(("written", "folded"), [
    ("SNÖRÖJNING", "snöröjning"),
    ("ÅTERVINNING", "återvinning"),
    ("Ålderdom ÄR Öde", "ålderdom är öde"),
    ("Café Müller", "cafe muller"),
    ("Østergade Ærø", "östergade ärö"),
    ("STRASSE Straße", "strasse strasse"),
    ("a\u030angström", "ångström"),  # å written as a + combining ring
])
def test_fold_by_hand(written: str, folded: str) -> None:
    assert fold(written) == folded


@given(st.text())
def test_fold_is_idempotent_and_ignores_case(s: str) -> None:
    once = fold(s)
    assert once is not None
    assert fold(once) == once
    assert fold(s.upper()) == fold(fold(s.upper()))


def _import(arc: Cli, add: Callable[..., int], tmp_path: Path) -> None:
    add(arc)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    export = facebook_export_of_posts(tmp_path / "fb.zip",
                                      [(start + dt.timedelta(hours=i), t) for i, t in enumerate(POSTS)])
    arc.ok("import", "1", str(export))


def _hits(arc: Cli, query: str) -> list[str]:
    return sorted(i["text"] for i in arc.json("items", "search", query))


EXPECTED = {
    "snöröjning": [POSTS[1], POSTS[0]],
    "SNÖRÖJNING": [POSTS[1], POSTS[0]],
    "älvgatan": [POSTS[0]],
    "cafe": [POSTS[2]],
    "ågatan": [POSTS[2]],
    "agatan": [POSTS[5]],  # å is a letter of its own, not an accented a
    "50%": [POSTS[3]],
    "0%": [POSTS[3]],
    "5_%": [],  # _ is literal, not "any character"
    "östergade": [POSTS[4]],
    # The case: capital Å found 4 of 17 before folding; now both spellings find both.
    "ÅTERVINNING": [POSTS[6], POSTS[7]],
    "återvinning": [POSTS[6], POSTS[7]],
}


def test_search_folds_case_and_accents(arc: Cli, add: Callable[..., int], tmp_path: Path) -> None:
    _import(arc, add, tmp_path)
    for query, hits in EXPECTED.items():
        assert _hits(arc, query) == sorted(hits), query


@pytest.mark.postgres
def test_search_folds_case_on_postgresql(tmp_path: Path, add: Callable[..., int], postgres_url: str) -> None:
    """PostgreSQL's lower() folds å, ä, ö too; accents stay as the database has them."""
    arc = Cli(home=tmp_path / "home", env={"ARCHIVE_NOW": FIXED_NOW})
    arc.ok("--db", postgres_url, "init", *ORG, "--simulated-clock")
    _import(arc, add, tmp_path)
    for query in ("snöröjning", "SNÖRÖJNING", "älvgatan", "ågatan", "agatan", "50%", "5_%"):
        assert _hits(arc, query) == sorted(EXPECTED[query]), query
