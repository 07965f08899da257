"""imported_file: one row per imported file, unique per campaign (issue 12 item 2)

Revision ID: i12_imported_file
Revises: 0002_campaign_agencies
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "i12_imported_file"
down_revision: str | None = "0002_campaign_agencies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "file_name", name="uq_imported_file"),
    )
    # Files imported before this table existed get their row, so they stay "already
    # imported" (their content hash is unknown).
    op.execute(
        "INSERT INTO imported_file "
        "(campaign_id, instrument, file_name, content_hash, rows, answers, imported_at) "
        "SELECT campaign_id, MIN(instrument), source_file, NULL, COUNT(DISTINCT source_row), "
        "COUNT(*), MAX(imported_at) FROM imported_answer GROUP BY campaign_id, source_file"
    )


def downgrade() -> None:
    op.drop_table("imported_file")
