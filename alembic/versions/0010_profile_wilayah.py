"""respondent_profile.run_id and campaign_wilayah (issue 14 items 1 and 2)

A profile is asked once, in the first run that reaches it; later runs (a new response, a
restart) skip it. Recording the run that asked it says so without comparing clocks.
campaign_wilayah holds a campaign's own kecamatan/desa list (`rembuk wilayah load`).

Revision ID: profile_wilayah
Revises: i13_drop_last_seen
Create Date: 2026-12-03 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "profile_wilayah"
down_revision: str | None = "i13_drop_last_seen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("respondent_profile") as batch:
        batch.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
    op.create_table(
        "campaign_wilayah",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("wilayah", sa.JSON(), nullable=False),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("loaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("campaign_id"),
    )


def downgrade() -> None:
    op.drop_table("campaign_wilayah")
    with op.batch_alter_table("respondent_profile") as batch:
        batch.drop_column("run_id")
