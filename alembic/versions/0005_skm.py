"""survey_run.service_unit: the service unit an SKM run rates (issue 14 item 3)

Revision ID: i14_skm
Revises: i14_profile
Create Date: 2026-12-03 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "i14_skm"
down_revision: str | None = "i14_profile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_run") as batch:
        batch.add_column(
            sa.Column("service_unit", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_run") as batch:
        batch.drop_column("service_unit")
