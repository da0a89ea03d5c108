"""Run fixture cases against a generated adapter module, loaded by path, with no network."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib.util
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from mapc.compiler.mappingtests.fixtures import Case, Fixture, FixtureError, load_fixture
from mapc.compiler.mappingtests.freshness import freshness
from mapc.compiler.mappingtests.junit import CaseReport, SuiteReport, write_junit
from mapc.runtime.adapter import Adapter, ObjectSync
from mapc.runtime.sync.decide import offered

__all__ = [
    "CaseResult",
    "StaleAdapterError",
    "load_adapter",
    "normalise",
    "run_case",
    "run_fixtures",
]

_ABSENT = "(not written)"


@dataclass(frozen=True)
class CaseResult:
    case: Case
    ok: bool
    problems: tuple[str, ...] = ()
    kind: str = "failure"
    """`failure`: a wrong result; `error`: the case is malformed or the adapter raised."""


def load_adapter(path: Path) -> Adapter:
    """Import a generated module by file path and return its ADAPTER."""
    if not path.is_file():
        raise FixtureError(f"{path}: adapter module not found; run `mapc compile` first")
    name = "mapc_fixture_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FixtureError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # a broken module is the fixture's problem, not a crash
        raise FixtureError(f"{path}: import failed: {type(error).__name__}: {error}") from None
    adapter = getattr(module, "ADAPTER", None)
    if not isinstance(adapter, Adapter):
        raise FixtureError(f"{path}: defines no ADAPTER (is it a module mapc generated?)")
    return adapter


def normalise(value: Any) -> Any:
    """Adapter data as YAML would write it: enums as values, tuples as lists, dataclasses
    as mappings of their non-function fields."""
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: normalise(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not callable(getattr(value, f.name))
        }
    if isinstance(value, Mapping):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    return value


def _object(adapter: Adapter, given: Mapping[str, Any]) -> ObjectSync:
    name = given.get("object")
    found = adapter.object_for(str(name))
    if found is None:
        known = ", ".join(o.hubspot_object for o in adapter.objects)
        raise LookupError(f"no sync block for HubSpot object {name!r} (have: {known})")
    return found


def _inspect(adapter: Adapter, path: str) -> Any:
    value: Any = adapter
    for part in path.split("."):
        if isinstance(value, tuple) and value and isinstance(value[0], ObjectSync):
            value = next((o for o in value if o.hubspot_object == part), _ABSENT)
        elif isinstance(value, tuple) and value and hasattr(value[0], "hubspot"):
            value = next((f for f in value if f.hubspot == part), _ABSENT)
        elif isinstance(value, Mapping):
            value = value.get(part, _ABSENT)
        else:
            value = getattr(value, part, _ABSENT)
        if value is _ABSENT:
            raise LookupError(f"{path}: nothing at {part!r}")
    return value


def _act(adapter: Adapter, case: Case) -> Any:
    given = case.given
    if case.action == "inspect":
        return _inspect(adapter, str(given))
    if case.action == "email_task":
        if adapter.email_events is None:
            raise LookupError("the mapping has no email events rule")
        return adapter.email_events.task_values(given)
    if not isinstance(given, Mapping):
        raise TypeError(f"`{case.action}` takes a mapping with `object` and a record")
    obj = _object(adapter, given)
    if case.action in ("to_salesforce", "to_hubspot"):
        # What the field rules let the record write over `current`, as the engine decides.
        to_salesforce = case.action == "to_salesforce"
        record = given["hubspot"] if to_salesforce else given["salesforce"]
        return offered(
            obj,
            given["salesforce_object"],
            record,
            given.get("current"),
            to_salesforce=to_salesforce,
        )
    if case.action == "include":
        return True if obj.include is None else obj.include(given["hubspot"])
    side = "hubspot" if "hubspot" in given else "salesforce"
    key = obj.match_key if side == "hubspot" else obj.salesforce_match_key
    return None if key is None else key(given[side])


def same(want: Any, got: Any) -> bool:
    """Equal, and a boolean only ever equals a boolean: Python's `True == 1` would let a
    case expecting `1` pass on `True` (or `false` on `0`), which YAML tells apart."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(want) is type(got) and want == got
    if isinstance(want, dict) and isinstance(got, dict):
        return want.keys() == got.keys() and all(same(v, got[k]) for k, v in want.items())
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(same(a, b) for a, b in zip(want, got, strict=True))
    return bool(want == got)


