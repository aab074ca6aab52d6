"""relationships and their history; organisations' consent to disclose sourcing

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 07:01:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def _endpoint(name: str) -> sa.Enum:
    return sa.Enum('organization', 'facility', 'recruiter', name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table('relationships',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.Enum('sources_from', 'supplies', 'recruits_for', 'subcontracts', name='relationship_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('from_kind', _endpoint('relationship_from_kind'), nullable=False),
    sa.Column('from_id', sa.Uuid(), nullable=False),
    sa.Column('to_kind', _endpoint('relationship_to_kind'), nullable=False),
    sa.Column('to_id', sa.Uuid(), nullable=False),
    sa.Column('contributor_organization_id', sa.Uuid(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=True),
    sa.Column('material', sa.String(length=200), nullable=True),
    sa.Column('corridor_id', sa.Uuid(), nullable=True),
    sa.Column('workers_placed', sa.Integer(), nullable=True),
    sa.Column('fee_per_worker', sa.Double(), nullable=True),
    sa.Column('fee_currency', sa.String(length=3), nullable=True),
    sa.Column('fee_payer', sa.Enum('worker', 'employer', 'shared', 'unknown', name='fee_payer', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contributor_organization_id'], ['organizations.id'], name=op.f('fk_relationships_contributor_organization_id_organizations')),
    sa.ForeignKeyConstraint(['corridor_id'], ['corridors.id'], name=op.f('fk_relationships_corridor_id_corridors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationships')),
    sa.UniqueConstraint('public_id', name=op.f('uq_relationships_public_id'))
    )
    op.create_index('ix_relationships_from', 'relationships', ['from_id', 'kind'], unique=False)
    op.create_index('ix_relationships_to', 'relationships', ['to_id', 'kind'], unique=False)
    op.create_index(op.f('ix_relationships_contributor_organization_id'), 'relationships', ['contributor_organization_id'], unique=False)
    op.create_index(op.f('ix_relationships_corridor_id'), 'relationships', ['corridor_id'], unique=False)
    op.create_table('relationship_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('relationship_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('changed_by_organization_id', sa.Uuid(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_organization_id'], ['organizations.id'], name=op.f('fk_relationship_versions_changed_by_organization_id_organizations')),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationships.id'], name=op.f('fk_relationship_versions_relationship_id_relationships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationship_versions')),
    sa.UniqueConstraint('relationship_id', 'version', name='uq_relationship_versions_version')
    )
    op.create_index(op.f('ix_relationship_versions_relationship_id'), 'relationship_versions', ['relationship_id'], unique=False)
    op.create_index(op.f('ix_facilities_owner_organization_id'), 'facilities', ['owner_organization_id'], unique=False)
    # A constant default: SQLite adds the column without rebuilding the table (which holds a geometry).
    op.add_column('organizations', sa.Column('disclose_sourcing', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column('organizations', 'disclose_sourcing')
    op.drop_index(op.f('ix_facilities_owner_organization_id'), table_name='facilities')
    op.drop_index(op.f('ix_relationship_versions_relationship_id'), table_name='relationship_versions')
    op.drop_table('relationship_versions')
    op.drop_index(op.f('ix_relationships_corridor_id'), table_name='relationships')
    op.drop_index(op.f('ix_relationships_contributor_organization_id'), table_name='relationships')
    op.drop_index('ix_relationships_to', table_name='relationships')
    op.drop_index('ix_relationships_from', table_name='relationships')
    op.drop_table('relationships')
