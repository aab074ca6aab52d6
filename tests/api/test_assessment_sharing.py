"""Owner-controlled sharing, access requests and corrective actions through the API, on both dialects."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.principal import OrganizationKind
from policies.models import AuditEvent, SharingGrant
from tests.api.assessment_support import BASE, SAMPLES, Member, make_facility, make_recruiter, member, upload_sample

pytestmark = pytest.mark.anyio


class Cast:
    """A claimed facility with an auditor's SMETA audit, its owner, a brand and a stranger brand."""

    def __init__(self, owner: Member, auditor: Member, brand: Member, stranger: Member, facility: str, assessment: str):
        self.owner, self.auditor, self.brand, self.stranger = owner, auditor, brand, stranger
        self.facility, self.assessment = facility, assessment


@pytest.fixture
async def cast(api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]) -> Cast:
    owner = await member(api, committing_sessions, OrganizationKind.supplier)
    auditor = await member(api, committing_sessions, OrganizationKind.auditor)
    brand = await member(api, committing_sessions, OrganizationKind.brand)
    stranger = await member(api, committing_sessions, OrganizationKind.brand)
    facility = make_facility(committing_sessions, owner=owner.id)
    uploaded = await upload_sample(api, auditor, "smeta.json", facility)
    assert uploaded.status_code == 201, uploaded.text
    return Cast(owner, auditor, brand, stranger, facility, uploaded.json()["id"])


async def status_of(api: httpx.AsyncClient, who: Member, assessment: str) -> int:
    return (await api.get(f"{BASE}/{assessment}", headers=who.headers)).status_code


class TestAssessmentGrants:
    async def test_grant_then_revoke_applies_on_the_next_request(self, api: httpx.AsyncClient, cast: Cast) -> None:
        url = f"{BASE}/{cast.assessment}/grants"
        assert await status_of(api, cast.brand, cast.assessment) == 404
        granted = await api.post(url, json={"grantee_organization_id": str(cast.brand.id)}, headers=cast.owner.headers)
        assert granted.status_code == 201, granted.text
        assert granted.json()["in_force"] is True
        assert await status_of(api, cast.brand, cast.assessment) == 200
        listed = await api.get(url, headers=cast.owner.headers)
        assert [g["id"] for g in listed.json()] == [granted.json()["id"]]
        revoked = await api.delete(f"{url}/{granted.json()['id']}", headers=cast.owner.headers)
        assert revoked.status_code == 200
        assert revoked.json()["in_force"] is False
        assert await status_of(api, cast.brand, cast.assessment) == 404

    async def test_a_granted_read_is_audited(
        self, api: httpx.AsyncClient, cast: Cast, committing_sessions: sessionmaker[Session]
    ) -> None:
        grant = {"grantee_organization_id": str(cast.brand.id)}
        await api.post(f"{BASE}/{cast.assessment}/grants", json=grant, headers=cast.owner.headers)

        def reads() -> list[AuditEvent]:
            with committing_sessions() as s:
                stmt = sa.select(AuditEvent).where(
                    AuditEvent.action == "assessment.read", AuditEvent.subject_id == cast.assessment
                )
                return list(s.scalars(stmt))

        await status_of(api, cast.owner, cast.assessment)  # the owner's own data: not a granted read
        assert reads() == []
        await status_of(api, cast.brand, cast.assessment)
        assert [e.actor_organization_id for e in reads()] == [cast.brand.id]

    async def test_only_the_owner_manages_grants_and_strangers_see_nothing(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        url = f"{BASE}/{cast.assessment}/grants"
        body = {"grantee_organization_id": str(cast.stranger.id)}
        assert (await api.post(url, json=body, headers=cast.auditor.headers)).status_code == 403  # claimed site
        assert (await api.post(url, json=body, headers=cast.stranger.headers)).status_code == 404
        assert (await api.get(url, headers=cast.stranger.headers)).status_code == 404

    async def test_the_uploader_shares_an_unclaimed_sites_assessment(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], cast: Cast
    ) -> None:
        facility = make_facility(committing_sessions)
        assessment = (await upload_sample(api, cast.auditor, "better_work.csv", facility)).json()["id"]
        body = {"grantee_organization_id": str(cast.brand.id)}
        granted = await api.post(f"{BASE}/{assessment}/grants", json=body, headers=cast.auditor.headers)
        assert granted.status_code == 201
        assert await status_of(api, cast.brand, assessment) == 200

    async def test_bad_grants_name_their_fields(self, api: httpx.AsyncClient, cast: Cast) -> None:
        past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        body = {"grantee_organization_id": "00000000-0000-7000-8000-000000000000", "expires_at": past}
        response = await api.post(f"{BASE}/{cast.assessment}/grants", json=body, headers=cast.owner.headers)
        assert response.status_code == 422
        assert {tuple(e["location"]) for e in response.json()["errors"]} == {
            ("body", "grantee_organization_id"),
            ("body", "expires_at"),
        }

    async def test_an_expired_grant_stops_working(
        self, api: httpx.AsyncClient, cast: Cast, committing_sessions: sessionmaker[Session]
    ) -> None:
        granted = await api.post(
            f"{BASE}/{cast.assessment}/grants",
            json={"grantee_organization_id": str(cast.brand.id)},
            headers=cast.owner.headers,
        )
        assert await status_of(api, cast.brand, cast.assessment) == 200
        with transaction(committing_sessions) as s:
            grant = s.get(SharingGrant, uuid.UUID(granted.json()["id"]))
            assert grant is not None
            grant.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        assert await status_of(api, cast.brand, cast.assessment) == 404


