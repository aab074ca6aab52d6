"""Schemathesis: every operation, fed generated valid and invalid input, keeps its documented contract
(no 5xx, documented status codes and content types, responses matching their schemas)."""

from __future__ import annotations

import anyio
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import APIOperation, CheckFunction
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from core.principal import OrganizationKind
from core.settings import Settings
from policies.scopes import ALL_SCOPES
from tests.conftest import TEST_ISSUER, app_client, bearer, fetch_token, make_organization_with_client

EXAMPLES_PER_OPERATION = 30
#: Operations with string parameters whose grammar OpenAPI cannot fully state (ranges inside
#: "west,south,east,north", a GeoJSON polygon in a query string): a schema-valid value may still
#: be refused with a 422 that names the parameter. tests/api/test_facilities.py covers those 422s;
#: every other check (no 5xx, documented codes and shapes) still runs on them. Recruiters and
#: corridors take ISO 3166-1 codes ("AA" has the shape but names no country), certification
#: periods (valid_from <= valid_to) and corridors two different countries: tests/api/
#: test_recruiters.py and test_corridors.py cover those 422s, and those of their opaque cursors
#: (base 64 of 16 bytes; "0" has the shape).
GRAMMAR_BEYOND_OPENAPI = {
    "GET /v1/facilities",
    "GET /v1/recruiters",
    "GET /v1/corridors",
    "POST /v1/recruiters",
    "PATCH /v1/recruiters/{recruiter_id}",
    "POST /v1/corridors",
    # Relationships: which attributes go with which kind, ends of the right kind, periods in order,
    # cycles and tiers (tests/api/test_relationships.py covers those 422s); graph queries: node
    # ids by prefix (tests/api/test_graph_queries.py).
    "POST /v1/relationships",
    "GET /v1/relationships",
    "PATCH /v1/relationships/{relationship_id}",
    "POST /v1/relationships/{relationship_id}/end",
    "GET /v1/graph/path",
    # Assessments: an uploaded file's content (docs/formats), one of assessment/subject, a grantee
    # that exists and an expiry in the future, opaque cursors: tests/api/test_assessments.py and
    # test_assessment_sharing.py cover those 422s.
    "POST /v1/assessments",
    "GET /v1/assessments",
    "POST /v1/assessments/{assessment_id}/grants",
    "POST /v1/facilities/{facility_id}/assessment-grants",
    "POST /v1/recruiters/{recruiter_id}/assessment-grants",
    "POST /v1/access-requests",
    "POST /v1/access-requests/{request_id}/decision",
    "GET /v1/corrective-actions/overdue",
    # A facility list is a file whose content (CSV/XLSX with a header) OpenAPI cannot describe;
    # tests/api/test_uploads.py covers its 413/415/422s.
    "POST /v1/uploads/facilities",
}


def test_every_operation_keeps_its_contract(settings: Settings, committing_sessions: sessionmaker[Session]) -> None:
    app = create_app(settings)
    operator = make_organization_with_client(
        committing_sessions, kind=OrganizationKind.platform, scopes=" ".join(sorted(ALL_SCOPES))
    )

    async def operator_token() -> str:
        async with app_client(settings, app) as client:
            return await fetch_token(client, operator)

    headers = bearer(anyio.run(operator_token))
    # Schemathesis runs the app's lifespan itself for the calls it makes.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(f"invalid operation in the OpenAPI document: {result.err()}")
        operations.append(result.ok())
    assert len(operations) >= 6

    for operation in operations:
        try:
            _check_operation(operation, headers)
        except Exception as exc:
            pytest.fail(f"{operation.label}: {exc}")


def _check_operation(operation: APIOperation, headers: dict[str, str]) -> None:  # type: ignore[type-arg]
    excluded: list[CheckFunction] = [positive_data_acceptance] if operation.label in GRAMMAR_BEYOND_OPENAPI else []

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def keeps_contract(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
        case.call_and_validate(headers=headers, base_url=TEST_ISSUER, excluded_checks=excluded)

    keeps_contract()
