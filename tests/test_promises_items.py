"""The README's promises for items, marks, search and the yearly report, on a hand-written
set of posts and comments whose expected counts are worked out below, not read back from
the code (``items list`` is never the oracle for ``report``)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, add_account

from archiver.errors import ExitCode
from archiver.home.archive import open_archive
from archiver.home.config import Home
from archiver.items.imports.model import ImportedItem, MediaRef
from archiver.items.ingest import Ingest
from fixtures.exports import generate
from retention.screen import Screen

NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
UTC = dt.UTC
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")

# platform id, kind, parent, own, created (UTC), text
ITEMS = [
    # 23:30 UTC on New Year's Eve is 00:30 on 1 January in Stockholm: a 2026 post.
    ("p3", "post", None, True, dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "Gott nytt år från kommunen!"),
    # 22:30 UTC is 23:30 on New Year's Eve in Stockholm: a 2025 post.
    ("p0", "post", None, True, dt.datetime(2025, 12, 31, 22, 30, tzinfo=UTC),
     "Nyårsafton: fyrverkerier är förbjudna i centrum."),
    ("c4", "comment", "p0", False, dt.datetime(2025, 12, 31, 22, 40, tzinfo=UTC), "Vad gäller vid torget?"),
    ("r0", "reply", "c4", True, dt.datetime(2025, 12, 31, 22, 50, tzinfo=UTC), "Torget ingår."),
    ("p1", "post", None, True, dt.datetime(2026, 3, 2, 9, tzinfo=UTC), "Snöröjningen börjar i natt på Storgatan."),
    ("c1", "comment", "p1", False, dt.datetime(2026, 3, 2, 10, tzinfo=UTC),
     "När plogas Kyrkvägen? Ring mig på 070-123 45 67"),
    ("r1", "reply", "c1", True, dt.datetime(2026, 3, 2, 11, tzinfo=UTC), "I morgon bitti."),
    ("c2", "comment", "p1", False, dt.datetime(2026, 3, 3, 10, tzinfo=UTC), "Varför inte i går?"),
    ("p2", "post", None, True, dt.datetime(2026, 5, 10, 9, tzinfo=UTC), "Badplatserna öppnar i juni."),
    ("c3", "comment", "p2", False, dt.datetime(2026, 5, 10, 10, tzinfo=UTC), "Tack för informationen."),
]
# 2026 (Stockholm): posts p3 p1 p2 = 3; comments and replies c1 r1 c2 c3 = 4; questions with an
# answer from the account: c1 (c2 has none) = 1. 2025: p0 = 1; c4 r0 = 2; c4 answered = 1.


@pytest.fixture
def items(arc: Cli, tmp_path: Path) -> dict[str, int]:
    """The items above in account 1, p1 with one image; returns platform id -> item id."""
    add_account(arc)
    image = tmp_path / "plog.png"
    image.write_bytes(PNG)
    archive = open_archive(Home(arc.home), now=NOW, actor="test")
    try:
        with archive.transaction() as session:
            records = [ImportedItem(platform_id=pid, kind=kind, parent_id=parent,
                                    author_handle="torsbykommun" if own else f"medborgare{i}",
                                    author_name="Torsby kommun" if own else f"Medborgare {i}", is_own=own,
                                    created=created, edited=None, text=text, url=None,
                                    media=(MediaRef(path=str(image), media_type="image/png", uri=None),)
                                    if pid == "p1" else ())
                       for i, (pid, kind, parent, own, created, text) in enumerate(ITEMS)]
            Ingest(session, account_id=1, now=NOW, source="test", screen=Screen(),
                   media=lambda ref: archive.store.put_file(Path(ref.path), ref.media_type)).run(records)
    finally:
        archive.close()
    return {i["platform_id"]: i["id"] for i in arc.json("items", "list", "--limit", "100")}


def last_audit(arc: Cli) -> tuple[str, str, str, dict[str, Any]]:
    with sqlite3.connect(arc.home / "catalogue.sqlite") as db:
        actor, command, target, changes = db.execute(
            "select actor, command, target, changes from audit_log order by seq desc limit 1").fetchone()
    return actor, command, target, json.loads(changes)


def audit_count(arc: Cli) -> int:
    return int(arc.json("audit", "verify")["entries"])


def test_yearly_report_counts_worked_out_by_hand(arc: Cli, items: dict[str, int]) -> None:
    arc.ok("items", "mark", str(items["c2"]), "--removed", "--category", "reklam")
    arc.ok("items", "mark", str(items["c2"]), "--removed", "--category", "uppvigling")  # still one item
    report = json.loads(arc.ok("report", "--year", "2026", "--format", "json").stdout)
    assert report == {"year": 2026, "accounts": [
        {"account": 1, "name": "Torsby kommun", "platform": "facebook", "posts": 3, "comments": 4,
         "questions_answered": 1, "followers": None, "removed": 1}]}
    earlier = arc.json("report", "--year", "2025")["accounts"]
    assert [(r["posts"], r["comments"], r["questions_answered"], r["removed"]) for r in earlier] == [(1, 2, 1, 0)]
    assert arc.ok("report", "--year", "2026", "--format", "csv").stdout_bytes == (
        b"account,name,platform,posts,comments,questions_answered,followers,removed\r\n"
        b"1,Torsby kommun,facebook,3,4,1,,1\r\n")
    table = arc.ok("report", "--year", "2026").stdout.splitlines()
    assert table[0].split() == ["Nr", "Konto", "Plattform", "Inlägg", "Kommentarer", "Besvarade", "frågor",
                                "Följare", "Borttagna"]
    assert table[1].split() == ["1", "Torsby", "kommun", "Facebook", "3", "4", "1", "–", "1"]
    html = arc.ok("report", "--year", "2026", "--format", "html").stdout
    assert '<td>Torsby kommun</td><td>Facebook</td><td class="num">3</td>' in html
    assert "<title>Torsby kommun: statistik för sociala medier 2026</title>" in html
    # A year with nothing, for an account opened in 2026: no rows.
    assert arc.json("report", "--year", "2024")["accounts"] == []


def test_report_to_a_file_and_to_an_unwritable_place(arc: Cli, items: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "statistik-2026.html"
    result = arc.ok("report", "--year", "2026", "--format", "html", "-o", str(out))
    assert result.stdout == "" and result.stderr == f"Wrote {out}.\n"
    assert out.read_text(encoding="utf-8") == arc.ok("report", "--year", "2026", "--format", "html").stdout
    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("x")
    bad = arc("report", "--year", "2026", "-o", str(not_a_folder / "r.txt"))
    assert bad.exit_code == ExitCode.cannot_write
    assert bad.stderr == (f"Error: cannot write {not_a_folder / 'r.txt'}: File exists; choose a path in a "
                          "folder you can write to\n")
    assert not_a_folder.read_text() == "x"


def test_search_matches_the_text_and_nothing_else(arc: Cli, items: dict[str, int]) -> None:
    def found(*args: str) -> list[int]:
        return [i["id"] for i in arc.json("items", "search", *args)]

    assert found("Snöröjningen") == [items["p1"]]
    assert found("kyrkvägen") == [items["c1"]]  # case-insensitive
    assert found("i") != found("badplatserna") == [items["p2"]]
    assert found("fyrverkerier", "--from", "2026-01-01") == []
    assert found("fyrverkerier", "--to", "2026-01-01") == [items["p0"]]
    assert found("ingenting sådant") == []
    text = arc.ok("items", "search", "Badplatserna")
    assert text.stdout == (f"{items['p2']:>6}  account 1    2026-05-10  post     Torsby kommun: "
                           "Badplatserna öppnar i juni.\n")
    assert text.stderr == "1 item.\n"


def test_list_filters(arc: Cli, items: dict[str, int]) -> None:
    def listed(*args: str) -> list[str]:
        by_id = {v: k for k, v in items.items()}
        return [by_id[i["id"]] for i in arc.json("items", "list", *args)]

    assert listed("--flag", "any") == ["c1"]
    assert listed("--flag", "phone") == ["c1"]
    assert listed("--flag", "email") == []
    assert listed("--kind", "reply") == ["r1", "r0"]  # newest first
    assert listed("--from", "2026-05-10") == ["c3", "p2"]
    assert listed("--from", "2026-01-01", "--to", "2026-03-03") == ["r1", "c1", "p1", "p3"]
    assert listed("--limit", "2") == ["c3", "p2"]
    missing = arc("items", "list", "--account", "2")  # issue 18: not found, not an empty list
    assert (missing.exit_code, missing.stderr) == (
        66, "Error: account 2 does not exist; list accounts with: archive accounts list --all\n")
    arc.ok("items", "mark", str(items["c3"]), "--led-to-case", "KS 2026/77")
    assert listed("--mark", "any") == ["c3"] and listed("--mark", "removed") == []
    arc.ok("items", "mark", str(items["c1"]), "--removed", "--category", "reklam")
    assert listed("--mark", "removed") == ["c1"] and listed("--mark", "led-to-case") == ["c3"]
    assert listed("--mark", "any") == ["c3", "c1"]
    (c1,) = arc.json("items", "list", "--flag", "any")
    assert c1["text"] == "När plogas Kyrkvägen? Ring mig på 070-*** ** **"
    assert c1["flags"] == ["phone"]


def test_mark_adds_exactly_one_audit_entry_with_the_mark(arc: Cli, items: dict[str, int]) -> None:
    before = audit_count(arc)
    arc.ok("items", "mark", str(items["c2"]), "--led-to-case", "KS 2026/123", "--note", "Felanmälan",
           "--by", "registrator")
    assert audit_count(arc) == before + 1
    assert last_audit(arc) == ("registrator", "items mark", f"item:{items['c2']}", {"marks": [
        {"kind": "led-to-case", "case_ref": "KS 2026/123", "category": None, "police_report": None,
         "law": None, "note": "Felanmälan"}], "clock": "simulated clock"})
    arc.ok("items", "mark", str(items["c2"]), "--confidential", "--law", " OSL 21 kap. 1 § ")
    assert last_audit(arc)[3]["marks"][0]["law"] == "OSL 21 kap. 1 §"
    shown = arc.json("items", "show", str(items["c2"]))["marks"]
    assert [(m["kind"], m["by"], m["at"]) for m in shown] == [
        ("led-to-case", "registrator", "2026-07-01T08:00:00+00:00"),
        ("confidential", shown[1]["by"], "2026-07-01T08:00:00+00:00")]


def test_by_defaults_to_the_os_user(arc: Cli, items: dict[str, int]) -> None:
    """getpass reads LOGNAME first: the name a cron job or a login shell runs as."""
    arc.ok("items", "mark", str(items["c3"]), "--led-to-case", "KS 2026/5", env={"LOGNAME": "kalle.karlsson"})
    assert arc.json("items", "show", str(items["c3"]))["marks"][0]["by"] == "kalle.karlsson"
    assert last_audit(arc)[0] == "kalle.karlsson"


def test_mark_refusals_change_nothing(arc: Cli, items: dict[str, int]) -> None:
    before = audit_count(arc)
    cases = {
        (): "Error: give --led-to-case DNR, --removed --category CAT or --confidential --law REF\n",
        ("--confidential",): 'Error: --confidential needs --law citing the secrecy provision, e.g. "OSL 21 kap. 1 §"\n',
        ("--law", "OSL 21 kap. 1 §", "--led-to-case", "KS 2026/1"): "Error: --law goes with --confidential\n",
        ("--category", "reklam", "--led-to-case", "KS 2026/1"):
            "Error: --category and --police-report go with --removed\n",
        ("--confidential", "--law", "21 kap"):
            'Error: --confidential needs --law citing the secrecy provision, e.g. "OSL 21 kap. 1 §"\n',
        ("--led-to-case", "snart", "--confidential"):
            "Error: --led-to-case 'snart' is not a diarienummer like \"KS 2026/123\"; --confidential needs "
            '--law citing the secrecy provision, e.g. "OSL 21 kap. 1 §"\n',
    }
    for args, message in cases.items():
        result = arc("items", "mark", str(items["c1"]), *args)
        assert (result.exit_code, result.stderr) == (ExitCode.bad_input, message), args
    missing = arc("items", "mark", "999", "--led-to-case", "KS 2026/1")
    assert (missing.exit_code, missing.stderr) == (
        ExitCode.not_found, "Error: item 999 does not exist; find items with: archive items list\n")
    assert audit_count(arc) == before
    assert arc.json("items", "show", str(items["c1"]))["marks"] == []


def test_csam_category_deletes_text_and_media_at_once(arc: Cli, items: dict[str, int]) -> None:
    (medium,) = arc.json("items", "show", str(items["p1"]))["media"]
    stored = arc.home / "store" / medium["sha256"][:2] / medium["sha256"]
    assert stored.read_bytes() == PNG
    arc.ok("items", "mark", str(items["p1"]), "--removed", "--category", "barnpornografibrott",
           "--police-report", "5000-K123-26")
    assert not stored.exists()
    shown = arc.json("items", "show", str(items["p1"]), "--unmasked")
    assert (shown["text"], shown["content_purged"]) == ("", True)
    assert [v["text"] for v in shown["versions"]] == [""]
    assert shown["media"] == [{"sha256": medium["sha256"], "name": medium["name"], "media_type": "image/png",
                               "purged": True}]
    assert shown["created"] == "2026-03-02T09:00:00+00:00" and shown["marks"][0]["police_report"] == "5000-K123-26"
    assert last_audit(arc)[3] == {
        "marks": [{"kind": "removed", "case_ref": None, "category": "barnpornografibrott",
                   "police_report": "5000-K123-26", "law": None, "note": None}],
        "content_purged": True, "media_deleted": [medium["sha256"]], "clock": "simulated clock"}
    assert arc.json("items", "search", "Snöröjningen") == []
    # A flagged comment: the flag's matched text goes too.
    arc.ok("items", "mark", str(items["c1"]), "--removed", "--category", "barnpornografibrott")
    with sqlite3.connect(arc.home / "catalogue.sqlite") as db:
        assert db.execute("select match from item_flags where item_id = ?", (items["c1"],)).fetchall() == [("",)]
    # Other removal categories keep everything.
    arc.ok("items", "mark", str(items["p2"]), "--removed", "--category", "reklam")
    assert arc.json("items", "show", str(items["p2"]))["text"] == "Badplatserna öppnar i juni."


def test_an_item_a_later_export_no_longer_has_is_marked_removed(arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    posts = [(dt.datetime(2026, 2, d, 9, tzinfo=UTC), f"Inlägg nummer {d}") for d in (1, 5, 9)]
    first = arc.json("import", str(account), str(generate.facebook_export_of_posts(tmp_path / "a.zip", posts)))
    assert (first["new"], first["removed_from_platform"]) == (3, 0)
    later = generate.facebook_export_of_posts(tmp_path / "b.zip", [posts[0], posts[2]])
    second = arc.json("import", str(account), str(later))
    assert (second["new"], second["unchanged"], second["removed_from_platform"]) == (0, 2, 1)
    gone = arc.json("items", "list", "--removed-from-platform")
    assert [i["text"] for i in gone] == ["Inlägg nummer 5"] and gone[0]["removed_from_platform"] is True
    kept = [i for i in arc.json("items", "list") if not i["removed_from_platform"]]
    assert sorted(i["text"] for i in kept) == ["Inlägg nummer 1", "Inlägg nummer 9"]
    text = arc.ok("items", "show", str(gone[0]["id"])).stdout
    assert text.endswith("missing from the platform at a later complete capture: yes\n")


def test_report_renderings_written_out_by_hand() -> None:
    from archiver.items.report import YearRow, render

    rows = [YearRow(1, "Torsby kommun", "facebook", 3, 4, 1, None, 1),
            YearRow(2, "Älvdalen", "x", 12, 0, 0, 14287, 0)]
    at = dt.datetime(2027, 1, 5, 8, tzinfo=UTC)

    def out(fmt: str, rows: list[YearRow] = rows) -> str:
        return render(fmt, rows, year=2026, org_name="Torsby kommun", org_id="212000-1769", generated=at)

    table = out("table")
    # Column widths: the longest of heading and values; counts right-aligned with a no-break
    # space between thousands, names left-aligned; platforms as the register spells them.
    assert table.splitlines() == [
        "Nr  Konto          Plattform  Inlägg  Kommentarer  Besvarade frågor  Följare  Borttagna",
        " 1  Torsby kommun  Facebook        3            4                 1        –          1",
        " 2  Älvdalen       X              12            0                 0   14\u00a0287          0",
    ]
    assert out("table", []) == (
        "Nr  Konto  Plattform  Inlägg  Kommentarer  Besvarade frågor  Följare  Borttagna\n")
    assert out("csv") == (
        "account,name,platform,posts,comments,questions_answered,followers,removed\r\n"
        "1,Torsby kommun,facebook,3,4,1,,1\r\n2,Älvdalen,x,12,0,0,14287,0\r\n")
    as_json = out("json")
    assert as_json.startswith('{\n  "year": 2026,\n  "accounts": [\n    {\n      "account": 1,\n')
    assert '"name": "Älvdalen"' in as_json and as_json.endswith("}\n")
    assert json.loads(as_json)["accounts"][1] == {
        "account": 2, "name": "Älvdalen", "platform": "x", "posts": 12, "comments": 0,
        "questions_answered": 0, "followers": 14287, "removed": 0}
    html = out("html")
    title = "Torsby kommun: statistik för sociala medier 2026"
    assert f"<title>{title}</title><style>" in html and f"<h1>{title}</h1>" in html
    num = ' class="num"'
    heads = "".join(f'<th scope="col"{num if c else ""}>{h}</th>' for h, c in (
        ("Nr", 1), ("Konto", 0), ("Plattform", 0), ("Inlägg", 1), ("Kommentarer", 1),
        ("Besvarade frågor", 1), ("Följare", 1), ("Borttagna", 1)))
    assert f"<thead><tr>{heads}</tr></thead>" in html
    # Right-aligned numbers with a no-break space between thousands (14\u00a0287).
    assert ("<tr><td class=\"num\">2</td><td>Älvdalen</td><td>X</td><td class=\"num\">12</td>"
            "<td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">14\u00a0287</td>"
            "<td class=\"num\">0</td></tr>") in html
    assert ".num { text-align: right;" in html and "border: 1px solid" in html
    assert ('<p>Torsby kommun, organisationsnummer 212000-1769. Kalenderåret 2026. Framtagen '
            '<time datetime="2027-01-05T08:00:00+00:00">2027-01-05</time>.</p>') in html
    for term in ("Besvarade frågor", "Borttagna", "Följare"):
        assert f"<dt>{term}</dt><dd>" in html


def test_report_followers_are_the_years_last_snapshot_and_removals_count_in_their_year(
        arc: Cli, items: dict[str, int]) -> None:
    from archiver.catalogue.models import Snapshot

    archive = open_archive(Home(arc.home), now=NOW, actor="test")
    try:
        with archive.transaction() as session:
            for at, followers in ((dt.datetime(2026, 3, 1, tzinfo=UTC), 14000),
                                  (dt.datetime(2026, 12, 31, 22, 59, tzinfo=UTC), 14287),  # 23:59 in Stockholm
                                  (dt.datetime(2026, 12, 31, 23, 1, tzinfo=UTC), 15000),   # 2027 there
                                  (dt.datetime(2026, 11, 1, tzinfo=UTC), None)):
                session.add(Snapshot(account_id=1, trigger="adhoc", reason="r", url="u", captured_at=at,
                                     engine_version="e", items_seen=0, followers=followers, complete=True,
                                     captured_by="test"))
    finally:
        archive.close()
    arc.ok("items", "mark", str(items["c3"]), "--removed", "--category", "reklam", "--now", "2027-01-02")
    (row,) = arc.json("report", "--year", "2026")["accounts"]
    assert (row["followers"], row["removed"]) == (14287, 0)
    (next_year,) = arc.json("report", "--year", "2027", "--now", "2028-01-15")["accounts"]
    assert (next_year["followers"], next_year["removed"], next_year["posts"]) == (15000, 1, 0)


def test_show_gives_the_whole_record_masked_unless_asked(arc: Cli, items: dict[str, int]) -> None:
    c1 = items["c1"]
    masked_text = "När plogas Kyrkvägen? Ring mig på 070-*** ** **"
    clear_text = "När plogas Kyrkvägen? Ring mig på 070-123 45 67"
    record = arc.json("items", "show", str(c1))
    assert record == {
        "id": c1, "account": 1, "platform_id": "c1", "kind": "comment", "parent": "p1",
        "author": "Medborgare 5", "author_handle": "medborgare5", "own": False,
        "created": "2026-03-02T10:00:00+00:00", "edited": None, "text": masked_text, "url": None,
        "flags": ["phone"], "marks": [], "removed_from_platform": False, "deleted_on_platform": False,
        "content_purged": False, "masked": True,
        "versions": [{"seq": 1, "source": "test", "seen": "2026-07-01T08:00:00+00:00", "text": masked_text}],
        "sources": [{"snapshot": None, "import": None, "seen": "2026-07-01T08:00:00+00:00"}],
        "flag_spans": [{"kind": "phone", "start": 34, "end": 47, "detail": "mobile", "match": "070-*** ** **"}],
        "media": [], "thread": None, "recipients": [], "culled": None,
    }
    clear = arc.json("items", "show", str(c1), "--unmasked")
    assert clear["text"] == clear_text and clear["versions"][0]["text"] == clear_text
    assert clear["flag_spans"][0]["match"] == "070-123 45 67"
    text = arc.ok("items", "show", str(c1)).stdout.splitlines()
    assert text == [
        f"id:        {c1}", "account:   1", "platform_id: c1", "kind:      comment", "parent:    p1",
        "thread:    -", "author:    Medborgare 5 (@medborgare5), not the account",
        "created:   2026-03-02 11:00:00 CET", "edited:    -", "url:       -",
        f"text:      {masked_text}",
        "masking:   * hides a digit or letter of a personnummer, samordningsnummer, phone, e-mail or "
        "address; [hälsa] and [soc] stand for health and social-services words; --unmasked shows the "
        "text in clear",
        f"version 1 (test, 2026-07-01): {masked_text}",
        "flag:      phone 070-*** ** ** mobile",
        "source:    other, 2026-07-01",
        "deleted by the account on the platform (per its export): no",
        "missing from the platform at a later complete capture: no"]
    assert "070-123" not in arc.ok("items", "list").stdout


# A second account. 2026 in Stockholm: posts k1 (at the very first instant of the year) = 1;
# comments and replies k2 k3 k4 k5 k8 k9 k10 k11 k15 k16 = 10 (messages are not comments); questions
# answered by the account: k4 (a reply) and k6 (a message) = 2 -- k2 asks nothing, k8 is the
# account's own, k10 was answered by another visitor. k12 is the first instant of 2027.
SECOND = [
    ("k1", "post", None, True, dt.datetime(2025, 12, 31, 23, 0, tzinfo=UTC), "Kulturåret börjar nu"),
    ("k2", "comment", "k1", False, dt.datetime(2026, 2, 1, 9, tzinfo=UTC), "Bra jobbat"),
    ("k3", "reply", "k2", True, dt.datetime(2026, 2, 1, 10, tzinfo=UTC), "Tack!"),
    ("k4", "reply", "k2", False, dt.datetime(2026, 2, 1, 11, tzinfo=UTC), "Och när är nästa?"),
    ("k5", "reply", "k4", True, dt.datetime(2026, 2, 1, 12, tzinfo=UTC), "I maj."),
    ("k6", "message", None, False, dt.datetime(2026, 2, 2, 9, tzinfo=UTC), "Öppet i dag?"),
    ("k7", "message", "k6", True, dt.datetime(2026, 2, 2, 10, tzinfo=UTC), "Ja, till 16."),
    ("k8", "comment", "k1", True, dt.datetime(2026, 2, 3, 9, tzinfo=UTC), "Frågor?"),
    ("k9", "reply", "k8", False, dt.datetime(2026, 2, 3, 10, tzinfo=UTC), "Nej"),
    ("k10", "comment", "k1", False, dt.datetime(2026, 2, 4, 9, tzinfo=UTC), "Vem ansvarar?"),
    ("k11", "reply", "k10", False, dt.datetime(2026, 2, 4, 10, tzinfo=UTC), "Kulturchefen, tror jag."),
    ("k12", "post", None, True, dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "Gott nytt 2027"),
    ("k15", "reply", "k8", True, dt.datetime(2026, 2, 3, 11, tzinfo=UTC), "Skriv gärna!"),  # own answers own
    ("k16", "reply", "k4", True, dt.datetime(2026, 2, 1, 13, tzinfo=UTC), "Den 12 maj."),  # k4 answered twice
]


def records(rows: list[tuple[str, str, str | None, bool, dt.datetime, str]], handle: str) -> list[ImportedItem]:
    """(platform id, kind, parent, own, created, text) rows as records: the account's own
    under *handle*, the rest a visitor's."""
    return [ImportedItem(platform_id=pid, kind=kind, parent_id=parent, author_handle=handle if own else "besokare",
                         author_name=None, is_own=own, created=created, edited=None, text=text, url=None)
            for pid, kind, parent, own, created, text in rows]


