"""assessments, findings, corrective actions (with status history) and access requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:47:44.520333
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('access_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('requester_organization_id', sa.Uuid(), nullable=False),
    sa.Column('decider_organization_id', sa.Uuid(), nullable=False),
    sa.Column('subject_kind', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('subject_public_id', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'approved', 'denied', name='access_request_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('grant_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['decider_organization_id'], ['organizations.id'], name=op.f('fk_access_requests_decider_organization_id_organizations')),
    sa.ForeignKeyConstraint(['grant_id'], ['sharing_grants.id'], name=op.f('fk_access_requests_grant_id_sharing_grants')),
    sa.ForeignKeyConstraint(['requester_organization_id'], ['organizations.id'], name=op.f('fk_access_requests_requester_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_requests'))
    )
    op.create_index(op.f('ix_access_requests_decider_organization_id'), 'access_requests', ['decider_organization_id'], unique=False)
    op.create_index(op.f('ix_access_requests_requester_organization_id'), 'access_requests', ['requester_organization_id'], unique=False)
    op.create_table('assessments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('scheme', sa.Enum('slcp', 'smeta', 'better_work', 'self_assessment', 'recruiter_ddq', name='assessment_scheme', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('scheme_version', sa.String(length=32), nullable=False),
    sa.Column('mapping_version', sa.String(length=32), nullable=False),
    sa.Column('modality', sa.Enum('onsite', 'virtual', 'hybrid', 'desk', name='assessment_modality', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('type', sa.Enum('self', 'joint', 'verified', 'audit', 'vcc', name='assessment_type', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('period_start_date', sa.Date(), nullable=False),
    sa.Column('period_end_date', sa.Date(), nullable=False),
    sa.Column('assessor_name', sa.String(length=300), nullable=False),
    sa.Column('assessor_identifier', sa.String(length=100), nullable=True),
    sa.Column('assessor_lead', sa.String(length=200), nullable=True),
    sa.Column('assessor_organization_id', sa.Uuid(), nullable=True),
    sa.Column('subject_kind', sa.Enum('facility', 'recruiter', name='assessment_subject_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('facility_id', sa.Uuid(), nullable=True),
    sa.Column('recruiter_id', sa.Uuid(), nullable=True),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('source_format', sa.String(length=8), nullable=False),
    sa.Column('terms', sa.String(length=200), nullable=True),
    sa.Column('pooled_signal', sa.Boolean(), nullable=False),
    sa.Column('triangulation_sources', sa.JSON(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('supersedes_id', sa.Uuid(), nullable=True),
    sa.Column('superseded_by_id', sa.Uuid(), nullable=True),
    sa.Column('uploaded_by_organization_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(subject_kind = 'facility' AND facility_id IS NOT NULL AND recruiter_id IS NULL) OR (subject_kind = 'recruiter' AND recruiter_id IS NOT NULL AND facility_id IS NULL)", name=op.f('ck_assessments_one_subject')),
    sa.ForeignKeyConstraint(['assessor_organization_id'], ['organizations.id'], name=op.f('fk_assessments_assessor_organization_id_organizations')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_assessments_facility_id_facilities')),
    sa.ForeignKeyConstraint(['recruiter_id'], ['recruiters.id'], name=op.f('fk_assessments_recruiter_id_recruiters')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['assessments.id'], name=op.f('fk_assessments_superseded_by_id_assessments')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['assessments.id'], name=op.f('fk_assessments_supersedes_id_assessments')),
    sa.ForeignKeyConstraint(['uploaded_by_organization_id'], ['organizations.id'], name=op.f('fk_assessments_uploaded_by_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('public_id', name=op.f('uq_assessments_public_id')),
    sa.UniqueConstraint('subject_id', 'source_sha256', name='uq_assessments_subject_id_source_sha256')
    )
    op.create_index(op.f('ix_assessments_facility_id'), 'assessments', ['facility_id'], unique=False)
    op.create_index(op.f('ix_assessments_recruiter_id'), 'assessments', ['recruiter_id'], unique=False)
    op.create_index(op.f('ix_assessments_scheme'), 'assessments', ['scheme'], unique=False)
    op.create_index(op.f('ix_assessments_subject_id'), 'assessments', ['subject_id'], unique=False)
    op.create_index(op.f('ix_assessments_superseded_by_id'), 'assessments', ['superseded_by_id'], unique=False)
    op.create_index(op.f('ix_assessments_uploaded_by_organization_id'), 'assessments', ['uploaded_by_organization_id'], unique=False)
    op.create_table('findings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=100), nullable=False),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.Column('topic', sa.Enum('facility_profile', 'recruitment_and_hiring', 'recruitment_fees', 'contracts_and_terms', 'identity_documents', 'child_labour', 'forced_labour', 'discrimination', 'freedom_of_association', 'wages_and_benefits', 'working_hours', 'worker_treatment', 'worker_involvement', 'grievance_and_remedy', 'health_and_safety', 'living_conditions', 'termination', 'management_systems', 'licensing', 'environment', 'business_ethics', 'beyond_compliance', name='finding_topic', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('section', sa.String(length=200), nullable=True),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('corrected_value', sa.Text(), nullable=True),
    sa.Column('legal_non_compliance', sa.Boolean(), nullable=False),
    sa.Column('scheme_severity', sa.String(length=32), nullable=True),
    sa.Column('severity', sa.Enum('none', 'low', 'medium', 'high', 'critical', name='finding_severity', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('ilo_indicators', sa.JSON(), nullable=False),
    sa.Column('evidence_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_findings_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    op.create_index(op.f('ix_findings_assessment_id'), 'findings', ['assessment_id'], unique=False)
    op.create_index(op.f('ix_findings_severity'), 'findings', ['severity'], unique=False)
    op.create_index(op.f('ix_findings_topic'), 'findings', ['topic'], unique=False)
    op.create_table('corrective_actions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('finding_id', sa.Uuid(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('finding_ref', sa.String(length=100), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('open', 'progress', 'closed', name='corrective_action_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_corrective_actions_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_corrective_actions_finding_id_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrective_actions'))
    )
    op.create_index(op.f('ix_corrective_actions_assessment_id'), 'corrective_actions', ['assessment_id'], unique=False)
    op.create_index(op.f('ix_corrective_actions_due_date'), 'corrective_actions', ['due_date'], unique=False)
    op.create_index(op.f('ix_corrective_actions_finding_id'), 'corrective_actions', ['finding_id'], unique=False)
    op.create_table('corrective_action_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('corrective_action_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.Enum('open', 'progress', 'closed', name='corrective_action_event_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['corrective_action_id'], ['corrective_actions.id'], name=op.f('fk_corrective_action_events_corrective_action_id_corrective_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_corrective_action_events_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrective_action_events'))
    )
    op.create_index(op.f('ix_corrective_action_events_corrective_action_id'), 'corrective_action_events', ['corrective_action_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_corrective_action_events_corrective_action_id'), table_name='corrective_action_events')
    op.drop_table('corrective_action_events')
    op.drop_index(op.f('ix_corrective_actions_finding_id'), table_name='corrective_actions')
    op.drop_index(op.f('ix_corrective_actions_due_date'), table_name='corrective_actions')
    op.drop_index(op.f('ix_corrective_actions_assessment_id'), table_name='corrective_actions')
    op.drop_table('corrective_actions')
    op.drop_index(op.f('ix_findings_topic'), table_name='findings')
    op.drop_index(op.f('ix_findings_severity'), table_name='findings')
    op.drop_index(op.f('ix_findings_assessment_id'), table_name='findings')
    op.drop_table('findings')
    op.drop_index(op.f('ix_assessments_uploaded_by_organization_id'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_superseded_by_id'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_subject_id'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_scheme'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_recruiter_id'), table_name='assessments')
    op.drop_index(op.f('ix_assessments_facility_id'), table_name='assessments')
    op.drop_table('assessments')
    op.drop_index(op.f('ix_access_requests_requester_organization_id'), table_name='access_requests')
    op.drop_index(op.f('ix_access_requests_decider_organization_id'), table_name='access_requests')
    op.drop_table('access_requests')
