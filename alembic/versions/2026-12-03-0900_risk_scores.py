"""risk scores: the stored score of each facility and recruiter, with its breakdown

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('risk_scores',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('subject_kind', sa.Enum('facility', 'recruiter', name='risk_subject_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('band', sa.String(length=16), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('method_version', sa.String(length=32), nullable=False),
    sa.Column('inputs_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_scores')),
    sa.UniqueConstraint('subject_kind', 'subject_id', name='uq_risk_scores_subject')
    )


def downgrade() -> None:
    op.drop_table('risk_scores')
