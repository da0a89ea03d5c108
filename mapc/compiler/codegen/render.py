"""Render a Plan into generated files: (path, source) pairs, each compiled before return."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

import jinja2

from mapc.compiler.codegen.model import build_module
from mapc.compiler.codegen.names import Namer
from mapc.compiler.plan import Plan

__all__ = ["GeneratedFile", "generate", "module_filename"]


_NOT_MODULES = frozenset({"mapc", "test", "tests", "typing", "datetime"})
"""Module names that would shadow a package the generated module or its runner imports."""


@dataclass(frozen=True)
class GeneratedFile:
    path: str
    """Relative to the output directory, with forward slashes."""
    source: str


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mapc.compiler.codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def module_filename(source_path: str) -> str:
    """<stem>.py for mappings/<stem>.mapc, the stem made a safe module name."""
    stem = PurePosixPath(source_path.replace("\\", "/")).stem
    return f"{Namer(_NOT_MODULES).take(stem)}.py"


def generate(plan: Plan, source_path: str | None = None) -> list[GeneratedFile]:
    """The files generated from `plan`; `source_path` (project-relative) overrides the plan's.

    Raises SyntaxError if a rendered file does not compile: a bug in mapc, never the user's.
    """
    shown = source_path if source_path is not None else plan.source_path
    view = build_module(plan, shown)
    source = _environment().get_template("adapter.py.jinja").render(m=view)
    path = module_filename(shown)
    compile(source, path, "exec", dont_inherit=True)
    return [GeneratedFile(path, source)]
