"""`mapc demo`: compile the mappings, start the local emulator with a realistic sample,
print the plan, sync, and sync again to show that nothing changes. No credentials needed."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mapc.cli.commands.plan import non_negative_int

DEFAULT_ADAPTER = Path("generated") / "hubspot_salesforce.py"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="compile, start a local emulator with sample data, sync it, and sync again",
        description="The whole product in one command, with no credentials: compile "
        "mappings/, start the local CRM emulator seeded with a few hundred realistic "
        "records, print the plan, run the sync, print the summary, then run again and show "
        "that nothing changes. Exit 0 when it all worked.",
    )
    parser.add_argument(
        "--mappings",
        default="mappings",
        metavar="DIR",
        help="mapping files to compile (default: mappings)",
    )
    parser.add_argument(
        "--scale",
        type=positive_int,
        default=1,
        metavar="N",
        help="multiply the sample's size (a whole number, 1 or more; default: 1)",
    )
    parser.add_argument(
        "--state", metavar="URL", help="keep the state here (default: a temporary file)"
    )
    parser.add_argument(
        "--plan-lines",
        type=non_negative_int,
        default=6,
        metavar="N",
        help="plan lines shown per object and side, 0 for counts only (default: 6)",
    )
    parser.set_defaults(func=run)


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _project_path(relative: str | Path) -> Path:
    """A path in the working directory, else in the checkout mapc runs from."""
    here = Path(relative)
    if here.exists():
        return here
    return Path(__file__).resolve().parents[3] / relative


def compile_mappings(mappings: str, out_dir: Path) -> Path | None:
    """`mapc compile` in-process; the generated module for the default mapping."""
    from mapc import cli

    source = _project_path(mappings)
    code = cli.main(["compile", str(source), "-o", str(out_dir)])
    if code != 0:
        return None
    found = sorted(out_dir.glob("*.py"))
    preferred = out_dir / DEFAULT_ADAPTER.name
    return preferred if preferred.is_file() else (found[0] if found else None)


def run(args: argparse.Namespace) -> int:
    from mapc.cli.render import console as make_console

    console = make_console(sys.stdout)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mapc-demo-") as tmp:
        console.rule("[bold]1. compile")
        if not _project_path(args.mappings).exists():
            console.print(
                f"mapc demo: no mappings at {args.mappings}/: run it in a mapc project (or the "
                "mapc checkout), or name a directory of .mapc files with --mappings DIR"
            )
            return 2
        console.print(f"mappings: {_project_path(args.mappings).resolve()}", highlight=False)
        adapter_path = compile_mappings(args.mappings, Path(tmp) / "generated")
        if adapter_path is None:
            console.print("mapc demo: the mappings did not compile (see above)")
            return 1
        console.print(f"adapter: {adapter_path}")
        return _with_emulator(args, console, adapter_path, Path(tmp), started)


def _with_emulator(
    args: argparse.Namespace, console: Any, adapter_path: Path, tmp: Path, started: float
) -> int:
    from mapc.compiler.pipeline import find_mappings
    from mapc.demo.custom import custom_fields
    from mapc.demo.sample import describe, sample
    from mapc.emulator import start_emulator

    console.rule("[bold]2. start the local emulator")
    emulator = start_emulator(person_accounts=True)
    saved = {
        k: os.environ.get(k)
        for k in (*emulator.env(), "HUBSPOT_REQUESTS_PER_10S", "HUBSPOT_SEARCHES_PER_SECOND")
    }
    try:
        # The project catalogs' custom fields must exist in the emulator's orgs too.
        custom = custom_fields(find_mappings([_project_path(args.mappings)]), emulator)
        data = sample(scale=args.scale, custom=custom)
        emulator.seed(data)
        os.environ.update(emulator.env())
        # A local emulator has no HubSpot rate limits worth waiting for.
        os.environ["HUBSPOT_REQUESTS_PER_10S"] = "100000"
        os.environ["HUBSPOT_SEARCHES_PER_SECOND"] = "1000"
        console.print(describe(data))
        console.print(f"Salesforce at {emulator.salesforce_url}, HubSpot at {emulator.hubspot_url}")
        return _sync(args, console, adapter_path, tmp, emulator, started)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        emulator.stop()


def _sync(
    args: argparse.Namespace,
    console: Any,
    adapter_path: Path,
    tmp: Path,
    emulator: Any,
    started: float,
) -> int:
    from mapc.cli import render
    from mapc.errors import MapcError
    from mapc.runtime.sync.engine import SyncEngine
    from mapc.runtime.sync.runner import connect, load_adapter, open_state

    render.setup_logging("error")
    try:
        adapter = load_adapter(str(adapter_path))
        connections = connect()
        state = open_state(args.state or str(tmp / "state.db"), "default", create=True)
    except MapcError as error:
        console.print(f"mapc demo: {error}")
        return 2

    def engine(dry_run: bool = False) -> SyncEngine:
        return SyncEngine(
            adapter, connections.salesforce, connections.hubspot, state, dry_run=dry_run
        )

    try:
        return _plan_and_sync(args, console, engine, state, emulator, started)
    except MapcError as error:  # e.g. a field the mapping names that the org lacks
        console.print(f"mapc demo: {error}")
        return 2
    finally:
        state.close()


def _plan_and_sync(
    args: argparse.Namespace,
    console: Any,
    engine: Any,
    state: Any,
    emulator: Any,
    started: float,
) -> int:
    from mapc.cli import render

    console.rule("[bold]3. plan (a dry run: nothing is written)")
    render.print_plan(engine(dry_run=True).run(), console, limit=args.plan_lines)

    console.rule("[bold]4. sync")
    emulator.reset_calls()
    first = engine().run()
    render.print_summary(first, console)
    first_writes = _write_calls(emulator.calls())

    console.rule("[bold]5. sync again: nothing changed, so nothing is written")
    emulator.reset_calls()
    second = engine().run()
    render.print_summary(second, console)
    calls = emulator.calls()
    writes = _write_calls(calls)
    reads = sum(calls.values()) - writes
    console.print(
        f"API calls on the second run: {reads} reads, {writes} writes "
        f"(the first run made {first_writes} write calls)"
    )
    errors = state.log.errors()
    if errors:
        console.print(render.errors_table(errors, console.width))
    elapsed = time.monotonic() - started
    ok = writes == 0 and second.writes == 0 and not first.failed
    console.rule(f"[bold]{'done' if ok else 'something is off'} in {elapsed:.1f}s")
    console.print(
        "Run it on your own orgs: mapc compile mappings/ && "
        "mapc run generated/hubspot_salesforce.py (see docs/runner.md)"
    )
    return 0 if ok else 1


def _write_calls(calls: dict[str, int]) -> int:
    """Calls that change something (searches and batch reads POST, but change nothing)."""
    total = 0
    for key, n in calls.items():
        method, _, path = key.partition(" ")
        if method == "GET":
            continue
        if method == "POST" and (path.endswith(("/search", "/batch/read")) or "/query" in path):
            continue
        total += n
    return total
