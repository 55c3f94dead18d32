"""Items (posts, comments, messages), their versions, sources, media, marks and flags.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("platform_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_platform_id", sa.String(200)),
        sa.Column("thread_id", sa.String(200)),
        sa.Column("author_handle", sa.String(200)),
        sa.Column("author_name", sa.String(200)),
        sa.Column("is_own", sa.Boolean),
        sa.Column("created_at", sa.DateTime, index=True),
        sa.Column("edited_at", sa.DateTime),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("url", sa.String(2000)),
        sa.Column("deleted_on_platform", sa.Boolean, nullable=False),
        sa.Column("removed_from_platform", sa.Boolean, nullable=False),
        sa.Column("removed_detected_at", sa.DateTime),
        sa.Column("content_purged", sa.Boolean, nullable=False),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("account_id", "platform_id", name="uq_items_account_platform_id"),
    )
    op.create_table(
        "item_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("edited_at", sa.DateTime),
        sa.Column("seen_at", sa.DateTime, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.UniqueConstraint("item_id", "text_sha256", name="uq_item_versions_text"),
    )
    op.create_table(
        "item_sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id")),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id")),
        sa.Column("seen_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "item_media",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("purged", sa.Boolean, nullable=False),
        sa.UniqueConstraint("item_id", "sha256", name="uq_item_media"),
    )
    op.create_table(
        "item_marks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("case_ref", sa.String(100)),
        sa.Column("category", sa.String(100)),
        sa.Column("police_report", sa.String(100)),
        sa.Column("law", sa.String(200)),
        sa.Column("note", sa.Text),
        sa.Column("marked_by", sa.String(200), nullable=False),
        sa.Column("marked_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "item_flags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("item_versions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("match", sa.Text, nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.UniqueConstraint("version_id", "kind", "start", name="uq_item_flags_span"),
    )


def downgrade() -> None:
    for table in ("item_flags", "item_marks", "item_media", "item_sources", "item_versions",
                  "items", "imports"):
        op.drop_table(table)
