"""What the packages need from the retention engine, as a small interface.

The retention engine (decisions, holds, culling protocols) lives in ``retention/`` and is
wired in at one place: ``archiver.packages.retention_records.disposal_source()``. An
item no review has decided on reads "no decision recorded": ERMS writes ``disposal
disposable="false"`` with that comment and FGS-ERMS ``Gallring Gallras="false"``; nothing
is invented. ``NoRetention`` stays for tests that want no engine at all.

A real source must answer, within the caller's session and without writing:

* ``for_items(session, item_ids)`` → ``{item_id: Disposal}`` for every id it knows
  (missing ids mean no decision); ``Disposal.rule`` is the rule's id in the policy,
  ``mandate`` the gallringsbeslut cited (e.g. "KS 2023-12-05 § 4"), ``period`` the
  retention period as text (e.g. "2 år"), ``disposable`` whether the rule culls,
  ``disposal_date`` the earliest culling date (or when it was culled).
* ``culling_events(session, account_ids, start, end)`` → the culling runs executed
  in [start, end) touching those accounts, as ``CullingEvent`` (PREMIS "deletion").
* ``protocol(session, protocol_id)`` → the ``ProtocolDocument`` of a culling record
  (gallringsprotokoll) to register, or raise NotFoundError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from archiver.errors import NotFoundError


@dataclass(frozen=True)
class Disposal:
    disposable: bool | None = None  # None: no decision recorded
    rule: str | None = None
    mandate: str | None = None
    period: str | None = None
    action: str | None = None  # e.g. "cull after period", "keep"
    disposal_date: dt.datetime | None = None  # aware UTC: when it may be (or was) culled
    comment: str = "no culling decision recorded"


NO_DECISION = Disposal()


@dataclass(frozen=True)
class CullingEvent:
    protocol_id: int
    at: dt.datetime  # aware UTC
    by: str
    rule: str
    mandate: str
    items_culled: int
    outcome: str = "success"


@dataclass(frozen=True)
class ProtocolDocument:
    protocol_id: int
    title: str
    created_at: dt.datetime
    by: str
    html: str  # a whole, self-contained HTML document, printed to PDF/A
    data: Mapping[str, Any] = field(default_factory=dict)


class DisposalSource(Protocol):
    def for_items(self, session: Session, item_ids: Sequence[int]) -> Mapping[int, Disposal]: ...

    def culling_events(self, session: Session, account_ids: Sequence[int], start: dt.datetime,
                       end: dt.datetime) -> Sequence[CullingEvent]: ...

    def protocol(self, session: Session, protocol_id: int) -> ProtocolDocument: ...


class NoRetention:
    """The source while no retention engine is wired in."""

    def for_items(self, session: Session, item_ids: Sequence[int]) -> Mapping[int, Disposal]:
        return {}

    def culling_events(self, session: Session, account_ids: Sequence[int], start: dt.datetime,
                       end: dt.datetime) -> Sequence[CullingEvent]:
        return []

    def protocol(self, session: Session, protocol_id: int) -> ProtocolDocument:
        raise NotFoundError(f"culling protocol {protocol_id} not found: this archive has no culling records; "
                            "run a retention review first")
