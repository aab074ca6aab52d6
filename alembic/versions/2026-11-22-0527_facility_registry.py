"""facility registry: facilities, external identifiers, contributions (provenance), claims

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:27:15.880611
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_table('facilities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('normalised_name', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('admin1', sa.String(length=100), nullable=True),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('sector', sa.String(length=100), nullable=True),
    sa.Column('product_type', sa.String(length=200), nullable=True),
    sa.Column('number_of_workers', sa.Integer(), nullable=True),
    sa.Column('migrant_worker_share', sa.Double(), nullable=True),
    sa.Column('female_worker_share', sa.Double(), nullable=True),
    sa.Column('merged_into_id', sa.Uuid(), nullable=True),
    sa.Column('owner_organization_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['facilities.id'], name=op.f('fk_facilities_merged_into_id_facilities')),
    sa.ForeignKeyConstraint(['owner_organization_id'], ['organizations.id'], name=op.f('fk_facilities_owner_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilities')),
    sa.UniqueConstraint('public_id', name=op.f('uq_facilities_public_id'))
    )
    op.create_geospatial_index('idx_facilities_location', 'facilities', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_facilities_country'), 'facilities', ['country'], unique=False)
    op.create_index(op.f('ix_facilities_merged_into_id'), 'facilities', ['merged_into_id'], unique=False)
    op.create_index(op.f('ix_facilities_normalised_name'), 'facilities', ['normalised_name'], unique=False)
    op.create_index(op.f('ix_facilities_sector'), 'facilities', ['sector'], unique=False)
    op.create_table('facility_claims',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('facility_id', sa.Uuid(), nullable=False),
    sa.Column('claimant_organization_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='claim_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_organization_id', sa.Uuid(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claimant_organization_id'], ['organizations.id'], name=op.f('fk_facility_claims_claimant_organization_id_organizations')),
    sa.ForeignKeyConstraint(['decided_by_organization_id'], ['organizations.id'], name=op.f('fk_facility_claims_decided_by_organization_id_organizations')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_facility_claims_facility_id_facilities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_claims'))
    )
    op.create_index(op.f('ix_facility_claims_claimant_organization_id'), 'facility_claims', ['claimant_organization_id'], unique=False)
    op.create_index(op.f('ix_facility_claims_facility_id'), 'facility_claims', ['facility_id'], unique=False)
    op.create_table('facility_contributions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('facility_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('attribute', sa.String(length=32), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('contributed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_facility_contributions_facility_id_facilities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_facility_contributions_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_contributions'))
    )
    op.create_index(op.f('ix_facility_contributions_facility_id'), 'facility_contributions', ['facility_id'], unique=False)
    op.create_index(op.f('ix_facility_contributions_organization_id'), 'facility_contributions', ['organization_id'], unique=False)
    op.create_table('facility_identifiers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('facility_id', sa.Uuid(), nullable=False),
    sa.Column('scheme', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('contributed_by_organization_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contributed_by_organization_id'], ['organizations.id'], name=op.f('fk_facility_identifiers_contributed_by_organization_id_organizations')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_facility_identifiers_facility_id_facilities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_identifiers')),
    sa.UniqueConstraint('scheme', 'value', name='uq_facility_identifiers_scheme_value')
    )
    op.create_index(op.f('ix_facility_identifiers_facility_id'), 'facility_identifiers', ['facility_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_facility_identifiers_facility_id'), table_name='facility_identifiers')
    op.drop_table('facility_identifiers')
    op.drop_index(op.f('ix_facility_contributions_organization_id'), table_name='facility_contributions')
    op.drop_index(op.f('ix_facility_contributions_facility_id'), table_name='facility_contributions')
    op.drop_table('facility_contributions')
    op.drop_index(op.f('ix_facility_claims_facility_id'), table_name='facility_claims')
    op.drop_index(op.f('ix_facility_claims_claimant_organization_id'), table_name='facility_claims')
    op.drop_table('facility_claims')
    op.drop_index(op.f('ix_facilities_sector'), table_name='facilities')
    op.drop_index(op.f('ix_facilities_normalised_name'), table_name='facilities')
    op.drop_index(op.f('ix_facilities_merged_into_id'), table_name='facilities')
    op.drop_index(op.f('ix_facilities_country'), table_name='facilities')
    op.drop_geospatial_index('idx_facilities_location', table_name='facilities', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('facilities')
