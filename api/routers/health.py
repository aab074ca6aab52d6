"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.problems import problem_response
from core import migrations
from core.db import READ_ONLY_OPTIONS

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Process is up")
def healthz() -> dict[str, str]:
    """Answers as long as the process serves requests; touches nothing else."""
    return {"status": "ok"}


@router.get("/readyz", summary="Database is reachable", responses={503: {"description": "Database unreachable"}})
def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and its schema is at the code's migration head."""
    engine: Engine = request.app.state.engine
    try:
        with engine.connect().execution_options(**READ_ONLY_OPTIONS) as conn:
            conn.execute(text("SELECT 1"))
            problem = migrations.pending_message(conn)
    except SQLAlchemyError:
        return problem_response(503, slug="not-ready", title="Not ready", detail="The database is not reachable.")
    if problem:
        return problem_response(503, slug="not-ready", title="Not ready", detail=problem.capitalize() + ".")
    return JSONResponse({"status": "ready", "database": engine.dialect.name})
