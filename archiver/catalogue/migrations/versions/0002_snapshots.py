"""Snapshots, their files, and failed capture attempts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("boundary", sa.Date),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("captured_at", sa.DateTime, nullable=False),
        sa.Column("late_seconds", sa.Integer),
        sa.Column("engine_version", sa.String(100), nullable=False),
        sa.Column("items_seen", sa.Integer, nullable=False),
        sa.Column("followers", sa.Integer),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("captured_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("account_id", "boundary", name="uq_snapshots_account_boundary"),
    )
    op.create_table(
        "snapshot_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("stored_files.sha256"), nullable=False),
        sa.UniqueConstraint("snapshot_id", "role", name="uq_snapshot_files_role"),
    )
    op.create_table(
        "capture_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("boundary", sa.Date),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("log", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("capture_failures")
    op.drop_table("snapshot_files")
    op.drop_table("snapshots")
