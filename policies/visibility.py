"""Scope objects: what a principal may read, as values repositories must take to build queries.

Each resource kind gets one ``visible_*`` SQL expression built from a scope object, identical
on both dialects, so list, count and map queries filter in the database and cannot forget to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement

from core.principal import OrganizationKind, Principal
from policies.models import AuditEvent, Organization, SharingGrant
from policies.scopes import ApiScope


@dataclass(frozen=True, slots=True)
class OrganizationReadScope:
    """Organisations a principal may read: its own, or all of them for platform administrators."""

    own_organization_id: uuid.UUID
    all_organizations: bool


def is_platform_operator(principal: Principal) -> bool:
    """Does this principal act for the platform operators (platform organisation, admin scope)?
    Both are needed: the admin scope alone does not make a brand an operator."""
    return principal.organization_kind is OrganizationKind.platform and principal.has_scopes(ApiScope.admin)


def organization_read_scope(principal: Principal) -> OrganizationReadScope:
    """Which organisations may this principal read?"""
    return OrganizationReadScope(
        own_organization_id=principal.organization_id, all_organizations=is_platform_operator(principal)
    )


def visible_organizations(scope: OrganizationReadScope) -> ColumnElement[bool]:
    if scope.all_organizations:
        return sa.true()
    return Organization.id == scope.own_organization_id


def active_grants(*, grantee_organization_id: uuid.UUID, subject_kind: str, now: datetime) -> ColumnElement[bool]:
    """Is a sharing grant in force for this grantee at ``now`` (not yet revoked, not yet expired)?

    Comparing revocation with ``now`` rather than testing for NULL keeps "as of" questions
    (was this visible when the report was made?) answerable with the same expression."""
    return sa.and_(
        SharingGrant.grantee_organization_id == grantee_organization_id,
        SharingGrant.subject_kind == subject_kind,
        sa.or_(SharingGrant.revoked_at.is_(None), SharingGrant.revoked_at > now),
        sa.or_(SharingGrant.expires_at.is_(None), SharingGrant.expires_at > now),
    )


@dataclass(frozen=True, slots=True)
class AuditReadScope:
    """Audit events a principal may read: all for platform operators, else its own actions."""

    own_organization_id: uuid.UUID
    all_events: bool


def audit_read_scope(principal: Principal) -> AuditReadScope:
    """Which audit events may this principal read?"""
    operator = is_platform_operator(principal)
    return AuditReadScope(own_organization_id=principal.organization_id, all_events=operator)


def visible_audit_events(scope: AuditReadScope) -> ColumnElement[bool]:
    if scope.all_events:
        return sa.true()
    return AuditEvent.actor_organization_id == scope.own_organization_id


@dataclass(frozen=True, slots=True)
class FacilityReadScope:
    """Facilities a principal may read. Core attributes are shared with every member organisation
    except CTIP organisations, who see aggregates only (site-level access by grant comes later)."""

    all_facilities: bool


def facility_read_scope(principal: Principal) -> FacilityReadScope:
    """May this principal read facility records?"""
    return FacilityReadScope(all_facilities=principal.organization_kind is not OrganizationKind.ctip)


def contribution_attribution_visible(principal: Principal, contributor_id: uuid.UUID) -> bool:
    """May this principal learn which organisation made a contribution? Only its own: that a brand
    contributed a site reveals that it sources there, which is that brand's confidential fact."""
    return contributor_id == principal.organization_id or is_platform_operator(principal)


#: Every kind of member organisation.
_MEMBER_KINDS = frozenset(OrganizationKind)


@dataclass(frozen=True, slots=True)
class RecruiterReadScope:
    """Recruiters a principal may read. Core attributes (name, licence, countries, certifications,
    fee policy) are visible to every member organisation, CTIP organisations included: knowing who
    recruits on a corridor is what they work with, and no sourcing relationship is revealed.
    Who contributed what follows ``contribution_attribution_visible``."""

    all_recruiters: bool


def recruiter_read_scope(principal: Principal) -> RecruiterReadScope:
    """May this principal read recruiter records? Every member organisation may."""
    return RecruiterReadScope(all_recruiters=principal.organization_kind in _MEMBER_KINDS)


@dataclass(frozen=True, slots=True)
class CorridorReadScope:
    """Corridors a principal may read: reference data, shared with every member organisation."""

    all_corridors: bool


def corridor_read_scope(principal: Principal) -> CorridorReadScope:
    """May this principal read migration corridors? Every member organisation may."""
    return CorridorReadScope(all_corridors=principal.organization_kind in _MEMBER_KINDS)


@dataclass(frozen=True, slots=True)
class ClaimReadScope:
    """Facility claims a principal may read: its own organisation's, or all for platform operators."""

    own_organization_id: uuid.UUID
    all_claims: bool


def claim_read_scope(principal: Principal) -> ClaimReadScope:
    """Which facility claims may this principal read?"""
    return ClaimReadScope(principal.organization_id, is_platform_operator(principal))


def may_claim_facilities(principal: Principal) -> bool:
    """May this principal's organisation claim a facility? Only suppliers own sites."""
    return principal.organization_kind is OrganizationKind.supplier


def may_decide_claims(principal: Principal) -> bool:
    """May this principal approve or reject facility claims? Platform operators only."""
    return is_platform_operator(principal)


