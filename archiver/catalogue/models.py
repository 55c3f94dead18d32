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
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
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
    """One link of the hash-chained audit log; see archiver.audit."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    command: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(200))
    changes: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
