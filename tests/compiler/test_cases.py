"""Diagnostic fixture cases: each file in cases/ declares the diagnostics it must produce.

A case is a small mapping; its `# expect: CODE LINE:COL` comments list every diagnostic
(errors and warnings) the checker must report, no more and no fewer. A case without
`# expect:` lines must check clean.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mapc.compiler.diagnostics import CODES
from mapc.compiler.pipeline import check_file

CASES = Path(__file__).parent / "cases"
_EXPECT = re.compile(r"#\s*expect:\s*([EW]\d{3})\s+(\d+):(\d+)")


def _cases() -> list[Path]:
    return sorted(CASES.glob("*.mapc"))


def expected(text: str) -> set[tuple[str, int, int]]:
    return {(code, int(line), int(col)) for code, line, col in _EXPECT.findall(text)}


@pytest.mark.parametrize("path", _cases(), ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    # Read as bytes: a case may hold bytes that are not UTF-8 on purpose (E009).
    text = path.read_bytes().decode("utf-8", errors="replace")
    result = check_file(path)
    found = {(d.code, d.span.line, d.span.column) for d in result.diagnostics}
    assert found == expected(text), "\n".join(
        f"{d.code} {d.span.line}:{d.span.column} {d.message}" for d in result.diagnostics
    )
    for diagnostic in result.diagnostics:
        assert diagnostic.message
        assert diagnostic.hint, f"{diagnostic.code} has no hint"
    if not expected(text):
        assert result.plan is not None


def test_every_code_has_a_failing_case() -> None:
    covered = {
        code
        for path in _cases()
        for code, _, _ in expected(path.read_bytes().decode("utf-8", errors="replace"))
    }
    missing = sorted(set(CODES) - covered)
    assert not missing, f"codes with no case in tests/compiler/cases: {missing}"
