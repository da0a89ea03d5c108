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
A case that breaks these rules fails (with the reason) and the others still run; a file
that cannot be read, is not YAML, or has no `adapter` or `cases` is a FixtureError.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapc.errors import MapcError

__all__ = ["ACTIONS", "Case", "Fixture", "FixtureError", "find_fixtures", "load_fixture"]

ACTIONS = ("to_salesforce", "to_hubspot", "include", "match_key", "email_task", "inspect")
_EXPECTS = ("expect", "expect_subset", "expect_absent")
_KEYS = ("name", *ACTIONS, *_EXPECTS)
_MISSING = object()


class FixtureError(MapcError):
    """A fixture that cannot be run at all: unreadable, not YAML, or not the fixture format."""


@dataclass(frozen=True)
class Case:
    name: str
    action: str
    given: Any
    expect: Any = _MISSING
    expect_subset: Mapping[str, Any] | None = None
    expect_absent: tuple[str, ...] = ()
    error: str = ""
    """Why the case cannot run (an unknown key, no action, ...): it fails with this."""

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


def _unknown(key: object) -> str:
    """An unknown case key, named, with the closest known key when there is one."""
    close = difflib.get_close_matches(str(key), _KEYS, n=1)
    shown = f"`{key}`" if isinstance(key, str) else repr(key)
    return f"{shown} (did you mean `{close[0]}`?)" if close else shown


def _problem(raw: dict[object, Any]) -> str:
    """Why the case `raw` (a mapping with a name) cannot run, or "" when it can."""
    unknown = sorted((k for k in raw if k not in _KEYS), key=repr)
    if unknown:
        named = [_unknown(k) for k in unknown]
        message = f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(named)}"
        if not all(n.endswith("?)") for n in named):
            message += f"; the keys of a case are {', '.join(_KEYS)}"
        return message
    actions = [a for a in ACTIONS if a in raw]
    if not actions:
        return f"no action: a case needs exactly one of {', '.join(ACTIONS)}"
    if len(actions) > 1:
        return f"{len(actions)} actions ({', '.join(actions)}): a case has exactly one"
    if not any(k in raw for k in _EXPECTS):
        return "nothing to check: add `expect`, `expect_subset` or `expect_absent`"
    subset = raw.get("expect_subset")
    if subset is not None and not isinstance(subset, dict):
        return "`expect_subset` is a mapping of field to value"
    absent = raw.get("expect_absent", [])
    if not isinstance(absent, list) or not all(isinstance(a, str) for a in absent):
        return "`expect_absent` is a list of field names"
    return ""


def _case(index: int, raw: object) -> Case:
    """The case `raw`; one that cannot run carries its `error`, to be reported as a failure
    while the fixture's other cases still run."""
    if not isinstance(raw, dict):
        return Case(
            f"case {index + 1}",
            "",
            None,
            error="a case is a mapping with `name`, an action and `expect`",
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        problem = _problem({**raw, "name": ""})
        error = "needs a `name`" + (f"; {problem}" if problem else "")
        return Case(f"case {index + 1}", "", None, error=error)
    problem = _problem(raw)
    if problem:
        return Case(name, "", None, error=problem)
    action = next(a for a in ACTIONS if a in raw)
    return Case(
        name,
        action,
        raw[action],
        raw.get("expect", _MISSING),
        raw.get("expect_subset"),
        tuple(raw.get("expect_absent", [])),
    )


class _AliasError(Exception):
    def __init__(self, alias: str, line: int, column: int) -> None:
        super().__init__(alias)
        self.alias, self.line, self.column = alias, line, column


def _read_yaml(text: str) -> Any:
    """`text` as YAML (safe types only), refusing aliases: `*name` repeats a value without
    copying it, so a kilobyte of nested aliases stands for gigabytes once anything walks
    the data (the "billion laughs"). A fixture writes its values out instead."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                mark = event.start_mark
                raise _AliasError(str(event.anchor), mark.line + 1, mark.column + 1)
            return super().compose_node(parent, index)

    loader = NoAliasLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_fixture(path: Path) -> Fixture:
    import yaml

    try:
        data = _read_yaml(path.read_text(encoding="utf-8"))
    except _AliasError as error:
        raise FixtureError(
            f"{path}:{error.line}:{error.column}: YAML aliases (*{error.alias}) are not "
            "allowed in fixtures: write the value out where it is used"
        ) from None
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
    parsed: list[Case] = []
    seen: set[str] = set()
    for index, raw in enumerate(cases):
        case = _case(index, raw)
        if case.name in seen and not case.error:
            case = dataclasses.replace(case, error="another case has the same name")
        seen.add(case.name)
        parsed.append(case)
    return Fixture(path, adapter, tuple(parsed))
