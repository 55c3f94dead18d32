"""The policy loader in the library: every problem of a broken file word for word with its
line, and a good file read into the rules it says. Line numbers are counted by hand from
the texts below (the first line is line 1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from archiver.errors import BadInputError, ConfigError, NotFoundError
from archiver.home.config import Home
from retention.deadline import Frist
from retention.policy import (
    Mandate,
    Match,
    OfficerSettings,
    PolicyError,
    load_policy,
    officer_settings,
    write_mandate,
)

BROKEN = """version = 2

[[rule]]
id = "a"
handlingstyp = "Kommentarer"
klassa = "2.x"
action = "gallras"
frist = "vid inaktualitet"
extra = 1
[rule.match]
kind = ["comment", "story"]
author = "anyone"
account = ["ett"]
flags = "some"
marks = ["removed", "hidden"]
min_age_days = -1
text = ["(unclosed"]
colour = "red"

[[rule]]
id = "a"
handlingstyp = " "
klassa = "2.9.2"
action = "sparas"
frist = "10 år"
minimum = "3 veckor"
[rule.mandate]
body = "KS"
date = "2024-13-01"

[[rule]]
handlingstyp = "Bilder"
klassa = "1.1"
action = "gallras"
[rule.match]
kind = "snapshot"
"""

BROKEN_PROBLEMS = [
    "line 1: version = 1 is missing",
    # rule 1, lines 3-18
    "line 9: unknown key 'extra' in a rule",
    "line 6: klassa '2.x' is not a Klassa code like 2.9.2",
    "line 18: unknown match key 'colour'",
    "line 11: kind: story not one of post, comment, reply, message, snapshot",
    'line 12: author must be "own" or "visitor"',
    "line 13: account must be a list of account ids",
    'line 14: flags must be "none" or "any"',
    "line 15: marks: hidden not one of led-to-case, removed, confidential",
    "line 16: min_age_days must be a whole number of days",
    "line 17: text pattern '(unclosed' is not a regular expression "
    "(missing ), unterminated subpattern at position 0)",
    'line 8: "vid inaktualitet" needs minimum = "N halvår" or "N dagar"',
    # rule 2, lines 20-29
    "line 21: rule id 'a' is used twice",
    "line 20: rule a needs handlingstyp",
    "line 24: rule a action must be one of bevaras, gallras, diarieförs",
    "line 26: minimum '3 veckor' must be \"N halvår\" or \"N dagar\"",
    "line 25: frist '10 år' is not one of \"vid inaktualitet\", \"N år efter årets utgång\", "
    "\"omedelbart\", \"efter stängt konto\", \"efter avslutat ärende\"",
    "line 28: rule a mandate lacks section, dnr",
    # rule 3, lines 31-36
    'line 31: rule needs id = "letters, digits or -"',
    "line 34: rule #3 culls but has no frist",
    "line 36: rule #3 culls snapshots; snapshots are always kept (bevaras)",
]


def test_a_broken_policy_names_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(err.value) == f"{path}: " + "; ".join(BROKEN_PROBLEMS)


GOOD = """version = 1

[[rule]]
id = "kommentarer"
handlingstyp = " Kommentarer av tillfällig betydelse "
klassa = "2.9.2"
action = "gallras"
frist = "vid inaktualitet"
minimum = "2 halvår"
[rule.match]
kind = "comment"
author = "visitor"
account = [3, 1]
platform = ["facebook", "instagram"]
flags = "none"
marks = "none"
min_age_days = 30
text = "(?i)tack"
[rule.mandate]
body = "Kommunstyrelsen"
date = 2024-03-12
section = "§ 45"
dnr = "KS 2024/123"

[[rule]]
id = "inlagg"
handlingstyp = "Inlägg"
klassa = "2.9.1"
action = "bevaras"
frist = "10 år efter årets utgång"

