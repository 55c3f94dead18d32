"""``archive demo``: the main job end to end on the built-in fixture platform.

Creates an archive home, registers three fixture accounts (Facebook-, Instagram-
and X-style pages served on 127.0.0.1), runs the unattended half-year capture,
imports a sample Facebook export, writes the public register, and ends with a delivery
package for the e-archive (FGS 2.0), validated (against the official schemas when at hand). Everything is
real: real Chromium, real PDF/A, real catalogue; only the social platform is local,
and the clock: the home is made with a simulated clock set to DEMO_NOW, so every
record in it says "simulated clock".
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.accounts import publish, register
from archiver.capture import runs
from archiver.catalogue.models import Item
from archiver.errors import ConfigError
from archiver.home.archive import Archive, init_archive
from archiver.home.config import Home
from archiver.home.files import atomic_write_text
from archiver.items import search
from archiver.items.importer import ImportReport, import_export
from archiver.packages.content import parse_period
from archiver.packages.delivery import build_delivery
from archiver.packages.retention_records import disposal_source
from archiver.packages.schemaset import SchemaSet
from archiver.packages.validator import validate_package
from archiver.pdf.document import print_document
from fixtures.exports.generate import generate_facebook_export
from fixtures.platform import FixturePlatform
from retention import culling, review
from retention.policy import Mandate, default_policy_text, load_policy, policy_path, write_mandate

MARKER = ".bevara-demo"
DEMO_NOW = dt.datetime(2026, 7, 1, 6, 0, tzinfo=dt.UTC)
"""The fixture platform's content is generated around this instant, just after midsummer's boundary."""
DEMO_TIMEZONE = "Europe/Stockholm"
FLAGGED_SHOWN = 5
"""Flagged items the demo prints at the end, newest first."""

ACCOUNTS = (
    ("Torsby kommun", "facebook", "torsbykommun", "Kommunikationsenheten",
     "Information och dialog med invånare"),
    ("Torsby bibliotek", "instagram", "torsbybibliotek", "Kultur och fritid",
     "Evenemang och boktips"),
    ("Torsby kommun på X", "x", "torsbykommun", "Kommunikationsenheten", "Nyheter och driftinfo"),
)
ADMINS = ("Anna Berg <anna.berg@torsby.se>", "Per Lind <per.lind@torsby.se>")


@dataclass
class DemoResult:
    home: Path
    register_html: Path
    outcomes: list[runs.Outcome] = field(default_factory=list)
    imported: ImportReport | None = None
    flagged: list[dict[str, Any]] = field(default_factory=list)  # masked, newest first
    review: dict[str, Any] | None = None  # the retention review's groups and excluded counts
    dry_run: dict[str, Any] | None = None  # what apply would cull, culling nothing
    package: dict[str, Any] | None = None  # the delivery package and its validation, or why not


def prepare_home(root: Path, fresh: bool) -> Home:
    """Use a new folder, or with ``fresh`` wipe a previous *demo* home (never anything else)."""
    if root.exists() and any(root.iterdir()):
        if not fresh:
            raise ConfigError(f"{root} is not empty; give a new folder or --fresh to replace a previous demo")
        if not (root / MARKER).exists():
            raise ConfigError(f"{root} is not a demo home (no {MARKER}); refusing to delete it")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("created by archive demo\n")
    return Home(root.resolve())


DEMO_MANDATE = Mandate("Kommunstyrelsen (demo)", dt.date(2024, 3, 12), "§ 45", "KS 2024/123")


def demo_retention(archive: Archive) -> tuple[dict[str, Any], dict[str, Any]]:
    """Enter a demo mandate, review, approve every group and show what apply would cull.

    It stops at the dry run: the demo never culls, so every step can be repeated by hand.
    """
    write_mandate(policy_path(archive.home), None, DEMO_MANDATE)
    policy = load_policy(policy_path(archive.home))
    with archive.transaction() as session:
        review_id = review.run_review(archive, session, policy, as_of=archive.now)
    with archive.transaction() as session:
        report = review.review_report(session, review_id, archive.settings.tz, items=False)
        if report["groups"]:
            review.decide(archive, session, policy, review_id,
                          review.Decision("approve", "Demo: enkel karaktär, ingen åtgärd", everything=True))
    return report, culling.apply_review(archive, review_id, execute=False).as_dict()


def seen_in(item: Item) -> list[str]:
    """Where the demo's catalogue got an item: "export N" (the sample Facebook export) and/or
    "snapshot N" (a capture), so the reader sees that both routes flag sensitive data."""
    return [f"snapshot {s.snapshot_id}" if s.snapshot_id is not None else f"export {s.import_id}"
            for s in item.sources]


def run_demo(root: Path, *, fresh: bool, actor: str, progress: Callable[[str], None],
             posts: int = 40, schema_dir: Path | None = None) -> DemoResult:
    home = prepare_home(root, fresh)
    archive = init_archive(home, org_name="Torsby kommun (demo)", org_id="212000-1769",
                           timezone=DEMO_TIMEZONE, now=DEMO_NOW, actor=actor,
                           simulated_clock=True, policy_text=default_policy_text(),
                           force=True)  # prepare_home checked the folder and left only its marker
    try:
        with FixturePlatform(seed=2026, now=DEMO_NOW) as fp:
            progress(f"fixture platform on {fp.base_url}")
            ids = []
            with archive.transaction() as session:
                for name, style, handle, unit, purpose in ACCOUNTS:
                    outcome = register.add_account(archive, session, register.AccountFields(
                        name=name, platform=style, url=fp.account_url(style, handle, posts=posts),
                        unit=unit, purpose=purpose, admins=ADMINS, opened=dt.date(2019, 3, 1)))
                    ids.append(outcome.account.id)
            with archive.transaction() as session:
                jobs = runs.due_jobs(session, archive.now, archive.settings.tz, archive.clock())
            outcomes = runs.run(archive, jobs, progress=progress)
        export = home.tmp_dir / "facebook-export.zip"
        generate_facebook_export(export, items=60, seed=2026, owner="Torsby kommun",
                                 sensitive_every=4)
        progress("importing a sample Facebook export")
        imported = import_export(archive, ids[0], export, "facebook")
        export.unlink()
        with archive.transaction() as session:
            html = publish.render_html(register.list_accounts(session, include_closed=True),
                                        org_name=archive.settings.org_name, generated=archive.now)
            flagged = [{**search.item_record(i), "seen_in": seen_in(i)} for i in search.find(
                session, search.ItemFilter(flag="any", limit=FLAGGED_SHOWN))]
        register_html = home.root / "register.html"
        atomic_write_text(register_html, html)
        progress("retention review with a demo gallringsbeslut, then a dry-run apply")
        reviewed, dry = demo_retention(archive)
        package = deliver(archive, schema_dir, progress)
        return DemoResult(home.root, register_html, outcomes, imported, flagged, review=reviewed,
                          dry_run=dry, package=package)
    finally:
        archive.close()


def deliver(archive: Archive, schema_dir: Path | None, progress: Callable[[str], None]) -> dict[str, Any]:
    """The half-year's delivery package, validated.

    A fresh machine has no official schemas (they are not ours to ship), so the demo builds
    and checks by the CSIP/SIP rules alone and names the schemas it could not use, rather
    than end without a package; ``archive package`` itself refuses without them.
    """
    schemas = SchemaSet.from_settings(schema_dir, missing_ok=True)
    progress("writing the delivery package for 2026H1")
    out = archive.home.root / "packages" / "delivery-2026H1.zip"
    made = build_delivery(archive, parse_period("2026H1"), out, account_id=None, profile="fgs2", schemas=schemas,
                          disposal=disposal_source(), render=print_document)
    report = validate_package(out, schemas, "fgs2")
    made["schemas_missing"] = schemas.missing("mets", "xlink", "csip", "sip", "erms", "premis")
    return {**made, "valid": report.ok, "findings": [f.as_dict() for f in report.findings]}
