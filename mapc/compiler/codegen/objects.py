"""The view of one `sync` block: transforms, match keys, filter, ObjectSync."""

from __future__ import annotations

from dataclasses import dataclass

from mapc.compiler.codegen.context import ModuleContext
from mapc.compiler.codegen.literals import comment_text, doc_text
from mapc.compiler.codegen.predicate import PredicateView, build_predicate, search_filter
from mapc.compiler.codegen.pretty import Call, Dict, Node, Seq, layout
from mapc.compiler.codegen.transforms import TransformView, build_transform
from mapc.compiler.plan import Plan, PlannedAssociation, PlannedField, PlannedObject
from mapc.runtime.kinds import MatchKind

__all__ = ["MatchView", "ObjectView", "build_object"]

_SALESFORCE_ALWAYS = ("Id", "SystemModstamp", "LastModifiedDate")


@dataclass(frozen=True)
class MatchView:
    hubspot_name: str
    salesforce_name: str
    hubspot_field: str
    salesforce_field: str
    ignore_case: bool
    doc: str


@dataclass(frozen=True)
class ObjectView:
    title: str
    to_salesforce: TransformView
    to_hubspot: TransformView
    match: MatchView | None
    predicate: PredicateView | None
    search_filter: tuple[str, str] | None
    """(constant name, laid-out filterGroups)."""
    const_name: str
    sync: str
    """The laid-out `ObjectSync(...)` call."""


def _field_sync(ctx: ModuleContext, f: PlannedField) -> Call:
    kwargs: list[tuple[str, Node]] = [
        ("hubspot", ctx.lit(f.hubspot)),
        ("salesforce", ctx.lit(f.salesforce)),
        ("salesforce_objects", Seq(tuple(ctx.lit(o) for o in f.salesforce_objects))),
        ("rule", f"Rule.{f.rule.name}"),
        ("to_salesforce", repr(f.to_salesforce)),
        ("to_hubspot", repr(f.to_hubspot)),
    ]
    if f.owner:
        kwargs.append(("owner", "True"))
    return Call("FieldSync", tuple(kwargs), explode=True)


def _complete(planned: tuple[str, ...], needed: list[str]) -> tuple[str, ...]:
    """The checker's list as it is, then anything generation needs that it lacks, sorted."""
    return (*planned, *sorted(set(needed) - set(planned)))


def _select_lists(ctx: ModuleContext, plan: Plan, obj: PlannedObject) -> Dict:
    planned = dict(obj.salesforce_fields)
    entries: list[tuple[str, Node]] = []
    for sobject in obj.salesforce_objects:
        needed = [*_SALESFORCE_ALWAYS]
        needed += [f.salesforce for f in obj.fields if sobject in f.salesforce_objects]
        if obj.match.salesforce_field:
            needed.append(obj.match.salesforce_field)
        names = _complete(planned.get(sobject, ()), needed)
        entries.append((ctx.lit(sobject), Seq(tuple(ctx.lit(n) for n in names))))
    return Dict(tuple(entries), explode=True)


def _properties(obj: PlannedObject) -> tuple[str, ...]:
    needed = [f.hubspot for f in obj.fields]
    if obj.match.hubspot_field:
        needed.append(obj.match.hubspot_field)
    needed += [name for name, _ in obj.include_kinds]
    return _complete(obj.hubspot_properties, needed)


def build_object(
    ctx: ModuleContext, plan: Plan, obj: PlannedObject, tables: tuple[dict[str, str], ...]
) -> ObjectView:
    """`tables` is (value map -> constant to Salesforce, value map -> constant to HubSpot)."""
    hs = obj.hubspot_object
    title = f"{hs} <-> {', '.join(obj.salesforce_objects)}"
    names = ctx.names
    to_sf = build_transform(
        ctx,
        names.take(hs, "to_salesforce"),
        f"HubSpot {doc_text(hs)} -> the Salesforce object named `sobject`.",
        obj,
        True,
        tables[0],
    )
    to_hs = build_transform(
        ctx,
        names.take(hs, "from_salesforce"),
        f"The Salesforce object named `sobject` -> HubSpot {doc_text(hs)}.",
        obj,
        False,
        tables[1],
    )
    match = None
    m = obj.match
    if m.kind is MatchKind.FIELD and m.hubspot_field and m.salesforce_field:
        how = "lower-cased and stripped" if m.ignore_case else "stripped"
        ctx.helper("_key")
        match = MatchView(
            names.take(hs, "match_key"),
            names.take(hs, "salesforce_match_key"),
            ctx.lit(m.hubspot_field),
            ctx.lit(m.salesforce_field),
            m.ignore_case,
            how,
        )
    predicate = None
    filter_view = None
    if obj.include is not None:
        predicate = build_predicate(ctx, names.take("include", hs), obj.include, obj.include_kinds)
        groups = search_filter(ctx, obj.include, obj.include_kinds)
        if groups is not None:
            filter_name = names.take(hs, "search_filter", upper=True)
            filter_view = (filter_name, layout(groups, 0, len(filter_name) + 35))
    const_name = names.take(hs, upper=True)
    sync = _object_sync(ctx, plan, obj, to_sf, to_hs, match, predicate, filter_view)
    return ObjectView(
        comment_text(title),
        to_sf,
        to_hs,
        match,
        predicate,
        filter_view,
        const_name,
        layout(sync, 0, len(const_name) + 3),
    )


