"""broadcast: "what we heard" messages to respondents, per-recipient deliveries, and the
respondent's switch to turn them off (issue 14 item 4)

Revision ID: i14_broadcast
Revises: curation
Create Date: 2026-12-03 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "i14_broadcast"
down_revision: str | None = "curation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("respondent") as batch:
        batch.add_column(
            sa.Column("broadcasts_off", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("respondent") as batch:
        batch.alter_column("broadcasts_off", server_default=None)
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("started_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["digest_id"], ["digest.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest_id"),
    )
    op.create_index(op.f("ix_broadcast_campaign_id"), "broadcast", ["campaign_id"], unique=False)
    op.create_table(
        "broadcast_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcast.id"]),
        sa.ForeignKeyConstraint(["respondent_id"], ["respondent.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("broadcast_id", "respondent_id", name="uq_broadcast_delivery"),
    )
    op.create_index(
        op.f("ix_broadcast_delivery_broadcast_id"),
        "broadcast_delivery",
        ["broadcast_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_broadcast_delivery_respondent_id"),
        "broadcast_delivery",
        ["respondent_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_broadcast_delivery_respondent_id"), table_name="broadcast_delivery")
    op.drop_index(op.f("ix_broadcast_delivery_broadcast_id"), table_name="broadcast_delivery")
    op.drop_table("broadcast_delivery")
    op.drop_index(op.f("ix_broadcast_campaign_id"), table_name="broadcast")
    op.drop_table("broadcast")
    with op.batch_alter_table("respondent") as batch:
        batch.drop_column("broadcasts_off")
