"""The fleet file: the pairs a fleet of workers syncs, where their state lives, and the
limits they share. Secrets stay in the environment: a value `$NAME` is read from it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mapc.runtime.errors import ConfigurationError
from mapc.runtime.fleet.limits import Window


class FleetFileError(ConfigurationError):
    """The fleet file cannot be read or says something that cannot be."""


@dataclass(frozen=True)
class PairSpec:
    """One (HubSpot portal, Salesforce org) pair: `account` names the portal's state."""

    account: str
    org: str
    env: Mapping[str, str]
    portal: str | None = None
    """The HubSpot portal id its webhooks carry (`mapc serve --fleet` queues the pair
    when one arrives); None: the pair is run by the scheduler only."""

    @property
    def key(self) -> str:
        return f"{self.account}@{self.org}"


@dataclass(frozen=True)
class Fleet:
    state: str
    adapter: str
    pairs: tuple[PairSpec, ...]
    salesforce_limit: Window = field(default_factory=lambda: Window(100_000, 86_400.0))
    lease_seconds: float = 60.0
    redis_url: str = "redis://127.0.0.1:6379/0"
    source: Path | None = field(default=None, compare=False)

    def pair(self, key: str) -> PairSpec:
        for spec in self.pairs:
            if spec.key == key:
                return spec
        raise FleetFileError(f"the fleet file names no pair {key!r}")


def _value(raw: Any, where: str, environ: Mapping[str, str]) -> str:
    text = str(raw)
    if text.startswith("$"):
        name = text[1:].strip("{}")
        if name not in environ:
            raise FleetFileError(f"{where} reads ${name}, which is not set in the environment")
        return environ[name]
    return text


def _window(raw: Any, where: str) -> Window:
    try:
        return Window(int(raw["calls"]), float(raw["seconds"]))
    except (TypeError, KeyError, ValueError):
        raise FleetFileError(f"{where} wants {{calls: N, seconds: S}}, not {raw!r}") from None


def load_fleet(path: str | Path, environ: Mapping[str, str] | None = None) -> Fleet:
    env = os.environ if environ is None else environ
    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FleetFileError(f"cannot read the fleet file {source}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise FleetFileError(f"the fleet file {source} is not YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("pairs"), list):
        raise FleetFileError(f"the fleet file {source} needs a `pairs:` list")
    pairs: list[PairSpec] = []
    for n, raw in enumerate(data["pairs"], 1):
        where = f"{source}: pair {n}"
        if not isinstance(raw, dict) or not raw.get("account") or not raw.get("org"):
            raise FleetFileError(f"{where} needs `account` (the HubSpot portal) and `org`")
        connections = raw.get("env") or {}
        if not isinstance(connections, dict):
            raise FleetFileError(f"{where}: `env` is a mapping of variable to value")
        pairs.append(
            PairSpec(
                account=str(raw["account"]),
                org=str(raw["org"]),
                env={k: _value(v, f"{where} env {k}", env) for k, v in connections.items()},
                portal=str(raw["portal"]) if raw.get("portal") is not None else None,
            )
        )
    portals = [p.portal for p in pairs if p.portal]
    if len(set(portals)) != len(portals):
        raise FleetFileError(f"{source} names a HubSpot `portal` for two pairs")
    keys = [p.key for p in pairs]
    if len(set(keys)) != len(keys):
        raise FleetFileError(f"{source} names a pair twice")
    if len({p.account for p in pairs}) != len(pairs):
        raise FleetFileError(
            f"{source}: a HubSpot portal syncs with one Salesforce org, so each `account` "
            "appears once (several portals may share an org)"
        )
    if not data.get("state") or not data.get("adapter"):
        raise FleetFileError(f"{source} needs `state` (a PostgreSQL URL) and `adapter`")
    adapter = Path(str(data["adapter"]))
    if not adapter.is_absolute():
        adapter = source.parent / adapter
    extra: dict[str, Any] = {}
    if "salesforce_limit" in data:
        extra["salesforce_limit"] = _window(data["salesforce_limit"], f"{source}: salesforce_limit")
    if "lease_seconds" in data:
        extra["lease_seconds"] = float(data["lease_seconds"])
    if "redis" in data:
        extra["redis_url"] = _value(data["redis"], f"{source}: redis", env)
    return Fleet(
        state=_value(data["state"], f"{source}: state", env),
        adapter=str(adapter),
        pairs=tuple(pairs),
        source=source,
        **extra,
    )