def _object_sync(
    ctx: ModuleContext,
    plan: Plan,
    obj: PlannedObject,
    to_sf: TransformView,
    to_hs: TransformView,
    match: MatchView | None,
    predicate: PredicateView | None,
    filter_view: tuple[str, str] | None,
) -> Call:
    m = obj.match
    spec: list[tuple[str, Node]] = [("kind", f"MatchKind.{m.kind.name}")]
    if m.hubspot_field is not None:
        spec.append(("hubspot_field", ctx.lit(m.hubspot_field)))
    if m.salesforce_field is not None:
        spec.append(("salesforce_field", ctx.lit(m.salesforce_field)))
    if m.ignore_case:
        spec.append(("ignore_case", "True"))
    defaults: dict[str, list[tuple[str, Node]]] = {}
    for d in obj.defaults:
        defaults.setdefault(d.salesforce_object, []).append((ctx.lit(d.field), ctx.lit(d.value)))
    kwargs: list[tuple[str, Node]] = [
        ("hubspot_object", ctx.lit(obj.hubspot_object)),
        ("salesforce_objects", Seq(tuple(ctx.lit(o) for o in obj.salesforce_objects))),
        ("match", Call("MatchSpec", tuple(spec), explode=len(spec) > 1)),
        ("fields", Seq(tuple(_field_sync(ctx, f) for f in obj.fields), explode=bool(obj.fields))),
        ("hubspot_properties", Seq(tuple(ctx.lit(p) for p in _properties(obj)))),
        ("salesforce_fields", _select_lists(ctx, plan, obj)),
        ("to_salesforce", to_sf.name),
        ("to_hubspot", to_hs.name),
    ]
    if match is not None:
        kwargs += [("match_key", match.hubspot_name)]
        kwargs += [("salesforce_match_key", match.salesforce_name)]
    if predicate is not None:
        kwargs.append(("include", predicate.name))
    if filter_view is not None:
        kwargs.append(("include_search_filter", filter_view[0]))
    if defaults:
        items = tuple((ctx.lit(k), Dict(tuple(v), explode=True)) for k, v in defaults.items())
        kwargs.append(("create_defaults", Dict(items, explode=True)))
    if obj.hubspot_defaults:
        pairs = tuple((ctx.lit(k), ctx.lit(v)) for k, v in obj.hubspot_defaults)
        kwargs.append(("hubspot_create_defaults", Dict(pairs, explode=True)))
    if obj.associations:
        calls = tuple(_association(ctx, a) for a in obj.associations)
        kwargs.append(("associations", Seq(calls, explode=True)))
    if not obj.hubspot_to_salesforce:
        kwargs.append(("hubspot_to_salesforce", "False"))
    if not obj.salesforce_to_hubspot:
        kwargs.append(("salesforce_to_hubspot", "False"))
    if obj.behaviours:
        kwargs.append(("behaviours", Seq(tuple(f"Behaviour.{b.name}" for b in obj.behaviours))))
    if obj.salesforce_keys:
        keys = tuple((ctx.lit(o), ctx.lit(f)) for o, f in obj.salesforce_keys)
        kwargs.append(("salesforce_keys", Dict(keys, explode=len(keys) > 1)))
    if obj.hubspot_key is not None:
        kwargs.append(("hubspot_key", ctx.lit(obj.hubspot_key)))
    if obj.create_object is not None:
        kwargs.append(("create_object", ctx.lit(obj.create_object)))
    # The deletion policy is always written out: what a deletion does is worth reading.
    kwargs.append(("on_salesforce_delete", f"OnDelete.{obj.on_salesforce_delete.name}"))
    kwargs.append(("on_hubspot_delete", f"OnDelete.{obj.on_hubspot_delete.name}"))
    return Call("ObjectSync", tuple(kwargs), explode=True)


def _association(ctx: ModuleContext, a: PlannedAssociation) -> Call:
    return Call(
        "AssociationSync",
        (
            ("hubspot_object", ctx.lit(a.hubspot_object)),
            ("salesforce_field", ctx.lit(a.salesforce_field)),
            ("salesforce_objects", Seq(tuple(ctx.lit(o) for o in a.salesforce_objects))),
            ("targets", Seq(tuple(ctx.lit(t) for t in a.targets))),
            ("to_salesforce", repr(a.to_salesforce)),
            ("to_hubspot", repr(a.to_hubspot)),
        ),
        explode=True,
    )