def test_report_keeps_accounts_apart_and_counts_at_the_year_edges(arc: Cli, items: dict[str, int]) -> None:
    from archiver.catalogue.models import Snapshot

    add_account(arc, "Kultur", "instagram", "https://www.instagram.com/kultur")
    archive = open_archive(Home(arc.home), now=NOW, actor="test")
    try:
        with archive.transaction() as session:
            Ingest(session, account_id=2, now=NOW, source="test", screen=Screen()).run(records(SECOND, "kultur"))
            for at, followers in ((dt.datetime(2025, 12, 31, 23, 0, tzinfo=UTC), 500),
                                  (dt.datetime(2026, 6, 1, tzinfo=UTC), None),  # newer, but no count
                                  (dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC), 900)):
                session.add(Snapshot(account_id=2, trigger="adhoc", reason="r", url="u", captured_at=at,
                                     engine_version="e", items_seen=0, followers=followers, complete=True,
                                     captured_by="test"))
    finally:
        archive.close()
    ids = {i["platform_id"]: i["id"] for i in arc.json("items", "list", "--account", "2", "--limit", "100")}
    k10 = ids["k10"]
    arc.ok("items", "mark", str(ids["k4"]), "--led-to-case", "KN 2026/4")  # k4: a case, not a removal
    # Marked at the very last second of 2026 in Stockholm (23:59:59 local): a 2026 removal,
    # not a 2027 one. (The audit log never goes back in time, so the edge is the year's end.)
    arc.ok("items", "mark", str(k10), "--removed", "--category", "reklam", "--now", "2026-12-31T22:59:59Z")
    rows = {r["account"]: r for r in arc.json("report", "--year", "2026")["accounts"]}
    assert rows[1] == {"account": 1, "name": "Torsby kommun", "platform": "facebook", "posts": 3, "comments": 4,
                       "questions_answered": 1, "followers": None, "removed": 0}
    assert rows[2] == {"account": 2, "name": "Kultur", "platform": "instagram", "posts": 1, "comments": 10,
                       "questions_answered": 2, "followers": 500, "removed": 1}
    (y2027,) = [r for r in arc.json("report", "--year", "2027", "--now", "2028-01-15")["accounts"]
              if r["account"] == 2]
    assert y2027 == {"account": 2, "name": "Kultur", "platform": "instagram", "posts": 1, "comments": 0,
                     "questions_answered": 0, "followers": 900, "removed": 0}
    (y2028,) = [r for r in arc.json("report", "--year", "2028", "--now", "2029-01-15")["accounts"] if r["account"] == 2]
    assert (y2028["posts"], y2028["questions_answered"], y2028["followers"]) == (0, 0, None)


