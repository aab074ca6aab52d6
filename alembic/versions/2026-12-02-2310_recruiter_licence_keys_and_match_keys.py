"""recruiter licence keys and match keys: one licence, one recruiter; blocking keys for matching

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 23:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recruiter_match_keys',
    sa.Column('recruiter_id', sa.Uuid(), nullable=False),
    sa.Column('key_hash', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['recruiter_id'], ['recruiters.id'], name=op.f('fk_recruiter_match_keys_recruiter_id_recruiters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recruiter_id', 'key_hash', name=op.f('pk_recruiter_match_keys'))
    )
    op.create_index(op.f('ix_recruiter_match_keys_key_hash'), 'recruiter_match_keys', ['key_hash'], unique=False)
    # Batch mode: SQLite cannot add a unique constraint to an existing table without rebuilding it.
    with op.batch_alter_table('recruiters') as batch:
        batch.add_column(sa.Column('licence_key', sa.String(length=120), nullable=True))
        batch.create_unique_constraint(op.f('uq_recruiters_licence_key'), ['licence_key'])


def downgrade() -> None:
    with op.batch_alter_table('recruiters') as batch:
        batch.drop_constraint(op.f('uq_recruiters_licence_key'), type_='unique')
        batch.drop_column('licence_key')
    op.drop_index(op.f('ix_recruiter_match_keys_key_hash'), table_name='recruiter_match_keys')
    op.drop_table('recruiter_match_keys')
