"""Modules generated from random hostile plans are already ruff-formatted and type-check.

One batch of modules, one run of each tool: the output must not depend on running ruff at
compile time, so ruff must find nothing to change in anything mapc can generate.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from mapc.compiler.codegen import generate
from tests.compiler.codegen.hostile import HOSTILE, hostile_source, load, random_plan
from tests.compiler.codegen.plans import plan

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[3]
PIECES = (*HOSTILE, "a", "Z", "é", "中", "😀", " ", "_", "0", "é" * 40, "w" * 95, "\\", '"', "'")


def random_names(rng: random.Random) -> tuple[str, ...]:
    names: list[str] = []
    while len(names) < 9:
        name = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))
        if name not in names:
            names.append(name)
    return tuple(names)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("generated")
    rng = random.Random(20261129)
    files = []
    for index in range(24):
        names = HOSTILE if index == 0 else random_names(rng)
        path = folder / f"module_{index}.py"
        path.write_text(hostile_source(names), encoding="utf-8")
        files.append(str(path))
    for index in range(24):
        source = generate(random_plan(rng, PIECES))[0].source
        load(source, f"random_{index}")  # imports and builds its ADAPTER
        path = folder / f"random_{index}.py"
        path.write_text(source, encoding="utf-8")
        files.append(str(path))
    empty = folder / "module_empty.py"
    empty.write_text(generate(plan(()))[0].source, encoding="utf-8")
    return [*files, str(empty)]


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "format", "--check", "--no-cache"),
        ("ruff", "check", "--no-cache"),
        ("mypy", "--strict", "--no-incremental", "--follow-imports=silent"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_random_hostile_modules_are_clean(batch: list[str], command: tuple[str, ...]) -> None:
    tool = BIN / command[0]
    if not tool.exists():
        pytest.skip(f"{command[0]} is not installed")
    config = ["--config", str(ROOT / "pyproject.toml")] if command[0] == "ruff" else []
    result = subprocess.run(
        [str(tool), *command[1:], *config, *batch],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
