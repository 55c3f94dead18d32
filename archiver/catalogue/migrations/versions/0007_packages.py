"""Packages made, and the item renderings kept for them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("profile", sa.String(20), nullable=False),
        sa.Column("objid", sa.String(100), nullable=False, index=True),
        sa.Column("period", sa.String(10)),
        sa.Column("account_id", sa.Integer),
        sa.Column("case_ref", sa.String(100)),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("mets_sha256", sa.String(64), nullable=False),
        sa.Column("items", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "package_renderings",
        sa.Column("html_sha256", sa.String(64), primary_key=True),
        sa.Column("pdf_sha256", sa.String(64), sa.ForeignKey("stored_files.sha256"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("package_renderings")
    op.drop_table("packages")
