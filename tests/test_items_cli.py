"""archive import, items and report through the CLI."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import Cli, add_account

from archiver.errors import ExitCode
from fixtures.exports import generate

BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "exports" / "broken"


def test_import_every_format_with_swedish_text(arc: Cli, tmp_path: Path) -> None:
    makers = {
        "facebook": generate.generate_facebook_export,
        "instagram": generate.generate_instagram_export,
        "x": generate.generate_x_export,
        "linkedin": generate.generate_linkedin_export,
        "youtube": generate.generate_youtube_export,
    }
    for i, (fmt, make) in enumerate(makers.items()):
        account = add_account(arc, f"Konto {fmt}", fmt, f"https://example.se/{fmt}")
        path = make(tmp_path / f"{fmt}.zip", items=30)
        data = arc.json("import", str(account), str(path))
        assert data["format"] == fmt, data
        assert data["new"] > 0 and data["updated"] == 0, data
        texts = " ".join(i["text"] for i in arc.json("items", "list", "--account", str(account),
                                                      "--limit", "500"))
        assert "Ã" not in texts  # mojibake repaired
        assert any(ch in texts for ch in "åäöÅÄÖ"), fmt
        assert i == account - 1


def test_reimport_is_idempotent_and_newer_export_adds_versions(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    older, newer = generate.generate_facebook_overlap_pair(tmp_path, items=40, new_items=12)
    first = arc.json("import", str(account), str(older))
    assert (first["new"], first["updated"]) == (40, 0)
    again = arc.json("import", str(account), str(older))
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, first["new"])
    later = arc.json("import", str(account), str(newer))
    assert later["new"] > 0 and later["updated"] > 0
    assert later["unchanged"] == first["new"] - later["updated"]
    edited = [i for i in arc.json("items", "list", "--account", str(account), "--limit", "500")
              if i["kind"] == "post"]
    with_versions = [arc.json("items", "show", str(i["id"])) for i in edited]
    assert any(len(i["versions"]) == 2 for i in with_versions)
    text = arc.ok("import", str(account), str(newer)).stdout
    assert text.startswith(f"Imported {newer.name} (facebook) into account {account}: 0 new, 0 updated,")


@pytest.mark.parametrize("name", sorted(p.name for p in BROKEN.glob("*.zip")))
def test_broken_exports_rejected_cleanly(arc: Cli, name: str) -> None:
    account = add_account(arc)
    before = arc.json("audit", "verify")["entries"]
    result = arc("import", str(account), str(BROKEN / name))
    assert result.exit_code == ExitCode.bad_input, (name, result.stderr)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert arc.json("items", "list", "--limit", "5") == []
    assert arc.json("audit", "verify")["entries"] == before


def test_unknown_export_lists_supported_formats(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    odd = tmp_path / "odd.zip"
    with zipfile.ZipFile(odd, "w") as z:
        z.writestr("readme.txt", "hej")
    result = arc("import", str(account), str(odd))
    assert result.exit_code == ExitCode.bad_input
    assert result.stderr == ("Error: odd.zip: not a recognised export; supported: facebook, "
                             "instagram, x, linkedin, youtube, tiktok, items (use --format to choose)\n")


def _import_one(arc: Cli, tmp_path: Path, text: str, kind: str = "comment") -> int:
    """A minimal X export with one item, to test marks and the screen on known text."""
    tweet = {"tweet": {"id_str": "1001", "full_text": text, "created_at": "Mon Mar 02 10:00:00 +0000 2026",
                       "in_reply_to_status_id_str": "999" if kind != "post" else None,
                       "in_reply_to_screen_name": "torsbykommun" if kind != "post" else None,
                       "entities": {}, "favorite_count": "0", "retweet_count": "0"}}
    acct = {"account": {"username": "torsbykommun", "accountDisplayName": "Torsby kommun",
                        "accountId": "1"}}
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps([tweet]))
        z.writestr("data/account.js", "window.YTD.account.part0 = " + json.dumps([acct]))
        z.writestr("data/manifest.js", "window.__THAR_CONFIG = {}")
    account = add_account(arc, "X", "x", "https://x.com/torsbykommun")
    data = arc.json("import", str(account), str(path), "--format", "x")
    assert data["new"] == 1, data
    return int(arc.json("items", "list")[0]["id"])


def test_screen_flags_and_listing_masks(arc: Cli, tmp_path: Path) -> None:
    item = _import_one(arc, tmp_path, "Mitt personnummer är 811228-9874, ring 070-123 45 67.")
    listed = arc.json("items", "list", "--flag", "personnummer")
    assert [i["id"] for i in listed] == [item]
    assert "9874" not in listed[0]["text"] and "811228" not in listed[0]["text"]  # the birth date too
    assert set(listed[0]["flags"]) == {"personnummer", "phone"}
    shown = arc.json("items", "show", str(item), "--unmasked")
    assert "811228-9874" in shown["text"]


def test_marks_are_validated_recorded_and_audited(arc: Cli, tmp_path: Path) -> None:
    item = _import_one(arc, tmp_path, "Gatlampan på Storgatan är trasig sedan en vecka.")
    bad = arc("items", "mark", str(item), "--removed")
    assert bad.exit_code == ExitCode.bad_input
    assert bad.stderr == ("Error: --removed needs --category, one of: uppvigling, hets mot "
                          "folkgrupp, olaga våldsskildring, upphovsrättsintrång, reklam, kränkande "
                          "personuppgifter, barnpornografibrott\n")
    bad_case = arc("items", "mark", str(item), "--led-to-case", "snart")
    assert bad_case.exit_code == ExitCode.bad_input
    before = arc.json("audit", "verify")["entries"]
    arc.ok("items", "mark", str(item), "--led-to-case", "KS 2026/123", "--note", "Felanmälan",
           "--by", "registrator")
    arc.ok("items", "mark", str(item), "--confidential", "--law", "OSL 21 kap. 1 §")
    marks = arc.json("items", "show", str(item))["marks"]
    assert [(m["kind"], m["case_ref"] or m["law"], m["by"]) for m in marks][0] == (
        "led-to-case", "KS 2026/123", "registrator")
    assert marks[1]["law"] == "OSL 21 kap. 1 §"
    assert [i["id"] for i in arc.json("items", "list", "--mark", "led-to-case")] == [item]
    assert arc.json("audit", "verify") == {"entries": before + 2, "good_entries": before + 2, "ok": True,
                                           "problem": None, "broken_seq": None}
    with sqlite3.connect(arc.home / "catalogue.sqlite") as db:
        rows = db.execute("select actor, command, target, changes from audit_log where seq > ? order by seq",
                          (before,)).fetchall()
    assert [(a, c, t) for a, c, t, _ in rows] == [("registrator", "items mark", f"item:{item}"),
                                                 (rows[1][0], "items mark", f"item:{item}")]
    assert json.loads(rows[1][3])["marks"][0]["law"] == "OSL 21 kap. 1 §"


def test_csam_keeps_metadata_only(arc: Cli, tmp_path: Path) -> None:
    item = _import_one(arc, tmp_path, "olagligt innehåll (testtext)")
    arc.ok("items", "mark", str(item), "--removed", "--category", "barnpornografibrott",
           "--police-report", "5000-K123-26")
    shown = arc.json("items", "show", str(item), "--unmasked")
    assert shown["text"] == "" and shown["content_purged"] is True
    assert all(v["text"] == "" for v in shown["versions"])
    assert shown["marks"][0]["police_report"] == "5000-K123-26"
    assert shown["created"] is not None  # metadata kept


# The yearly report is tested on hand-counted items in test_promises_items.py.
