"""Mapping test fixtures: YAML files of cases, loaded and validated (docs/codegen.md).

    adapter: ../../generated/hubspot_salesforce.py   # relative to the fixture file
    cases:
      - name: an unsubscribe in HubSpot unsubscribes the lead (R1)
        to_salesforce: {object: contacts, salesforce_object: Lead,
                        hubspot: {hs_email_optout: "true"}, current: null}
        expect_subset: {HasOptedOutOfEmail: true}

A case has a `name`, exactly one action (`to_salesforce`, `to_hubspot`, `include`,
`match_key`, `email_task`, `inspect`) and at least one of `expect` (the whole result),
`expect_subset` (these keys of a dict result) and `expect_absent` (keys not written).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ACTIONS", "Case", "Fixture", "FixtureError", "find_fixtures", "load_fixture"]

ACTIONS = ("to_salesforce", "to_hubspot", "include", "match_key", "email_task", "inspect")
_EXPECTS = ("expect", "expect_subset", "expect_absent")
_MISSING = object()


class FixtureError(Exception):
    """A fixture that cannot be run: unreadable, not YAML, or not the fixture format."""


@dataclass(frozen=True)
class Case:
    name: str
    action: str
    given: Any
    expect: Any = _MISSING
    expect_subset: Mapping[str, Any] | None = None
    expect_absent: tuple[str, ...] = ()

    @property
    def has_expect(self) -> bool:
        return self.expect is not _MISSING


@dataclass(frozen=True)
class Fixture:
    path: Path
    adapter: Path
    cases: tuple[Case, ...]


def find_fixtures(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories expanded to their *.yaml / *.yml files, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        elif path.is_file():
            found.append(path)
        else:
            raise FixtureError(f"{path}: no such file or directory")
    if not found:
        raise FixtureError(f"no fixtures (*.yaml) in {', '.join(str(p) for p in paths)}")
    return found


def _case(path: Path, index: int, raw: object) -> Case:
    where = f"{path}: case {index + 1}"
    if not isinstance(raw, dict):
        raise FixtureError(f"{where}: a case is a mapping with `name`, an action and `expect`")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise FixtureError(f"{where}: needs a `name`")
    where = f"{path}: case {name!r}"
    actions = [a for a in ACTIONS if a in raw]
    if len(actions) != 1:
        raise FixtureError(f"{where}: needs exactly one of {', '.join(ACTIONS)}")
    unknown = sorted(repr(k) for k in set(raw) - {"name", *ACTIONS, *_EXPECTS})
    if unknown:
        raise FixtureError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if not any(k in raw for k in _EXPECTS):
        raise FixtureError(f"{where}: needs `expect`, `expect_subset` or `expect_absent`")
    subset = raw.get("expect_subset")
    if subset is not None and not isinstance(subset, dict):
        raise FixtureError(f"{where}: `expect_subset` is a mapping of field to value")
    absent = raw.get("expect_absent", [])
    if not isinstance(absent, list) or not all(isinstance(a, str) for a in absent):
        raise FixtureError(f"{where}: `expect_absent` is a list of field names")
    return Case(
        name,
        actions[0],
        raw[actions[0]],
        raw.get("expect", _MISSING),
        subset,
        tuple(absent),
    )


def load_fixture(path: Path) -> Fixture:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FixtureError(f"{path}: cannot read: {error.strerror or error}") from None
    except RecursionError:
        raise FixtureError(f"{path}: not valid YAML: nested too deeply") from None
    except UnicodeDecodeError as error:
        raise FixtureError(
            f"{path}: not UTF-8 text (byte {error.start} cannot be decoded)"
        ) from None
    except yaml.YAMLError as error:
        raise FixtureError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("adapter"), str):
        raise FixtureError(f"{path}: needs `adapter:` (the generated module, relative path)")
    cases = data.get("cases")
    if not isinstance(cases, list) or not cases:
        raise FixtureError(f"{path}: needs a non-empty list of `cases`")
    adapter = (path.parent / data["adapter"]).resolve()
    parsed = tuple(_case(path, i, raw) for i, raw in enumerate(cases))
    names = [c.name for c in parsed]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FixtureError(f"{path}: duplicate case name(s): {', '.join(duplicates)}")
    return Fixture(path, adapter, parsed)
