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
from mapc.runtime.budget import Allocation, Budget
from mapc.runtime.errors import (
    ApiAccessError,
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
)
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE
from mapc.runtime.sync.engine import Progress, SyncEngine
from mapc.runtime.sync.lock import StateLocked
from mapc.runtime.sync.ports import HubSpotPort, SalesforcePort
from mapc.runtime.sync.report import DETAIL_LIMIT, Report
from mapc.runtime.sync.resync import Resync
from mapc.runtime.sync.retries import DEFAULT_BACKOFF, DEFAULT_LIMIT, RetryRule
from mapc.runtime.sync.state import StateStore

log = logging.getLogger("mapc.sync")

EXIT_OK = 0
EXIT_RECORDS_FAILED = 1
EXIT_CONFIG = 2
EXIT_BUDGET = 3
DEFAULT_STATE = "mapc-state.db"
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")


class AdapterLoadError(ConfigurationError):
    """The adapter module could not be found or does not define ADAPTER."""


def parse_interval(text: str, option: str = "--every") -> float:
    """ "30s", "5m", "2h", "1d" or plain seconds -> seconds."""
    match = _INTERVAL.match(text)
    if not match or int(match.group(1)) == 0:
        raise ConfigurationError(f"{option} wants a duration such as 30s, 5m or 1h, not {text!r}.")
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
    except AdapterLoadError:
        raise
    except ModuleNotFoundError as exc:
        if exc.name is not None and target.removesuffix(".py").startswith(exc.name):
            raise AdapterLoadError(f"No adapter module named {target!r}.") from None
        raise AdapterLoadError(
            f"{target} could not be imported: {exc}; regenerate it with "
            "`mapc compile` and check the environment."
        ) from None
    except SyntaxError as exc:
        raise AdapterLoadError(
            f"{target} does not compile (line {exc.lineno}): regenerate it with `mapc compile`."
        ) from None
    except Exception as exc:  # anything a broken module raises while it is imported
        message = one_line(f"{type(exc).__name__}: {exc}")
        raise AdapterLoadError(
            f"{target} failed while being imported ({message}): regenerate it with `mapc compile`."
        ) from None
    adapter = getattr(module, "ADAPTER", None)
    if not isinstance(adapter, Adapter):
        raise AdapterLoadError(
            f"{target} defines no ADAPTER: is it a module `mapc compile` generated?"
        )
    return adapter


@dataclass
class Connections:
    salesforce: SalesforcePort
    hubspot: HubSpotPort


def connect(environ: Mapping[str, str] | None = None) -> Connections:
    """Both connectors from SALESFORCE_* / HUBSPOT_* variables."""
    from mapc.runtime.hubspot.client import HubSpotConnector
    from mapc.runtime.salesforce.client import SalesforceConnector

    return Connections(SalesforceConnector.from_env(environ), HubSpotConnector.from_env(environ))


class StateOpenError(ConfigurationError):
    """The state database cannot be opened (bad URL, missing driver, not a database)."""


def one_line(text: str) -> str:
    """The first line of an error message (SQLAlchemy appends a "Background" link)."""
    return (text.strip().splitlines() or [""])[0].strip()


def safe_url(target: str) -> str:
    """A state database target fit to print: a URL's password masked."""
    from mapc.runtime.sync.state import masked

    return masked(target)


def database_error(error: BaseException) -> str:
    """One sentence for an error raised by the state database's driver."""
    orig = getattr(error, "orig", None)
    return one_line(str(orig if orig is not None else error))


def open_state(target: str, account: str, *, create: bool = False) -> StateStore:
    """The state store, or a StateOpenError saying in one sentence why not. A target with
    no state yet is StateMissing unless `create` (a new state is made only when asked)."""
    from sqlalchemy.exc import SQLAlchemyError

    from mapc.runtime.sync.schema import SchemaTooNew

    try:
        return StateStore(target, account=account, create=create)
    except (SchemaTooNew, ConfigurationError):
        raise
    except (SQLAlchemyError, ImportError, ValueError, OSError) as exc:
        if isinstance(exc, ImportError):
            why = f"its database driver is not installed ({exc.name or exc})"
        else:
            why = database_error(exc)
        raise StateOpenError(f"Cannot open the state database {safe_url(target)}: {why}.") from None


