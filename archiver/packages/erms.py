"""CITS ERMS 2.1 (FGS Ärendehantering 2.0): the descriptive metadata of a delivery package.

Each account is an aggregation; its items are records with direction, agents, dates,
``restriction`` for confidential items (the law cited in the mark) and ``disposal`` from the
retention engine (see archiver.packages.disposal). ERMS has no checksums: the files are
named by ``appendix`` paths and their digests live in the METS fileSec.
Element order follows ERMS_v2.1.2.xsd, which is strict about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.builder import ElementMaker

from archiver.catalogue.models import Item
from archiver.packages.content import AccountContent, restriction_of
from archiver.packages.disposal import NO_DECISION, Disposal
from archiver.packages.schemaset import NS

XSI = "http://www.w3.org/2001/XMLSchema-instance"
E = ElementMaker(namespace=NS["erms"], nsmap={None: NS["erms"], "xsi": XSI})
TITLE_MAX = 120


@dataclass(frozen=True)
class Organisation:
    name: str
    org_id: str
    software: str
    version: str


def local(moment: dt.datetime) -> str:
    """ERMS dates are xs:dateTime; we write UTC with a Z so no reader has to guess."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def short_title(item: Item) -> str:
    """A short description: the first line of the text, or what kind of item it was."""
    text = " ".join(item.text.split())
    if item.content_purged or not text:
        return f"{item.kind} {item.platform_id} (innehåll saknas)"
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def direction(item: Item) -> str:
    if item.is_own is True:
        return "outgoing"
    if item.is_own is False:
        return "incoming"
    return "other"


def build(org: Organisation, accounts: Sequence[AccountContent], disposals: Mapping[int, Disposal],
          appendices: Mapping[int, Sequence[tuple[str, str, str]]], now: dt.datetime,
          schema_location: str) -> bytes:
    """The ERMS document; ``appendices[item_id]`` lists (name, package-relative path, format)."""
    root = E.erms(
        E.control(
            E.identification(org.name, identificationType="arkivbildare"),
            E.identification(org.org_id, identificationType="organisationsnummer"),
            E.maintenanceInformation(
                E.maintenanceStatus(value="new"),
                E.maintenanceAgency(E.agencyCode(org.org_id, type="organisationsnummer"),
                                    E.agencyName(org.name)),
                E.maintenanceHistory(E.maintenanceEvent(
                    E.eventType(value="created"), E.eventDateTime(local(now)),
                    E.agent(E.name(f"{org.software} {org.version}"), agentType="deliverer"))))),
        E.aggregations(*[_aggregation(a, disposals, appendices) for a in accounts]))
    root.set(f"{{{XSI}}}schemaLocation", f"{NS['erms']} {schema_location}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _aggregation(content: AccountContent, disposals: Mapping[int, Disposal],
                 appendices: Mapping[int, Sequence[tuple[str, str, str]]]) -> etree._Element:
    a = content.account
    dates = [E.date(local(dt.datetime.combine(a.opened, dt.time(), dt.UTC)), dateType="opened")]
    if a.closed:
        dates.append(E.date(local(dt.datetime.combine(a.closed, dt.time(), dt.UTC)), dateType="closed"))
    return E.aggregation(
        E.objectId(a.url),
        E.extraId(str(a.id), extraIdType="deliveringSystemId"),
        E.title(a.name),
        E.otherTitle(f"{a.platform}: {a.purpose}", titleType="description"),
        E.status(value="closed" if a.closed else "open"),
        E.agents(E.agent(E.name(a.unit), agentType="responsible_person")),
        E.dates(*dates),
        *[_record(i, disposals.get(i.id, NO_DECISION), appendices.get(i.id, ())) for i in content.items],
        systemIdentifier=f"account-{a.id}", aggregationType="own_aggregation_definition",
        otherAggregationType="social_media_account")


def _record(item: Item, disposal: Disposal, appendix: Sequence[tuple[str, str, str]]) -> etree._Element:
    children: list[etree._Element] = [E.objectId(item.platform_id), E.title(short_title(item))]
    restricted = restriction_of(item)
    if restricted:
        children.append(E.otherTitle(f"{item.kind} (sekretess, {restricted[0]})", titleType="public"))
    children.append(E.status(value="received" if item.is_own is False else "expedited"))
    if restricted:
        law, why = restricted
        children.append(E.restriction(E.explanatoryText(why), E.regulation(law),
                                      restrictionType="confidential"))
    children.append(_disposal(disposal, item.created_at or item.first_seen_at))
    children.append(E.direction(directionDefinition=direction(item)))
    author = item.author_name or item.author_handle or "okänd"
    children.append(E.agents(E.agent(E.name(author), agentType="sender" if item.is_own is False else "creator")))
    dates = []
    if item.created_at:
        dates.append(E.date(local(item.created_at), dateType="created"))
    dates.append(E.date(local(item.first_seen_at), dateType="captured"))
    children.append(E.dates(*dates))
    notes = [E.note({"led-to-case": f"Ledde till ärende {m.case_ref}",
                     "removed": f"Borttagen av moderator ({m.category})"}.get(m.kind, m.kind),
                    noteDate=local(m.marked_at)) for m in item.marks if m.kind != "confidential"]
    if notes:
        children.append(E.notes(*notes))
    if appendix:
        children.append(E.additionalInformation(
            *[E.appendix(name=n, path=p, fileFormat=f) for n, p, f in appendix]))
    return E.record(*children, systemIdentifier=f"item-{item.id}", recordType=item.kind,
                    recordPhysicalOrDigital="digitial")  # sic: ERMS 2.1's own spelling


def _disposal(d: Disposal, start: dt.datetime) -> etree._Element:
    parts = []
    if d.rule:
        parts.append(E.disposalScheduleId(d.rule))
    if d.action:
        parts.append(E.disposalAction(d.action))
    if d.period:
        parts.append(E.disposalPeriod(d.period))
    if d.mandate:
        parts.append(E.disposalMandate(d.mandate))
    if d.comment:
        parts.append(E.disposalComments(E.disposalComment(d.comment)))
    dates = [E.disposalDate(local(start), dateType="retention_period_start")]
    if d.disposal_date:
        dates.append(E.disposalDate(local(d.disposal_date), dateType="disposal_date"))
    parts.append(E.dates(*dates))
    return E.disposal(*parts, disposable="true" if d.disposable else "false")
