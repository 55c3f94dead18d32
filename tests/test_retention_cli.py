"""The records officer's commands end to end: policy, holds, review, decide, apply, protocol."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from conftest import Cli
from lxml import etree
from retention_fixtures import Spec, add_account, add_items
from sqlalchemy import func, select

from archiver.catalogue.models import Item, ItemVersion
from archiver.home.archive import open_archive
from archiver.home.config import Home
from archiver.pdf.pdfa import validate_pdfa
from retention.protocol import schema

MANDATE = ("--body", "Kommunstyrelsen", "--date", "2024-03-12", "--section", "§ 45", "--dnr", "KS 2024/123")
NOW = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)


def seed(arc: Cli) -> dict[str, int]:
    archive = open_archive(Home(arc.home), now=NOW, actor="anna")
    try:
        acc = add_account(archive)
        ids = add_items(archive, acc, [
            Spec(text="Tack för informationen", media=b"bild-1"),      # culled, media deleted
            Spec(kind="post", own=True, platform_id="P1", text="Badet öppnar"),  # context of a kept reply
            Spec(kind="reply", parent="P1", flagged=True, text="070-123 45 67"),  # flagged, kept
            Spec(mark="led-to-case", text="Jag vill överklaga"),
            Spec(created=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)),         # too young
            Spec(kind="message", text="Hej"),                             # no rule
            Spec(text="Gilla!", media=b"bild-2", in_snapshot=True),       # culled, media kept by snapshot
        ])
    finally:
        archive.close()
    return {"plain": ids[0], "post": ids[1], "flagged": ids[2], "case": ids[3], "young": ids[4],
            "message": ids[5], "shown": ids[6], "account": acc}


def test_init_writes_the_commented_default_policy(arc: Cli) -> None:
    text = (arc.home / "policy" / "policy.toml").read_text()
    assert "Gallringsplan för sociala medier" in text and "Retention policy for social media" in text
    result = arc("retention", "policy", "check")
    assert result.exit_code == 0
    assert "rule skrappost culls but has no mandate" in result.stderr
    assert result.stdout == f"Policy {arc.home / 'policy' / 'policy.toml'}: 9 rules, 4 warnings.\n"


def test_policy_check_lists_every_error_with_its_line(arc: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\n\n[[rule]]\nid = "a"\nhandlingstyp = "X"\nklassa = "2.9"\naction = "radera"\n'
                   '\n[[rule]]\nid = "a"\nhandlingstyp = "Y"\nklassa = "two"\naction = "gallras"\n'
                   'frist = "snart"\n[rule.match]\nkind = ["snapshot"]\n')
    result = arc("retention", "policy", "check", "--policy", str(bad))
    assert result.exit_code == 65
    assert result.stderr == (
        f"Error: {bad}: line 7: rule a action must be one of bevaras, gallras, diarieförs; "
        "line 10: rule id 'a' is used twice; line 12: klassa 'two' is not a Klassa code like 2.9.2; "
        "line 14: frist 'snart' is not one of \"vid inaktualitet\", \"N år efter årets utgång\", "
        "\"omedelbart\", \"efter stängt konto\", \"efter avslutat ärende\"; "
        "line 16: rule a culls snapshots; snapshots are always kept (bevaras)\n")
    bad.write_text("version = 1\n[[rule]\n")
    result = arc("retention", "policy", "check", "--policy", str(bad))
    assert result.exit_code == 65 and "line 2" in result.stderr


def test_mandate_is_written_keeping_the_comments(arc: Cli) -> None:
    path = arc.home / "policy" / "policy.toml"
    before = path.read_text()
    data = arc.json("retention", "policy", "mandate", "skrappost", *MANDATE)
    assert data == {"rules": ["skrappost"], "mandate": "Kommunstyrelsen 2024-03-12 § 45, dnr KS 2024/123"}
    after = path.read_text()
    comments = [ln for ln in before.splitlines() if ln.startswith("#")]
    assert comments == [ln for ln in after.splitlines() if ln.startswith("#")]
    assert len(arc("retention", "policy", "check").stderr.splitlines()) == 3
    result = arc("retention", "policy", "mandate", "ogonblicksbild", *MANDATE)
    assert result.exit_code == 65
    assert result.stderr == ("Error: rule ogonblicksbild does not cull (action is not gallras); "
                             "a mandate only goes on culling rules\n")
    assert arc("retention", "policy", "mandate", "nosuch", *MANDATE).exit_code == 66


def test_review_without_mandates_excludes_with_no_mandate(arc: Cli) -> None:
    ids = seed(arc)
    data = arc.json("retention", "review")
    assert data["candidates"] == [] and data["groups"] == []
    reasons = {e["item"]: e["reason"] for e in data["excluded"]}
    assert reasons[ids["plain"]] == "no-mandate"
    assert reasons[ids["flagged"]] == "flagged" and reasons[ids["case"]] == "case"
    assert reasons[ids["message"]] == "no-rule"


def test_the_whole_round(arc: Cli, tmp_path: Path, pdf_text) -> None:
    ids = seed(arc)
    arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
    data = arc.json("retention", "review")
    assert data["review"] == 1
    reasons = {e["item"]: e["reason"] for e in data["excluded"]}
    assert reasons == {ids["post"]: "context", ids["flagged"]: "flagged", ids["case"]: "case",
                       ids["young"]: "too-young", ids["message"]: "no-rule"}
    assert [(c["item"], c["rule"], c["action"]) for c in data["candidates"]] == [
        (ids["plain"], "for-kannedom", "gallras"), (ids["shown"], "for-kannedom", "gallras")]
    assert data["groups"][0] | {"mandate": None} == {
        "group": "G1", "rule": "for-kannedom", "handlingstyp": "Kommentarer och inlägg för kännedom",
        "klassa": "2.9.2", "account": ids["account"], "period": "2025-H1", "count": 2, "from": "2025-03-01",
        "to": "2025-03-01", "mandate": None}
    table = arc.ok("retention", "review", "show", "1").stdout
    assert "G1     for-kannedom         1 2025-H1        2  2025-03-01 – 2025-03-01" in table
    assert "  excluded context: 1" in table

    result = arc("retention", "decide", "1", "approve", "--all", "--why", "Enkel karaktär")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Review 1: approve on 2 items.\n"
    dry = arc.json("retention", "apply", "1")
    assert dry == {"review": 1, "dry_run": True, "would_cull": 2, "items": [ids["plain"], ids["shown"]],
                   "skipped": []}
    # A hold placed after approval saves the item at execution.
    hold = arc.json("retention", "holds", "add", "--reason", "Begäran om utlämnande, dnr KS 2026/45",
                    "--item", str(ids["shown"]))
    assert hold == {"hold": 1, "items": 1}
    out = arc.json("retention", "apply", "1", "--execute", "--by", "per")
    assert out["culled"] == 1 and out["protocol"] == 1
    assert out["skipped"] == [{"item": ids["shown"], "reason": "hold"}]
    assert [f["role"] for f in out["files"]] == ["pdf", "csv", "xml"]
    again = arc.json("retention", "apply", "1", "--execute")
    assert again == out

    archive = open_archive(Home(arc.home), now=NOW, actor="t")
    with archive.transaction() as s:
        culled = s.get(Item, ids["plain"])
        assert culled is not None and culled.text == "" and culled.content_purged and culled.author_name is None
        assert s.scalar(select(func.count()).select_from(ItemVersion).where(ItemVersion.item_id == ids["plain"])) == 0
    media = {f"bild-{n}": archive.store.path_for(__import__("hashlib").sha256(f"bild-{n}".encode()).hexdigest())
             for n in (1, 2)}
    archive.close()
    assert not media["bild-1"].exists() and media["bild-2"].exists()

    shown = arc.json("items", "show", str(ids["plain"]))
    assert shown["culled"]["protocol"] == 1 and shown["culled"]["rule"] == "for-kannedom"
    assert shown["text"] == ""
    text = arc.ok("items", "show", str(ids["plain"])).stdout
    assert "culled:    2026-07-01 under rule for-kannedom, review 1, protocol 1" in text

    folder = tmp_path / "export"
    files = arc.json("retention", "protocols", "export", "1", "-o", str(folder))["files"]
    assert [Path(f).name for f in files] == ["gallringsprotokoll-1.pdf", "gallringsprotokoll-1.csv",
                                             "gallringsprotokoll-1.xml"]
    xml = etree.parse(str(folder / "gallringsprotokoll-1.xml"))
    assert schema().validate(xml)
    ns = {"g": "urn:bevara:gallringsprotokoll:1"}
    assert xml.findtext("g:antal", namespaces=ns) == "1"
    assert xml.findtext("g:regel/g:gallringsbeslut/g:diarienummer", namespaces=ns) == "KS 2024/123"
    assert xml.findtext("g:verkstalldAv", namespaces=ns) == "per"
    assert [p.get("id") for p in xml.findall("g:poster/g:post", ns)] == [str(ids["plain"])]
    rows = list(csv.reader(io.StringIO((folder / "gallringsprotokoll-1.csv").read_text())))
    assert rows[1][:4] == ["1", str(ids["plain"]), "gallrad", ""]
    assert rows[2][:4] == ["1", str(ids["shown"]), "överhoppad", "hold"]
    validate_pdfa(folder / "gallringsprotokoll-1.pdf")
    pdf = " ".join(pdf_text(folder / "gallringsprotokoll-1.pdf").split())
    assert "Gallringsprotokoll nr 1" in pdf and "KS 2024/123" in pdf and "Verkställd av per" in pdf

    listed = arc.json("retention", "protocols", "list")
    assert [(p["protocol"], p["culled"], p["skipped"], p["status"]) for p in listed] == [(1, 1, 1, "complete")]
    status = arc.json("retention", "status", "--now", "2026-07-02")
    assert status["culled_total"] == 1 and status["open_reviews"] == [] and len(status["active_holds"]) == 1
    assert arc.ok("audit", "verify").stdout.startswith("Audit log intact")
    assert arc("retention", "decide", "1", "approve", "--all", "--why", "x").exit_code == 65


def test_four_eyes_and_decision_errors(arc: Cli) -> None:
    seed(arc)
    cfg = arc.home / "archive.toml"
    cfg.write_text(cfg.read_text().replace("four_eyes = false", "four_eyes = true"))
    arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
    arc.ok("retention", "review", "--by", "anna")
    result = arc("retention", "decide", "1", "approve", "--all", "--why", "ok", "--by", "anna")
    assert result.exit_code == 65
    assert result.stderr == ("Error: four-eyes rule: anna created review 1 and may not approve it; "
                             "another records officer must approve (--by NAME)\n")
    assert arc("retention", "decide", "1", "approve", "--all", "--why", "ok", "--by", "per").exit_code == 0
    result = arc("retention", "decide", "1", "extend", "--group", "G1", "--why", "vänta")
    assert result.exit_code == 65
    assert result.stderr == "Error: extend needs --until DATE after the review's date\n"
    result = arc("retention", "decide", "1", "approve", "--group", "G9", "--why", "x")
    assert result.exit_code == 66
    assert result.stderr == "Error: review 1 has no group G9; see: archive retention review show 1\n"


def test_extend_register_and_hold_decisions_shape_the_next_review(arc: Cli) -> None:
    ids = seed(arc)
    arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
    arc.ok("retention", "review")
    arc.ok("retention", "decide", "1", "extend", "--item", str(ids["plain"]), "--until", "2027-01-01",
           "--why", "Fortfarande aktuell")
    arc.ok("retention", "decide", "1", "register", "--item", str(ids["shown"]), "--why", "Viktig")
    nxt = arc.json("retention", "review")
    reasons = {e["item"]: e["reason"] for e in nxt["excluded"]}
    assert reasons[ids["plain"]] == "too-young" and reasons[ids["shown"]] == "registered"
    later = arc.json("retention", "review", "--as-of", "2027-01-02")
    assert ids["plain"] in [c["item"] for c in later["candidates"]]
    arc.ok("retention", "decide", "3", "hold", "--item", str(ids["plain"]), "--why", "JO-anmälan")
    holds = arc.json("retention", "holds", "list")
    assert [(h["reason"], h["items"]) for h in holds] == [("JO-anmälan", 1)]
    assert arc.json("retention", "holds", "release", "1", "--reason", "Avgjord") == {"hold": 1, "released": True}
    assert arc("retention", "holds", "release", "1", "--reason", "igen").exit_code == 65


def test_holds_by_criteria_cover_items_now_and_later(arc: Cli) -> None:
    ids = seed(arc)
    result = arc("retention", "holds", "add", "--reason", " ")
    assert result.exit_code == 65
    assert result.stderr == ("Error: --reason must say why, e.g. \"Begäran om utlämnande, dnr KS 2026/45\"; "
                             "give what the hold covers: --item ID, --account A, --from/--to DATE or --text Q\n")
    data = arc.json("retention", "holds", "add", "--reason", "Polisanmälan", "--text", "tack")
    assert data == {"hold": 1, "items": 2}  # the plain and the too-young comment
    arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
    review = arc.json("retention", "review")
    assert {"item": ids["plain"], "reason": "hold"} in review["excluded"]
    archive = open_archive(Home(arc.home), now=NOW, actor="t")
    later = add_items(archive, ids["account"], [Spec(text="Tack igen")])[0]
    archive.close()
    assert {"item": later, "reason": "hold"} in arc.json("retention", "review")["excluded"]


def test_review_exports_csv_and_html(arc: Cli, tmp_path: Path) -> None:
    ids = seed(arc)
    arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
    out = tmp_path / "granskning.csv"
    result = arc("retention", "review", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0 and result.stderr == f"Wrote {out}.\n"
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["post", "grupp", "regel", "handlingstyp", "konto", "period", "åtgärd", "beslut", "skäl"]
    assert [str(ids["flagged"]), "", "", "", "", "", "undantas", "", "flaggad"] in rows
    page = arc.ok("retention", "review", "show", "1", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org", "")
    assert "Gallringsgranskning nr 1" in page


@pytest.mark.browser
def test_review_html_opens_in_chromium(arc: Cli, tmp_path: Path) -> None:
    import asyncio

    from archiver.chromium import launch_browser

    seed(arc)
    arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
    page_file = tmp_path / "granskning.html"
    arc.ok("retention", "review", "--format", "html", "-o", str(page_file))
    requests: list[str] = []

    async def look() -> tuple[str, list[str], bytes]:
        async with launch_browser() as browser:
            page = await browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            await page.goto(page_file.as_uri())
            heads = await page.locator("h2").all_inner_texts()
            pdf = await page.pdf(format="A4")
            return await page.title(), heads, pdf

    title, heads, pdf = asyncio.run(look())
    assert title == "Gallringsgranskning 1 – Torsby kommun"
    assert heads == ["Förslag till gallring per grupp", "Undantagna poster per skäl",
                     "Poster föreslagna för gallring", "Undantagna poster"]
    assert requests == [page_file.as_uri()]
    assert pdf.startswith(b"%PDF")


def test_json_review_keys(arc: Cli) -> None:
    seed(arc)
    data = arc.json("retention", "review")
    assert set(data) >= {"review", "groups", "candidates", "excluded"}
    assert json.dumps(data)


@pytest.mark.postgres
def test_review_and_apply_on_postgres(tmp_path: Path) -> None:
    """The driver-level paths (epoch seconds, executemany with tuples) on PostgreSQL."""
    import os
    import uuid

    from conftest import FIXED_NOW, ORG
    from sqlalchemy import create_engine, text

    admin_url = os.environ["BEVARA_TEST_POSTGRES_URL"]
    name = f"bevara_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        arc = Cli(home=tmp_path / "home", env={"ARCHIVE_NOW": FIXED_NOW})
        arc.ok("--db", url, "init", *ORG, "--simulated-clock")
        ids = seed(arc)
        arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
        data = arc.json("retention", "review")
        assert [c["item"] for c in data["candidates"]] == [ids["plain"], ids["shown"]]
        assert {e["item"]: e["reason"] for e in data["excluded"]}[ids["post"]] == "context"
        arc.ok("retention", "decide", "1", "approve", "--all", "--why", "ok")
        out = arc.json("retention", "apply", "1", "--execute")
        assert out["culled"] == 2 and arc.json("items", "show", str(ids["plain"]))["culled"]["protocol"] == 1
        assert arc.json("audit", "verify")["ok"] is True
    finally:
        admin.dispose()
        with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_protocol_xml_is_checked_against_the_schema(arc: Cli, tmp_path: Path) -> None:
    from archiver.errors import IntegrityError
    from retention.protocol import validate_xml

    seed(arc)
    arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
    arc.ok("retention", "review")
    arc.ok("retention", "decide", "1", "approve", "--all", "--why", "ok")
    arc.ok("retention", "apply", "1", "--execute")
    arc.ok("retention", "protocols", "export", "1", "-o", str(tmp_path))
    good = (tmp_path / "gallringsprotokoll-1.xml").read_bytes()
    validate_xml(good)
    with pytest.raises(IntegrityError, match="does not match schemas/gallringsprotokoll.xsd"):
        validate_xml(good.replace(b"<organisationsnummer>212000-1769", b"<organisationsnummer>Torsby"))
    with pytest.raises(IntegrityError, match="sha256"):
        validate_xml(good.replace(b'sha256="', b'sha256="x', 1))


def test_a_culled_item_seen_again_by_an_import_stays_culled(arc: Cli) -> None:
    from archiver.items.imports.model import ImportedItem
    from archiver.items.ingest import Ingest
    from retention.screen import Screen

    ids = seed(arc)
    arc.ok("retention", "policy", "mandate", "--all", *MANDATE)
    arc.ok("retention", "review")
    arc.ok("retention", "decide", "1", "approve", "--all", "--why", "ok")
    arc.ok("retention", "apply", "1", "--execute")
    archive = open_archive(Home(arc.home), now=NOW, actor="t")
    try:
        with archive.transaction() as s:
            item = s.get(Item, ids["plain"])
            assert item is not None
            again = ImportedItem(platform_id=item.platform_id, kind="comment", parent_id=None, author_handle="u",
                                 author_name="Besökare", is_own=False, created=item.created_at, edited=None,
                                 text="Tack för informationen", url=None)
            counts = Ingest(s, account_id=ids["account"], now=NOW, source="import", screen=Screen()).run([again])
            assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
        with archive.transaction() as s:
            item = s.get(Item, ids["plain"])
            assert item is not None and item.text == "" and item.content_purged
            assert s.scalar(select(func.count()).select_from(ItemVersion).where(ItemVersion.item_id == item.id)) == 0
    finally:
        archive.close()
