"""Catalogue tables. Every change to them comes with an Alembic migration.

Records live for decades, so the schema avoids backend-specific features:
no SQLite-only types, JSON kept as text, times as naive UTC through UTCDateTime.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from archiver.catalogue.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class Account(Base):
    """One of the municipality's social-media accounts (S10–S12)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "url", name="uq_accounts_platform_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2000))
    unit: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(String(200))
    opened: Mapped[dt.date] = mapped_column(Date)
    closed: Mapped[dt.date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    profile: Mapped[str | None] = mapped_column(String(50))
    storage_state: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    admins: Mapped[list[Administrator]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="Administrator.position"
    )


class Administrator(Base):
    """A named person who can log in to an account; S11 asks for at least two."""

    __tablename__ = "account_admins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))

    account: Mapped[Account] = relationship(back_populates="admins")


class StoredFile(Base):
    """A file in the content-addressed store, known by its SHA-256."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    stored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """One link of the hash-chained audit log; see archiver.home.audit."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    command: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(200))
    changes: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Snapshot(Base):
    """A complete, verified capture of one account; failed attempts live in CaptureFailure.

    ``boundary`` is set for the scheduled half-year snapshot; the unique constraint
    is the second guard (after the run lock) that there is one per account and boundary.
    Ad hoc snapshots have no boundary, and NULLs never collide.
    """

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("account_id", "boundary", name="uq_snapshots_account_boundary"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # due | adhoc | close
    boundary: Mapped[dt.date | None] = mapped_column(Date)
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2000))
    captured_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    late_seconds: Mapped[int | None] = mapped_column(Integer)
    engine_version: Mapped[str] = mapped_column(String(100))
    items_seen: Mapped[int] = mapped_column(Integer)
    followers: Mapped[int | None] = mapped_column(Integer)
    complete: Mapped[bool] = mapped_column()
    captured_by: Mapped[str] = mapped_column(String(200))
    clock: Mapped[str] = mapped_column(String(20), server_default="real clock")  # or "simulated clock"

    files: Mapped[list[SnapshotFile]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", order_by="SnapshotFile.id"
    )
    account: Mapped[Account] = relationship()


class SnapshotFile(Base):
    """One file of a snapshot in the store, with its role (visual-pdf, print-pdf, html …)."""

    __tablename__ = "snapshot_files"
    __table_args__ = (UniqueConstraint("snapshot_id", "role", name="uq_snapshot_files_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))

    snapshot: Mapped[Snapshot] = relationship(back_populates="files")
    stored: Mapped[StoredFile] = relationship()


class CaptureFailure(Base):
    """A capture that did not produce a verified snapshot, kept so failures are never silent."""

    __tablename__ = "capture_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(20))
    boundary: Mapped[dt.date | None] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    log: Mapped[str] = mapped_column(Text)


class ImportRun(Base):
    """One platform export read into the catalogue."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    format: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str] = mapped_column(String(500))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    counts: Mapped[str] = mapped_column(Text)


class Item(Base):
    """A post, comment, reply or message: one row however many sources saw it."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("account_id", "platform_id", name="uq_items_account_platform_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    platform_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_platform_id: Mapped[str | None] = mapped_column(String(200))
    thread_id: Mapped[str | None] = mapped_column(String(200))
    recipients: Mapped[str | None] = mapped_column(Text)  # JSON list of names, for messages
    author_handle: Mapped[str | None] = mapped_column(String(200))
    author_name: Mapped[str | None] = mapped_column(String(200))
    is_own: Mapped[bool | None] = mapped_column()
    created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    deleted_on_platform: Mapped[bool] = mapped_column(default=False)
    removed_from_platform: Mapped[bool] = mapped_column(default=False)
    removed_detected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    content_purged: Mapped[bool] = mapped_column(default=False)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    versions: Mapped[list[ItemVersion]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemVersion.seq")
    sources: Mapped[list[ItemSource]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemSource.id")
    marks: Mapped[list[ItemMark]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemMark.id")
    flags: Mapped[list[ItemFlag]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemFlag.id")
    media: Mapped[list[ItemMedia]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemMedia.id")


class ItemVersion(Base):
    """Every distinct text an item has had, in the order the sources showed it."""

    __tablename__ = "item_versions"
    __table_args__ = (UniqueConstraint("item_id", "text_sha256", name="uq_item_versions_text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(100))

    item: Mapped[Item] = relationship(back_populates="versions")


class ItemSource(Base):
    """Which capture or import saw an item."""

    __tablename__ = "item_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship(back_populates="sources")


class ItemMedia(Base):
    """A media file of an item, in the store (or only its digest once purged)."""

    __tablename__ = "item_media"
    __table_args__ = (UniqueConstraint("item_id", "sha256", name="uq_item_media"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100))
    purged: Mapped[bool] = mapped_column(default=False)

    item: Mapped[Item] = relationship(back_populates="media")


class ItemMark(Base):
    """A records officer's mark that drives retention: led to a case, removed, confidential."""

    __tablename__ = "item_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # led-to-case | removed | confidential
    case_ref: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(100))
    police_report: Mapped[str | None] = mapped_column(String(100))
    law: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    marked_by: Mapped[str] = mapped_column(String(200))
    marked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship(back_populates="marks")


class ItemFlag(Base):
    """A sensitive-data finding in one version of an item's text, for human review."""

    __tablename__ = "item_flags"
    __table_args__ = (UniqueConstraint("version_id", "kind", "start", name="uq_item_flags_span"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("item_versions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    match: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(String(200))

    item: Mapped[Item] = relationship(back_populates="flags")


# Tables of later stages share Base; importing them here puts every table in
# Base.metadata, which Alembic and the model-vs-migration test compare.
from archiver.catalogue import integrity_tables, package_tables, retention_tables  # noqa: E402,F401,I001
