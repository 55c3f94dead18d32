"""What an archivist reads in records and listings: snapshot.json, Swedish wording, local dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from conftest import Cli, add_account

from archiver.catalogue.models import Snapshot, SnapshotFile
from archiver.home.archive import open_archive
from archiver.home.config import Home
from archiver.home.store import record
from archiver.items.imports.model import ImportedItem, MediaRef
from archiver.items.ingest import Ingest
from retention.screen import Screen

PNG = b"\x89PNG\r\n\x1a\n" + b"bild av snoplogen" * 10


def captured_snapshot(arc: Cli, tmp_path: Path, account: int) -> int:
    """A late boundary snapshot whose capture saw one post with an image, stored through
    the ingest interface as capture.runs stores one (no browser needed)."""
    now = dt.datetime(2026, 7, 3, 10, 15, 30, 123456, tzinfo=dt.UTC)
    image = tmp_path / "snoplog.png"
    image.write_bytes(PNG)
    archive = open_archive(Home(arc.home), now=now, actor="arkivarie")
    try:
        with archive.transaction() as s:
            snap = Snapshot(account_id=account, trigger="due", boundary=dt.date(2026, 7, 1),
                            period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 7, 1),
                            reason="halvårsskifte", url="https://www.facebook.com/torsbykommun",
                            captured_at=now, late_seconds=2 * 86400 + 12 * 3600,
                            engine_version="bevara/test", items_seen=1, followers=None,
                            complete=True, captured_by="arkivarie", clock=archive.clock_label)
            ref = archive.store.put_bytes("<p>Snöröjning</p>".encode(), "text/html")
            record(s, ref, now)
            snap.files.append(SnapshotFile(role="html", name="page.html", sha256=ref.sha256))
            s.add(snap)
            s.flush()
            ingest = Ingest(s, account_id=account, now=now, source=f"snapshot:{snap.id}",
                            screen=Screen(), snapshot_id=snap.id,
                            media=lambda r: archive.store.put_file(image, r.media_type))
            url = "https://cdn.example/bilder/snöplog.png?size=large"
            ingest.run([ImportedItem(
                platform_id="p1", kind="post", parent_id=None, author_handle="torsbykommun",
                author_name="Torsby kommun", is_own=True,
                created=dt.datetime(2026, 6, 20, 9, tzinfo=dt.UTC), edited=None,
                text="Snöröjning i centrum", url=None,
                media=(MediaRef(path=url, media_type="image/png", uri=url),))])
            return snap.id
    finally:
        archive.close()


def test_snapshot_json_names_account_platform_organisation_and_local_time(
        arc: Cli, tmp_path: Path) -> None:
    account = add_account(arc)
    snap = captured_snapshot(arc, tmp_path, account)
    dest = tmp_path / "till-arkivarien"
    files = arc.json("snapshots", "export", str(snap), "-o", str(dest))
    meta = json.loads((dest / "snapshot.json").read_text(encoding="utf-8"))
    assert list(meta)[:9] == ["id", "account", "account_name", "platform", "organisation",
                              "organisationsnummer", "captured_at", "captured_at_local", "timezone"]
    assert (meta["account_name"], meta["platform"], meta["organisation"], meta["organisationsnummer"]) == (
        "Torsby kommun", "Facebook", "Torsby kommun", "212000-1769")
    # Offsets, whole seconds: 10:15:30 UTC is 12:15:30 summer time in Stockholm.
    assert meta["captured_at"] == "2026-07-03T10:15:30+00:00"
    assert meta["captured_at_local"] == "2026-07-03T12:15:30+02:00"
    assert (meta["late_seconds"], meta["late_days"]) == (2 * 86400 + 12 * 3600, 2.5)
    assert meta["reason"] == "halvårsskifte"
    # The media of the items the capture saw travel with it, digests verified.
    sha = hashlib.sha256(PNG).hexdigest()
    media = [f for f in files if f["role"] == "media"]
    assert media == [{"role": "media", "path": str(dest / f"media/1/{sha[:8]}-snöplog.png"),
                      "sha256": sha, "media_type": "image/png"}]
    assert (dest / "media" / "1" / f"{sha[:8]}-snöplog.png").read_bytes() == PNG
    assert meta["exported"] == files


def test_snapshots_show_names_the_account_and_gives_local_time(arc: Cli, tmp_path: Path) -> None:
    snap = captured_snapshot(arc, tmp_path, add_account(arc))
    shown = arc.ok("snapshots", "show", str(snap)).stdout.splitlines()
    assert shown[:7] == [
        "id:           1", "account:      1 Torsby kommun (Facebook)", "trigger:      due",
        "boundary:     2026-07-01", "captured_at:  2026-07-03 12:15:30 CEST (2026-07-03T10:15:30+00:00)",
        "late_seconds: 216000", "late_days:    2.5"]
    record = arc.json("snapshots", "show", str(snap))  # the catalogue's record, UTC
    assert (record["account"], record["captured_at"]) == (1, "2026-07-03T10:15:30+00:00")


def test_register_csv_for_swedish_excel(arc: Cli) -> None:
    add_account(arc)
    add_account(arc, "Torsby på X", "x", "https://x.com/torsbykommun")
    result = arc("accounts", "register", "--format", "csv", "--excel", "--now", "2026-07-01T10:00:00Z")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith("\ufeff".encode())  # UTF-8 with BOM
    lines = result.stdout_bytes.decode("utf-8").lstrip("\ufeff").split("\r\n")
    assert lines[0] == "Konto;Plattform;Länk;Ansvarig enhet;Syfte;Startat;Avslutat"
    assert lines[1].startswith("Torsby kommun;Facebook;https://www.facebook.com/torsbykommun;"
                               "Kommunikationsenheten;Information till invånare;")
    assert lines[2].startswith("Torsby på X;X;https://x.com/torsbykommun;")
    internal = arc.ok("accounts", "register", "--format", "csv", "--excel", "--internal").stdout
    assert internal.splitlines()[0].endswith(
        ";Ansvarig person;Administratörer;Skäl för avslut;Beslut om avslut")
    wrong = arc("accounts", "register", "--excel")
    assert wrong.exit_code == 2
    assert wrong.stderr.splitlines()[-1] == "Error: --excel shapes CSV only; add --format csv"


def test_register_counts_agree_in_number(arc: Cli) -> None:
    add_account(arc)
    assert "1 aktivt konto och inga avslutade konton." in arc.ok("accounts", "register").stdout
    closed = add_account(arc, "Torsby bibliotek", "instagram", "https://www.instagram.com/torsbybibliotek")
    arc.ok("accounts", "close", str(closed), "--reason", "Ersatt", "--decided-by", "Chef",
           "--no-final-snapshot")
    assert "1 aktivt konto och 1 avslutat konto." in arc.ok("accounts", "register").stdout
    add_account(arc, "Torsby på X", "x", "https://x.com/torsbykommun")
    assert "2 aktiva konton och 1 avslutat konto." in arc.ok("accounts", "register").stdout


def test_report_year_must_be_a_real_year_and_json_is_format_json(arc: Cli) -> None:
    add_account(arc)
    for year in ("26", "1999", "2027"):
        result = arc("report", "--year", year, "--now", "2026-07-01T10:00:00Z")
        assert (result.exit_code, result.stdout) == (2, ""), year
        assert result.stderr.splitlines()[-1] == (
            f"Error: Invalid value for '--year': {year} is not a year to report on; give a "
            "four-digit year from 2000 to 2026")
    assert arc.ok("report", "--year", "2026", "--json").stdout == arc.ok(
        "report", "--year", "2026", "--format", "json").stdout
    assert arc.ok("report", "--year", "2026", "--json", "--format", "json").exit_code == 0
    both = arc("report", "--year", "2026", "--json", "--format", "csv")
    assert both.exit_code == 2
    assert both.stderr.splitlines()[-1] == "Error: --json is --format json; give one of --json and --format csv"


@pytest.mark.browser
def test_yearly_report_page_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from archiver.chromium import find_chromium
    from archiver.items.report import YearRow, render

    rows = [YearRow(1, "Torsby kommun", "facebook", 312, 4518, 97, 14287, 23),
            YearRow(2, "Torsby på X", "x", 45, 0, 0, None, 0)]
    page_file = tmp_path / "statistik.html"
    page_file.write_text(render("html", rows, year=2026, org_name="Torsby kommun", org_id="212000-1769",
                                generated=dt.datetime(2027, 1, 5, 8, tzinfo=dt.UTC)), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(find_chromium()), headless=True)
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        page.goto(page_file.as_uri())
        cells = page.locator("tbody tr").first.locator("td")
        assert cells.all_inner_texts() == ["1", "Torsby kommun", "Facebook", "312", "4\u00a0518", "97",
                                           "14\u00a0287", "23"]
        style = cells.nth(4).evaluate("e => [getComputedStyle(e).textAlign, getComputedStyle(e).borderTopStyle]")
        assert style == ["right", "solid"]
        assert page.locator("dl dt").all_inner_texts() == [
            "Inlägg", "Kommentarer", "Besvarade frågor", "Följare", "Borttagna"]
        page.screenshot(path=str(tmp_path / "statistik.png"), full_page=True)
        browser.close()
    assert (tmp_path / "statistik.png").stat().st_size > 20_000


def test_generate_writes_the_sample_exports_and_each_imports(arc: Cli, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from fixtures.exports import generate

    assert generate.main(["-o", str(tmp_path / "prov")]) == 0
    printed = capsys.readouterr().out.splitlines()
    names = ["facebook.zip", "instagram.zip", "x.zip", "linkedin.zip", "youtube.zip"]
    assert printed[:5] == [str(tmp_path / "prov" / n) for n in names]
    assert printed[5].endswith("fixtures/exports/broken/truncated-json.zip")
    for name, url in zip(names, ("https://www.facebook.com/t", "https://www.instagram.com/t",
                                 "https://x.com/t", "https://www.linkedin.com/company/t",
                                 "https://www.youtube.com/@t"), strict=True):
        account = add_account(arc, f"Prov {name}", name.removesuffix(".zip"), url)
        data = arc.json("import", str(account), str(tmp_path / "prov" / name))
        assert data["format"] == name.removesuffix(".zip") and data["new"] > 0, name


def ingest_items(arc: Cli, account: int, items: list[ImportedItem],
                 now: dt.datetime = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)) -> None:
    archive = open_archive(Home(arc.home), now=now, actor="t")
    try:
        with archive.transaction() as s:
            Ingest(s, account_id=account, now=archive.now, source="test", screen=Screen()).run(items)
    finally:
        archive.close()


def post(pid: str, created: dt.datetime, text: str, **kw: object) -> ImportedItem:
    fields: dict[str, object] = dict(platform_id=pid, kind="post", parent_id=None,
                                     author_handle="torsbykommun", author_name="Torsby kommun",
                                     is_own=True, created=created, edited=None, text=text, url=None)
    fields.update(kw)
    return ImportedItem(**fields)  # type: ignore[arg-type]


def test_items_list_dates_are_local_and_name_the_account(arc: Cli) -> None:
    add_account(arc)
    x = add_account(arc, "Torsby på X", "x", "https://x.com/torsbykommun")
    # 22:30 UTC on 18 June is 00:30 on 19 June in Stockholm: a post of the 19th.
    ingest_items(arc, x, [post("late", dt.datetime(2026, 6, 18, 22, 30, tzinfo=dt.UTC), "Midsommarafton")])
    ingest_items(arc, 1, [post("early", dt.datetime(2026, 6, 18, 21, 30, tzinfo=dt.UTC), "Kvällspass")])
    result = arc("items", "list", "--from", "2026-06-19")
    assert result.stdout == "     1  account 2    2026-06-19  post     Torsby kommun: Midsommarafton\n"
    assert result.stderr == "1 item.\n"
    before = arc.ok("items", "list", "--to", "2026-06-19").stdout
    assert before == "     2  account 1    2026-06-18  post     Torsby kommun: Kvällspass\n"


def test_items_show_gives_local_times_and_dates(arc: Cli) -> None:
    """items show agrees with the listing: its times are local with the zone named, its
    dates local dates, though the JSON keeps UTC."""
    add_account(arc)
    # Seen at 22:30 UTC on 30 June, which is already 1 July in Stockholm.
    seen = dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC)
    ingest_items(arc, 1, [post("late", dt.datetime(2026, 6, 18, 22, 30, 15, tzinfo=dt.UTC), "Midsommarafton",
                               edited=dt.datetime(2025, 12, 31, 23, 5, tzinfo=dt.UTC))], now=seen)
    shown = arc.ok("items", "show", "1").stdout.splitlines()
    assert "created:   2026-06-19 00:30:15 CEST" in shown
    assert "edited:    2026-01-01 00:05:00 CET" in shown  # winter time, a new year locally
    assert "version 1 (test, 2026-07-01): Midsommarafton" in shown
    assert "source:    other, 2026-07-01" in shown
    record = arc.json("items", "show", "1")
    assert (record["created"], record["sources"][0]["seen"]) == (
        "2026-06-18T22:30:15+00:00", "2026-06-30T22:30:00+00:00")


def test_items_show_prints_every_field_with_labels_that_do_not_contradict(arc: Cli) -> None:
    x = add_account(arc, "Torsby på X", "x", "https://x.com/torsbykommun")
    at = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
    ingest_items(arc, x, [
        post("own", at, "Ring växeln på 0560-160 00 om snöröjningen."),
        post("dm", at, "Hej, min granne hotar mig. Ring 070-123 45 67", kind="message",
             author_handle="98765", author_name=None, is_own=False, recipients=("1111",)),
    ])
    own, dm = 1, 2
    arc.ok("items", "mark", str(dm), "--removed", "--category", "kränkande personuppgifter",
           "--police-report", "5000-K12345-26", "--note", "Hot mot enskild", "--by", "moderator")
    shown = arc.ok("items", "show", str(dm)).stdout.splitlines()
    record = arc.json("items", "show", str(dm))
    assert "author:    user id 98765, not the account" in shown  # the incoming DM's sender
    assert "to:        1111" in shown
    (mark,) = [line for line in shown if line.startswith("mark:")]
    assert mark == ("mark:      removed by a moderator (category kränkande personuppgifter; "
                    "police report 5000-K12345-26; note Hot mot enskild) by moderator 2026-07-01")
    assert shown[-1] == "missing from the platform at a later complete capture: no"
    assert record["marks"][0]["police_report"] == "5000-K12345-26" and record["marks"][0]["note"] == "Hot mot enskild"
    assert "070-*** ** **" in record["text"] and any(line.startswith("masking:") for line in shown)
    # The listing: the DM's sender, and the municipality's own published post unmasked, flag kept.
    listing = arc.ok("items", "list").stdout.splitlines()
    assert listing[0].startswith(f"{dm:>6}  account {x:<4} 2026-05-04  message  user id 98765: Hej,")
    assert listing[0].endswith("[phone] <removed>")
    assert listing[1] == (f"{own:>6}  account {x:<4} 2026-05-04  post     Torsby kommun: "
                          "Ring växeln på 0560-160 00 om snöröjningen. [phone]")
    assert arc.json("items", "show", str(own))["masked"] is False


def test_a_listing_shows_the_flags_of_the_version_it_shows(arc: Cli) -> None:
    add_account(arc)
    at = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
    visitor = dict(kind="comment", parent_id="p", author_handle="besokare", author_name="Besökare",
                   is_own=False)
    ingest_items(arc, 1, [post("c", at, "Jag bor på Kyrkvägen 3, 685 30 Torsby", **visitor)])
    ingest_items(arc, 1, [post("c", at, "Jag bor i Torsby", **visitor,  # edited: the address is gone
                               edited=dt.datetime(2026, 5, 5, tzinfo=dt.UTC))])
    (item,) = arc.json("items", "list")
    assert (item["text"], item["flags"], item["masked"]) == ("Jag bor i Torsby", [], False)
    assert arc.ok("items", "list").stdout == "     1  account 1    2026-05-04  comment  Besökare: Jag bor i Torsby\n"
    versions = arc.json("items", "show", "1")["versions"]
    assert versions[0]["text"] == "Jag bor på Kyrkvägen *, *** ** Torsby"  # the old version stays masked


def test_report_csv_for_swedish_excel(arc: Cli) -> None:
    add_account(arc, "Torsby på X", "x", "https://x.com/torsbykommun")
    ingest_items(arc, 1, [post("p", dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), "Hej")])
    result = arc("report", "--year", "2026", "--format", "csv", "--excel")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.decode("utf-8") == (
        "\ufeffNr;Konto;Plattform;Inlägg;Kommentarer;Besvarade frågor;Följare;Borttagna\r\n"
        "1;Torsby på X;X;1;0;0;;0\r\n")
    wrong = arc("report", "--year", "2026", "--excel")
    assert (wrong.exit_code, wrong.stderr.splitlines()[-1]) == (
        2, "Error: --excel shapes CSV only; add --format csv")
