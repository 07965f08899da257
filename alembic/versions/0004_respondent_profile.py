"""respondent_profile: optional kecamatan, age band, sex and disability (issue 14 item 1)

Revision ID: i14_profile
Revises: i12_imported_file
Create Date: 2026-12-03 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "i14_profile"
down_revision: str | None = "i12_imported_file"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "respondent_profile",
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("kecamatan", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("desa", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("age_band", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("disability", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["respondent_id"], ["respondent.id"]),
        sa.PrimaryKeyConstraint("respondent_id"),
    )


def downgrade() -> None:
    op.drop_table("respondent_profile")
