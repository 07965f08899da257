"""complaint_report: reports imported from SP4N-LAPOR! (issue 11 item 6)

Revision ID: lapor
Revises: i14_broadcast
Create Date: 2026-12-03 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "lapor"
down_revision: str | None = "i14_broadcast"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "complaint_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("tracking_id", text(length=64), nullable=False),
        sa.Column("source_file", text(length=255), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("category", text(length=200), nullable=True),
        sa.Column("agency", text(length=200), nullable=True),
        sa.Column("status", text(length=64), nullable=True),
        sa.Column("reported_on", text(length=32), nullable=True),
        sa.Column("kecamatan", text(length=64), nullable=True),
        sa.Column("kelurahan", text(length=64), nullable=True),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "tracking_id", name="uq_complaint_report_tracking"),
    )


def downgrade() -> None:
    op.drop_table("complaint_report")
