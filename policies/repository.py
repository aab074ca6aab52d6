"""SQL statements of the policies domain; readers take a scope object."""

from __future__ import annotations

import sqlalchemy as sa

from policies.models import Organization
from policies.visibility import OrganizationReadScope, visible_organizations


def readable_organizations(scope: OrganizationReadScope) -> sa.Select[tuple[Organization]]:
    return sa.select(Organization).where(visible_organizations(scope))
