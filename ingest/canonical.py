"""The canonical assessment: what every scheme's file becomes after parsing.

Pure values (frozen dataclasses, no database): the storage layer maps them to rows later. Enum values
are the vocabulary of ``../shared/DOMAIN.md``; scheme-specific labels stay on the finding
(``scheme_severity``, ``answer``) next to their canonical reading (``severity``, ``topic``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Scheme(StrEnum):
    slcp = "slcp"
    smeta = "smeta"
    better_work = "better_work"
    self_assessment = "self_assessment"
    recruiter_ddq = "recruiter_ddq"


class Modality(StrEnum):
    onsite = "onsite"
    virtual = "virtual"
    hybrid = "hybrid"
    desk = "desk"


class AssessmentType(StrEnum):
    self = "self"
    joint = "joint"
    verified = "verified"
    audit = "audit"
    vcc = "vcc"  # Better Work virtual compliance check


class SubjectKind(StrEnum):
    facility = "facility"
    recruiter = "recruiter"


class ActionStatus(StrEnum):
    open = "open"
    progress = "progress"
    closed = "closed"


class TriangulationSource(StrEnum):
    worker_survey = "worker_survey"
    worker_interview = "worker_interview"
    management_interview = "management_interview"
    management_survey = "management_survey"
    document_review = "document_review"
    site_observation = "site_observation"
    labour_inspector = "labour_inspector"


class Severity(StrEnum):
    """One scale for every scheme: SMETA critical/major/minor, Better Work non-compliance, SLCP
    legal non-compliance all land here, so findings of different schemes can be compared."""

    none = "none"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class IloIndicator(StrEnum):
    """The 11 ILO indicators of forced labour (ILO, 2012)."""

    abuse_of_vulnerability = "abuse_of_vulnerability"
    deception = "deception"
    restriction_of_movement = "restriction_of_movement"
    isolation = "isolation"
    physical_and_sexual_violence = "physical_and_sexual_violence"
    intimidation_and_threats = "intimidation_and_threats"
    retention_of_identity_documents = "retention_of_identity_documents"
    withholding_of_wages = "withholding_of_wages"
    debt_bondage = "debt_bondage"
    abusive_working_and_living_conditions = "abusive_working_and_living_conditions"
    excessive_overtime = "excessive_overtime"


class Topic(StrEnum):
    """Canonical topics every scheme code maps to (``ingest/mappings/*.json``)."""

    facility_profile = "facility_profile"
    recruitment_and_hiring = "recruitment_and_hiring"
    recruitment_fees = "recruitment_fees"
    contracts_and_terms = "contracts_and_terms"
    identity_documents = "identity_documents"
    child_labour = "child_labour"
    forced_labour = "forced_labour"
    discrimination = "discrimination"
    freedom_of_association = "freedom_of_association"
    wages_and_benefits = "wages_and_benefits"
    working_hours = "working_hours"
    worker_treatment = "worker_treatment"
    worker_involvement = "worker_involvement"
    grievance_and_remedy = "grievance_and_remedy"
    health_and_safety = "health_and_safety"
    living_conditions = "living_conditions"
    termination = "termination"
    management_systems = "management_systems"
    licensing = "licensing"
    environment = "environment"
    business_ethics = "business_ethics"
    beyond_compliance = "beyond_compliance"


@dataclass(frozen=True, slots=True)
class SubjectIdentifier:
    """An id of the facility or recruiter in some registry (``scheme`` e.g. ``slcp``, ``sedex``, ``loomline``)."""

    scheme: str
    value: str


@dataclass(frozen=True, slots=True)
class Subject:
    kind: SubjectKind
    identifiers: tuple[SubjectIdentifier, ...]
    name: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 as written in the file, upper-cased


@dataclass(frozen=True, slots=True)
class Assessor:
    organisation: str
    identifier: str | None = None
    lead: str | None = None


@dataclass(frozen=True, slots=True)
class AssessedPeriod:
    start_date: dt.date
    end_date: dt.date


@dataclass(frozen=True, slots=True)
class Finding:
    ref: str  # the scheme's question / compliance point / code id, as written
    topic: Topic
    source_id: str | None = None  # the row's own id in the file (SMETA NC number): what actions point to
    section: str | None = None
    question: str | None = None
    answer: str | None = None  # self-assessed answer, audit result or compliant yes/no
    verified: bool | None = None  # None: not verified; True: accurate; False: verifier corrected it
    corrected_value: str | None = None
    legal_non_compliance: bool = False
    scheme_severity: str | None = None  # the scheme's own label (critical/major/minor, ...)
    severity: Severity = Severity.none
    ilo_indicators: frozenset[IloIndicator] = frozenset()
    evidence_note: str | None = None


@dataclass(frozen=True, slots=True)
class CorrectiveAction:
    action: str
    status: ActionStatus
    finding_ref: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    root_cause: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    scheme: Scheme
    scheme_version: str  # the version of the scheme (e.g. SMETA 7.0), not of our mapping
    mapping_version: str  # version of ingest/mappings/<scheme>.json used to read the codes
    modality: Modality
    type: AssessmentType
    status: str  # scheme status (SLCP ASI..VRF, SMETA/BW draft|final), kept as the scheme writes it
    period: AssessedPeriod
    assessor: Assessor
    subject: Subject
    findings: tuple[Finding, ...]
    corrective_actions: tuple[CorrectiveAction, ...] = ()
    terms: str | None = None  # sharing terms declared by the uploader
    triangulation_sources: frozenset[TriangulationSource] = frozenset()
    attributes: tuple[tuple[str, str], ...] = field(default=())  # scheme header facts without a canonical field

    def attribute(self, name: str) -> str | None:
        return dict(self.attributes).get(name)
