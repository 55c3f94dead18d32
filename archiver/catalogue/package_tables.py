"""Catalogue tables of the packages stage: packages made, and item renderings kept.

A rendering (an account's items, or one item in its thread, printed to PDF/A) is made
once per distinct HTML and kept in the store: Chromium's PDF is not byte-stable across
runs, and a package built twice from the same catalogue must be byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from archiver.catalogue.models import Base
from archiver.catalogue.types import UTCDateTime


class PackageRecord(Base):
    """One package written: delivery (fgs2, fgs1.2) or registration; ``items`` is a JSON id list."""

    __tablename__ = "packages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # delivery | registration
    profile: Mapped[str] = mapped_column(String(20))
    objid: Mapped[str] = mapped_column(String(100), index=True)
    period: Mapped[str | None] = mapped_column(String(10))
    account_id: Mapped[int | None] = mapped_column(Integer)
    case_ref: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(Text)
    mets_sha256: Mapped[str] = mapped_column(String(64))
    items: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class Rendering(Base):
    """A PDF/A printed from our own HTML, keyed by the HTML's digest."""

    __tablename__ = "package_renderings"

    html_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    pdf_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def packaged_for_registration(session: Session) -> set[int]:
    """Ids of the items some registration package holds; ``retention status`` lists the rest."""
    out: set[int] = set()
    for items in session.scalars(select(PackageRecord.items).where(PackageRecord.kind == "registration")):
        out.update(int(i) for i in json.loads(items))
    return out
