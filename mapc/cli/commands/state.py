"""`mapc state init` (a new, empty state, on purpose) and `mapc state rebuild` (the links
read back from the CRMs' idempotency keys)."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "state",
        help="manage the state database (`mapc state init` creates a new one, "
        "`mapc state rebuild` reads the links back from the CRMs)",
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
    rebuild = actions.add_parser(
        "rebuild",
        help="rebuild a lost state's links from the CRMs' idempotency keys (reads only)",
        description="Read every record of each pair with an `idempotency key` on both sides "
        "and store a link for each pair of records a key names, in a new state (created if "
        "missing; refused if it holds links). Writes nothing to either CRM. The next "
        "`mapc run` compares each rebuilt pair field by field and writes only what differs. "
        "Pairs without a key are listed: contacts re-link by email, companies by their "
        "contacts; deals and opportunities without a key cannot be rebuilt. Exit 0 when "
        "every key became a link, 1 when some could not (listed), 2 on configuration errors.",
    )
    rebuild.add_argument(
        "adapter", metavar="ADAPTER", help="generated adapter: a .py path or a module name"
    )
    rebuild.add_argument(
        "--state",
        metavar="URL",
        help="the state to rebuild into (default: $MAPC_STATE or mapc-state.db)",
    )
    rebuild.add_argument(
        "--account",
        metavar="NAME",
        help="the HubSpot account this state belongs to (default: $MAPC_HUBSPOT_ACCOUNT "
        "or default)",
    )
    rebuild.set_defaults(func=run_rebuild)
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


def run_rebuild(args: argparse.Namespace) -> int:
    from mapc.cli.commands.run import config_failure
    from mapc.errors import MapcError
    from mapc.runtime.sync.rebuild import rebuild_links
    from mapc.runtime.sync.runner import (
        account_name,
        connect,
        load_adapter,
        open_state,
        safe_url,
        state_target,
    )

    target = state_target(args.state)
    try:
        adapter = load_adapter(args.adapter)
        connections = connect()
        state = open_state(target, account_name(args.account), create=True)
    except MapcError as error:
        print(f"mapc state rebuild: {config_failure(error)[1]}", file=sys.stderr)
        return 2
    try:
        found = rebuild_links(adapter, connections.salesforce, connections.hubspot, state)
    except MapcError as error:
        code, message = config_failure(error)
        print(f"mapc state rebuild: {message}", file=sys.stderr)
        return code
    finally:
        state.close()
    for name, count in found.links.items():
        print(f"{name}: {count} links rebuilt")
    for name in found.unkeyed:
        print(f"{name}: no idempotency key, nothing to rebuild from (see docs/runner.md)")
    for problem in found.problems:
        print(f"not linked: {problem}", file=sys.stderr)
    print(f"rebuilt {found.total} links into {safe_url(target)}; nothing was written to either CRM")
    return 1 if found.problems else 0