class TestSubjectGrants:
    async def test_a_facility_wide_grant_covers_later_assessments(self, api: httpx.AsyncClient, cast: Cast) -> None:
        url = f"/v1/facilities/{cast.facility}/assessment-grants"
        body = {"grantee_organization_id": str(cast.brand.id)}
        assert (await api.post(url, json=body, headers=cast.auditor.headers)).status_code == 403
        granted = await api.post(url, json=body, headers=cast.owner.headers)
        assert granted.status_code == 201
        later = (await upload_sample(api, cast.auditor, "better_work.csv", cast.facility)).json()["id"]
        assert await status_of(api, cast.brand, later) == 200
        listed = await api.get(BASE, params={"subject": cast.facility}, headers=cast.brand.headers)
        assert {a["id"] for a in listed.json()["items"]} == {cast.assessment, later}
        await api.delete(f"{url}/{granted.json()['id']}", headers=cast.owner.headers)
        assert (await api.get(BASE, params={"subject": cast.facility}, headers=cast.brand.headers)).json()[
            "items"
        ] == []


class TestAccessRequests:
    async def test_a_brand_asks_and_the_owner_approves(self, api: httpx.AsyncClient, cast: Cast) -> None:
        asked = await api.post("/v1/access-requests", json={"subject": cast.facility}, headers=cast.brand.headers)
        assert asked.status_code == 201, asked.text
        request_id = asked.json()["id"]
        again = await api.post("/v1/access-requests", json={"subject": cast.facility}, headers=cast.brand.headers)
        assert (again.status_code, again.json()["id"]) == (200, request_id)
        incoming = await api.get("/v1/access-requests", headers=cast.owner.headers)
        assert [r["id"] for r in incoming.json()] == [request_id]
        outgoing = await api.get("/v1/access-requests", params={"direction": "outgoing"}, headers=cast.brand.headers)
        assert [r["id"] for r in outgoing.json()] == [request_id]
        decision = f"/v1/access-requests/{request_id}/decision"
        assert (await api.post(decision, json={"decision": "approve"}, headers=cast.brand.headers)).status_code == 403
        assert (
            await api.post(decision, json={"decision": "approve"}, headers=cast.stranger.headers)
        ).status_code == 404
        approved = await api.post(decision, json={"decision": "approve"}, headers=cast.owner.headers)
        assert approved.json()["status"] == "approved"
        assert await status_of(api, cast.brand, cast.assessment) == 200
        assert (await api.post(decision, json={"decision": "deny"}, headers=cast.owner.headers)).status_code == 409

    async def test_a_denied_request_grants_nothing(self, api: httpx.AsyncClient, cast: Cast) -> None:
        asked = await api.post("/v1/access-requests", json={"assessment": cast.assessment}, headers=cast.brand.headers)
        assert asked.status_code == 201
        decision = f"/v1/access-requests/{asked.json()['id']}/decision"
        denied = await api.post(decision, json={"decision": "deny"}, headers=cast.owner.headers)
        assert denied.json()["status"] == "denied"
        assert await status_of(api, cast.brand, cast.assessment) == 404

    async def test_name_exactly_one_target(self, api: httpx.AsyncClient, cast: Cast) -> None:
        both = {"subject": cast.facility, "assessment": cast.assessment}
        assert (await api.post("/v1/access-requests", json=both, headers=cast.brand.headers)).status_code == 422
        assert (await api.post("/v1/access-requests", json={}, headers=cast.brand.headers)).status_code == 422


