"""The delivery package for the e-archive: a half-year of snapshots and items.

FGS 2.0 layout (CSIP STR1–16)::

    <OBJID>/METS.xml
    <OBJID>/metadata/descriptive/erms.xml          CITS ERMS: accounts as aggregations, items as records
    <OBJID>/metadata/preservation/premis.xml       PREMIS: capture, PDF/A conversion, validation, culling
    <OBJID>/representations/rep1/METS.xml
    <OBJID>/representations/rep1/data/account-N/   snapshots/, items.json, items.pdf, media/
    <OBJID>/schemas/                               every schema the XML above uses

``fgs1.2`` writes the same data under FGS Paketstruktur 1.2 (see archiver.packages.fgs12).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from archiver.catalogue.models import Item
from archiver.home.archive import Archive
from archiver.packages import erms, fgs12, mets, premis
from archiver.packages.archivefile import Progress
from archiver.packages.assembly import (
    SOFTWARE,
    Renderer,
    check_new,
    header,
    objid_for,
    rendering,
    schema_entries,
    stored_entry,
    write_and_record,
)
from archiver.packages.content import (
    AccountContent,
    Entry,
    Period,
    canonical_json,
    collect,
    data_entry,
    item_data,
    media_extension,
)
from archiver.packages.disposal import DisposalSource
from archiver.packages.rendering import account_items_html
from archiver.packages.schemaset import SchemaSet

PROFILES = ("fgs2", "fgs1.2")
REP = "rep1"


def build_delivery(archive: Archive, period: Period, out: Path, *, account_id: int | None, profile: str,
                   schemas: SchemaSet, disposal: DisposalSource, render: Renderer,
                   progress: Progress | None = None) -> dict[str, object]:
    needed: tuple[str, ...] = (("mets", "xlink", "csip", "sip", "erms") if profile == "fgs2"
                               else ("cspackage", "csext", "xlink", "fgserms"))
    check_new(archive, out)
    for key in needed:
        schemas.path(key, required=not schemas.missing_ok)  # fail before any work if one is missing
    objid = objid_for(archive, "delivery", profile, period.name, account_id or "all")
    label = f"{archive.settings.org_name}: sociala medier {period.name}"
    with archive.transaction() as session:
        accounts = collect(session, period, archive.settings.tz, account_id)
        item_ids = [i.id for a in accounts for i in a.items]
        disposals = disposal.for_items(session, item_ids)
        start, end = period.instants(archive.settings.tz)
        culls = disposal.culling_events(session, [a.account.id for a in accounts], start, end)
        base = f"representations/{REP}/data" if profile == "fgs2" else "content"
        data, appendices, events = _data(archive, accounts, base, period, render)
        premis.culling_events(events, culls)
    created = archive.now
    if profile == "fgs1.2":
        entries = fgs12.package(archive, header(archive, objid, label), accounts, data, appendices, disposals,
                                events, period, schemas)
        return write_and_record(archive, entries, out, objid, kind="delivery", profile=profile,
                                period=period.name, account_id=account_id, case_ref=None, item_ids=item_ids,
                                mets_path="sip.xml", progress=progress)
    h = header(archive, objid, label)
    rep_mets = data_entry(f"representations/{REP}/METS.xml", mets.representation_mets(h, REP, data),
                          "application/xml", created)
    org = erms.Organisation(archive.settings.org_name, archive.settings.org_id, SOFTWARE, h.software_version)
    erms_entry = data_entry("metadata/descriptive/erms.xml",
                            erms.build(org, accounts, disposals, appendices, created, "../../schemas/ERMS.xsd"),
                            "application/xml", created)
    premis_entry = data_entry("metadata/preservation/premis.xml", premis.build(events), "application/xml", created)
    schema_files = schema_entries(schemas, ("mets", "xlink", "csip", "sip", "erms"), created, optional=("premis",))
    root = data_entry("METS.xml", mets.root_mets(h, descriptive=[erms_entry], preservation=[premis_entry],
                                                 schemas=schema_files, representations=[(REP, rep_mets)]),
                      "application/xml", created)
    entries = [*data, rep_mets, erms_entry, premis_entry, *schema_files, root]
    return write_and_record(archive, entries, out, objid, kind="delivery", profile=profile, period=period.name,
                            account_id=account_id, case_ref=None, item_ids=item_ids, mets_path="METS.xml",
                            progress=progress)


def _data(archive: Archive, accounts: Sequence[AccountContent], base: str, period: Period,
          render: Renderer) -> tuple[list[Entry], dict[int, list[tuple[str, str, str]]], premis.Events]:
    """The data files, ERMS appendices per item (paths relative to the package root) and events."""
    entries: list[Entry] = []
    appendices: dict[int, list[tuple[str, str, str]]] = {}
    events = premis.Events()
    for content in accounts:
        a = content.account
        folder = f"{base}/account-{a.id}"
        for snap in content.snapshots:
            files: dict[str, str] = {}
            log = None
            for f in snap.files:
                path = f"{folder}/snapshots/snapshot-{snap.id}/{f.name}"
                entries.append(stored_entry(archive, f.stored, path))
                files[f.role] = path
                if f.role == "log":
                    with archive.store.open(f.sha256) as fh:
                        log = json.loads(fh.read().decode("utf-8"))
            premis.snapshot_events(events, snap.id, snap.captured_at, snap.captured_by, snap.engine_version,
                                   snap.url, files, log)
        if not content.items:
            continue
        entries.append(data_entry(f"{folder}/items.json", canonical_json([item_data(i) for i in content.items]),
                                  "application/json", archive.now))
        html = account_items_html(a, content.items, period.name, archive.settings.tz, archive.now)
        pdf = rendering(archive, html, f"{a.name}: poster {period.name}", f"bevara:account/{a.id}/{period.name}",
                        render)
        entries.append(stored_entry(archive, pdf, f"{folder}/items.pdf", "application/pdf"))
        seen: set[str] = set()
        for item in content.items:
            appendices[item.id] = [("items.pdf", f"{folder}/items.pdf", "pdf")] + _media(
                archive, item, folder, entries, seen)
    return entries, appendices, events


def _media(archive: Archive, item: Item, folder: str, entries: list[Entry],
           seen: set[str]) -> list[tuple[str, str, str]]:
    from archiver.catalogue.models import StoredFile

    out = []
    for m in item.media:
        if m.purged:
            continue
        ext = media_extension(m.media_type, m.name)
        path = f"{folder}/media/{m.sha256}{ext}"
        if m.sha256 not in seen:
            with archive.transaction() as session:
                stored = session.get(StoredFile, m.sha256)
            if stored is None:
                continue
            entries.append(stored_entry(archive, stored, path, m.media_type))
            seen.add(m.sha256)
        out.append((m.name, path, ext.lstrip(".")))
    return out
