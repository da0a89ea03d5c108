"""Generated code passes ruff check, ruff format --check and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.compiler.codegen.regen import ROOT, case_dirs

BIN = Path(sys.executable).parent


def targets() -> list[str]:
    files = [ROOT / "generated" / "hubspot_salesforce.py"]
    files += [case / "expected.py" for case in case_dirs()]
    return [str(f) for f in files]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "--no-cache"),
        ("ruff", "format", "--check", "--no-cache"),
        ("mypy", "--strict", "--no-incremental", "--follow-imports=silent"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_generated_code_is_clean(command: tuple[str, ...]) -> None:
    tool = BIN / command[0]
    if not tool.exists():
        pytest.skip(f"{command[0]} is not installed in this environment")
    result = run(str(tool), *command[1:], *targets())
    assert result.returncode == 0, result.stdout + result.stderr
