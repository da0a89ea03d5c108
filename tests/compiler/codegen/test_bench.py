"""The throughput benchmark still runs (tiny size): its three contenders must agree."""

from __future__ import annotations

import subprocess
import sys

from tests.compiler.codegen.regen import ROOT


def test_benchmark_runs_and_contenders_agree() -> None:
    script = str(ROOT / "bench" / "transform_throughput.py")
    result = subprocess.run(
        [sys.executable, script, "--records", "700", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "generated / hand-written" in result.stdout
