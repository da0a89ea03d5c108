"""Adapters compiled from fixture mappings, the way `mapc compile` makes them, for the
engine's tests: what runs is what the compiler generates, never a hand-made imitation."""

from __future__ import annotations

import types
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

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


def with_settings(base: Adapter, **changes: Any) -> Adapter:
    """``base`` under other settings (settings are plain data the engine reads)."""
    return replace(base, settings=replace(base.settings, **changes))


def only(base: Adapter, *hubspot_objects: str, events: bool = False) -> Adapter:
    """``base`` with only the pairs of ``hubspot_objects`` (and email events if asked):
    the same compiled pairs, fewer of them."""
    kept = tuple(o for o in base.objects if o.hubspot_object in hubspot_objects)
    return replace(
        base,
        objects=kept,
        closed_won=base.closed_won if "deals" in hubspot_objects else None,
        email_events=base.email_events if events else None,
    )