def state_target(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return option or env.get("MAPC_STATE") or DEFAULT_STATE


def account_name(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return option or env.get("MAPC_HUBSPOT_ACCOUNT") or "default"


def retry_rule(
    limit: str | None, backoff: str | None, environ: Mapping[str, str] | None = None
) -> RetryRule:
    """How failing records are retried: options, else MAPC_RETRY_LIMIT and
    MAPC_RETRY_BACKOFF, else 5 failures and 15 minutes doubling."""
    env = os.environ if environ is None else environ
    raw_limit = limit or env.get("MAPC_RETRY_LIMIT") or ""
    raw_backoff = backoff or env.get("MAPC_RETRY_BACKOFF") or ""
    if raw_limit and not raw_limit.strip().isdigit():
        raise ConfigurationError(f"The retry limit wants a whole number, not {raw_limit!r}.")
    seconds = DEFAULT_BACKOFF
    if raw_backoff.strip() in ("0", "0s"):
        seconds = 0.0
    elif raw_backoff:
        seconds = parse_interval(raw_backoff, "--retry-backoff")
    return RetryRule(int(raw_limit) if raw_limit else DEFAULT_LIMIT, seconds)


def api_budget(
    salesforce: str | None, hubspot: str | None, environ: Mapping[str, str] | None = None
) -> Budget | None:
    """The API allocations: options, else MAPC_SALESFORCE_BUDGET / MAPC_HUBSPOT_BUDGET;
    None when neither side has one."""
    env = os.environ if environ is None else environ
    allocations = {}
    for side, given, variable, option in (
        (SALESFORCE, salesforce, "MAPC_SALESFORCE_BUDGET", "--salesforce-budget"),
        (HUBSPOT, hubspot, "MAPC_HUBSPOT_BUDGET", "--hubspot-budget"),
    ):
        text = given or env.get(variable) or ""
        if text.strip():
            allocations[side] = Allocation.parse(text, option if given else variable)
    return Budget(allocations) if allocations else None


def exit_code(report: Report) -> int:
    if report.stopped:
        return EXIT_BUDGET
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
    detail_limit: int | None = DETAIL_LIMIT,
    concurrency: int | None = None,
    retry: RetryRule | None = None,
    budget: Budget | None = None,
    on_failure: Callable[[BaseException], None] = lambda _e: None,
    resync: Resync | None = None,
) -> int:
    """Run once, or every `every` seconds until interrupted; the last run's exit code.
    On a schedule a run that hits an API failure is logged and the next one retries
    (its cursors did not move, so nothing is lost)."""
    runs = 0
    code = EXIT_OK
    while True:
        started = time.monotonic()
        engine = SyncEngine(
            adapter,
            connections.salesforce,
            connections.hubspot,
            state,
            dry_run=dry_run,
            progress=progress,
            detail_limit=detail_limit,
            concurrency=concurrency,
            retry=retry,
            budget=budget,
            resync=resync,
        )
        try:
            report = engine.run()
        except (ConnectorError, StateLocked) as error:
            # A bad token or an org without API access does not heal by waiting: stop.
            if every is None or isinstance(
                error, ConfigurationError | AuthenticationError | ApiAccessError
            ):
                raise
            log.error("run failed, retrying at the next interval: %s", error)
            on_failure(error)
            code = EXIT_RECORDS_FAILED
        else:
            on_report(report)
            code = exit_code(report)
        runs += 1
        if every is None or (max_runs is not None and runs >= max_runs):
            return code
        sleep(max(0.0, every - (time.monotonic() - started)))
