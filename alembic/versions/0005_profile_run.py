"""respondent_profile.run_id: the run that asked the profile (issue 14 item 1)

A profile is asked once, in the first run that reaches it; later runs (a new response, a
restart) skip it. Recording the run that asked it says so without comparing clocks.

Revision ID: profile_run
Revises: i14_profile
Create Date: 2026-12-03 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "profile_run"
down_revision: str | None = "i14_profile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("respondent_profile") as batch:
        batch.add_column(sa.Column("run_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("respondent_profile") as batch:
        batch.drop_column("run_id")
