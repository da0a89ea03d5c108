"""One root exception type: every error mapc raises for a person derives from MapcError,
so the CLI catches one type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mapc.compiler.catalog import CatalogError
from mapc.compiler.mappingtests.fixtures import FixtureError
from mapc.compiler.pipeline import UsageError
from mapc.errors import MapcError
from mapc.runtime.errors import AuthenticationError, ConfigurationError, ConnectorError
from mapc.runtime.sync.lock import StateLocked
from mapc.runtime.sync.runner import AdapterLoadError, StateOpenError
from mapc.runtime.sync.schema import SchemaTooNew

CLI = Path(__file__).parents[1] / "mapc" / "cli"


@pytest.mark.parametrize(
    "error",
    [
        CatalogError,
        FixtureError,
        UsageError,
        ConnectorError,
        ConfigurationError,
        AuthenticationError,
        StateLocked,
        StateOpenError,
        AdapterLoadError,
        SchemaTooNew,
    ],
)
def test_every_error_for_a_person_is_a_mapc_error(error: type[Exception]) -> None:
    assert issubclass(error, MapcError)


def test_the_cli_lists_no_mapc_error_classes_by_hand() -> None:
    listed = re.compile(
        r"except \([^)]*\b(ConnectorError|ConfigurationError|SchemaTooNew|StateLocked)\b"
    )
    offenders = [
        f"{path.relative_to(CLI)}:{n}"
        for path in sorted(CLI.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if listed.search(line)
    ]
    assert offenders == []
