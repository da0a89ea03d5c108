"""The runtime stands alone: no compiler, no emulator behind the connectors."""

from __future__ import annotations

import subprocess
import sys


def test_connectors_import_neither_the_compiler_nor_the_emulator() -> None:
    code = (
        "import sys, mapc.runtime.hubspot.client, mapc.runtime.salesforce.client\n"
        "allowed = ('mapc', 'mapc.errors', 'mapc.runtime')\n"
        "bad = [m for m in sys.modules if m.startswith('mapc') and m not in allowed\n"
        "       and not m.startswith('mapc.runtime.')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_emulator_imports_neither_the_runtime_nor_the_compiler() -> None:
    # It encodes what the real APIs do; sharing code with the connectors could hide a bug.
    code = (
        "import sys, mapc.emulator, mapc.emulator.server, mapc.cli.commands.emulate\n"
        "allowed = ('mapc', 'mapc.emulator', 'mapc.cli', 'mapc.cli.commands', 'mapc.cli.commands.emulate')\n"
        "bad = [m for m in sys.modules if m.startswith('mapc') and m not in allowed\n"
        "       and not m.startswith('mapc.emulator.')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
