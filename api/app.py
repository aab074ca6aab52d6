"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import errors
from api.middleware import RequestIdMiddleware
from api.oauth import router as oauth_router
from api.routers import health, organizations
from core.db import create_engine, create_sessionmaker, transaction
from core.settings import Settings, get_settings
from policies import keys

API_PREFIX = "/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        with transaction(app.state.sessionmaker) as session:
            keys.ensure_active_key(session)
        yield
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
    app.include_router(v1)
    return app
