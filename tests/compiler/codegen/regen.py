"""Regenerate the golden files: `python -m tests.compiler.codegen.regen` (never edit them by hand).

For every tests/compiler/codegen/cases/<name>/mapping.mapc this writes tests/compiler/codegen/cases/<name>/expected.py, and
it regenerates generated/ from mappings/ (the same as `mapc compile mappings/`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from mapc.compiler.codegen import generate
from mapc.compiler.pipeline import check_file

ROOT = Path(__file__).resolve().parents[3]
CASES = ROOT / "tests" / "compiler" / "codegen" / "cases"


def case_dirs() -> list[Path]:
    return sorted(p.parent for p in CASES.glob("*/mapping.mapc"))


def generate_case(case: Path) -> str:
    """The module generated from one golden case's mapping."""
    mapping = case / "mapping.mapc"
    result = check_file(mapping)
    if result.plan is None:
        codes = ", ".join(f"{d.code} {d.span}" for d in result.diagnostics)
        raise AssertionError(f"{mapping}: does not check: {codes}")
    return generate(result.plan, mapping.relative_to(ROOT).as_posix())[0].source


def main() -> int:
    for case in case_dirs():
        target = case / "expected.py"
        source = generate_case(case)
        changed = not target.is_file() or target.read_text(encoding="utf-8") != source
        target.write_bytes(source.encode("utf-8"))
        print(f"{'wrote' if changed else 'unchanged'}: {target.relative_to(ROOT).as_posix()}")
    from mapc.cli import main as mapc

    return mapc(["compile", str(ROOT / "mappings"), "-o", str(ROOT / "generated")])


if __name__ == "__main__":
    sys.exit(main())
