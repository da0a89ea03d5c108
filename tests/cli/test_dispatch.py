"""The command table: `mapc --help` lists commands without importing their modules."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mapc import cli


def test_the_table_says_what_each_command_registers() -> None:
    # The lazy listing must read exactly as the parser with every command loaded.
    assert cli.build_parser([]).format_help() == cli.build_parser().format_help()


def test_help_imports_no_command_and_no_compiler() -> None:
    code = (
        "import sys\n"
        "from mapc.cli import main\n"
        "main(['--help'])\n"
        "loaded = [m for m in sys.modules if m.startswith(('mapc.cli.commands.', 'mapc.compiler',"
        " 'pydantic', 'lark'))]\n"
        "print(loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "usage: mapc" in done.stdout
    assert done.stderr.strip() == "[]"


def test_a_command_loads_only_its_own_module() -> None:
    code = (
        "import sys\n"
        "from mapc.cli import main\n"
        "main(['check', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('mapc.cli.commands.')),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--format" in done.stdout
    assert done.stderr.strip() == "['mapc.cli.commands.check']"


def test_an_unknown_command_is_a_usage_error_listing_the_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["chekc"]) == 2
    assert "invalid choice: 'chekc'" in capsys.readouterr().err


def test_a_command_builds_no_parser_for_the_others_and_imports_no_shutil() -> None:
    # Cold-start costs a command never needs (bench/startup.py measures the whole).
    code = (
        "import sys\n"
        "from mapc.cli import build_parser\n"
        "parser = build_parser(['check'])\n"
        "[sub] = [a for a in parser._actions if a.dest == 'command']\n"
        "print(sorted(sub.choices), 'shutil' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "['check'] False"