[[rule]]
id = "reklam"
handlingstyp = "Reklam"
klassa = "2.9.3"
action = "gallras"
frist = "omedelbart"
minimum = "14 dagar"
[rule.match]
marks = ["removed"]
[rule.mandate]
body = ""
date = ""
section = ""
dnr = ""
"""


def test_a_good_policy_reads_into_its_rules(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(GOOD, encoding="utf-8")
    policy = load_policy(path)
    first, second, third = policy.rules
    assert (first.id, first.handlingstyp, first.klassa, first.action, first.line, first.culls) == (
        "kommentarer", "Kommentarer av tillfällig betydelse", "2.9.2", "gallras", 3, True)
    assert first.match == Match(frozenset({"comment"}), "visitor", frozenset({1, 3}),
                                frozenset({"facebook", "instagram"}), "none", "none", 30,
                                (re.compile("(?i)tack"),))
    assert first.frist == Frist("vid inaktualitet", halfyears=2)
    assert first.mandate == Mandate("Kommunstyrelsen", dt.date(2024, 3, 12), "§ 45", "KS 2024/123")
    assert first.mandate.cite() == "Kommunstyrelsen 2024-03-12 § 45, dnr KS 2024/123"
    assert (second.line, second.culls, second.match, second.mandate) == (25, False, Match(), None)
    assert second.frist == Frist("år efter årets utgång", years=10)
    assert third.frist == Frist("omedelbart", days=14)
    assert third.match.marks == frozenset({"removed"})
    # The empty mandate placeholder is no mandate: a warning, not an error.
    assert third.mandate is None
    assert policy.warnings == ("line 32: rule reklam culls but has no mandate (gallringsbeslut) yet; "
                               "its items stay until one is entered",)
    assert policy.uses_text
    assert policy.rule("inlagg") is second
    with pytest.raises(NotFoundError) as err:
        policy.rule("okänd")
    assert str(err.value) == f"rule 'okänd' is not in {path}; see: archive retention policy show"


def test_a_missing_or_unreadable_policy_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as err:
        load_policy(tmp_path / "nej.toml")
    assert str(err.value) == f"policy file {tmp_path / 'nej.toml'} does not exist; write the default with: archive init"
    path = tmp_path / "policy.toml"
    path.write_text("version = 1\nrule = 3\n", encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(err.value) == f"{path}: 'rule' must be an array of tables: [[rule]]"


def test_a_mandate_goes_only_on_culling_rules_that_exist(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(GOOD, encoding="utf-8")
    mandate = Mandate("Kommunfullmäktige", dt.date(2025, 1, 20), "§ 3", "KS 2025/7")
    with pytest.raises(NotFoundError) as err:
        write_mandate(path, ["reklam", "x", "y"], mandate)
    assert str(err.value) == f"no rule x, y in {path}; see: archive retention policy show"
    with pytest.raises(BadInputError) as bad:
        write_mandate(path, ["inlagg"], mandate)
    assert str(bad.value) == ("rule inlagg does not cull (action is not gallras); "
                              "a mandate only goes on culling rules")
    assert path.read_text(encoding="utf-8") == GOOD
    assert write_mandate(path, None, mandate) == ["kommentarer", "reklam"]
    after = load_policy(path)
    assert [r.mandate for r in after.rules] == [mandate, None, mandate]
    assert after.warnings == ()


def test_a_mandate_on_a_rule_without_a_mandate_table_adds_one(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    text = ('version = 1\n\n# Kommentarer\n[[rule]]\nid = "k"\nhandlingstyp = "Kommentarer"\nklassa = "2.9.2"\n'
            'action = "gallras"\nfrist = "omedelbart"\n')
    path.write_text(text, encoding="utf-8")
    mandate = Mandate("Kommunstyrelsen", dt.date(2024, 3, 12), "§ 45", "KS 2024/123")
    assert write_mandate(path, ["k"], mandate) == ["k"]
    written = path.read_text(encoding="utf-8")
    assert written.startswith(text) and "# Kommentarer" in written
    assert load_policy(path).rules[0].mandate == mandate


def test_officer_settings_from_the_homes_retention_table(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert officer_settings(home) == OfficerSettings(tmp_path / "policy" / "policy.toml", False, None)
    home.config_path.write_text('[retention]\npolicy = "regler/plan.toml"\nfour_eyes = true\n'
                                'backup_note = "Kopiorna gallras efter 90 dagar."\n', encoding="utf-8")
    assert officer_settings(home) == OfficerSettings(tmp_path / "regler" / "plan.toml", True,
                                                     "Kopiorna gallras efter 90 dagar.")
    home.config_path.write_text('[retention]\nfour_eyes = "ja"\nbackup_note = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        officer_settings(home)
    assert str(err.value) == (f"{home.config_path}: retention.four_eyes must be true or false; "
                              "retention.backup_note must be a string")


def test_match_lists_that_are_not_lists_of_strings(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('version = 1\n[[rule]]\nid = "b"\nhandlingstyp = "Inlägg"\nklassa = "2.9.1"\n'
                    'action = "bevaras"\n[rule.match]\nkind = 5\nplatform = [1]\nmarks = "alla"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(err.value) == (f"{path}: line 8: kind must be a list of strings; line 9: platform must be a list "
                              "of strings; line 10: marks: alla not one of led-to-case, removed, confidential")


def test_a_latin1_comment_does_not_stop_the_policy_and_the_digest_is_of_the_bytes(tmp_path: Path) -> None:
    """A comment saved as Latin-1 by an old editor ("\\xe4" for "ä") is read past; the
    policy's sha256 (cited in protocols) is of the file's bytes as they are."""
    raw = b'version = 1\n# Beslutad av kommunstyrelsen, \xe4ndrad 2024\n'
    path = tmp_path / "policy.toml"
    path.write_bytes(raw)
    policy = load_policy(path)
    assert (policy.rules, policy.sha256) == ((), hashlib.sha256(raw).hexdigest())


def test_a_bad_mandate_date_two_bad_kinds_and_rules_written_inline(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('version = 1\n[[rule]]\nid = "k"\nhandlingstyp = "Kommentarer"\nklassa = "2.9.2"\n'
                    'action = "gallras"\nfrist = "omedelbart"\n[rule.match]\nkind = ["story", "reel"]\n'
                    '[rule.mandate]\nbody = "KS"\nsection = "§ 4"\ndnr = "KS 2024/1"\ndate = "2024-13-01"\n',
                    encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(err.value) == (f"{path}: line 9: kind: story, reel not one of post, comment, reply, message, "
                              "snapshot; line 14: mandate date '2024-13-01' is not YYYY-MM-DD")
    # Rules as an inline array have no [[rule]] lines to point at: line 1 stands in.
    path.write_text('version = 1\nrule = [{id = "a", handlingstyp = "X", klassa = "1", action = "spara"}]\n',
                    encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(err.value) == f"{path}: line 1: rule a action must be one of bevaras, gallras, diarieförs"
