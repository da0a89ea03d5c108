"""CRM search: filterGroups, sorts and the free-text query, evaluated over a portal's records.

Typed property values are indexed per (object type, property) and rebuilt only when that
object type changes, so that a connector paging by re-anchored range filters over 100,000
records costs a bisect and a slice per page, not a parse of every record.
"""

from __future__ import annotations

import bisect
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mapc.emulator.hubspot.errors import validation
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.hubspot.schema import PropertyDef
from mapc.emulator.hubspot.values import to_ms

MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 6, 18
SEARCHABLE = {
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "companies": ("name", "domain", "website", "phone"),
    "deals": ("dealname",),
    "tasks": ("hs_task_subject",),
}
_OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}
_RANGE = {"EQ", "LT", "LTE", "GT", "GTE", "BETWEEN"}
Predicate = Callable[[str], bool]


@dataclass
class _Column:
    """One property's typed values: by record id, and sorted for range lookups."""

    values: dict[str, Any]
    keys: list[Any]
    ids: list[str]  # every id with a value, in (value, id) order, unless not `ordered`
    ordered: bool = True


@dataclass
class _Filter:
    test: Predicate
    column: _Column
    operator: str
    low: Any = None
    high: Any = None

    def candidates(self) -> list[str] | None:
        """The ids a range filter can match, found by bisection; None for other filters."""
        if self.operator not in _RANGE:
            return None
        keys, ids = self.column.keys, self.column.ids
        try:
            if self.operator == "EQ":
                return ids[bisect.bisect_left(keys, self.low) : bisect.bisect_right(keys, self.low)]
            if self.operator in ("GT", "GTE"):
                cut = bisect.bisect_right if self.operator == "GT" else bisect.bisect_left
                return ids[cut(keys, self.low) :]
            if self.operator in ("LT", "LTE"):
                cut = bisect.bisect_left if self.operator == "LT" else bisect.bisect_right
                return ids[: cut(keys, self.low)]
            return ids[bisect.bisect_left(keys, self.low) : bisect.bisect_right(keys, self.high)]
        except TypeError:  # values of mixed types cannot be bisected; scan instead
            return None


