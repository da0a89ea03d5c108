"""The thin runner: load a generated adapter, connect from the environment, run once or
on a schedule, and turn every failure into an exit code and one clear sentence."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from mapc.runtime.adapter import Adapter
from mapc.runtime.errors import ConfigurationError, ConnectorError
from mapc.runtime.sync.engine import Progress, SyncEngine
from mapc.runtime.sync.lock import StateLocked
from mapc.runtime.sync.ports import HubSpotPort, SalesforcePort
from mapc.runtime.sync.report import Report
from mapc.runtime.sync.state import StateStore

log = logging.getLogger("mapc.sync")

EXIT_OK = 0
EXIT_RECORDS_FAILED = 1
EXIT_CONFIG = 2
DEFAULT_STATE = "mapc-state.db"
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")


class AdapterLoadError(ConfigurationError):
    """The adapter module could not be found or does not define ADAPTER."""


def parse_interval(text: str) -> float:
    """"30s", "5m", "2h", "1d" or plain seconds -> seconds."""
    match = _INTERVAL.match(text)
    if not match or int(match.group(1)) == 0:
        raise ConfigurationError(f"--every wants a duration such as 30s, 5m or 1h, not {text!r}.")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def load_adapter(target: str) -> Adapter:
    """ADAPTER from a generated module, given as a file path or a module name."""
    module: ModuleType
    path = Path(target)
    try:
        if target.endswith(".py") or path.is_file():
            if not path.is_file():
                raise AdapterLoadError(f"No adapter module at {target}: run `mapc compile` first.")
            spec = importlib.util.spec_from_file_location(f"mapc_adapter_{path.stem}", path)
            if spec is None or spec.loader is None:
                raise AdapterLoadError(f"{target} is not a Python module.")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(target)
    except ModuleNotFoundError as exc:
        raise AdapterLoadError(f"No adapter module named {target!r} ({exc.name} not found).") \
            from None
    except SyntaxError as exc:
        raise AdapterLoadError(f"{target} does not compile (line {exc.lineno}): "
                               "regenerate it with `mapc compile`.") from None
    adapter = getattr(module, "ADAPTER", None)
    if not isinstance(adapter, Adapter):
        raise AdapterLoadError(f"{target} defines no ADAPTER: is it a module `mapc compile` "
                               "generated?")
    return adapter


@dataclass
class Connections:
    salesforce: SalesforcePort
    hubspot: HubSpotPort


def connect(environ: Mapping[str, str] | None = None) -> Connections:
    """Both connectors from SALESFORCE_* / HUBSPOT_* variables."""
    from mapc.runtime.hubspot import HubSpotConnector
    from mapc.runtime.salesforce import SalesforceConnector

    return Connections(SalesforceConnector.from_env(environ), HubSpotConnector.from_env(environ))


def state_target(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return option or env.get("MAPC_STATE") or DEFAULT_STATE


def account_name(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return option or env.get("MAPC_HUBSPOT_ACCOUNT") or "default"


def exit_code(report: Report) -> int:
    return EXIT_RECORDS_FAILED if report.failed else EXIT_OK


def run_loop(
    adapter: Adapter,
    connections: Connections,
    state: StateStore,
    *,
    every: float | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    on_report: Callable[[Report], None] = lambda _r: None,
    sleep: Callable[[float], None] = time.sleep,
    max_runs: int | None = None,
) -> int:
    """Run once, or every `every` seconds until interrupted; the last run's exit code.
    On a schedule a run that hits an API failure is logged and the next one retries
    (its cursors did not move, so nothing is lost)."""
    runs = 0
    code = EXIT_OK
    while True:
        started = time.monotonic()
        engine = SyncEngine(adapter, connections.salesforce, connections.hubspot, state,
                            dry_run=dry_run, progress=progress)
        try:
            report = engine.run()
        except (ConnectorError, StateLocked) as error:
            if every is None or isinstance(error, ConfigurationError):
                raise
            log.error("run failed, retrying at the next interval: %s", error)
            code = EXIT_RECORDS_FAILED
        else:
            on_report(report)
            code = exit_code(report)
        runs += 1
        if every is None or (max_runs is not None and runs >= max_runs):
            return code
        sleep(max(0.0, every - (time.monotonic() - started)))
