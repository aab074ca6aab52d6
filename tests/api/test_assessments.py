"""Uploading and reading assessments through the API, on both dialects."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.principal import OrganizationKind, Principal
from ingest import canonical
from ingest.assessments import upload
from ingest.assessments.models import Assessment, CorrectiveAction, Finding
from ingest.formats import detect_format, parse_assessment
from ingest.tabular import ReadLimits
from policies import service as policies_service
from tests.api.assessment_support import (
    BASE,
    SAMPLES,
    SCHEME_OF,
    Member,
    make_facility,
    make_recruiter,
    member,
    subject_of,
    upload_file,
    upload_sample,
)

pytestmark = pytest.mark.anyio

SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir())


@pytest.fixture
async def auditor(api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]) -> Member:
    return await member(api, committing_sessions, OrganizationKind.auditor)


def finding_facts(finding: canonical.Finding) -> dict[str, Any]:
    return {
        "ref": finding.ref,
        "source_id": finding.source_id,
        "topic": finding.topic.value,
        "section": finding.section,
        "question": finding.question,
        "answer": finding.answer,
        "verified": finding.verified,
        "corrected_value": finding.corrected_value,
        "legal_non_compliance": finding.legal_non_compliance,
        "scheme_severity": finding.scheme_severity,
        "severity": finding.severity.value,
        "ilo_indicators": sorted(i.value for i in finding.ilo_indicators),
        "evidence_note": finding.evidence_note,
    }


def action_facts(action: canonical.CorrectiveAction) -> dict[str, Any]:
    return {
        "finding_ref": action.finding_ref,
        "action": action.action,
        "owner": action.owner,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "root_cause": action.root_cause,
        "status": action.status.value,
    }


def parsed_sample(name: str) -> canonical.Assessment:
    fmt = detect_format(name)
    assert fmt is not None
    return parse_assessment((SAMPLES / name).read_bytes(), scheme=SCHEME_OF[name.rsplit(".", 1)[0]], file_format=fmt)


def table_counts(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as s:
        return (
            s.scalar(sa.select(sa.func.count()).select_from(Assessment)) or 0,
            s.scalar(sa.select(sa.func.count()).select_from(Finding)) or 0,
            s.scalar(sa.select(sa.func.count()).select_from(CorrectiveAction)) or 0,
        )


class TestRoundTrip:
    @pytest.mark.parametrize("name", SAMPLE_NAMES)
    async def test_every_sample_comes_back_with_the_same_facts(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member, name: str
    ) -> None:
        subject = subject_of(
            name.rsplit(".", 1)[0], make_facility(committing_sessions), make_recruiter(committing_sessions)
        )
        created = await upload_sample(api, auditor, name, subject)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["id"].startswith("LA-")
        fetched = await api.get(f"{BASE}/{body['id']}", headers=auditor.headers)
        assert fetched.status_code == 200
        out = fetched.json()
        parsed = parsed_sample(name)
        assert [{k: f[k] for k in finding_facts(parsed.findings[0])} for f in out["findings"]] == [
            finding_facts(f) for f in parsed.findings
        ]
        assert [
            {k: a[k] for k in action_facts(c)}
            for a, c in zip(out["corrective_actions"], parsed.corrective_actions, strict=True)
        ] == [action_facts(c) for c in parsed.corrective_actions]
        assert out["scheme"] == parsed.scheme.value
        assert out["modality"] == parsed.modality.value
        assert out["type"] == parsed.type.value
        assert out["status"] == parsed.status
        assert out["period_start_date"] == parsed.period.start_date.isoformat()
        assert out["assessor"]["name"] == parsed.assessor.organisation
        assert out["assessor"]["organization_id"] == str(auditor.id)
        assert out["subject"]["id"] == subject
        assert out["triangulation_sources"] == sorted(s.value for s in parsed.triangulation_sources)

    @pytest.mark.parametrize("name", [n for n in SAMPLE_NAMES if n.endswith(".json")])
    async def test_a_json_body_stores_the_same_facts_as_the_file(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member, name: str
    ) -> None:
        stem = name.rsplit(".", 1)[0]
        subject = subject_of(stem, make_facility(committing_sessions), make_recruiter(committing_sessions))
        document = json.loads((SAMPLES / name).read_bytes())
        body = {"scheme": SCHEME_OF[stem].value, "subject": subject, "document": document}
        created = await api.post(BASE, json=body, headers=auditor.headers)
        assert created.status_code == 201, created.text
        parsed = parsed_sample(name)
        assert [f["ref"] for f in created.json()["findings"]] == [f.ref for f in parsed.findings]
        again = await api.post(BASE, json=body, headers=auditor.headers)
        assert again.status_code == 200
        assert again.json()["id"] == created.json()["id"]


class TestBadFiles:
    async def test_every_problem_is_listed_and_nothing_is_written(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member
    ) -> None:
        facility = make_facility(committing_sessions)
        text = (SAMPLES / "slcp.csv").read_text(encoding="utf-8")
        broken = text.replace("FP-BAS-26", "ZZ-NOPE-1").replace("accurate", "maybe", 1)
        before = table_counts(committing_sessions)
        response = await upload_file(
            api, auditor, filename="slcp.csv", content=broken.encode(), scheme=canonical.Scheme.slcp, subject=facility
        )
        assert response.status_code == 422, response.text
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert len(problem["errors"]) >= 2
        assert all(e["location"][0] in {"findings", "assessment", "file"} for e in problem["errors"])
        assert table_counts(committing_sessions) == before

    async def test_binary_garbage_is_a_422(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member
    ) -> None:
        facility = make_facility(committing_sessions)
        before = table_counts(committing_sessions)
        response = await upload_file(
            api,
            auditor,
            filename="x.xlsx",
            content=b"PK\x03\x04 not a zip",
            scheme=canonical.Scheme.smeta,
            subject=facility,
        )
        assert response.status_code == 422
        assert table_counts(committing_sessions) == before

    async def test_over_the_size_limit_is_a_413(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member, settings: Any
    ) -> None:
        facility = make_facility(committing_sessions)
        content = b"x" * (settings.assessment_max_bytes + 1)
        response = await upload_file(
            api, auditor, filename="big.csv", content=content, scheme=canonical.Scheme.slcp, subject=facility
        )
        assert response.status_code == 413
        assert response.json()["status"] == 413

    async def test_a_value_too_long_for_its_column_is_a_422_on_every_dialect(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member
    ) -> None:
        document = json.loads((SAMPLES / "smeta.json").read_bytes())
        long_ref = "NC-" + "9" * 150
        old_ref = document["non_compliances"][0]["nc_ref"]
        document["non_compliances"][0]["nc_ref"] = long_ref
        for action in document["corrective_actions"]:
            if action["nc_ref"] == old_ref:
                action["nc_ref"] = long_ref
        body = {"scheme": "smeta", "subject": make_facility(committing_sessions), "document": document}
        before = table_counts(committing_sessions)
        response = await api.post(BASE, json=body, headers=auditor.headers)
        assert response.status_code == 422, response.text
        assert ["findings", 1, "source_id"] in [e["location"] for e in response.json()["errors"]]
        assert table_counts(committing_sessions) == before

    async def test_unknown_subject_is_a_404(self, api: httpx.AsyncClient, auditor: Member) -> None:
        response = await upload_sample(api, auditor, "slcp.csv", "LL-0000-0000-0")
        assert response.status_code == 404

    async def test_a_recruiter_scheme_needs_a_recruiter(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member
    ) -> None:
        response = await upload_sample(api, auditor, "recruiter_ddq.csv", make_facility(committing_sessions))
        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == ["body", "subject"]

    async def test_brands_do_not_upload(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        brand = await member(api, committing_sessions, OrganizationKind.brand)
        response = await upload_sample(api, brand, "slcp.csv", make_facility(committing_sessions))
        assert response.status_code == 403


class TestIdempotencyAndSupersede:
    async def test_the_same_file_twice_is_one_assessment(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member
    ) -> None:
        facility = make_facility(committing_sessions)
        first = await upload_sample(api, auditor, "smeta.xlsx", facility)
        before = table_counts(committing_sessions)
        second = await upload_sample(api, auditor, "smeta.xlsx", facility)
        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json()["id"] == first.json()["id"]
        assert table_counts(committing_sessions) == before

    async def test_a_new_verification_supersedes_and_keeps_history(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member
    ) -> None:
        facility = make_facility(committing_sessions)
        reverified = (SAMPLES / "slcp.csv").read_text(encoding="utf-8")
        text = reverified.replace("status,VRF", "status,VRC")  # verification complete, then finalised
        first = await upload_file(
            api, auditor, filename="slcp.csv", content=text.encode(), scheme=canonical.Scheme.slcp, subject=facility
        )
        second = await upload_file(
            api,
            auditor,
            filename="slcp.csv",
            content=reverified.encode(),
            scheme=canonical.Scheme.slcp,
            subject=facility,
        )
        assert (first.status_code, second.status_code) == (201, 201), second.text
        old, new = first.json()["id"], second.json()["id"]
        assert second.json()["supersedes"] == old
        listed = await api.get(BASE, params={"subject": facility}, headers=auditor.headers)
        assert [a["id"] for a in listed.json()["items"]] == [new]
        history = await api.get(BASE, params={"subject": facility, "include_superseded": True}, headers=auditor.headers)
        assert [a["id"] for a in history.json()["items"]] == [old, new]
        kept = await api.get(f"{BASE}/{old}", headers=auditor.headers)
        assert kept.json()["superseded_by"] == new


class TestListFilters:
    async def test_filters_and_pages_agree_with_the_parsed_files(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], auditor: Member
    ) -> None:
        facility = make_facility(committing_sessions)
        names = ["smeta.json", "better_work.csv", "slcp.csv"]
        ids = {}
        for name in names:
            response = await upload_sample(api, auditor, name, facility)
            assert response.status_code == 201, response.text
            ids[name] = response.json()["id"]
        parsed = {name: parsed_sample(name) for name in names}

        async def listed(**params: str) -> set[str]:
            response = await api.get(BASE, params={"subject": facility, **params}, headers=auditor.headers)
            assert response.status_code == 200, response.text
            return {a["id"] for a in response.json()["items"]}

        assert await listed(scheme="smeta") == {ids["smeta.json"]}
        for modality in canonical.Modality:
            expected = {ids[n] for n in names if parsed[n].modality is modality}
            assert await listed(modality=modality.value) == expected
        for topic in canonical.Topic:
            expected = {ids[n] for n in names if any(f.topic is topic for f in parsed[n].findings)}
            assert await listed(topic=topic.value) == expected, topic
        for severity in canonical.Severity:
            expected = {ids[n] for n in names if any(f.severity.rank >= severity.rank for f in parsed[n].findings)}
            assert await listed(severity=severity.value) == expected, severity
        latest_end = max(p.period.end_date for p in parsed.values())
        assert await listed(period_from=(latest_end + timedelta(days=1)).isoformat()) == set()
        assert await listed(period_to=latest_end.isoformat()) == set(ids.values())
        first = (await api.get(BASE, params={"subject": facility, "limit": 2}, headers=auditor.headers)).json()
        assert len(first["items"]) == 2
        rest = await api.get(
            BASE, params={"subject": facility, "limit": 2, "cursor": first["next_cursor"]}, headers=auditor.headers
        )
        assert rest.json()["next_cursor"] is None
        assert {a["id"] for a in first["items"] + rest.json()["items"]} == set(ids.values())
        counts = (await api.get(f"{BASE}/count", params={"subject": facility}, headers=auditor.headers)).json()
        assert counts == {
            "assessments": 3,
            "findings": sum(len(p.findings) for p in parsed.values()),
            "corrective_actions": sum(len(p.corrective_actions) for p in parsed.values()),
        }


class TestConcurrentUploads:
    def test_the_same_file_twice_at_once_is_one_assessment(
        self, dialect: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        if dialect == "sqlite":
            pytest.skip("SQLite serialises writers: two uploads never overlap")
        with transaction(committing_sessions) as s:
            org = policies_service.create_organization(s, None, kind=OrganizationKind.auditor, display_name="Race")
            principal = Principal(org.id, OrganizationKind.auditor, "race", frozenset(), "race")
        facility = make_facility(committing_sessions)
        raw = (SAMPLES / "smeta.json").read_bytes()
        barrier = threading.Barrier(2)
        outcomes: list[tuple[str, bool]] = []

        def upload_once() -> None:
            with transaction(committing_sessions) as s:
                barrier.wait()
                outcome = upload.upload_assessment(
                    s,
                    principal,
                    source=upload.UploadSource(file_format="json", raw=raw),
                    scheme=canonical.Scheme.smeta,
                    subject_public_id=facility,
                    limits=ReadLimits(),
                )
                outcomes.append((outcome.assessment.public_id, outcome.created))

        threads = [threading.Thread(target=upload_once) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(created for _, created in outcomes) == [False, True]
        assert len({public_id for public_id, _ in outcomes}) == 1
