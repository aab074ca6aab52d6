"""The demo's assessments: one of every scheme, uploaded from the samples in docs/formats/ by the
demo auditor (and a self-assessment by the supplier that claims its factory), with grants and one
pending access request, so that each demo brand sees a different part of the exchange:

- Atlas reads the SMETA audit (granted by the auditor: the seafood plant is unclaimed) and every
  assessment of Riverside Knitting Mills (a subject-wide grant by the supplier that owns it);
- Birchwood reads the SMETA audit too; Cobalt reads the Better Work assessment for 90 days and has
  asked the supplier for the SLCP assessment (pending);
- the recruiter due-diligence questionnaire of Fairway stays with the auditor.

Uploads are idempotent (same file, same subject) and grants are made only when none is in force, so
loading the demo again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.principal import Principal
from core.settings import get_settings
from graph import claims
from graph.models import Facility, Recruiter
from ingest.assessments import access_requests, sharing, upload
from ingest.assessments.models import Assessment
from ingest.canonical import Scheme
from ingest.formats import detect_format
from ingest.tabular import ReadLimits
from policies.visibility import ASSESSMENT_GRANT

SAMPLES = Path(__file__).parents[1] / "docs" / "formats" / "samples"


@dataclass(frozen=True, slots=True)
class DemoUpload:
    key: str
    scheme: Scheme
    sample: str
    #: A demo site key, or "recruiter:<key>".
    subject: str
    by: str  # "auditor" or "supplier"


DEMO_UPLOADS: tuple[DemoUpload, ...] = (
    DemoUpload("slcp", Scheme.slcp, "slcp.csv", "gazipur_knit", "auditor"),
    DemoUpload("smeta", Scheme.smeta, "smeta.json", "samut_sakhon_seafood", "auditor"),
    DemoUpload("better_work", Scheme.better_work, "better_work.csv", "binh_duong_sew", "auditor"),
    DemoUpload("better_work_vcc", Scheme.better_work, "better_work_vcc.json", "phnom_penh_garment", "auditor"),
    DemoUpload("self_assessment", Scheme.self_assessment, "self_assessment.csv", "gazipur_knit", "supplier"),
    DemoUpload("recruiter_ddq", Scheme.recruiter_ddq, "recruiter_ddq.csv", "recruiter:fairway_np", "auditor"),
)

#: The site the demo supplier organisation owns (it is the same company).
SUPPLIER_SITE = "gazipur_knit"


@dataclass(frozen=True, slots=True)
class DemoActors:
    auditor: Principal
    supplier: Principal
    operator: Principal
    brands: dict[str, Principal]


def _claim(session: Session, actors: DemoActors, site: Facility) -> None:
    if site.owner_organization_id is not None:
        return
    claim, _ = claims.request_claim(
        session, actors.supplier, public_id=site.public_id, evidence="Demo: the supplier's own factory."
    )
    claims.decide_claim(session, actors.operator, claim_id=claim.id, approve=True, note="Demo claim")


def _grant(
    session: Session, by: Principal, grantee: Principal, *, assessment: Assessment | None = None, subject: str = ""
) -> None:
    """A grant on one assessment, or (``subject`` public id) on all of a subject's, if none is in force."""
    if assessment is not None:
        if not sharing.active_grant_exists(
            session, grantee_id=grantee.organization_id, subject_kind=ASSESSMENT_GRANT, subject_id=assessment.id
        ):
            expires = utcnow() + timedelta(days=90) if assessment.scheme is Scheme.better_work else None
            sharing.grant_assessment(
                session, by, public_id=assessment.public_id, grantee_id=grantee.organization_id, expires_at=expires
            )
        return
    if not any(
        g.grantee_organization_id == grantee.organization_id
        for g in sharing.subject_grants(session, by, public_id=subject)
    ):
        sharing.grant_subject(session, by, public_id=subject, grantee_id=grantee.organization_id, expires_at=None)


def load_demo_assessments(
    session: Session, actors: DemoActors, *, sites: dict[str, Facility], recruiters: dict[str, Recruiter]
) -> dict[str, Assessment]:
    settings = get_settings()
    limits = ReadLimits(max_bytes=settings.assessment_max_bytes, max_rows=settings.assessment_max_rows)
    _claim(session, actors, sites[SUPPLIER_SITE])
    stored: dict[str, Assessment] = {}
    for demo in DEMO_UPLOADS:
        kind, _, key = demo.subject.rpartition(":")
        subject = recruiters[key].public_id if kind == "recruiter" else sites[key].public_id
        file_format = detect_format(demo.sample)
        assert file_format is not None  # noqa: S101 - the samples are named by their format
        outcome = upload.upload_assessment(
            session,
            actors.auditor if demo.by == "auditor" else actors.supplier,
            source=upload.UploadSource(file_format=file_format, raw=(SAMPLES / demo.sample).read_bytes()),
            scheme=demo.scheme,
            subject_public_id=subject,
            limits=limits,
        )
        stored[demo.key] = outcome.assessment
    brands = actors.brands
    _grant(session, actors.auditor, brands["atlas"], assessment=stored["smeta"])
    _grant(session, actors.auditor, brands["birchwood"], assessment=stored["smeta"])
    _grant(session, actors.auditor, brands["cobalt"], assessment=stored["better_work"])
    _grant(session, actors.supplier, brands["atlas"], subject=sites[SUPPLIER_SITE].public_id)
    access_requests.request_access(
        session,
        brands["cobalt"],
        assessment=stored["slcp"].public_id,
        subject=None,
        message="Demo: Cobalt sources here too and would reuse the verified assessment.",
    )
    return stored
