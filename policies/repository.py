"""SQL statements of the policies domain; readers take a scope object."""

from __future__ import annotations

import sqlalchemy as sa

from policies.models import AuditEvent, Organization
from policies.visibility import AuditReadScope, OrganizationReadScope, visible_audit_events, visible_organizations


def readable_organizations(scope: OrganizationReadScope) -> sa.Select[Organization]:
    return sa.select(Organization).where(visible_organizations(scope))


def readable_audit_events(scope: AuditReadScope) -> sa.Select[AuditEvent]:
    return sa.select(AuditEvent).where(visible_audit_events(scope))
