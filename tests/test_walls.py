"""The walls between packages (docs/architecture.md), checked on the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
MAPC = ROOT / "mapc"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_generated_code_imports_only_the_runtime() -> None:
    for path in sorted((ROOT / "generated").glob("*.py")):
        mapc_imports = {m for m in _imports(path) if m.split(".")[0] == "mapc"}
        assert all(m.startswith("mapc.runtime") for m in mapc_imports), (path, mapc_imports)


def test_the_runtime_never_imports_the_compiler_or_the_emulator() -> None:
    for path in sorted((MAPC / "runtime").rglob("*.py")):
        bad = {
            m
            for m in _imports(path)
            if m.startswith(("mapc.compiler", "mapc.emulator", "mapc.cli"))
        }
        assert not bad, (path, bad)


def test_the_runtime_imports_nothing_of_mapc_but_itself_and_the_root_error() -> None:
    """Generated code with `mapc.runtime` is all a sync needs; `mapc.errors` (one class,
    no imports) is the root error every part of mapc shares, so the CLI catches one type."""
    for path in sorted((MAPC / "runtime").rglob("*.py")):
        outside = {
            m
            for m in _imports(path)
            if m.split(".")[0] == "mapc" and not m.startswith("mapc.runtime")
        }
        assert outside <= {"mapc.errors"}, (path, outside)
    assert _imports(MAPC / "errors.py") <= {"__future__"}


def test_a_whole_sync_loads_without_the_compiler() -> None:
    code = (
        "import sys, mapc.runtime.sync.engine, mapc.runtime.sync.runner\n"
        "print(','.join(m for m in sys.modules if m.startswith(('mapc.compiler', 'mapc.emulator'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# Lark's stand-alone parser (generated) prints only in its debug mode, which mapc never sets.
GENERATED_PARSER = MAPC / "compiler" / "lark_standalone.py"


def test_only_the_cli_prints() -> None:
    offenders = []
    for path in sorted(MAPC.rglob("*.py")):
        if (MAPC / "cli") in path.parents or path == GENERATED_PARSER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "print"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_web_page_reads_the_state_through_the_runtime_only() -> None:
    for path in sorted((MAPC / "serve").rglob("*.py")):
        bad = {
            m
            for m in _imports(path)
            if m.startswith(("mapc.compiler", "mapc.emulator", "mapc.cli"))
        }
        assert not bad, (path, bad)
