"""Retention tables: holds, reviews with their groups and candidates, protocols and stubs.

Plain names, because the packages stage reads them to deliver protocols:

* ``retention_holds`` (+ ``retention_hold_items``): gallringsstopp; a hold covers the items
  it names and every item matching its criteria (account, created from/to, text), now and
  later, until released.
* ``retention_reviews``: one numbered review; ``retention_groups`` its candidate groups
  (rule x account x half-year) with the rule's mandate copied in; ``retention_candidates``
  one row per candidate item with its decision and, after apply, its outcome;
  ``retention_exclusions`` the items the review kept and why.
* ``retention_protocols`` (+ ``retention_protocol_files``): the gallringsprotokoll of one
  executed apply and its PDF/A, CSV and XML in the file store.
* ``retention_stubs``: what is left of a culled item besides its ``items`` row (which keeps
  id, kind, account and dates with the content blanked): rule, review and protocol.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archiver.catalogue.models import Base, Item
from archiver.catalogue.types import UTCDateTime

# The review's "a kept comment keeps the post it answers" check looks items up by parent.
Index("ix_items_account_parent", Item.account_id, Item.parent_platform_id)


class RetentionHold(Base):
    __tablename__ = "retention_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    date_from: Mapped[dt.date | None] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date)  # inclusive, local dates
    text: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    released_by: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    release_reason: Mapped[str | None] = mapped_column(Text)


class RetentionHoldItem(Base):
    __tablename__ = "retention_hold_items"

    hold_id: Mapped[int] = mapped_column(ForeignKey("retention_holds.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)


class RetentionReview(Base):
    __tablename__ = "retention_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    policy_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))  # open | applied
    summary: Mapped[str] = mapped_column(Text)  # JSON: excluded counts by reason, totals


class RetentionGroup(Base):
    __tablename__ = "retention_groups"
    __table_args__ = (UniqueConstraint("review_id", "key", name="uq_retention_groups_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("retention_reviews.id"), index=True)
    key: Mapped[str] = mapped_column(String(20))  # G1, G2 … within the review
    rule_id: Mapped[str] = mapped_column(String(100))
    handlingstyp: Mapped[str] = mapped_column(String(300))
    klassa: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    period: Mapped[str] = mapped_column(String(10))  # 2025-H1
    count: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    mandate_body: Mapped[str] = mapped_column(String(300))
    mandate_date: Mapped[dt.date] = mapped_column(Date)
    mandate_section: Mapped[str] = mapped_column(String(50))
    mandate_dnr: Mapped[str] = mapped_column(String(100))


class RetentionCandidate(Base):
    __tablename__ = "retention_candidates"

    review_id: Mapped[int] = mapped_column(ForeignKey("retention_reviews.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True, index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("retention_groups.id"), index=True)
    decision: Mapped[str | None] = mapped_column(String(20))  # approve|extend|reclassify|register|hold
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    why: Mapped[str | None] = mapped_column(Text)
    until: Mapped[dt.date | None] = mapped_column(Date)
    new_rule: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(20))  # culled | skipped
    skip_reason: Mapped[str | None] = mapped_column(String(20))


class RetentionExclusion(Base):
    __tablename__ = "retention_exclusions"

    review_id: Mapped[int] = mapped_column(ForeignKey("retention_reviews.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))


class RetentionProtocol(Base):
    __tablename__ = "retention_protocols"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("retention_reviews.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # running | complete
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    executed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    executed_by: Mapped[str] = mapped_column(String(200))
    approved_by: Mapped[str] = mapped_column(String(500))
    method: Mapped[str] = mapped_column(Text)
    backup_note: Mapped[str] = mapped_column(Text)
    culled: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text)  # JSON: per rule, account, kind


class RetentionProtocolFile(Base):
    __tablename__ = "retention_protocol_files"
    __table_args__ = (UniqueConstraint("protocol_id", "role", name="uq_retention_protocol_files_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("retention_protocols.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # pdf | csv | xml
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))


class RetentionStub(Base):
    __tablename__ = "retention_stubs"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("retention_protocols.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("retention_reviews.id"))
    rule_id: Mapped[str] = mapped_column(String(100))
    culled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    text_sha256: Mapped[str] = mapped_column(String(64))  # digest of the culled text (R11)
