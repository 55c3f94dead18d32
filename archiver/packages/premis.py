"""PREMIS 3 events: what happened to the records before they were delivered.

Per snapshot: the capture (with what its capture log says about completeness), the
conversion of the page to PDF/A and the PDF/A validation that every snapshot passed
before it was stored; per culling run from the retention engine, a deletion event. Each
event links the agents (the software and the person who ran it) and the package files
it concerns. No PREMIS 3 XSD is published in a form we could check against here, so the
structure follows the PREMIS 3.0 data dictionary's element order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker

from archiver.packages.disposal import CullingEvent
from archiver.packages.schemaset import NS

P = ElementMaker(namespace=NS["premis"], nsmap={"premis": NS["premis"]})


@dataclass(frozen=True)
class Event:
    ident: str
    type: str  # PREMIS event type vocabulary: capture, normalization, validation, deletion
    at: dt.datetime
    detail: str
    outcome: str
    agents: tuple[tuple[str, str], ...]  # (agent id, role)
    objects: tuple[str, ...] = ()
    outcome_note: str = ""


@dataclass
class Events:
    events: list[Event] = field(default_factory=list)
    agents: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (name, type, version)

    def agent(self, ident: str, name: str, kind: str, version: str = "") -> str:
        self.agents.setdefault(ident, (name, kind, version))
        return ident


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def snapshot_events(ev: Events, snapshot_id: int, captured_at: dt.datetime, by: str, engine: str,
                    url: str, files: Mapping[str, str], log: Mapping[str, Any] | None) -> None:
    """Capture, PDF/A conversion and validation of one snapshot; ``files`` maps role -> package path."""
    software = ev.agent(f"software:{engine}", engine.split("/")[0], "software", engine)
    person = ev.agent(f"person:{by}", by, "person")
    complete = bool(log and (log.get("reached_period_start") or log.get("end_marker_seen")))
    detail = f"Captured {url} with Chromium"
    if log:
        detail += (f"; scroll rounds {log.get('scroll_rounds', '?')}, items seen {log.get('items_seen', '?')}, "
                   "reached period start "
                   f"{bool(log.get('reached_period_start'))}, end marker {bool(log.get('end_marker_seen'))}")
    pdfs = tuple(p for r, p in sorted(files.items()) if r.endswith("-pdf"))
    sources = tuple(p for r, p in sorted(files.items()) if r in ("html", "mhtml"))
    ev.events.append(Event(f"snapshot-{snapshot_id}-capture", "capture", captured_at, detail,
                           "success" if complete or log is None else "success with warnings",
                           ((software, "executing program"), (person, "implementer")),
                           tuple(sorted(files.values()))))
    ev.events.append(Event(f"snapshot-{snapshot_id}-pdfa", "normalization", captured_at,
                           "Page rendered to PDF/A-2b (visual record from screenshots with a text layer, "
                           "print record from Chromium's print)", "success",
                           ((software, "executing program"),), pdfs + sources))
    ev.events.append(Event(f"snapshot-{snapshot_id}-validation", "validation", captured_at,
                           "PDF/A-2b conformance checked after the last write (pikepdf)", "success",
                           ((software, "executing program"),), pdfs))


def culling_events(ev: Events, culls: Sequence[CullingEvent]) -> None:
    for c in culls:
        person = ev.agent(f"person:{c.by}", c.by, "person")
        ev.events.append(Event(f"culling-{c.protocol_id}", "deletion", c.at,
                               f"Culling under rule {c.rule} ({c.mandate}): {c.items_culled} items culled; "
                               f"culling record {c.protocol_id}", c.outcome, ((person, "authorizer"),)))


def build(ev: Events) -> bytes:
    root = P.premis(version="3.0")
    for e in sorted(ev.events, key=lambda x: (x.at, x.ident)):
        root.append(P.event(
            P.eventIdentifier(P.eventIdentifierType("local"), P.eventIdentifierValue(e.ident)),
            P.eventType(e.type),
            P.eventDateTime(stamp(e.at)),
            P.eventDetailInformation(P.eventDetail(e.detail)),
            P.eventOutcomeInformation(P.eventOutcome(e.outcome),
                                      *([P.eventOutcomeDetail(P.eventOutcomeDetailNote(e.outcome_note))]
                                        if e.outcome_note else [])),
            *[P.linkingAgentIdentifier(P.linkingAgentIdentifierType("local"),
                                       P.linkingAgentIdentifierValue(a), P.linkingAgentRole(r))
              for a, r in e.agents],
            *[P.linkingObjectIdentifier(P.linkingObjectIdentifierType("filepath"),
                                        P.linkingObjectIdentifierValue(o)) for o in e.objects]))
    for ident, (name, kind, version) in sorted(ev.agents.items()):
        root.append(P.agent(
            P.agentIdentifier(P.agentIdentifierType("local"), P.agentIdentifierValue(ident)),
            P.agentName(name), P.agentType(kind), *([P.agentVersion(version)] if version else [])))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
