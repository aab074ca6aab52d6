"""recruiter merges and match decisions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATEMENT_TABLES = ('recruiter_contributions', 'recruiter_identifiers', 'recruiter_certifications')


def upgrade() -> None:
    op.create_table('recruiter_match_decisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('recruiter_id', sa.Uuid(), nullable=False),
    sa.Column('candidate_recruiter_id', sa.Uuid(), nullable=False),
    sa.Column('verdict', sa.Enum('confirmed', 'rejected', name='match_verdict', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_recruiter_id'], ['recruiters.id'], name=op.f('fk_recruiter_match_decisions_candidate_recruiter_id_recruiters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recruiter_id'], ['recruiters.id'], name=op.f('fk_recruiter_match_decisions_recruiter_id_recruiters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_recruiter_match_decisions_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruiter_match_decisions'))
    )
    op.create_index(op.f('ix_recruiter_match_decisions_candidate_recruiter_id'), 'recruiter_match_decisions', ['candidate_recruiter_id'], unique=False)
    op.create_index(op.f('ix_recruiter_match_decisions_recruiter_id'), 'recruiter_match_decisions', ['recruiter_id'], unique=False)
    op.create_table('recruiter_merges',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('survivor_id', sa.Uuid(), nullable=False),
    sa.Column('merged_id', sa.Uuid(), nullable=False),
    sa.Column('merged_by_organization_id', sa.Uuid(), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('split_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('split_by_organization_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['merged_by_organization_id'], ['organizations.id'], name=op.f('fk_recruiter_merges_merged_by_organization_id_organizations')),
    sa.ForeignKeyConstraint(['merged_id'], ['recruiters.id'], name=op.f('fk_recruiter_merges_merged_id_recruiters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['split_by_organization_id'], ['organizations.id'], name=op.f('fk_recruiter_merges_split_by_organization_id_organizations')),
    sa.ForeignKeyConstraint(['survivor_id'], ['recruiters.id'], name=op.f('fk_recruiter_merges_survivor_id_recruiters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruiter_merges'))
    )
    op.create_index(op.f('ix_recruiter_merges_merged_id'), 'recruiter_merges', ['merged_id'], unique=False)
    op.create_index(op.f('ix_recruiter_merges_survivor_id'), 'recruiter_merges', ['survivor_id'], unique=False)
    # Batch mode: SQLite cannot add a foreign key to an existing table without rebuilding it.
    for table in _STATEMENT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('origin_recruiter_id', sa.Uuid(), nullable=True))
            batch.create_foreign_key(
                op.f(f'fk_{table}_origin_recruiter_id_recruiters'), 'recruiters', ['origin_recruiter_id'], ['id']
            )


def downgrade() -> None:
    for table in reversed(_STATEMENT_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'fk_{table}_origin_recruiter_id_recruiters'), type_='foreignkey')
            batch.drop_column('origin_recruiter_id')
    op.drop_index(op.f('ix_recruiter_merges_survivor_id'), table_name='recruiter_merges')
    op.drop_index(op.f('ix_recruiter_merges_merged_id'), table_name='recruiter_merges')
    op.drop_table('recruiter_merges')
    op.drop_index(op.f('ix_recruiter_match_decisions_recruiter_id'), table_name='recruiter_match_decisions')
    op.drop_index(op.f('ix_recruiter_match_decisions_candidate_recruiter_id'), table_name='recruiter_match_decisions')
    op.drop_table('recruiter_match_decisions')