class Searcher:
    """Evaluates searches, remembering indexes and results until the records change."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self._results: OrderedDict[str, tuple[int, list[str]]] = OrderedDict()
        self._columns: dict[tuple[str, str], tuple[int, _Column]] = {}

    def run(self, kind: str, body: dict[str, Any]) -> list[str]:
        key = json.dumps(
            [kind, body.get("filterGroups"), body.get("sorts"), body.get("query")],
            sort_keys=True,
            default=str,
        )
        version = self.portal.versions[kind]
        cached = self._results.get(key)
        if cached is not None and cached[0] == version:
            self._results.move_to_end(key)
            return self._lagged(kind, cached[1])
        ids = self._evaluate(kind, body)
        self._results[key] = (version, ids)
        while len(self._results) > 32:
            self._results.popitem(last=False)
        return self._lagged(kind, ids)

    def _lagged(self, kind: str, ids: list[str]) -> list[str]:
        """Without the records written within `portal.index_lag` seconds (not yet indexed)."""
        if self.portal.index_lag <= 0:
            return ids
        cutoff = self.portal.clock.now_ms() - round(self.portal.index_lag * 1000)
        records = self.portal.objects[kind]
        return [i for i in ids if records[i].written_ms <= cutoff]

    def _evaluate(self, kind: str, body: dict[str, Any]) -> list[str]:
        groups = body.get("filterGroups") or []
        if len(groups) > MAX_GROUPS:
            raise validation(f"Too many filter groups: {len(groups)}. The maximum is {MAX_GROUPS}")
        sizes = [len(g.get("filters") or []) for g in groups]
        if sum(sizes) > MAX_FILTERS or any(size > MAX_FILTERS_PER_GROUP for size in sizes):
            raise validation(
                f"Too many filters: at most {MAX_FILTERS_PER_GROUP} per group and "
                f"{MAX_FILTERS} in total are allowed"
            )
        sorts = body.get("sorts") or []
        if len(sorts) > 1:
            raise validation("Only one sort is supported per search request")
        compiled = [[self._filter(kind, f) for f in g.get("filters") or []] for g in groups]
        records = self.portal.objects[kind]
        if compiled:
            matched: set[str] = set()
            for group in compiled:
                slices = [(f, f.candidates()) for f in group]
                narrowed = [c for _, c in slices if c is not None]
                # Bisected filters hold for their whole slice: intersect those (at C speed)
                # and test only the other filters record by record.
                pool: Any = records.keys()
                if narrowed:
                    narrowed.sort(key=len)
                    pool = set(narrowed[0]).intersection(*narrowed[1:])
                rest = [f for f, c in slices if c is None]
                if rest:
                    matched.update(i for i in pool if all(f.test(i) for f in rest))
                else:
                    matched.update(pool)
        else:
            matched = set(records)
        text = str(body.get("query") or "").strip().lower()
        if text:
            fields = SEARCHABLE[kind]
            matched = {
                i
                for i in matched
                if any(text in str(records[i].properties.get(f) or "").lower() for f in fields)
            }
        if not sorts:
            return sorted(matched, key=int)
        name, descending = _sort_spec(sorts[0])
        column = self._column(kind, self._property(kind, name))
        values = column.values
        absent: list[str] = []
        if len(column.ids) < len(values) or not column.ordered:  # some records lack a value
            absent = sorted((i for i in matched if values.get(i) is None), key=int)
        if not descending and column.ordered and len(matched) * 8 > len(column.ids):
            # Most records match and the column is in (value, id) order already: filtering
            # it is cheaper than sorting them.
            return [i for i in column.ids if i in matched] + absent
        present = sorted((i for i in matched if values.get(i) is not None), key=int)
        # Not reverse=True: that would also reverse ties, which stay in id order.
        present.sort(key=(lambda i: _Reversed(values[i])) if descending else values.__getitem__)
        return present + absent

    def _property(self, kind: str, name: str) -> PropertyDef:
        prop = self.portal.properties[kind].get(name)
        if prop is None:
            raise validation(
                f"There was a problem with the request: property {name} does not exist",
                context={"propertyName": [name]},
            )
        return prop

    def _column(self, kind: str, prop: PropertyDef) -> _Column:
        version = self.portal.versions[kind]
        cached = self._columns.get((kind, prop.name))
        if cached is not None and cached[0] == version:
            return cached[1]
        records = self.portal.objects[kind]
        if cached is not None and cached[1].ordered and version - cached[0] <= len(records) // 8:
            # A few records changed since: move each in the sorted column (a sync's writes
            # go on between its searches; sorting every record again per search made the
            # emulator, not the limits, the bottleneck of a large run).
            column = cached[1]
            try:
                for record_id in self.portal.written[kind][cached[0] : version]:
                    _move(column, prop, record_id, records.get(record_id))
            except TypeError:  # values of mixed types cannot be bisected: sort afresh
                pass
            else:
                self._columns[(kind, prop.name)] = (version, column)
                return column
        values: dict[str, Any] = {}
        for record_id, record in records.items():
            raw = record.properties.get(prop.name)
            values[record_id] = None if raw in (None, "") else _typed(prop, str(raw))
        try:
            ordered = sorted(((v, int(i), i) for i, v in values.items() if v is not None))
        except TypeError:
            column = _Column(values, [], [], ordered=False)
        else:
            column = _Column(values, [v for v, _, _ in ordered], [i for _, _, i in ordered])
        self._columns[(kind, prop.name)] = (version, column)
        return column

    def _filter(self, kind: str, spec: dict[str, Any]) -> _Filter:
        operator = str(spec.get("operator", "EQ"))
        if operator not in _OPERATORS:
            raise validation(f"Invalid operator: {operator}")
        prop = self._property(kind, str(spec.get("propertyName")))
        column = self._column(kind, prop)
        values = column.values
        if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            present = operator == "HAS_PROPERTY"
            return _Filter(lambda i: (values.get(i) is not None) is present, column, operator)
        if operator in ("IN", "NOT_IN"):
            members = {_typed(prop, str(v)) for v in spec.get("values") or []}
            inside = operator == "IN"
            return _Filter(lambda i: (values.get(i) in members) is inside, column, operator)
        if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            token = str(spec.get("value", "")).lower().strip("*")
            wanted = operator == "CONTAINS_TOKEN"
            return _Filter(
                lambda i: (token in str(values.get(i) or "")) is wanted, column, operator
            )
        low = _typed(prop, str(spec.get("value")))
        if operator == "BETWEEN":
            high = _typed(prop, str(spec.get("highValue")))
            return _Filter(
                lambda i: (v := values.get(i)) is not None and low <= v <= high,
                column,
                operator,
                low,
                high,
            )
        if operator == "NEQ":
            return _Filter(lambda i: values.get(i) != low, column, operator, low)
        compare: Callable[[Any, Any], Any] = {
            "EQ": lambda a, b: a == b,
            "LT": lambda a, b: a < b,
            "LTE": lambda a, b: a <= b,
            "GT": lambda a, b: a > b,
            "GTE": lambda a, b: a >= b,
        }[operator]
        return _Filter(
            lambda i: (v := values.get(i)) is not None and bool(compare(v, low)),
            column,
            operator,
            low,
        )


def _sort_spec(sort: Any) -> tuple[str, bool]:
    if isinstance(sort, str):
        return sort.lstrip("-"), sort.startswith("-")
    return str(sort.get("propertyName")), str(sort.get("direction", "ASCENDING")) == "DESCENDING"


def _typed(prop: PropertyDef, raw: str) -> Any:
    if prop.type == "number" or prop.name == "hs_object_id":
        try:
            return float(raw)
        except ValueError:
            return float("nan")
    if prop.type in ("datetime", "date"):
        ms = to_ms(raw)
        return ms if ms is not None else 0
    return raw.casefold()


class _Reversed:
    """Sorts in the opposite order of the value it wraps, keeping sort() stable for ties."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return bool(self.value > other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and bool(self.value == other.value)

    __hash__ = None  # type: ignore[assignment]


def _move(column: _Column, prop: PropertyDef, record_id: str, record: Any) -> None:
    """Put one changed (or removed) record where it now sorts in `column`, in (value, id)
    order."""
    keys, ids = column.keys, column.ids
    old = column.values.get(record_id)
    if old is not None:
        at = ids.index(record_id, bisect.bisect_left(keys, old), bisect.bisect_right(keys, old))
        del keys[at]
        del ids[at]
    if record is None:  # archived
        column.values.pop(record_id, None)
        return
    raw = record.properties.get(prop.name)
    new = None if raw in (None, "") else _typed(prop, str(raw))
    column.values[record_id] = new
    if new is None:
        return
    low, high = bisect.bisect_left(keys, new), bisect.bisect_right(keys, new)
    number = int(record_id)
    while low < high:  # among equal values, in id order
        middle = (low + high) // 2
        if int(ids[middle]) < number:
            low = middle + 1
        else:
            high = middle
    keys.insert(low, new)
    ids.insert(low, record_id)