def _compare(case: Case, actual: Any) -> list[str]:
    problems: list[str] = []
    if case.has_expect and not same(case.expect, actual):
        if isinstance(actual, dict) and isinstance(case.expect, dict):
            for key in sorted(set(actual) | set(case.expect), key=str):
                want, got = case.expect.get(key, _ABSENT), actual.get(key, _ABSENT)
                if not same(want, got):
                    problems.append(f"{key}: expected {want!r}, got {got!r}")
        else:
            problems.append(f"expected {case.expect!r}, got {actual!r}")
    if case.expect_subset is not None or case.expect_absent:
        if not isinstance(actual, dict):
            return [*problems, f"expected a mapping of values, got {actual!r}"]
        for key, want in (case.expect_subset or {}).items():
            got = actual.get(key, _ABSENT)
            if not same(want, got):
                problems.append(f"{key}: expected {want!r}, got {got!r}")
        for key in case.expect_absent:
            if key in actual:
                problems.append(f"{key}: expected not written, got {actual[key]!r}")
    return problems


def run_case(adapter: Adapter, case: Case) -> CaseResult:
    if case.error:  # malformed: it fails with the reason, and the other cases still run
        return CaseResult(case, False, (f"malformed case: {case.error}",), "error")
    try:
        actual = normalise(_act(adapter, case))
    except Exception as error:  # report it as this case's failure, run the others
        return CaseResult(case, False, (f"raised {type(error).__name__}: {error}",), "error")
    problems = _compare(case, actual)
    return CaseResult(case, not problems, tuple(problems))


class StaleAdapterError(FixtureError):
    """A fixture's adapter was generated from an older version of its mapping."""


def run_fixtures(
    paths: Sequence[Path],
    out: TextIO,
    quiet: bool = False,
    *,
    allow_stale: bool = False,
    junit: Path | None = None,
) -> int:
    """Run every case of every fixture; print a line per case; 0 all pass, 1 any failed.

    Every fixture and adapter is loaded first, so a FixtureError (exit 2) runs nothing.
    An adapter older than its mapping is a StaleAdapterError unless `allow_stale`, which
    runs it with a warning: its results say nothing about the mapping as it is now.
    """
    loaded: list[tuple[Path, Fixture, Adapter]] = []
    adapters: dict[Path, Adapter] = {}
    for path in paths:
        fixture = load_fixture(path)
        adapter = adapters.get(fixture.adapter)
        if adapter is None:
            adapter = adapters[fixture.adapter] = load_adapter(fixture.adapter)
            current = freshness(fixture.adapter, adapter)
            if current.stale and not allow_stale:
                raise StaleAdapterError(current.describe())
            if current.stale or current.unknown:
                out.write(f"warning: {current.describe()}\n")
        loaded.append((path, fixture, adapter))
    passed = failed = 0
    suites: list[SuiteReport] = []
    for path, fixture, adapter in loaded:
        suite = SuiteReport(path, [])
        suites.append(suite)
        if not quiet:
            out.write(f"{path.as_posix()} ({len(fixture.cases)} cases)\n")
        for case in fixture.cases:
            started = time.perf_counter()
            result = run_case(adapter, case)
            suite.cases.append(
                CaseReport(
                    case.name,
                    time.perf_counter() - started,
                    result.problems,
                    result.kind,
                )
            )
            if result.ok:
                passed += 1
                if not quiet:
                    out.write(f"  PASS  {case.name}\n")
                continue
            failed += 1
            out.write(f"  FAIL  {case.name}" + (f"  [{path.as_posix()}]" if quiet else "") + "\n")
            for problem in result.problems:
                out.write(f"          {problem}\n")
    out.write(f"{passed} passed, {failed} failed\n")
    if junit is not None:
        try:
            write_junit(junit, suites)
        except OSError as error:
            raise FixtureError(f"{junit}: cannot write the JUnit report: {error}") from None
    return 1 if failed else 0
