"""`mapc state init`: create a new, empty state database on purpose (a first run)."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "state",
        help="manage the state database (`mapc state init` creates a new one)",
        description="The state database links the records of both CRMs. `mapc run` never "
        "creates one by itself: against orgs synced before, a new state would create every "
        "record again. `mapc state init` creates it on purpose.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    init = actions.add_parser(
        "init",
        help="create a new, empty state (refused if one exists there)",
        description="Create a new, empty state database for a first run. Refused when the "
        "target already holds a mapc state. Exit 0 when created, 2 otherwise.",
    )
    init.add_argument(
        "--state",
        metavar="URL",
        help="a file path or a database URL (default: $MAPC_STATE or mapc-state.db)",
    )
    init.set_defaults(func=run_init)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_init(args: argparse.Namespace) -> int:
    from mapc.errors import MapcError
    from mapc.runtime.sync.runner import open_state, safe_url, state_target
    from mapc.runtime.sync.schema import StateMissing

    target = state_target(args.state)
    try:
        existing = open_state(target, "default", create=False)
    except StateMissing:
        pass
    except MapcError as error:
        print(f"mapc state init: {error}", file=sys.stderr)
        return 2
    else:
        existing.close()
        print(
            f"mapc state init: {safe_url(target)} already holds a mapc state; nothing was changed",
            file=sys.stderr,
        )
        return 2
    try:
        open_state(target, "default", create=True).close()
    except MapcError as error:
        print(f"mapc state init: {error}", file=sys.stderr)
        return 2
    print(f"created a new mapc state at {safe_url(target)}")
    return 0
