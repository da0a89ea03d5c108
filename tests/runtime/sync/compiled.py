"""Adapters compiled from fixture mappings, the way `mapc compile` makes them, for the
engine's tests: what runs is what the compiler generates, never a hand-made imitation."""

from __future__ import annotations

import types
from functools import cache
from pathlib import Path

from mapc.compiler.codegen.render import generate
from mapc.compiler.pipeline import check_file
from mapc.runtime.adapter import Adapter

MAPPINGS = Path(__file__).parent / "mappings"
DEFAULT_MAPPING = Path(__file__).parents[3] / "mappings" / "hubspot_salesforce.mapc"


@cache
def compiled(path: Path) -> Adapter:
    """The adapter generated from the mapping file at `path` (which must check clean)."""
    result = check_file(path)
    problems = [f"{d.code} {d.span.line}:{d.span.column} {d.message}" for d in result.diagnostics]
    assert result.plan is not None and not problems, problems
    (generated,) = generate(result.plan, path.name)
    module = types.ModuleType(f"mapc_fixture_{path.stem}")
    exec(compile(generated.source, generated.path, "exec"), module.__dict__)
    adapter = module.ADAPTER
    assert isinstance(adapter, Adapter)
    return adapter


def fixture(name: str) -> Adapter:
    """tests/runtime/sync/mappings/<name>.mapc, compiled."""
    return compiled(MAPPINGS / f"{name}.mapc")
