"""a campaign's own agency (OPD) list

Revision ID: 0002_campaign_agencies
Revises: 0001
Create Date: 2026-12-03 16:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002_campaign_agencies'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('campaign_agencies',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('agencies', sa.JSON(), nullable=False),
    sa.Column('source_file', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('loaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.PrimaryKeyConstraint('campaign_id')
    )


def downgrade() -> None:
    op.drop_table('campaign_agencies')