# Accounts 2-4 beside the items of account 1. Account 2 opens on 1 January 2027 with nothing in
# 2026: no 2026 row. Account 3 opens on 31 December 2026 with nothing yet: a 2026 row of zeros.
# Account 4 (same platform ids as account 1, another platform) answers "c2", which in account 1 is
# still unanswered, and answers a visitor's post: a post is not a comment, so no question counted.
OTHER = [
    ("v1", "post", None, False, dt.datetime(2026, 4, 1, 9, tzinfo=UTC), "Får man grilla på stranden?"),
    ("v2", "reply", "v1", True, dt.datetime(2026, 4, 1, 10, tzinfo=UTC), "Ja, på grillplatsen."),
    ("a2", "reply", "c2", True, dt.datetime(2026, 4, 2, 10, tzinfo=UTC), "Svar i fel konto."),
]


def test_report_rows_follow_the_opening_date_and_questions_stay_in_their_account(
        arc: Cli, items: dict[str, int]) -> None:
    # Registered in 2027 (a date in the future is refused), opened on its first day.
    add_account(arc, "Framtid", "facebook", "https://www.facebook.com/framtid", "--opened", "2027-01-01",
                "--now", "2027-01-02T09:00:00Z")
    add_account(arc, "Nyårskonto", "facebook", "https://www.facebook.com/nyar", "--opened", "2026-12-31",
                "--now", "2027-01-02T09:00:00Z")
    add_account(arc, "Ungdom", "instagram", "https://www.instagram.com/ungdom", "--opened", "2026-01-01",
                "--now", "2027-01-02T09:00:00Z")
    archive = open_archive(Home(arc.home), now=NOW, actor="test")
    try:
        with archive.transaction() as session:
            Ingest(session, account_id=4, now=NOW, source="test", screen=Screen()).run(records(OTHER, "ungdom"))
    finally:
        archive.close()
    rows = {r["account"]: r for r in arc.json("report", "--year", "2026")["accounts"]}
    assert sorted(rows) == [1, 3, 4]
    assert rows[1]["questions_answered"] == 1  # c1 only; c2's answer is account 4's
    assert rows[3] == {"account": 3, "name": "Nyårskonto", "platform": "facebook", "posts": 0, "comments": 0,
                       "questions_answered": 0, "followers": None, "removed": 0}
    assert (rows[4]["posts"], rows[4]["comments"], rows[4]["questions_answered"]) == (1, 2, 0)
    assert sorted(r["account"] for r in arc.json("report", "--year", "2027", "--now", "2028-01-02T09:00:00Z")
                  ["accounts"]) == [1, 2, 3, 4]


