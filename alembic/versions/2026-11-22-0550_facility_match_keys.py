"""facility match keys: blocking keys of live facilities, for finding shared sites

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:50:23.059264
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('facility_match_keys',
    sa.Column('facility_id', sa.Uuid(), nullable=False),
    sa.Column('key_hash', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_facility_match_keys_facility_id_facilities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('facility_id', 'key_hash', name=op.f('pk_facility_match_keys'))
    )
    op.create_index(op.f('ix_facility_match_keys_key_hash'), 'facility_match_keys', ['key_hash'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_facility_match_keys_key_hash'), table_name='facility_match_keys')
    op.drop_table('facility_match_keys')
