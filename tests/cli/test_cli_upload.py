"""`loomline upload facilities` and `loomline jobs run`, in-process, on both dialects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core import jobs
from core.db import create_engine
from core.ids import uuid7
from ingest.csv_safety import write_csv
from ingest.uploads.models import FacilityUpload, FacilityUploadRow, UploadStatus
from tests.cli.test_cli import Loomline, create_org, failed_cleanly, succeeded
from tests.conftest import make_settings, migrate

HEADER = ["name", "address", "country", "lat", "lng", "tier"]
ROWS: list[list[object]] = [
    ["Riverside Knitting Mills", "Plot 7, Ashulia", "BD", 23.8901, 90.3202, 1],
    ["RIVERSIDE KNITTING MILLS LTD", "Plot 7, Ashulia", "Bangladesh", 23.8902, 90.3201, 1],
    ["Harbour Denim", "12 Port Road, Chattogram", "BD", "", "", 2],
    ["Nowhere Mills", "1 Main St", "Atlantis", "", "", ""],
]


@pytest.fixture
def loomline(fresh_db_url: str) -> Loomline:
    migrate(make_settings(fresh_db_url)).dispose()
    return Loomline(fresh_db_url)


@pytest.fixture
def db(loomline: Loomline) -> Iterator[Engine]:
    engine = create_engine(make_settings(loomline.database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def facility_list(tmp_path: Path) -> Path:
    path = tmp_path / "suppliers.csv"
    path.write_text(write_csv(HEADER, ROWS), encoding="utf-8")
    return path


class TestUploadFacilities:
    def test_processes_the_list_and_prints_the_counts(
        self, loomline: Loomline, db: Engine, facility_list: Path
    ) -> None:
        create_org(loomline, name="Atlas Apparel (demo)")
        result = succeeded(loomline("upload", "facilities", str(facility_list), "--org", "atlas-apparel-demo"))

        assert "done, 4/4 rows" in result.stdout
        assert "created          2" in result.stdout
        assert "matched          1" in result.stdout
        assert "error            1" in result.stdout
        with db.connect() as conn:
            assert conn.scalar(sa.select(FacilityUpload.status)) == UploadStatus.done
            assert conn.scalar(sa.select(sa.func.count()).select_from(FacilityUploadRow)) == 4
            # The job the upload queued was run here: a worker finds nothing left to do.
            assert conn.scalar(sa.select(jobs.Job.status)) == jobs.JobStatus.done

    def test_the_same_file_again_is_the_same_upload(self, loomline: Loomline, db: Engine, facility_list: Path) -> None:
        org = create_org(loomline)
        succeeded(loomline("upload", "facilities", str(facility_list), "--org", org["id"]))
        again = succeeded(loomline("upload", "facilities", str(facility_list), "--org", org["id"]))
        assert "uploaded before" in again.stdout
        with db.connect() as conn:
            assert conn.scalar(sa.select(sa.func.count()).select_from(FacilityUpload)) == 1

    def test_an_unknown_organisation_or_bad_header_stores_nothing(
        self, loomline: Loomline, db: Engine, facility_list: Path, tmp_path: Path
    ) -> None:
        assert "no organisation" in failed_cleanly(
            loomline("upload", "facilities", str(facility_list), "--org", "nobody")
        )
        org = create_org(loomline)
        bad = tmp_path / "bad.csv"
        bad.write_text("name,colour\nA,red\n", encoding="utf-8")
        error = failed_cleanly(loomline("upload", "facilities", str(bad), "--org", org["id"]))
        assert "colour: unknown column" in error
        assert "country: required column missing" in error
        with db.connect() as conn:
            assert conn.scalar(sa.select(sa.func.count()).select_from(FacilityUpload)) == 0


class TestJobsRun:
    def test_once_runs_what_is_queued(self, loomline: Loomline, db: Engine) -> None:
        with db.begin() as conn:
            conn.execute(
                sa.insert(jobs.Job).values(
                    id=uuid7(), name="test.nobody_registered_this", payload={}, status="queued", attempts=0
                )
            )
        result = failed_cleanly(loomline("jobs", "run", "--once"))
        assert "no job body registered" in result
        with db.connect() as conn:
            assert conn.scalar(sa.select(jobs.Job.status)) == jobs.JobStatus.failed
