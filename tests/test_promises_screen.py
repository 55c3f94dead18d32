"""The screen's edges, each with its expected text written out by hand: how every kind of
finding is masked (also findings a caller built, which ``mask`` accepts), which phones and
identity numbers count, and what a municipality's own term file means."""

from __future__ import annotations

import pytest

from retention.finding import ADDRESS, EMAIL, PERSONNUMMER, PHONE, TERM
from retention.screen import Finding, Screen, Terms, mask

SCREEN = Screen()


def masked(text: str) -> str:
    return mask(text, SCREEN.scan(text))


def found(text: str) -> list[tuple[str, str, str]]:
    return [(f.kind, f.match, f.detail) for f in SCREEN.scan(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # the area code is kept: "08" and "0522" are places, the digits after identify the line
    ("Ring 08123 45 67", "Ring 08*** ** **"),      # Stockholm typed without a dash: only the 8 stays
    ("Ring 0522123456", "Ring 05********"),         # no separator: one digit of the area code stays
    ("Ring 0701234567", "Ring 070*******"),         # mobile: 07 and the operator digit stay
    ("Ring 08-123 45 67", "Ring 08-*** ** **"),
    ("Storgatan 12b", "Storgatan ***"),             # a lower-case letter after the number is starred too
])
def test_masks_written_out(text: str, expected: str) -> None:
    assert masked(text) == expected


def test_phones_longer_than_a_swedish_number_are_cut_to_one() -> None:
    # 8 123 456 789 is ten digits, too long for a landline; 8 123 456 is seven, the number.
    assert found("Ring 08-123 456 789") == [(PHONE, "08-123 456", "landline")]
    assert found("Ring 08-12 i morgon") == []  # three digits are no phone number


def test_identity_numbers_centenarians_and_invalid_neighbours() -> None:
    # 29 February 2000 exists; with "+" (a hundred years or older) the date is 29 February
    # 1900, which does not, so only the first is an identity number.
    assert found("000229-0013") == [(PERSONNUMMER, "000229-0013", "")]
    assert found("000229+0013") == []
    # an invalid number before a valid one does not stop the search
    assert found("123456-7890 och 811228-9874") == [(PERSONNUMMER, "811228-9874", "")]


def test_masking_findings_a_caller_built() -> None:
    # mask() accepts any finding of the exact text; none leaves a letter or digit readable
    assert mask("abc-de x", [Finding(PERSONNUMMER, 0, 6, "abc-de")]) == "***-** x"
    assert mask("a@b@kommun.se", [Finding(EMAIL, 0, 13, "a@b@kommun.se")]) == "a***@kommun.se"
    assert mask("abcd", [Finding(EMAIL, 0, 4, "abcd")]) == "****"
    assert mask("+46 ab1", [Finding(PHONE, 0, 7, "+46 ab1")]) == "+46 ab*"
    assert mask("Storgatan 3 C", [Finding(ADDRESS, 0, 13, "Storgatan 3 C")]) == "Storgatan * *"
    assert mask("sjuk", [Finding(TERM, 0, 4, "sjuk")]) == "[känsligt]"
    assert mask("sjuk", [Finding(TERM, 0, 4, "sjuk", "ekonomi")]) == "[ekonomi]"
    assert mask("ab1", [Finding("annat", 0, 3, "ab1")]) == "***"


def test_adjacent_findings_keep_their_own_masks_and_clusters_take_every_member() -> None:
    touching = [Finding(TERM, 0, 3, "abc", "health"), Finding(TERM, 3, 6, "def", "social-services")]
    assert mask("abcdef", touching) == "[hälsa][soc]"
    # (0,5) (1,3) (2,8) overlap as one cluster; the widest, 2..8, is masked as its kind
    three = [Finding(TERM, 0, 5, "abcde", "health"), Finding(TERM, 1, 3, "bc", "health"),
             Finding(TERM, 2, 8, "cdefgh", "health")]
    assert mask("abcdefghij", three) == "**[hälsa]ij"


def test_wrong_findings_and_wrong_types_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError) as exc:
        mask("abc", [Finding(TERM, 0, 3, "xyz")])
    assert str(exc.value) == ("finding term at 0:3 does not match the text; "
                              "mask() needs the findings of this exact text")
    with pytest.raises(TypeError) as terr:
        SCREEN.scan(b"070-123 45 67")  # type: ignore[arg-type]
    assert str(terr.value) == "screen expects str, not bytes"


def test_prefix_terms_and_longer_terms_share_a_trie() -> None:
    terms = Terms({"health": ["sjuk*", "sjukhus", "psykisk", "psykisk ohälsa"]})
    hits = [(f.match, f.detail) for f in terms.find("Sjukdom, sjukhus och sjuk; psykisk.")]
    assert hits == [("Sjukdom", "health"), ("sjukhus", "health"), ("sjuk", "health"), ("psykisk", "health")]
    # the words of a term may be parted by any run of white space, a line break too
    assert [f.match for f in terms.find("psykisk  ohälsa, psykisk\nohälsa")] == ["psykisk  ohälsa",
                                                                             "psykisk\nohälsa"]


def test_compound_terms() -> None:
    terms = Terms({"health": ["*beroende", "*missbruk*", "sjuk"]})
    assert [f.match for f in terms.find("alkoholberoende, narkotikaberoendet, alkoholmissbrukare, sjuk")] == [
        "alkoholberoende", "alkoholmissbrukare", "sjuk"]  # "*beroende" ends a word, it does not start one
    only_compound = Terms({"health": ["*beroende"]})
    assert [(f.start, f.end) for f in only_compound.find("- alkoholberoende -")] == [(2, 17)]


def test_exceptions_shield_only_what_lies_inside_them() -> None:
    terms = Terms({"health": ["*beroende", "på"]}, ["beroende på", "s*"])
    # "oberoende på" is not the phrase "beroende på"; "på" ends inside the phrase, so it is shielded
    assert [f.match for f in terms.find("oberoende på dig")] == ["oberoende", "på"]
    assert terms.find("beroende på") == []
    assert Terms({"health": ["sjuk"]}, ["s*"]).find("sjuk") == []  # a one-letter prefix phrase
    two = Terms({"health": ["sjuk", "vård"]}, ["sjuk i huvudet", "vård och omsorg"])
    assert two.find("sjuk i huvudet, vård och omsorg") == []


def test_term_lists_as_values() -> None:
    a = Terms({"a": ["x"], "b": ["y", "z"]}, ["q"])
    assert repr(a) == "Terms(a=1, b=2; exceptions=1)"
    assert hash(a) == hash(Terms({"a": ["x"], "b": ["y", "z"]}, ["q"]))
    assert hash(a) != hash(Terms({"a": ["x"]}))
    with pytest.raises(ValueError) as exc:
        Terms({" ": ["x"]})
    assert str(exc.value) == "a term category needs a non-empty name"


def test_term_file_errors_name_the_place() -> None:
    with pytest.raises(ValueError) as exc:
        Terms.parse("[hälsa\nsjuk")  # a header missing its bracket is not a header
    assert str(exc.value) == "<string>:1: term '[hälsa' comes before any [category] header"
    with pytest.raises(ValueError) as bad:
        Terms.parse("[hälsa]\nsjuk\n!be*roende", origin="termer.txt")
    assert str(bad.value) == "termer.txt:3: bad term 'be*roende': '*' is allowed only at the start or the end"
