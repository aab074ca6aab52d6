"""corridor weights: an imported risk weight (0-1) per migration corridor, optionally per sector

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reference_corridor_weights',
    sa.Column('edition_id', sa.Uuid(), nullable=False),
    sa.Column('origin_country', sa.String(length=2), nullable=False),
    sa.Column('destination_country', sa.String(length=2), nullable=False),
    sa.Column('sector', sa.String(length=100), nullable=False),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['reference_editions.id'], name=op.f('fk_reference_corridor_weights_edition_id_reference_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', 'origin_country', 'destination_country', 'sector', name=op.f('pk_reference_corridor_weights'))
    )


def downgrade() -> None:
    op.drop_table('reference_corridor_weights')
