"""Bulk facility uploads through the API, on both dialects: per-row outcomes, idempotency, limits,
bad headers, XLSX, and invisibility to other organisations."""

from __future__ import annotations

import io
import uuid

import anyio
import httpx
import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core import jobs
from core.principal import OrganizationKind
from ingest.csv_safety import write_csv
from tests.conftest import Credentials, app_client, bearer, fetch_token, make_organization_with_client, make_settings

pytestmark = pytest.mark.anyio

BASE = "/v1/uploads"
HEADER = ["name", "address", "country", "lat", "lng", "sector", "number_of_workers", "os_id", "tier"]


def letters() -> str:
    """A random letters-only word, so no other test's facility matches these."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


def csv_bytes(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    return write_csv(header, rows).encode()


def xlsx_bytes(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def post_file(api: httpx.AsyncClient, token: str, content: bytes, filename: str = "list.csv") -> httpx.Response:
    return await api.post(f"{BASE}/facilities", files={"file": (filename, content)}, headers=bearer(token))


async def rows_of(api: httpx.AsyncClient, token: str, upload_id: str, **params: str) -> list[dict[str, object]]:
    response = await api.get(f"{BASE}/{upload_id}/rows", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


@pytest.fixture
async def token(api: httpx.AsyncClient, brand: Credentials) -> str:
    return await fetch_token(api, brand)


class TestUploadOutcomes:
    async def test_each_row_gets_its_outcome(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        tag = letters()
        existing = {
            "name": f"Riverside {tag} Knitting Mills",
            "address": "Plot 7, Road 3, Ashulia, Savar",
            "country": "BD",
            "lat": 23.8901,
            "lng": 90.3202,
        }
        registered = await api.post("/v1/facilities", json=existing, headers=bearer(token))
        assert registered.status_code == 201
        content = csv_bytes(
            [
                [existing["name"], existing["address"], "Bangladesh", 23.8901, 90.3202, "Apparel", "1,200", "", 1],
                [f"Harbour {tag} Denim", "12 Port Road, Chattogram", "BD", "", "", "", "", "", 2],
                [f"{existing['name']} Unit 2", existing["address"], "BD", 23.8901, 90.3202, "", "", "", ""],
                [f"Nowhere {tag}", "1 Main St", "Atlantis", "", "", "", "", "", ""],
                [f"Polar {tag}", "1 Ice Rd", "BD", 123, 90.0, "", "", "", ""],
                [f"Counting {tag}", "2 Main St", "BD", "", "", "", "many", "", ""],
                [f"Tiered {tag}", "3 Main St", "BD", "", "", "", "", "", 9],
            ]
        )
        response = await post_file(api, token, content)
        assert response.status_code == 202, response.text
        upload = response.json()
        assert (upload["status"], upload["total_rows"], upload["processed_rows"]) == ("queued", 7, 0)

        jobs.run_until_idle(committing_sessions)

        done = (await api.get(f"{BASE}/{upload['id']}", headers=bearer(token))).json()
        assert (done["status"], done["processed_rows"], done["percent"]) == ("done", 7, 100.0)
        assert done["counts"] == {"created": 1, "matched": 1, "potential_match": 1, "error": 4}
        rows = await rows_of(api, token, upload["id"])
        by_row = {r["row"]: r for r in rows}
        assert [r["row"] for r in rows] == [2, 3, 4, 5, 6, 7, 8]
        assert by_row[2]["status"] == "matched"
        assert by_row[2]["facility_id"] == registered.json()["id"]
        assert by_row[2]["values"]["tier"] == "1"  # type: ignore[index]
        assert by_row[3]["status"] == "created"
        assert by_row[4]["status"] == "potential_match"
        assert by_row[4]["potential_matches"] == [registered.json()["id"]]
        errors = {r["row"]: r["error"] for r in rows if r["status"] == "error"}
        assert {k: v["column"] for k, v in errors.items()} == {  # type: ignore[index]
            5: "country",
            6: "lat",
            7: "number_of_workers",
            8: "tier",
        }
        assert "Atlantis" in errors[5]["reason"]  # type: ignore[index]
        only_errors = await rows_of(api, token, upload["id"], status="error")
        assert [r["row"] for r in only_errors] == [5, 6, 7, 8]
        matched = (await api.get(f"/v1/facilities/{registered.json()['id']}", headers=bearer(token))).json()
        assert matched["sector"] == "Apparel"
        assert matched["number_of_workers"] == 1200

    async def test_rows_page_with_a_cursor(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        tag = letters()
        content = csv_bytes([[f"Site {tag} {n}", "Road", "XX", "", "", "", "", "", ""] for n in "abcde"])
        upload = (await post_file(api, token, content)).json()
        jobs.run_until_idle(committing_sessions)
        first = (await api.get(f"{BASE}/{upload['id']}/rows", params={"limit": 3}, headers=bearer(token))).json()
        second = (
            await api.get(
                f"{BASE}/{upload['id']}/rows",
                params={"limit": 3, "cursor": first["next_cursor"]},
                headers=bearer(token),
            )
        ).json()
        assert [r["row"] for r in first["items"] + second["items"]] == [2, 3, 4, 5, 6]
        assert second["next_cursor"] is None

    async def test_xlsx_is_read_like_csv(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        tag = letters()
        content = xlsx_bytes([[f"Workbook {tag} Mills", "5 Canal Rd", "VN", 10.8231, 106.6297, "", 300, "", 1]])
        response = await post_file(api, token, content, filename="list.xlsx")
        assert response.status_code == 202, response.text
        assert response.json()["file_format"] == "xlsx"
        jobs.run_until_idle(committing_sessions)
        [row] = await rows_of(api, token, response.json()["id"])
        assert row["status"] == "created"
        facility = (await api.get(f"/v1/facilities/{row['facility_id']}", headers=bearer(token))).json()
        assert (facility["country"], facility["number_of_workers"]) == ("VN", 300)


class TestIdempotency:
    async def test_the_same_file_again_is_the_same_upload(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        content = csv_bytes([[f"Again {letters()}", "1 Road", "BD", "", "", "", "", "", ""]])
        first = await post_file(api, token, content)
        again = await post_file(api, token, content, filename="renamed.csv")
        assert (first.status_code, again.status_code) == (202, 200)
        assert again.json()["id"] == first.json()["id"]
        jobs.run_until_idle(committing_sessions)
        third = await post_file(api, token, content)
        assert third.json()["status"] == "done"
        assert len(await rows_of(api, token, first.json()["id"])) == 1


class TestRefusedFiles:
    async def _nothing_stored(self, api: httpx.AsyncClient, token: str) -> None:
        assert (await api.get(BASE, headers=bearer(token))).json()["items"] == []

    async def test_bad_header_names_missing_and_unknown_columns(self, api: httpx.AsyncClient, token: str) -> None:
        content = csv_bytes([["A mill", "Road", "#ff0000"]], header=["name", "address", "colour"])
        response = await post_file(api, token, content)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problems = {(e["location"][-1], e["message"]) for e in response.json()["errors"]}
        assert problems == {("colour", "unknown column"), ("country", "required column missing")}
        await self._nothing_stored(api, token)

    async def test_neither_csv_nor_xlsx_is_415(self, api: httpx.AsyncClient, token: str) -> None:
        response = await post_file(api, token, b"%PDF-1.7 ...", filename="list.pdf")
        assert response.status_code == 415
        await self._nothing_stored(api, token)

    async def test_binary_or_empty_files_are_422(self, api: httpx.AsyncClient, token: str) -> None:
        assert (await post_file(api, token, b"")).status_code == 422
        assert (await post_file(api, token, b"name,address\x00,country\n")).status_code == 422
        assert (await post_file(api, token, b"PK\x03\x04broken", filename="list.xlsx")).status_code == 422
        await self._nothing_stored(api, token)

    async def test_size_and_row_limits_are_413(
        self, db_url: str, engine: Engine, committing_sessions: sessionmaker[Session]
    ) -> None:
        settings = make_settings(db_url, upload_max_rows=2, upload_max_bytes=400)
        creds = make_organization_with_client(committing_sessions)
        async with app_client(settings) as api:
            token = await fetch_token(api, creds)
            three = csv_bytes([[f"Row {n}", "Road", "BD", "", "", "", "", "", ""] for n in range(3)])
            response = await post_file(api, token, three)
            assert response.status_code == 413
            assert "2 data rows" in response.json()["detail"]
            big = csv_bytes([["x" * 500, "Road", "BD", "", "", "", "", "", ""]])
            response = await post_file(api, token, big)
            assert response.status_code == 413
            assert "400 bytes" in response.json()["detail"]
            await self._nothing_stored(api, token)


class TestVisibility:
    async def test_another_organisation_sees_nothing(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        content = csv_bytes([[f"Secret {letters()}", "1 Road", "BD", "", "", "", "", "", ""]])
        upload_id = (await post_file(api, token, content)).json()["id"]
        other = make_organization_with_client(committing_sessions, kind=OrganizationKind.brand)
        other_token = await fetch_token(api, other)
        for path in (f"{BASE}/{upload_id}", f"{BASE}/{upload_id}/rows"):
            response = await api.get(path, headers=bearer(other_token))
            assert response.status_code == 404, path
        listed = (await api.get(BASE, headers=bearer(other_token))).json()["items"]
        assert upload_id not in {u["id"] for u in listed}
        # The same file from another organisation is that organisation's own upload.
        theirs = await post_file(api, other_token, content)
        assert theirs.status_code == 202
        assert theirs.json()["id"] != upload_id

    async def test_platform_operators_see_every_upload(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        content = csv_bytes([[f"Operated {letters()}", "1 Road", "BD", "", "", "", "", "", ""]])
        upload_id = (await post_file(api, token, content)).json()["id"]
        operator = make_organization_with_client(
            committing_sessions, kind=OrganizationKind.platform, scopes="graph:read admin"
        )
        operator_token = await fetch_token(api, operator)
        assert (await api.get(f"{BASE}/{upload_id}", headers=bearer(operator_token))).status_code == 200

    async def test_uploading_needs_graph_write(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        reader = make_organization_with_client(committing_sessions, scopes="graph:read")
        token = await fetch_token(api, reader)
        response = await post_file(api, token, csv_bytes([["A", "B", "BD", "", "", "", "", "", ""]]))
        assert response.status_code == 403

    async def test_unknown_upload_is_404(self, api: httpx.AsyncClient, token: str) -> None:
        assert (await api.get(f"{BASE}/{uuid.uuid4()}", headers=bearer(token))).status_code == 404


class TestInProcessRunner:
    async def test_the_api_process_runs_the_upload_job_itself(
        self, db_url: str, engine: Engine, committing_sessions: sessionmaker[Session]
    ) -> None:
        jobs.run_until_idle(committing_sessions)  # other tests' uploads: this runner should find only ours
        settings = make_settings(db_url, jobs_in_process=True, jobs_poll_seconds=0.05)
        creds = make_organization_with_client(committing_sessions)
        async with app_client(settings) as api:
            token = await fetch_token(api, creds)
            content = csv_bytes([[f"Background {letters()}", "1 Road", "BD", "", "", "", "", "", ""]])
            upload_id = (await post_file(api, token, content)).json()["id"]
            status = "queued"
            for _ in range(400):  # the runner thread polls every 0.05 s
                status = (await api.get(f"{BASE}/{upload_id}", headers=bearer(token))).json()["status"]
                if status == "done":
                    break
                await anyio.sleep(0.05)
            assert status == "done"
