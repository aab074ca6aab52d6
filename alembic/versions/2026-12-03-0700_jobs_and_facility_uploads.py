"""jobs and facility uploads: durable job queue; facility lists with per-row status

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='job_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index('ix_jobs_status_created_at', 'jobs', ['status', 'created_at'], unique=False)
    op.create_table('facility_uploads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('file_format', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('queued', 'processing', 'done', 'failed', name='upload_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('processed_rows', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('matched_count', sa.Integer(), nullable=False),
    sa.Column('potential_match_count', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_facility_uploads_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_uploads')),
    sa.UniqueConstraint('organization_id', 'content_sha256', name='uq_facility_uploads_organization_id_content_sha256')
    )
    op.create_index(op.f('ix_facility_uploads_organization_id'), 'facility_uploads', ['organization_id'], unique=False)
    op.create_table('facility_upload_rows',
    sa.Column('upload_id', sa.Uuid(), nullable=False),
    sa.Column('row_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.Enum('pending', 'created', 'matched', 'potential_match', 'error', name='upload_row_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('facility_public_id', sa.String(length=16), nullable=True),
    sa.Column('potential_matches', sa.JSON(), nullable=True),
    sa.Column('error_column', sa.String(length=64), nullable=True),
    sa.Column('error_reason', sa.Text(), nullable=True),
    sa.Column('raw_values', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['facility_uploads.id'], name=op.f('fk_facility_upload_rows_upload_id_facility_uploads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('upload_id', 'row_number', name=op.f('pk_facility_upload_rows'))
    )
    op.create_index('ix_facility_upload_rows_upload_id_status', 'facility_upload_rows', ['upload_id', 'status', 'row_number'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_facility_upload_rows_upload_id_status', table_name='facility_upload_rows')
    op.drop_table('facility_upload_rows')
    op.drop_index(op.f('ix_facility_uploads_organization_id'), table_name='facility_uploads')
    op.drop_table('facility_uploads')
    op.drop_index('ix_jobs_status_created_at', table_name='jobs')
    op.drop_table('jobs')