def may_decide_match(principal: Principal, *, contributor_ids: set[uuid.UUID]) -> bool:
    """May this principal say whether a facility and a candidate are one site? An organisation
    that contributed the facility (it knows the site it meant), or a platform operator."""
    return principal.organization_id in contributor_ids or is_platform_operator(principal)


def may_merge_any_pair(principal: Principal) -> bool:
    """May this principal merge two facilities the matcher does not propose? Operators only."""
    return is_platform_operator(principal)


def may_split(principal: Principal, *, merged_by: uuid.UUID, contributor_ids: set[uuid.UUID]) -> bool:
    """May this principal undo a merge? The organisation that made it, a contributor of the
    merged-away facility (its statements were moved), or a platform operator."""
    return (
        principal.organization_id == merged_by
        or principal.organization_id in contributor_ids
        or is_platform_operator(principal)
    )


@dataclass(frozen=True, slots=True)
class RelationshipReadScope:
    """Relationships a principal may read: those its organisation contributed, those touching a
    facility its organisation owns (an approved claim), or all of them for platform operators.
    Another member's links are that member's confidential fact: graph queries built on this scope
    never show them (shared-supplier counts are the one aggregate that is computed across members)."""

    own_organization_id: uuid.UUID
    all_relationships: bool


def relationship_read_scope(principal: Principal) -> RelationshipReadScope:
    """Which relationships may this principal read?"""
    return RelationshipReadScope(principal.organization_id, is_platform_operator(principal))


def may_change_relationship(principal: Principal, *, contributor_id: uuid.UUID) -> bool:
    """May this principal change or end a relationship it can see? Only the organisation that
    stated it (or a platform operator): a site owner sees its customers' links but cannot edit them."""
    return principal.organization_id == contributor_id or is_platform_operator(principal)


def sharer_names_visible(*, disclose_sourcing: bool) -> bool:
    """May another member learn that this brand sources from a site they share? Only when the
    brand consented (``organizations.disclose_sourcing``); otherwise it is counted, never named."""
    return disclose_sourcing


#: ``SharingGrant.subject_kind`` of a grant on one assessment; a grant on a whole subject's
#: assessments uses the subject's kind (``facility`` or ``recruiter``).
ASSESSMENT_GRANT = "assessment"


@dataclass(frozen=True, slots=True)
class AssessmentReadScope:
    """Assessments a principal may read, as of ``now``: those its organisation uploaded or ran,
    those of the facilities and recruiters it owns, those granted to it (one assessment, or all
    of one subject's) by a grant neither revoked nor expired at ``now``; all for platform operators.
    Findings and corrective actions follow their assessment."""

    organization_id: uuid.UUID
    all_assessments: bool
    now: datetime


def assessment_read_scope(principal: Principal, *, now: datetime) -> AssessmentReadScope:
    """Which assessments may this principal read at ``now``?"""
    return AssessmentReadScope(principal.organization_id, is_platform_operator(principal), now)


def granted_subject_ids(scope: AssessmentReadScope, subject_kind: str) -> sa.Select[uuid.UUID]:
    """Ids of the subjects of ``subject_kind`` granted to the scope's organisation, in force at its ``now``."""
    in_force = active_grants(grantee_organization_id=scope.organization_id, subject_kind=subject_kind, now=scope.now)
    return sa.select(SharingGrant.subject_id).where(in_force)


def may_upload_assessment(principal: Principal, *, subject_owner_id: uuid.UUID | None) -> bool:
    """May this principal upload an assessment of a subject? Auditor organisations (for any
    subject: they run the assessments), the subject's owner (its own self-assessments and the
    reports it received), and platform operators (migrations of legacy data). Brands and CTIP
    organisations receive assessments by grant; they do not upload them."""
    return (
        principal.organization_kind is OrganizationKind.auditor
        or (subject_owner_id is not None and principal.organization_id == subject_owner_id)
        or is_platform_operator(principal)
    )


def may_share_assessment(principal: Principal, *, subject_owner_id: uuid.UUID | None, uploaded_by: uuid.UUID) -> bool:
    """May this principal grant, list and revoke read access to one assessment? The subject's
    owner; for an unclaimed subject, the organisation that uploaded it (under its declared terms)."""
    if subject_owner_id is not None:
        return principal.organization_id == subject_owner_id
    return principal.organization_id == uploaded_by


def may_share_subject_assessments(principal: Principal, *, subject_owner_id: uuid.UUID | None) -> bool:
    """May this principal grant access to every assessment of a facility or recruiter, present and
    future? Only its owner: an auditor speaks for the assessments it uploaded, not for the site."""
    return subject_owner_id is not None and principal.organization_id == subject_owner_id


def may_update_corrective_action(
    principal: Principal, *, subject_owner_id: uuid.UUID | None, assessor_ids: set[uuid.UUID]
) -> bool:
    """May this principal change a corrective action's status? The subject's owner (it does the
    work) or the assessor organisation (it verifies the follow-up)."""
    return principal.organization_id == subject_owner_id or principal.organization_id in assessor_ids


@dataclass(frozen=True, slots=True)
class UploadReadScope:
    """Facility-list uploads a principal may read: its own organisation's, or all for platform
    operators (which sites a brand lists is that brand's confidential fact)."""

    own_organization_id: uuid.UUID
    all_uploads: bool


def upload_read_scope(principal: Principal) -> UploadReadScope:
    """Which facility-list uploads (and their rows) may this principal read?"""
    return UploadReadScope(principal.organization_id, is_platform_operator(principal))
