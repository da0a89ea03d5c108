"""Run a parsed SOQL query against the org: resolve fields, filter, sort, shape rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mapc.emulator.salesforce.errors import SfApiError
from mapc.emulator.salesforce.ids import to18
from mapc.emulator.salesforce.org import Org
from mapc.emulator.salesforce.schema import FieldDef, ObjectDef
from mapc.emulator.salesforce.soql_parse import (
    BoolOp,
    Condition,
    Literal,
    Query,
    parse,
)
from mapc.emulator.salesforce.validate import NUMERIC_TYPES, sf_datetime

Record = dict[str, Any]
Getter = Callable[[Record], Any]
Predicate = Callable[[Record], bool]
_ALLOWED = {
    "text": {"string"},
    "number": {"number"},
    "boolean": {"boolean"},
    "date": {"date", "date_literal"},
    "datetime": {"datetime", "date_literal"},
}
_TYPE_NAMES = {
    "text": "string",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "dateTime",
}


@dataclass(frozen=True)
class Column:
    """One selected or filtered field, possibly across a relationship (Account.Name)."""

    path: tuple[str, ...]  # canonical names: ("Account", "Name") or ("Email",)
    definition: FieldDef
    get: Getter
    parent: Callable[[Record], tuple[str, Record] | None] | None = None

    @property
    def family(self) -> str:
        kind = self.definition.type
        if kind in NUMERIC_TYPES:
            return "number"
        if kind in ("boolean", "date", "datetime"):
            return kind
        if kind in ("id", "reference"):
            return "id"
        return "text"


@dataclass
class Plan:
    query: Query
    sobject: ObjectDef
    columns: list[Column]
    rows: list[Record]


def plan(org: Org, text: str, include_deleted: bool, version: str) -> Plan:
    query = parse(text)
    sobject = _sobject(org, query.sobject)
    resolve = _Resolver(org, sobject, text)
    columns = [resolve(name) for name in query.fields]
    predicate = _compile(query.where, resolve, text, org) if query.where else None
    pool = list(org.records[sobject.name].values())
    if include_deleted:
        pool.extend(org.deleted[sobject.name].values())
    rows = [r for r in pool if predicate(r)] if predicate else pool
    if query.order_by:
        for ordering in reversed(query.order_by):
            column = resolve(ordering.field)
            rows.sort(
                key=_sort_key(column, ordering.descending, ordering.nulls_last),
                reverse=ordering.descending,
            )
    else:
        rows.sort(key=lambda r: r["Id"])
    if query.offset:
        rows = rows[query.offset :]
    if query.limit is not None:
        rows = rows[: query.limit]
    return Plan(query, sobject, columns, rows)


def shape(plan_: Plan, record: Record, version: str) -> Record:
    """A result row as Salesforce prints it: attributes first, then fields in select order."""
    out: Record = {"attributes": _attributes(plan_.sobject.name, record["Id"], version)}
    for column in plan_.columns:
        if len(column.path) == 1:
            out[column.path[0]] = record.get(column.path[0])
            continue
        relation, leaf = column.path
        if relation in out and out[relation] is None:
            continue
        nested = out.get(relation)
        if nested is None:
            target = column.parent(record) if column.parent else None
            if target is None:
                out[relation] = None
                continue
            name, parent = target
            nested = {"attributes": _attributes(name, parent["Id"], version)}
            out[relation] = nested
        nested[leaf] = column.get(record)
    return out


def _attributes(name: str, record_id: str, version: str) -> dict[str, str]:
    return {"type": name, "url": f"/services/data/v{version}/sobjects/{name}/{record_id}"}


def _sobject(org: Org, name: str) -> ObjectDef:
    for obj in org.objects.values():
        if obj.name.lower() == name.lower():
            return obj
    raise SfApiError.one(
        400,
        "INVALID_TYPE",
        f"\n{name}\n^\nERROR at Row:1:Column:1\nsObject type '{name}' is not supported. If you "
        "are attempting to use a custom object, be sure to append the '__c' after the entity "
        "name. Please reference your WSDL or the describe call for the appropriate names.",
    )


class _Resolver:
    def __init__(self, org: Org, sobject: ObjectDef, text: str) -> None:
        self.org, self.sobject, self.text = org, sobject, text
        self.cache: dict[str, Column] = {}

    def __call__(self, name: str) -> Column:
        key = name.lower()
        if key not in self.cache:
            self.cache[key] = self._resolve(name)
        return self.cache[key]

    def _resolve(self, name: str) -> Column:
        parts = name.split(".")
        if len(parts) == 1:
            definition = self.sobject.field(name)
            if definition is None:
                raise self._no_column(name, self.sobject.name)
            canonical = definition.name
            return Column((canonical,), definition, lambda r: r.get(canonical))
        if len(parts) != 2:
            raise self._no_column(name, self.sobject.name)
        reference = self.sobject.relationship(parts[0])
        if reference is None:
            raise self._no_column(parts[0], self.sobject.name, relation=True)
        targets = [self.org.objects[t] for t in reference.reference_to if t in self.org.objects]
        leaf = next((t.field(parts[1]) for t in targets if t.field(parts[1])), None)
        if leaf is None:
            raise self._no_column(name, self.sobject.name)
        ref_name, leaf_name, org = reference.name, leaf.name, self.org

        def parent(record: Record) -> tuple[str, Record] | None:
            target_id = record.get(ref_name)
            return org.find(target_id) if target_id else None

        def get(record: Record) -> Any:
            found = parent(record)
            return found[1].get(leaf_name) if found else None

        return Column((str(reference.relationship_name), leaf_name), leaf, get, parent)

    def _no_column(self, name: str, entity: str, relation: bool = False) -> SfApiError:
        column = self.text.find(name) + 1
        what = (
            f"Didn't understand relationship '{name}' in field path"
            if relation
            else f"No such column '{name}' on entity '{entity}'"
        )
        message = (
            f"\n{self.text}\n{' ' * max(column - 1, 0)}^\nERROR at Row:1:Column:{column}\n"
            f"{what}. If you are attempting to use a custom field, be sure to append the "
            "'__c' after the custom field name. Please reference your WSDL or the describe "
            "call for the appropriate names."
        )
        return SfApiError.one(400, "INVALID_FIELD", message)


def _compile(cond: Condition, resolve: _Resolver, text: str, org: Org) -> Predicate:
    if isinstance(cond, BoolOp):
        parts = [_compile(p, resolve, text, org) for p in cond.parts]
        if cond.op == "AND":
            return lambda r: all(p(r) for p in parts)
        if cond.op == "OR":
            return lambda r: any(p(r) for p in parts)
        only = parts[0]
        return lambda r: not only(r)
    column = resolve(cond.field)
    literals = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    values = [_literal_value(column, lit, text, org) for lit in literals]
    get, family, op = column.get, column.family, cond.op
    if op in ("IN", "NOT IN"):
        members = {v for v in values if not isinstance(v, tuple)}
        wanted = op == "IN"
        return lambda r: (_norm(get(r), family) in members) is wanted
    value = values[0]
    if op == "LIKE":
        if family != "text" or not isinstance(value, str):
            raise _type_error(column, text)
        regex = re.compile(_like(value), re.IGNORECASE | re.DOTALL)
        return lambda r: (v := get(r)) is not None and regex.fullmatch(str(v)) is not None
    if isinstance(value, tuple):  # a date range such as TODAY or LAST_N_DAYS:7
        return _range_predicate(get, op, value)
    if value is None:
        if op not in ("=", "!="):
            raise SfApiError.one(400, "MALFORMED_QUERY", f"invalid operator on null: {op}")
        is_null = op == "="
        return lambda r: (get(r) is None) is is_null
    return _compare(get, family, op, value)


def _compare(get: Getter, family: str, op: str, value: Any) -> Predicate:
    def test(record: Record) -> bool:
        current = _norm(get(record), family)
        if current is None:
            return op == "!="
        if op == "=":
            return bool(current == value)
        if op == "!=":
            return bool(current != value)
        if op == "<":
            return bool(current < value)
        if op == "<=":
            return bool(current <= value)
        if op == ">":
            return bool(current > value)
        return bool(current >= value)

    return test


def _range_predicate(get: Getter, op: str, bounds: tuple[str, str]) -> Predicate:
    start, end = bounds

    def test(record: Record) -> bool:
        current = get(record)
        if current is None:
            return op == "!="
        inside = start <= current < end
        return bool(
            {
                "=": inside,
                "!=": not inside,
                "<": current < start,
                "<=": current < end,
                ">": current >= end,
                ">=": current >= start,
            }[op]
        )

    return test


def _norm(value: Any, family: str) -> Any:
    if value is None:
        return None
    if family == "text":
        return str(value).casefold()
    if family == "number":
        return float(value)
    return value


def _literal_value(column: Column, lit: Literal, text: str, org: Org) -> Any:
    if lit.kind == "null":
        return None
    family = column.family
    allowed = {"id": {"string"}}.get(family) or _ALLOWED[family]
    if lit.kind not in allowed:
        raise _type_error(column, text)
    if family == "id":
        return to18(str(lit.value)) or str(lit.value)
    if family == "text":
        return str(lit.value).casefold()
    if lit.kind == "date_literal":
        return _date_range(str(lit.value), family, org)
    if family == "datetime":
        return sf_datetime(lit.value)
    return lit.value


def _date_range(keyword: str, family: str, org: Org) -> tuple[str, str]:
    today = org.clock.now().date()
    name, _, count = keyword.partition(":")
    n = int(count or 0)
    spans = {
        "TODAY": (today, today + timedelta(1)),
        "YESTERDAY": (today - timedelta(1), today),
        "TOMORROW": (today + timedelta(1), today + timedelta(2)),
        "LAST_N_DAYS": (today - timedelta(n), today + timedelta(1)),
        "NEXT_N_DAYS": (today + timedelta(1), today + timedelta(n + 1)),
    }
    if name not in spans:
        raise SfApiError.one(400, "MALFORMED_QUERY", f"unexpected token: '{keyword}'")
    start, end = spans[name]
    if family == "date":
        return start.isoformat(), end.isoformat()
    return _midnight(start), _midnight(end)


def _midnight(day: date) -> str:
    return sf_datetime(datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat())


def _type_error(column: Column, text: str) -> SfApiError:
    name = ".".join(column.path)
    family = column.family
    expected = _TYPE_NAMES.get(family, "string")
    quoted = (
        "and should be enclosed in quotes"
        if family in ("text", "id")
        else "and should not be enclosed in quotes"
    )
    at = text.find(name) + 1
    return SfApiError.one(
        400,
        "INVALID_FIELD",
        f"\n{text}\n{' ' * max(at - 1, 0)}^\nERROR at Row:1:Column:{at}\nvalue of filter "
        f"criterion for field '{name}' must be of type {expected} {quoted}",
    )


def _like(pattern: str) -> str:
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _sort_key(column: Column, descending: bool, nulls_last: bool) -> Callable[[Record], Any]:
    get, family = column.get, column.family
    # With reverse=True the smallest key ends up last, so the null flag flips with direction.
    null_flag = int(nulls_last) if not descending else int(not nulls_last)
    other = 1 - null_flag

    def key(record: Record) -> tuple[int, Any]:
        value = _norm(get(record), family)
        return (null_flag, 0) if value is None else (other, value)

    return key