def test_removals_count_from_the_years_first_instant_up_to_the_next_years(
        arc: Cli, items: dict[str, int]) -> None:
    # 23:00 UTC on 31 December is midnight in Stockholm: c3's removal is 2027's first instant,
    # c1's is 2028's first instant, so 2027 counts one removal and 2026 none.
    arc.ok("items", "mark", str(items["c3"]), "--removed", "--category", "reklam", "--now", "2026-12-31T23:00:00Z")
    arc.ok("items", "mark", str(items["c1"]), "--removed", "--category", "reklam", "--now", "2027-12-31T23:00:00Z")
    removed = {year: arc.json("report", "--year", year, "--now", "2029-01-02T09:00:00Z")["accounts"][0]["removed"]
               for year in ("2026", "2027", "2028")}
    assert removed == {"2026": 0, "2027": 1, "2028": 1}


def test_show_of_a_missing_item_names_the_fix(arc: Cli, items: dict[str, int]) -> None:
    result = arc("items", "show", "999")
    assert result.exit_code == ExitCode.not_found
    assert result.stderr == "Error: item 999 does not exist; find items with: archive items list\n"


def test_listing_is_newest_first_and_same_time_items_newest_id_first(arc: Cli, items: dict[str, int]) -> None:
    by_id = {v: k for k, v in items.items()}
    # p3 is the first item inserted but the seventh newest (00:30 on New Year's Day in Stockholm)
    assert [by_id[i["id"]] for i in arc.json("items", "list")] == [
        "c3", "p2", "c2", "r1", "c1", "p1", "p3", "r0", "c4", "p0"]
    add_account(arc, "Kultur", "instagram", "https://www.instagram.com/kultur")
    same = dt.datetime(2026, 4, 1, 9, tzinfo=UTC)
    archive = open_archive(Home(arc.home), now=NOW, actor="test")
    try:
        with archive.transaction() as session:
            Ingest(session, account_id=2, now=NOW, source="test", screen=Screen()).run(
                ImportedItem(platform_id=pid, kind="comment", parent_id=None, author_handle="besokare",
                             author_name=None, is_own=False, created=same, edited=None, text=text, url=None)
                for pid, text in (("s1", "Först inläst"), ("s2", "Sist inläst")))
    finally:
        archive.close()
    assert [i["text"] for i in arc.json("items", "list", "--account", "2")] == ["Sist inläst", "Först inläst"]


