"""The registration package for the diarium: single items (or culling records) to register.

Per item a record with what OSL 5 kap. 2 § asks of a registry entry: the date it was
received (or drawn up, for our own posts), the registry number when known (``--case`` or
the item's led-to-case mark), the sender, and a short description; plus a PDF/A of the
item in its thread and its source data. A confidential item's description is left out of
the public record, which names the secrecy provision instead; the full record goes to
``metadata/descriptive/non-public/registration.xml`` so the diarium can keep it apart.
The package is a CSIP SIP like the delivery package, so one validator serves both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archiver.catalogue.models import Account, Item, StoredFile
from archiver.errors import BadInputError, NotFoundError
from archiver.home.archive import Archive
from archiver.packages import mets
from archiver.packages.archivefile import Progress
from archiver.packages.assembly import (
    Renderer,
    check_new,
    header,
    objid_for,
    rendering,
    schema_entries,
    stored_entry,
    write_and_record,
)
from archiver.packages.content import Entry, canonical_json, data_entry, item_data, media_extension, restriction_of
from archiver.packages.disposal import DisposalSource
from archiver.packages.erms import short_title
from archiver.packages.rendering import item_in_thread_html
from archiver.packages.schemaset import NS, SchemaSet

XSI = "http://www.w3.org/2001/XMLSchema-instance"
R = ElementMaker(namespace=NS["registration"], nsmap={None: NS["registration"], "xsi": XSI})
DATA = "representations/rep1/data"


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _items(session: Session, ids: Sequence[int]) -> list[Item]:
    if len(set(ids)) != len(ids):
        raise BadInputError("an item is given twice; name each item once")
    rows = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(ids)).options(
        selectinload(Item.marks), selectinload(Item.media), selectinload(Item.versions),
        selectinload(Item.sources), selectinload(Item.flags)))}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise NotFoundError(f"item {', '.join(missing)} does not exist; find items with: archive items list")
    return [rows[i] for i in sorted(ids)]


def thread_of(session: Session, item: Item) -> list[Item]:
    """The item's thread: everything sharing its thread id, else its ancestors and descendants."""
    same = select(Item).where(Item.account_id == item.account_id).options(selectinload(Item.marks))
    if item.thread_id:
        return list(session.scalars(same.where(Item.thread_id == item.thread_id)))
    members = {item.id: item}
    cur = item
    while cur.parent_platform_id:
        parent = session.scalars(same.where(Item.platform_id == cur.parent_platform_id)).first()
        if parent is None or parent.id in members:
            break
        members[parent.id] = cur = parent
    frontier = [item.platform_id]
    while frontier:
        kids = list(session.scalars(same.where(Item.parent_platform_id.in_(frontier))))
        frontier = [k.platform_id for k in kids if k.id not in members]
        members.update({k.id: k for k in kids})
    return list(members.values())


def _record(archive: Archive, item: Item, account: Account, case: str | None, files: Sequence[Entry],
            public: bool) -> etree._Element:
    restricted = restriction_of(item)
    received = item.is_own is False
    registry = case or next((m.case_ref for m in item.marks if m.kind == "led-to-case" and m.case_ref), None)
    description = short_title(item)
    if public and restricted:
        description = f"{item.kind} på {account.name}; innehållet omfattas av sekretess ({restricted[0]})"
    rec = R.record(R.date(stamp(item.created_at or item.first_seen_at), type="received" if received else "created"),
                   id=f"item-{item.id}", public="false" if restricted else "true")
    if registry:
        rec.append(R.registryNumber(registry))
    sender = (item.author_name or item.author_handle or "okänd") if received else archive.settings.org_name
    rec.append(R.sender(sender, id=item.author_handle or "") if received else R.sender(sender,
                                                                                         id=archive.settings.org_id))
    rec.append(R.description(description))
    rec.append(R.account(account.name, platform=account.platform, url=account.url))
    if item.url:
        rec.append(R.url(item.url))
    if restricted:
        rec.append(R.restriction(restricted[1] if not public else "", law=restricted[0]))
    for m in item.marks:
        text = m.case_ref or m.category or m.law or ""
        rec.append(R.mark(text if not (public and m.kind == "confidential") else "", kind=m.kind, by=m.marked_by,
                          at=stamp(m.marked_at)))
    if not (public and restricted):
        for e in files:
            rec.append(R.file(role=e.path.rsplit("/", 1)[-1].split(".")[0], href=e.path, sha256=e.sha256,
                              size=str(e.size), mediaType=e.media_type))
    return rec


