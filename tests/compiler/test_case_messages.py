"""Exact diagnostics: a case with a `.expected` file next to it must produce exactly that
text (code, position, message and hint of each diagnostic, in order), so a hint that
misleads, or one problem reported once per Salesforce object, shows as a difference."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.pipeline import check_file

CASES = Path(__file__).parent / "cases"


def render(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> str:
    return "".join(
        f"{d.code} {d.span.line}:{d.span.column} {d.message}\n  help: {d.hint}\n"
        for d in sorted(diagnostics, key=Diagnostic.sort_key)
    )


@pytest.mark.parametrize("path", sorted(CASES.glob("*.expected")), ids=lambda p: p.stem)
def test_exact_diagnostics(path: Path) -> None:
    case = path.with_suffix(".mapc")
    assert case.is_file(), f"{path.name} has no {case.name}"
    assert render(check_file(case).diagnostics) == path.read_text(encoding="utf-8")


def test_a_line_gets_one_diagnostic_per_problem() -> None:
    """Across every case, no two diagnostics share code and position."""
    for case in sorted(CASES.glob("*.mapc")):
        seen = [(d.code, d.span.line, d.span.column) for d in check_file(case).diagnostics]
        assert len(seen) == len(set(seen)), f"{case.name}: {seen}"
