"""Render a Plan into generated files: (path, source) pairs, each compiled before return."""

from __future__ import annotations

import io
import re
import tokenize
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

    @property
    def data(self) -> bytes:
        """The bytes written to disk: what Python reads, compiles and runs."""
        return self.source.encode("utf-8")


_CODING = re.compile(rb"coding[:=]", re.IGNORECASE)
"""What makes a comment on line 1 or 2 an encoding declaration (PEP 263), loosely matched."""


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
    file = GeneratedFile(module_filename(shown), source)
    _self_check(file)
    return [file]


def _self_check(file: GeneratedFile) -> None:
    """Compile the exact bytes that will be written, read as Python reads a file.

    A `coding:` comment on line 1 or 2 would make Python decode the file with another codec,
    under which a string literal can close itself and run code; compiling a `str` ignores
    such a declaration, so the check is on bytes, and the declaration itself is refused.
    """
    data = file.data
    if any(_CODING.search(line) for line in data.split(b"\n", 2)[:2]):
        raise SyntaxError(f"{file.path}: an encoding declaration in the header")
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if encoding != "utf-8":
        raise SyntaxError(f"{file.path}: Python would read it as {encoding}, not UTF-8")
    compile(data, file.path, "exec", dont_inherit=True)
