"""The checker: IR + catalogs -> diagnostics and, when there are no errors, a Plan.

One module per concern; each pass adds diagnostics to the shared context and never stops
the others, so one run reports every problem it can find.
"""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import Catalog
from mapc.compiler.check.associations import check_associations
from mapc.compiler.check.context import Context
from mapc.compiler.check.creates import check_create_target
from mapc.compiler.check.fields import check_blocks
from mapc.compiler.check.planner import build_plan
from mapc.compiler.check.structure import check_structure
from mapc.compiler.check.values import check_value_maps
from mapc.compiler.diagnostics import Diagnostic, has_errors
from mapc.compiler.plan import Plan
from mapc.compiler.source import Source


def check(
    source: Source, mapping: ir.MappingFile, catalog: Catalog
) -> tuple[Plan | None, list[Diagnostic]]:
    context = Context(source=source, mapping=mapping, catalog=catalog)
    check_structure(context)
    check_blocks(context)
    check_associations(context)
    check_create_target(context)
    check_value_maps(context)
    diagnostics = sorted(context.diagnostics, key=Diagnostic.sort_key)
    if has_errors(diagnostics):
        return None, diagnostics
    return build_plan(context), diagnostics
