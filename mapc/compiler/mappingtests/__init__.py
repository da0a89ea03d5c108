"""`mapc test`: mapping unit tests, YAML fixtures run against generated adapters."""

from __future__ import annotations

from mapc.compiler.mappingtests.fixtures import (
    Case,
    Fixture,
    FixtureError,
    find_fixtures,
    load_fixture,
)
from mapc.compiler.mappingtests.runner import (
    CaseResult,
    StaleAdapterError,
    run_case,
    run_fixtures,
)

__all__ = [
    "Case",
    "CaseResult",
    "Fixture",
    "FixtureError",
    "StaleAdapterError",
    "find_fixtures",
    "load_fixture",
    "run_case",
    "run_fixtures",
]