def build_registration(archive: Archive, item_ids: Sequence[int], out: Path, *, case: str | None,
                       protocol_id: int | None, schemas: SchemaSet, disposal: DisposalSource,
                       render: Renderer, progress: Progress | None = None) -> dict[str, object]:
    if not item_ids and protocol_id is None:
        raise BadInputError("name the items to register (archive package --register ITEM…) or --protocol ID")
    check_new(archive, out)
    for key in ("mets", "xlink", "csip", "sip"):
        schemas.path(key)
    objid = objid_for(archive, "registration", *sorted(item_ids), case or "", protocol_id or "")
    data: list[Entry] = []
    public = R.registration(R.organisation(archive.settings.org_name, id=archive.settings.org_id),
                            created=stamp(archive.now), part="public", **({"case": case} if case else {}))
    full = R.registration(R.organisation(archive.settings.org_name, id=archive.settings.org_id),
                          created=stamp(archive.now), part="non-public", **({"case": case} if case else {}))
    confidential = False
    with archive.transaction() as session:
        items = _items(session, item_ids)
        for item in items:
            account = session.get(Account, item.account_id)
            assert account is not None
            folder = f"{DATA}/item-{item.id}"
            html = item_in_thread_html(account, item, thread_of(session, item), archive.settings.tz, archive.now)
            pdf = rendering(archive, html, f"{account.name}: {item.kind} {item.platform_id}",
                            f"bevara:item/{item.id}", render)
            files = [stored_entry(archive, pdf, f"{folder}/rendering.pdf", "application/pdf"),
                     data_entry(f"{folder}/source.json", canonical_json(item_data(item)), "application/json",
                                archive.now)]
            for m in item.media:
                stored = session.get(StoredFile, m.sha256)
                if not m.purged and stored is not None:
                    files.append(stored_entry(archive, stored,
                                              f"{folder}/media/{m.sha256}{media_extension(m.media_type, m.name)}",
                                              m.media_type))
            data += files
            confidential = confidential or restriction_of(item) is not None
            public.append(_record(archive, item, account, case, files, public=True))
            full.append(_record(archive, item, account, case, files, public=False))
        if protocol_id is not None:
            data += _protocol(archive, session, disposal, protocol_id, public, full, case, render)
    created = archive.now
    descriptive = [data_entry("metadata/descriptive/registration.xml", _xml(public), "application/xml", created)]
    if confidential:
        descriptive.append(data_entry("metadata/descriptive/non-public/registration.xml", _xml(full, "../../../"),
                                      "application/xml", created))
    label = f"{archive.settings.org_name}: registrering" + (f" i {case}" if case else "")
    h = header(archive, objid, label)
    h = mets.Header(**{**h.__dict__, "content_type": "OTHER"})
    rep = data_entry("representations/rep1/METS.xml", mets.representation_mets(h, "rep1", data), "application/xml",
                     created)
    schema_files = schema_entries(schemas, ("mets", "xlink", "csip", "sip", "registration"), created)
    root = data_entry("METS.xml", mets.root_mets(h, descriptive=descriptive, preservation=[], schemas=schema_files,
                                                 representations=[("rep1", rep)]), "application/xml", created)
    entries = [*data, rep, *descriptive, *schema_files, root]
    return write_and_record(archive, entries, out, objid, kind="registration", profile="fgs2", period=None,
                            account_id=None, case_ref=case, item_ids=[i.id for i in items], mets_path="METS.xml",
                            progress=progress)


def _protocol(archive: Archive, session: Session, disposal: DisposalSource, protocol_id: int,
              public: etree._Element, full: etree._Element, case: str | None, render: Renderer) -> list[Entry]:
    doc = disposal.protocol(session, protocol_id)
    folder = f"{DATA}/protocol-{protocol_id}"
    pdf = rendering(archive, doc.html, doc.title, f"bevara:protocol/{protocol_id}", render)
    files = [stored_entry(archive, pdf, f"{folder}/rendering.pdf", "application/pdf"),
             data_entry(f"{folder}/source.json", canonical_json(dict(doc.data)), "application/json", archive.now)]
    for part in (public, full):
        rec = R.record(R.date(stamp(doc.created_at), type="created"), id=f"protocol-{protocol_id}", public="true")
        if case:
            rec.append(R.registryNumber(case))
        rec.append(R.sender(archive.settings.org_name, id=archive.settings.org_id))
        rec.append(R.description(doc.title))
        rec.append(R.account(archive.settings.org_name, platform="bevara", url="urn:bevara:culling-record"))
        rec.append(R.mark("", kind="culling-record", by=doc.by, at=stamp(doc.created_at)))
        for e in files:
            rec.append(R.file(role=e.path.rsplit("/", 1)[-1].split(".")[0], href=e.path, sha256=e.sha256,
                              size=str(e.size), mediaType=e.media_type))
        part.append(rec)
    return files


def _xml(root: etree._Element, up: str = "../../") -> bytes:
    root.set(f"{{{XSI}}}schemaLocation", f"{NS['registration']} {up}schemas/bevara-registration-1.0.xsd")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
