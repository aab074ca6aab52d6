"""reference editions: the list of goods, country indices and country boundaries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reference_editions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('edition', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('licence', sa.String(length=500), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('unmapped', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_editions')),
    sa.UniqueConstraint('kind', 'name', 'edition', name='uq_reference_editions_kind_name_edition')
    )
    op.create_table('reference_goods',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('edition_id', sa.Uuid(), nullable=False),
    sa.Column('good', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('country_name', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=200), nullable=True),
    sa.Column('child_labor', sa.Boolean(), nullable=False),
    sa.Column('forced_labor', sa.Boolean(), nullable=False),
    sa.Column('forced_child_labor', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['reference_editions.id'], name=op.f('fk_reference_goods_edition_id_reference_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_goods'))
    )
    op.create_index(op.f('ix_reference_goods_country'), 'reference_goods', ['country'], unique=False)
    op.create_index(op.f('ix_reference_goods_edition_id'), 'reference_goods', ['edition_id'], unique=False)
    op.create_table('reference_country_values',
    sa.Column('edition_id', sa.Uuid(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['reference_editions.id'], name=op.f('fk_reference_country_values_edition_id_reference_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', 'country', name=op.f('pk_reference_country_values'))
    )
    op.create_geospatial_table('reference_boundaries',
    sa.Column('edition_id', sa.Uuid(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('iso_a3', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('geometry', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['reference_editions.id'], name=op.f('fk_reference_boundaries_edition_id_reference_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', 'country', name=op.f('pk_reference_boundaries'))
    )
    op.create_geospatial_index('idx_reference_boundaries_geometry', 'reference_boundaries', ['geometry'], unique=False, postgresql_using='gist', postgresql_ops={})


def downgrade() -> None:
    op.drop_geospatial_index('idx_reference_boundaries_geometry', table_name='reference_boundaries', postgresql_using='gist', column_name='geometry')
    op.drop_geospatial_table('reference_boundaries')
    op.drop_table('reference_country_values')
    op.drop_index(op.f('ix_reference_goods_edition_id'), table_name='reference_goods')
    op.drop_index(op.f('ix_reference_goods_country'), table_name='reference_goods')
    op.drop_table('reference_goods')
    op.drop_table('reference_editions')
