"""Tables for record integrity: the redactions a snapshot underwent.

A snapshot is never changed, with one exception: material that may not be kept (suspected
child sexual abuse material, marked ``barnpornografibrott``) is cut out of every snapshot
that shows it. Each such redaction is a row here, naming what was removed, when, by whom,
on what legal basis, and the digests of the snapshot's files before and after, so the
record says exactly how it differs from what was captured.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archiver.catalogue.models import Base
from archiver.catalogue.types import UTCDateTime


class SnapshotRedaction(Base):
    """One item cut out of one snapshot; ``files`` is JSON {role: [sha256 before, after]}."""

    __tablename__ = "snapshot_redactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    platform_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    files: Mapped[str] = mapped_column(Text)
    clock: Mapped[str] = mapped_column(String(20))
