"""Job bodies of the risk domain: they take ids, open their own session and are idempotent (a
recompute of unchanged inputs writes nothing). Other domains enqueue them by name only."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from core.db import create_engine, create_sessionmaker, transaction
from core.settings import get_settings
from risk import recompute

RECOMPUTE_FACILITY = "risk.recompute_facility"
RECOMPUTE_ALL = "risk.recompute_all"
RECOMPUTE_RECRUITER = "risk.recompute_recruiter"


def recompute_facility(*, facility_id: str) -> None:
    """Recompute one facility's stored score (after a change to its links, assessments, profile)."""
    engine = create_engine(get_settings())
    try:
        with transaction(create_sessionmaker(engine)) as session:
            recompute.recompute_facilities(session, [uuid.UUID(facility_id)])
    finally:
        engine.dispose()


def recompute_recruiter(*, recruiter_id: str) -> None:
    """Recompute one recruiter's stored score (after a change to its links, assessments, licence)."""
    engine = create_engine(get_settings())
    try:
        with transaction(create_sessionmaker(engine)) as session:
            recompute.recompute_recruiters(session, [uuid.UUID(recruiter_id)])
    finally:
        engine.dispose()


def recompute_all() -> None:
    """Recompute every facility's and recruiter's stored score (after a reference data import or a
    method change)."""
    engine = create_engine(get_settings())
    try:
        with transaction(create_sessionmaker(engine)) as session:
            recompute.recompute_all(session)
            recompute.recompute_all_recruiters(session)
    finally:
        engine.dispose()


def register_jobs(register: Callable[[str, Callable[..., Any]], Any]) -> None:
    """Register the risk jobs with the job registry (``core.jobs``) by their names."""
    register(RECOMPUTE_FACILITY, recompute_facility)
    register(RECOMPUTE_ALL, recompute_all)
    register(RECOMPUTE_RECRUITER, recompute_recruiter)
