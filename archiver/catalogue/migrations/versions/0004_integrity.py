"""Record integrity: which clock a snapshot's times come from, and snapshot redactions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("clock", sa.String(20), nullable=False,
                                   server_default="real clock"))
    op.create_table(
        "snapshot_redactions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id"), nullable=False,
                  index=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, index=True),
        sa.Column("platform_id", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("clock", sa.String(20), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("snapshot_redactions")
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("clock")
