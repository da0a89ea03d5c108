"""Plans full of hostile names and values, and a loader for the modules generated from them."""

from __future__ import annotations

import random
from types import ModuleType

import msgspec

from mapc.compiler import ir
from mapc.compiler.codegen import generate
from mapc.compiler.plan import (
    Plan,
    PlannedClosedWon,
    PlannedDefault,
    PlannedEmailEvents,
    PlannedMatch,
    PlannedValueMap,
)
from mapc.runtime.adapter import MatchKind, Rule
from tests.compiler.codegen.plans import OPT_OUT, SPAN, compare, contacts, field, lit, plan, ref

HOSTILE = (
    'quote"s',
    "it's",
    'both "\'" kinds',
    "back\\slash\\",
    "new\nline\r\n",
    '"""',
    "'''",
    "{{ jinja }}",
    "{% block x %}",
    "{# comment #}",
    "é中文 ünïcödé",
    "\u2028sep\u2029",
    "\x00nul\x7f",
    "class",
    "None",
    "__import__('os')",
    "#not a comment",
    "x" * 150,
    "\t tab",
    "\\N{BULLET}",
    "${shell}",
)


def load(source: str, name: str = "generated_under_test") -> ModuleType:
    """Execute generated source as a module, compiled from the bytes the writer writes (a
    str would hide an encoding declaration, which Python honours when it reads a file)."""
    module = ModuleType(name)
    data = source.encode("utf-8")
    exec(compile(data, f"<{name}>", "exec", dont_inherit=True), module.__dict__)
    return module


def hostile_plan(names: tuple[str, ...] = HOSTILE) -> Plan:
    """A contacts<->Lead plan whose fields, options, defaults and filter use `names`."""
    fields = [field(f"hs {n}", f"sf {n}", objects=("Lead",)) for n in names]
    fields.append(
        field(
            names[0],
            names[1],
            objects=("Lead",),
            hubspot_kind="enumeration",
            salesforce_kind="picklist",
            value_map=names[2],
        )
    )
    fields.append(field(names[3], names[4], Rule.PREFER_SALESFORCE, objects=("Lead",)))
    fields.append(msgspec.structs.replace(OPT_OUT, salesforce_objects=("Lead",)))
    value_map = PlannedValueMap(
        name=names[2], pairs=tuple((n, f"SF {n}") for n in names), two_way=True
    )
    include = ir.Or(
        span=SPAN,
        operands=(
            compare(f"hs {names[5]}", "==", names[6]),
            ir.InList(
                span=SPAN,
                field=ref(names[0]),
                values=tuple(lit(n) for n in names[:4]),
                negated=False,
            ),
        ),
    )
    defaults = tuple(
        PlannedDefault(salesforce_object="Lead", field=f"default {n}", value=n) for n in names
    )
    obj = contacts(
        tuple(fields),
        include=include,
        include_kinds=((f"hs {names[5]}", "text"), (names[0], "enumeration")),
        defaults=defaults,
        objects=("Lead",),
    )
    return plan((obj,), (value_map,), name=names[7])


def hostile_source(names: tuple[str, ...] = HOSTILE) -> str:
    return generate(hostile_plan(names), source_path=f"mappings/{names[8]}.mapc")[0].source


# -- random plans of every shape, for the formatting and type-checking batch ----------

_KINDS = ("text", "number", "bool", "date", "datetime", "enumeration", "reference")
_RULES = (
    Rule.TWO_WAY,
    Rule.PREFER_SALESFORCE,
    Rule.ALWAYS_HUBSPOT,
    Rule.ALWAYS_SALESFORCE,
    Rule.DO_NOT_SYNC,
)


def _expr(rng: random.Random, props: list[tuple[str, str]], depth: int) -> ir.Expr:
    if depth <= 0 or rng.random() < 0.4:
        name, kind = rng.choice(props)
        pick = rng.randrange(3)
        if pick == 0:
            ops = ["==", "!="] if kind == "bool" else ["==", "!=", "<", "<=", ">", ">="]
            value: ir.Scalar = (
                rng.choice([True, False])
                if kind == "bool"
                else rng.choice([0, 5, 1.5, 10**30])
                if kind == "number"
                else rng.choice(HOSTILE)
            )
            return compare(name, rng.choice(ops), value)
        if pick == 1:
            values = tuple(lit(v) for v in rng.sample(HOSTILE, rng.randint(1, 3)))
            return ir.InList(span=SPAN, field=ref(name), values=values, negated=rng.random() < 0.5)
        return ir.IsBlank(span=SPAN, field=ref(name), negated=rng.random() < 0.5)
    if rng.random() < 0.2:
        return ir.Not(span=SPAN, operand=_expr(rng, props, depth - 1))
    operands = tuple(_expr(rng, props, depth - 1) for _ in range(rng.randint(2, 3)))
    if rng.random() < 0.5:
        return ir.And(span=SPAN, operands=operands)
    return ir.Or(span=SPAN, operands=operands)


def random_plan(rng: random.Random, pieces: tuple[str, ...]) -> Plan:
    """A plan of random shape with random (often hostile, sometimes long) names."""

    def name() -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))

    objects = []
    value_maps: dict[str, PlannedValueMap] = {}
    for o in range(rng.randint(1, 2)):
        sobjects = tuple(dict.fromkeys(f"{name()}{o}{i}" for i in range(rng.randint(1, 2))))
        fields = []
        for i in range(rng.randint(2, 5)):
            hs_kind, sf_kind = rng.choice(_KINDS), rng.choice(_KINDS)
            vmap = None
            if hs_kind == "enumeration" and rng.random() < 0.7:
                vmap = f"{name()} map {len(value_maps)}"
                pairs = tuple((f"{name()}{j}", f"{name()}{j}") for j in range(rng.randint(1, 3)))
                value_maps[vmap] = PlannedValueMap(name=vmap, pairs=pairs, two_way=True)
            fields.append(
                field(
                    f"{name()} h{i}",
                    f"{name()} s{i}",
                    rng.choice(_RULES),
                    objects=tuple(rng.sample(sobjects, rng.randint(1, len(sobjects)))),
                    hubspot_kind=hs_kind,
                    salesforce_kind=sf_kind,
                    value_map=vmap,
                    owner=hs_kind == "reference" and rng.random() < 0.5,
                )
            )
        fields.append(msgspec.structs.replace(OPT_OUT, salesforce_objects=sobjects))
        props = [(f.hubspot, f.hubspot_kind) for f in fields]
        include = _expr(rng, props, 3) if rng.random() < 0.8 else None
        defaults = tuple(
            PlannedDefault(
                salesforce_object=rng.choice(sobjects),
                field=f"{name()} d{k}",
                value=rng.choice([name(), 3, 2.5, True]),
            )
            for k in range(rng.randint(0, 3))
        )
        obj = contacts(
            tuple(fields),
            include=include,
            include_kinds=tuple(sorted(set(props))) if include else (),
            defaults=defaults,
            objects=sobjects,
            hubspot_object=f"{name()}{o}",
        )
        if rng.random() < 0.3:
            obj = msgspec.structs.replace(obj, match=PlannedMatch(kind=MatchKind.NONE))
        objects.append(obj)
    extra: dict[str, object] = {}
    if rng.random() < 0.5:
        extra["closed_won"] = PlannedClosedWon(
            hubspot_object=name(), hubspot_property=name(), value=name(), via=name()
        )
    if rng.random() < 0.5:
        extra["email_events"] = PlannedEmailEvents(
            event_types=("OPEN", name()), salesforce_object=name()
        )
    return plan(tuple(objects), tuple(value_maps.values()), name=name(), **extra)
