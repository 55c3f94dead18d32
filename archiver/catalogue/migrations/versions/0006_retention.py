"""Retention: holds, reviews, groups, candidates, exclusions, protocols, stubs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_account_parent", "items", ["account_id", "parent_platform_id"])
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("date_from", sa.Date),
        sa.Column("date_to", sa.Date),
        sa.Column("text", sa.String(500)),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("released_by", sa.String(200)),
        sa.Column("released_at", sa.DateTime),
        sa.Column("release_reason", sa.Text),
    )
    op.create_table(
        "retention_hold_items",
        sa.Column("hold_id", sa.Integer, sa.ForeignKey("retention_holds.id"), primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
    )
    op.create_table(
        "retention_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("as_of", sa.DateTime, nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("policy_sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    )
    op.create_table(
        "retention_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("review_id", sa.Integer, sa.ForeignKey("retention_reviews.id"), nullable=False, index=True),
        sa.Column("key", sa.String(20), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("handlingstyp", sa.String(300), nullable=False),
        sa.Column("klassa", sa.String(50), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_at", sa.DateTime),
        sa.Column("last_at", sa.DateTime),
        sa.Column("mandate_body", sa.String(300), nullable=False),
        sa.Column("mandate_date", sa.Date, nullable=False),
        sa.Column("mandate_section", sa.String(50), nullable=False),
        sa.Column("mandate_dnr", sa.String(100), nullable=False),
        sa.UniqueConstraint("review_id", "key", name="uq_retention_groups_key"),
    )
    op.create_table(
        "retention_candidates",
        sa.Column("review_id", sa.Integer, sa.ForeignKey("retention_reviews.id"), primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True, index=True),
        sa.Column("group_id", sa.Integer, sa.ForeignKey("retention_groups.id"), nullable=False, index=True),
        sa.Column("decision", sa.String(20)),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", sa.DateTime),
        sa.Column("why", sa.Text),
        sa.Column("until", sa.Date),
        sa.Column("new_rule", sa.String(100)),
        sa.Column("outcome", sa.String(20)),
        sa.Column("skip_reason", sa.String(20)),
    )
    op.create_table(
        "retention_exclusions",
        sa.Column("review_id", sa.Integer, sa.ForeignKey("retention_reviews.id"), primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
        sa.Column("reason", sa.String(20), nullable=False),
    )
    op.create_table(
        "retention_protocols",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("review_id", sa.Integer, sa.ForeignKey("retention_reviews.id"), nullable=False,
                  unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("executed_at", sa.DateTime),
        sa.Column("executed_by", sa.String(200), nullable=False),
        sa.Column("approved_by", sa.String(500), nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("backup_note", sa.Text, nullable=False),
        sa.Column("culled", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
    )
    op.create_table(
        "retention_protocol_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("protocol_id", sa.Integer, sa.ForeignKey("retention_protocols.id"), nullable=False,
                  index=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("stored_files.sha256"), nullable=False),
        sa.UniqueConstraint("protocol_id", "role", name="uq_retention_protocol_files_role"),
    )
    op.create_table(
        "retention_stubs",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
        sa.Column("protocol_id", sa.Integer, sa.ForeignKey("retention_protocols.id"), nullable=False,
                  index=True),
        sa.Column("review_id", sa.Integer, sa.ForeignKey("retention_reviews.id"), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("culled_at", sa.DateTime, nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("retention_stubs", "retention_protocol_files", "retention_protocols",
                  "retention_exclusions", "retention_candidates", "retention_groups",
                  "retention_reviews", "retention_hold_items", "retention_holds"):
        op.drop_table(table)
    op.drop_index("ix_items_account_parent", table_name="items")