class TestCorrectiveActions:
    async def test_the_owner_updates_with_history_and_others_cannot(self, api: httpx.AsyncClient, cast: Cast) -> None:
        detail = (await api.get(f"{BASE}/{cast.assessment}", headers=cast.owner.headers)).json()
        action = next(a for a in detail["corrective_actions"] if a["status"] == "open")
        url = f"/v1/corrective-actions/{action['id']}"
        updated = await api.patch(
            url, json={"status": "progress", "note": "new fire exits"}, headers=cast.owner.headers
        )
        assert updated.status_code == 200, updated.text
        assert [h["status"] for h in updated.json()["history"]] == ["open", "progress"]
        assert updated.json()["history"][-1]["organization_id"] == str(cast.owner.id)
        closed = await api.patch(url, json={"status": "closed"}, headers=cast.auditor.headers)
        assert closed.json()["status"] == "closed"
        assert (await api.patch(url, json={"status": "open"}, headers=cast.stranger.headers)).status_code == 404
        await api.post(
            f"{BASE}/{cast.assessment}/grants",
            json={"grantee_organization_id": str(cast.brand.id)},
            headers=cast.owner.headers,
        )
        assert (await api.patch(url, json={"status": "open"}, headers=cast.brand.headers)).status_code == 403

    async def test_overdue_lists_open_actions_past_due_of_visible_assessments(
        self, api: httpx.AsyncClient, cast: Cast
    ) -> None:
        overdue = await api.get("/v1/corrective-actions/overdue", params={"limit": 200}, headers=cast.owner.headers)
        mine = [a for a in overdue.json()["items"] if a["assessment"] == cast.assessment]
        assert sorted(a["finding_ref"] for a in mine) == ["NC-2", "NC-3", "NC-5"]  # the sample's dates are past
        theirs = await api.get("/v1/corrective-actions/overdue", params={"limit": 200}, headers=cast.stranger.headers)
        assert all(a["assessment"] != cast.assessment for a in theirs.json()["items"])


class TestNotVisibleIsNotFound:
    async def test_strangers_cannot_revoke_and_ctip_cannot_see_sites(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], cast: Cast
    ) -> None:
        granted = await api.post(
            f"{BASE}/{cast.assessment}/grants",
            json={"grantee_organization_id": str(cast.brand.id)},
            headers=cast.owner.headers,
        )
        grant_url = f"{BASE}/{cast.assessment}/grants/{granted.json()['id']}"
        assert (await api.delete(grant_url, headers=cast.stranger.headers)).status_code == 404
        assert await status_of(api, cast.brand, cast.assessment) == 200
        ctip = await member(api, committing_sessions, OrganizationKind.ctip)
        url = f"/v1/facilities/{cast.facility}/assessment-grants"
        assert (await api.get(url, headers=ctip.headers)).status_code == 404
        assert (await api.get(f"{BASE}/{cast.assessment}", headers=ctip.headers)).status_code == 404
        missing = f"{BASE}/{cast.assessment}/grants/00000000-0000-7000-8000-000000000000"
        assert (await api.delete(missing, headers=cast.owner.headers)).status_code == 404


class TestRecruiterGrants:
    async def test_the_recruiter_organisation_shares_all_its_assessments(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], cast: Cast
    ) -> None:
        agency = await member(api, committing_sessions, OrganizationKind.recruiter)
        recruiter = make_recruiter(committing_sessions, owner=agency.id)
        uploaded = await upload_sample(api, cast.auditor, "recruiter_ddq.json", recruiter)
        assert uploaded.status_code == 201, uploaded.text
        assessment = uploaded.json()["id"]
        assert await status_of(api, agency, assessment) == 200  # the owner reads its subject's assessments
        assert await status_of(api, cast.brand, assessment) == 404
        url = f"/v1/recruiters/{recruiter}/assessment-grants"
        body = {"grantee_organization_id": str(cast.brand.id)}
        assert (await api.post(url, json=body, headers=cast.auditor.headers)).status_code == 403
        granted = await api.post(url, json=body, headers=agency.headers)
        assert granted.status_code == 201
        assert await status_of(api, cast.brand, assessment) == 200
        assert [g["id"] for g in (await api.get(url, headers=agency.headers)).json()] == [granted.json()["id"]]
        await api.delete(f"{url}/{granted.json()['id']}", headers=agency.headers)
        assert await status_of(api, cast.brand, assessment) == 404


class TestSupersedeKeepsSharing:
    async def test_grants_in_force_carry_over_to_the_new_verification(self, api: httpx.AsyncClient, cast: Cast) -> None:
        await api.post(
            f"{BASE}/{cast.assessment}/grants",
            json={"grantee_organization_id": str(cast.brand.id)},
            headers=cast.owner.headers,
        )
        document = json.loads((SAMPLES / "smeta.json").read_bytes())
        document["assessment"]["status"] = "draft" if document["assessment"]["status"] == "final" else "final"
        body = {"scheme": "smeta", "subject": cast.facility, "document": document}
        newer = await api.post(BASE, json=body, headers=cast.auditor.headers)
        assert newer.status_code == 201, newer.text
        assert newer.json()["supersedes"] == cast.assessment
        assert await status_of(api, cast.brand, newer.json()["id"]) == 200
        assert await status_of(api, cast.stranger, newer.json()["id"]) == 404
