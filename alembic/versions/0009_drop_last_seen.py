"""respondent.last_seen_at dropped: written on every answer, never read, personal data
(issue 13 item 6)

Revision ID: i13_drop_last_seen
Revises: lapor
Create Date: 2026-12-03 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "i13_drop_last_seen"
down_revision: str | None = "lapor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ALTER TABLE … DROP COLUMN, not a batch rebuild: SQLite (3.35+) drops a plain column in
    # place, while rebuilding `respondent` would trip the foreign keys that point at it.
    op.drop_column("respondent", "last_seen_at")


def downgrade() -> None:
    op.add_column(
        "respondent",
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
