"""The front end's parser is Lark's stand-alone parser generated from grammar/mapc.lark."""

from __future__ import annotations

import subprocess
import sys


def test_the_standalone_parser_is_generated_from_the_grammar() -> None:
    command = [sys.executable, "-m", "mapc.compiler.standalone", "--check"]
    assert subprocess.run(command, check=False).returncode == 0, (
        "grammar/mapc.lark (or Lark) changed: run `python -m mapc.compiler.standalone`"
    )


def test_a_cold_check_imports_neither_lark_nor_the_check_cache_nor_the_adapter() -> None:
    code = (
        "import sys\n"
        "from mapc.cli import main\n"
        "main(['check', '--no-cache', 'tests/compiler/cases/ok_minimal.mapc'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'lark'"
        " or m in ('mapc.compiler.cache', 'importlib.resources', 'mapc.runtime.adapter')),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "no problems" in done.stdout
    assert done.stderr.strip() == "[]"