def test_show_of_an_edited_message_gives_its_latest_flags_recipients_and_marks(arc: Cli) -> None:
    add_account(arc)
    sent = dt.datetime(2026, 2, 1, 9, tzinfo=UTC)

    def message(text: str, edited: dt.datetime | None) -> ImportedItem:
        return ImportedItem(platform_id="m1", kind="message", parent_id=None, author_handle="besokare",
                            author_name="Besökare", is_own=False, created=sent, edited=edited, text=text,
                            url=None, thread_id="t1", recipients=("torsbykommun", "kultur"))

    for n, (text, edited) in enumerate((("Ring mig på 070-123 45 67", None),
                                        ("Skriv till anna@example.se i stället", dt.datetime(2026, 2, 2, tzinfo=UTC)))):
        archive = open_archive(Home(arc.home), now=NOW + dt.timedelta(minutes=n), actor="test")
        try:
            with archive.transaction() as session:
                ingest = Ingest(session, account_id=1, now=archive.now, source="test", screen=Screen())
                ingest.run([message(text, edited)])
        finally:
            archive.close()
    (item,) = arc.json("items", "list")
    assert set(item) == {"id", "account", "platform_id", "kind", "parent", "thread", "recipients", "author",
                         "author_handle", "own", "created", "text", "url", "flags", "marks",
                         "removed_from_platform", "deleted_on_platform", "content_purged",
                         "masked"}  # a listing is short
    arc.ok("items", "mark", str(item["id"]), "--removed", "--category", "reklam")
    arc.ok("items", "mark", str(item["id"]), "--led-to-case", "KS 2026/12")
    rec = arc.json("items", "show", str(item["id"]))
    assert rec["recipients"] == ["torsbykommun", "kultur"]
    assert (rec["created"], rec["edited"]) == ("2026-02-01T09:00:00+00:00", "2026-02-02T00:00:00+00:00")
    assert rec["text"] == "Skriv till a***@example.se i stället"
    assert [(f["kind"], f["match"]) for f in rec["flag_spans"]] == [("email", "a***@example.se")]
    assert [v["text"] for v in rec["versions"]] == ["Ring mig på 070-*** ** **", "Skriv till a***@example.se i stället"]
    assert [(m["kind"], m["case_ref"], m["category"]) for m in rec["marks"]] == [
        ("removed", None, "reklam"), ("led-to-case", "KS 2026/12", None)]
    arc.ok("items", "mark", str(item["id"]), "--confidential", "--law", "OSL 21 kap. 1 §",
           "--note", "Uppgift om hälsa", "--by", "per")
    assert rec_marks(arc, item["id"])[-1] == {
        "kind": "confidential", "case_ref": None, "category": None, "police_report": None,
        "law": "OSL 21 kap. 1 §", "note": "Uppgift om hälsa", "by": "per", "at": "2026-07-01T08:00:00+00:00"}
    archive = open_archive(Home(arc.home), now=NOW + dt.timedelta(minutes=5), actor="test")
    try:
        with archive.transaction() as session:
            Ingest(session, account_id=1, now=archive.now, source="test", screen=Screen()).run(
                [ImportedItem(platform_id="m2", kind="message", parent_id=None, author_handle="besokare",
                              author_name=None, is_own=False, created=None, edited=None, text="Hej", url=None)])
    finally:
        archive.close()
    undated = [i for i in arc.json("items", "list") if i["platform_id"] == "m2"]
    assert [(i["created"], i["recipients"]) for i in undated] == [(None, [])]


def rec_marks(arc: Cli, item_id: int) -> list[dict[str, Any]]:
    marks: list[dict[str, Any]] = arc.json("items", "show", str(item_id))["marks"]
    return marks
