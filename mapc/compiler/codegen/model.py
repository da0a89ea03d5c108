"""The module view model: everything adapter.py.jinja lays out, rendered and ordered.

Templates receive only this: names already sanitised and unique, literals already safe,
collections in written order, data literals already laid out by `pretty.layout`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapc import __version__
from mapc.compiler.codegen.context import ModuleContext
from mapc.compiler.codegen.literals import comment_text, py_literal
from mapc.compiler.codegen.objects import ObjectView, build_object
from mapc.compiler.codegen.pretty import WIDTH, Call, Dict, Node, Seq, layout
from mapc.compiler.plan import Plan, PlannedValueMap

__all__ = ["HELPER_ORDER", "ModuleView", "ValueMapView", "build_module"]

HELPER_ORDER = (
    "_key",
    "_number",
    "_sf_number",
    "_sf_bool",
    "_sf_date",
    "_sf_datetime",
    "_hs_number",
    "_hs_bool",
    "_hs_datetime",
    "_event_date",
)
"""Every helper templates/_helpers.jinja can emit, in the order it emits them."""

_EVENT_VERBS = {"OPEN": "opened", "CLICK": "clicked"}


@dataclass(frozen=True)
class ValueMapView:
    name: str
    comment: str
    body: str


@dataclass(frozen=True)
class EmailEventsView:
    verbs: str
    """The laid-out EMAIL_EVENT_VERBS dict."""
    status: str


@dataclass(frozen=True)
class ModuleView:
    source_comment: str
    sha256: str
    version: str
    mapping_name: str
    source_path: str
    version_literal: str
    sha256_literal: str
    stdlib_imports: tuple[str, ...]
    imports: tuple[str, ...]
    hoisted: str | None
    helpers: tuple[str, ...]
    value_maps: tuple[ValueMapView, ...]
    objects: tuple[ObjectView, ...]
    email_events: EmailEventsView | None
    adapter: str


def _value_maps(
    ctx: ModuleContext, plan: Plan
) -> tuple[list[ValueMapView], dict[str, str], dict[str, str]]:
    fields = [f for o in plan.objects for f in o.fields if f.value_map]
    forward_needed = {f.value_map for f in fields if f.to_salesforce}
    reverse_needed = {f.value_map for f in fields if f.to_hubspot}
    views: list[ValueMapView] = []
    forward: dict[str, str] = {}
    reverse: dict[str, str] = {}
    for vm in plan.value_maps:
        # Only the directions in use: a one-way `<-` map may send several Salesforce values
        # to one HubSpot option, and has no HubSpot -> Salesforce table to write.
        if vm.name in forward_needed:
            forward[vm.name] = ctx.names.take(vm.name, upper=True)
            views.append(_map_view(forward[vm.name], vm, vm.pairs, "HubSpot option -> Salesforce"))
        if vm.name in reverse_needed:
            reverse[vm.name] = ctx.names.take(vm.name, "reverse", upper=True)
            pairs: dict[str, str] = {}
            for hubspot, salesforce in vm.pairs:
                pairs.setdefault(salesforce, hubspot)  # the first option written wins
            views.append(
                _map_view(reverse[vm.name], vm, tuple(pairs.items()), "Salesforce -> HubSpot")
            )
    return views, forward, reverse


def _map_view(
    name: str, vm: PlannedValueMap, pairs: tuple[tuple[str, str], ...], what: str
) -> ValueMapView:
    body = Dict(tuple((py_literal(a), py_literal(b)) for a, b in pairs), explode=bool(pairs))
    comment = comment_text(f"values {vm.name}: {what}")
    return ValueMapView(name, comment, layout(body, 0, len(name) + 20))


def _adapter(ctx: ModuleContext, plan: Plan, objects: list[ObjectView]) -> tuple[str, set[str]]:
    used = {"Adapter", "Settings", "CreateContacts", "PersonAccounts"}
    settings = Call(
        "Settings",
        (
            ("create_hubspot_contacts", f"CreateContacts.{plan.create_hubspot_contacts.name}"),
            ("shared_org", repr(plan.shared_org)),
            ("person_accounts", f"PersonAccounts.{plan.person_accounts.name}"),
        ),
        explode=True,
    )
    kwargs: list[tuple[str, Node]] = [
        ("name", "MAPPING_NAME"),
        ("source_path", "SOURCE_PATH"),
        ("source_sha256", "SOURCE_SHA256"),
        ("mapc_version", "MAPC_VERSION"),
        ("settings", settings),
        ("objects", Seq(tuple(o.const_name for o in objects))),
    ]
    if plan.closed_won is not None:
        used.add("ClosedWonRule")
        cw = plan.closed_won
        rule = (
            ("hubspot_object", ctx.lit(cw.hubspot_object)),
            ("hubspot_property", ctx.lit(cw.hubspot_property)),
            ("value", ctx.lit(cw.value)),
            ("via", ctx.lit(cw.via)),
        )
        kwargs.append(("closed_won", Call("ClosedWonRule", rule, explode=True)))
    if plan.email_events is not None:
        used.add("EmailEventsRule")
        ee = plan.email_events
        rule2: tuple[tuple[str, Node], ...] = (
            ("event_types", Seq(tuple(ctx.lit(t) for t in ee.event_types))),
            ("salesforce_object", ctx.lit(ee.salesforce_object)),
            ("task_values", "email_event_task"),
        )
        if ee.look_back_seconds:
            rule2 += (("look_back_seconds", ctx.lit(ee.look_back_seconds)),)
        kwargs.append(("email_events", Call("EmailEventsRule", rule2, explode=True)))
    return layout(Call("Adapter", tuple(kwargs), explode=True), 0, 10), used


def _stdlib_imports(helpers: set[str], objects: list[ObjectView]) -> tuple[str, ...]:
    lines = []
    if helpers & {"_sf_date", "_sf_datetime", "_hs_datetime", "_event_date"}:
        lines.append("from datetime import UTC, datetime")
    if (helpers - {"_key"}) or any(o.search_filter for o in objects):
        lines.append("from typing import Any")
    return tuple(lines)


def build_module(plan: Plan, source_path: str) -> ModuleView:
    """The view of the module generated from `plan`; `source_path` is project-relative."""
    ctx = ModuleContext()
    budget = WIDTH - len("MAPPING_NAME = ")
    mapping_name, path_literal = ctx.lit(plan.name, budget), ctx.lit(source_path, budget)
    maps, forward, reverse = _value_maps(ctx, plan)
    objects = [build_object(ctx, plan, obj, (forward, reverse)) for obj in plan.objects]
    email = None
    if plan.email_events is not None:
        verbs = Dict(
            tuple(
                (py_literal(t), py_literal(_EVENT_VERBS.get(t, t.lower())))
                for t in plan.email_events.event_types
            ),
            explode=True,
        )
        ctx.helper("_event_date")
        email = EmailEventsView(layout(verbs, 0, 36), py_literal("Completed"))
    adapter, used = _adapter(ctx, plan, objects)
    if plan.objects:
        used |= {"MatchKind", "MatchSpec", "ObjectSync", "OnDelete", "RecordView", "Values"}
    if any(o.fields for o in plan.objects):
        used |= {"FieldSync", "Rule"}
    if any(o.associations for o in plan.objects):
        used.add("AssociationSync")
    if any(o.behaviours for o in plan.objects):
        used.add("Behaviour")
    if email is not None:
        used |= {"RecordView", "Values"}
    hoisted = None
    if ctx.hoisted:
        # A list: ruff keeps even one long element exploded (its trailing comma is magic).
        hoisted = layout(Seq(tuple(ctx.hoisted), "[]", explode=True), 0, 5)
    return ModuleView(
        source_comment=comment_text(source_path),
        sha256=comment_text(plan.source_sha256),
        version=__version__,
        mapping_name=mapping_name,
        source_path=path_literal,
        version_literal=py_literal(__version__),
        sha256_literal=py_literal(plan.source_sha256),
        stdlib_imports=_stdlib_imports(ctx.helpers, objects),
        imports=tuple(sorted(used)),
        hoisted=hoisted,
        helpers=tuple(h for h in HELPER_ORDER if h in ctx.helpers),
        value_maps=tuple(maps),
        objects=tuple(objects),
        email_events=email,
        adapter=adapter,
    )
