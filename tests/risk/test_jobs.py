"""The risk jobs register under their names with whatever registry is passed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from risk import jobs


class TestRegisterJobs:
    def test_registers_the_recompute_jobs_by_name(self) -> None:
        registry: dict[str, Callable[..., Any]] = {}
        jobs.register_jobs(registry.__setitem__)
        assert registry == {
            "risk.recompute_facility": jobs.recompute_facility,
            "risk.recompute_all": jobs.recompute_all,
            "risk.recompute_recruiter": jobs.recompute_recruiter,
        }
