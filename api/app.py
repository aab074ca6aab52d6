"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors
from api.middleware import RequestIdMiddleware
from api.oauth import router as oauth_router
from api.routers import (
    access_requests,
    assessment_grants,
    assessments,
    audit_events,
    corrective_actions,
    corridors,
    facilities,
    facility_claims,
    facility_matches,
    health,
    maps,
    organizations,
    recruiter_matches,
    recruiters,
    relationships,
    uploads,
)
from api.routers import graph as graph_queries
from api.routers import risk as risk_routes
from core.db import create_engine, create_sessionmaker
from core.settings import Settings, get_settings
from ingest.uploads.runner import start_job_runner
from risk.jobs import register_all_jobs

API_PREFIX = "/v1"
STATIC = Path(__file__).with_name("static")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        # No database work here: the process must start (and /readyz say why it is not ready)
        # even while the database is down. The first token request creates the first key.
        register_all_jobs()
        runner = start_job_runner(settings, app.state.sessionmaker)
        yield
        if runner is not None:
            runner.stop()
        engine.dispose()

    app = FastAPI(
        title="Loomline",
        version="0.1.0",
        summary="Permissioned supply-chain risk-mapping and shared-audit data exchange.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.add_middleware(RequestIdMiddleware)
    errors.install(app)
    app.include_router(health.router)
    app.include_router(oauth_router)
    v1 = APIRouter(prefix=API_PREFIX)
    v1.include_router(organizations.router)
    v1.include_router(audit_events.router)
    v1.include_router(facilities.router)
    v1.include_router(facility_matches.router)
    v1.include_router(facility_claims.router)
    v1.include_router(recruiters.router)
    v1.include_router(recruiter_matches.router)
    v1.include_router(corridors.router)
    v1.include_router(relationships.router)
    v1.include_router(graph_queries.router)
    v1.include_router(assessments.router)
    v1.include_router(assessment_grants.router)
    v1.include_router(access_requests.router)
    v1.include_router(corrective_actions.router)
    v1.include_router(uploads.router)
    v1.include_router(risk_routes.router)
    v1.include_router(maps.router)
    app.include_router(v1)
    app.include_router(maps.page_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
