"""Tables of the supplier graph, one module per kind of node or edge.

Importing this package registers every table on ``Base.metadata`` (Alembic and the tests rely on it).
"""

from graph.models.facilities import (
    ClaimStatus,
    Facility,
    FacilityClaim,
    FacilityContribution,
    FacilityIdentifier,
    FacilityMatchDecision,
    FacilityMatchKey,
    FacilityMerge,
    MatchVerdict,
)
from graph.models.recruiters import (
    Corridor,
    FeePolicy,
    Recruiter,
    RecruiterCertification,
    RecruiterContribution,
    RecruiterIdentifier,
    RecruiterMatchDecision,
    RecruiterMatchKey,
    RecruiterMerge,
)
from graph.models.relationships import EndpointKind, FeePayer, Relationship, RelationshipKind, RelationshipVersion

__all__ = [
    "ClaimStatus",
    "Corridor",
    "EndpointKind",
    "Facility",
    "FacilityClaim",
    "FacilityContribution",
    "FacilityIdentifier",
    "FacilityMatchDecision",
    "FacilityMatchKey",
    "FacilityMerge",
    "FeePayer",
    "FeePolicy",
    "MatchVerdict",
    "Recruiter",
    "RecruiterCertification",
    "RecruiterContribution",
    "RecruiterIdentifier",
    "RecruiterMatchDecision",
    "RecruiterMatchKey",
    "RecruiterMerge",
    "Relationship",
    "RelationshipKind",
    "RelationshipVersion",
]
