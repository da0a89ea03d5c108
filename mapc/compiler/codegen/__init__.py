"""Code generation: a checked Plan -> the Python source of a typed sync adapter module."""

from __future__ import annotations

from mapc.compiler.codegen.render import GeneratedFile, generate

__all__ = ["GeneratedFile", "generate"]
