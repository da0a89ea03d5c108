"""`mapc emulate`: serve the local Salesforce and HubSpot emulator until interrupted."""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "emulate",
        help="run a local emulator of the Salesforce and HubSpot APIs",
        description="Serve emulated Salesforce (HTTPS) and HubSpot (HTTP) APIs on 127.0.0.1. "
        "Prints one JSON line with the URLs, the CA file to trust and the accepted access "
        "tokens (or, with --env, shell export lines for `mapc plan` and `mapc run`), then "
        "serves until interrupted (Ctrl-C).",
    )
    parser.add_argument(
        "--env",
        action="store_true",
        help="print `export NAME=value` lines with the variables `mapc run` reads "
        "(SALESFORCE_INSTANCE_URL, SALESFORCE_ACCESS_TOKEN, SALESFORCE_CA_BUNDLE, "
        "HUBSPOT_ACCESS_TOKEN, HUBSPOT_BASE_URL) instead of the JSON line",
    )
    parser.add_argument("--seed", type=Path, metavar="FILE", help="JSON seed to load at start")
    parser.add_argument(
        "--mappings",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="mapping files or folders whose project catalogs' custom fields (Salesforce "
        "`__c` fields, HubSpot properties) the emulated org and portal should have, as a "
        "real org would before its mapping runs (e.g. --mappings mappings/)",
    )
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument(
        "--org",
        choices=("standard", "person-accounts"),
        default=None,
        help="the Salesforce org's shape: 'standard' (the default: no person accounts, "
        "Lead.Company required) or 'person-accounts' (Account and Contact gain the person "
        "fields, Lead.Company is optional); a seed's salesforce.person_accounts overrides it",
    )
    shape.add_argument(
        "--person-accounts",
        action="store_true",
        help="the same as --org person-accounts",
    )
    parser.add_argument(
        "--edition",
        default="Enterprise",
        help="Salesforce edition; 'Group' answers API_DISABLED_FOR_ORG",
    )
    parser.add_argument(
        "--port-sf",
        type=int,
        default=0,
        metavar="N",
        help="Salesforce port (default: any free port)",
    )
    parser.add_argument(
        "--port-hs", type=int, default=0, metavar="N", help="HubSpot port (default: any free port)"
    )
    parser.add_argument(
        "--salesforce-token",
        metavar="TOKEN",
        help="the Salesforce access token to accept (default: random)",
    )
    parser.add_argument(
        "--hubspot-token",
        metavar="TOKEN",
        help="the HubSpot access token to accept (default: random)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mapc.emulator import start_emulator

    try:
        emulator = start_emulator(
            person_accounts=args.person_accounts or getattr(args, "org", None) == "person-accounts",
            edition=args.edition,
            salesforce_port=args.port_sf,
            hubspot_port=args.port_hs,
            salesforce_token=args.salesforce_token,
            hubspot_token=args.hubspot_token,
            seed=args.seed,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"mapc emulate: {error}", file=sys.stderr)
        return 2
    if getattr(args, "mappings", None):
        problem = _deploy_custom_fields(emulator, args.mappings)
        if problem is not None:
            emulator.stop()
            print(f"mapc emulate: {problem}", file=sys.stderr)
            return 2
    stop = threading.Event()
    # SIGTERM (from a supervising process) ends as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if getattr(args, "env", False):
        lines = [f"export {k}={shlex.quote(v)}" for k, v in emulator.runner_env().items()]
        print("\n".join(lines), flush=True)
    else:
        print(json.dumps(emulator.info()), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


def _deploy_custom_fields(emulator: Any, paths: list[Path]) -> str | None:
    """Give the emulator the custom fields the mappings' project catalogs declare; the
    problem, in one sentence, when that cannot be done."""
    from mapc.compiler.catalog import CatalogError
    from mapc.compiler.pipeline import find_mappings
    from mapc.demo.custom import custom_fields
    from mapc.emulator.seed import SeedError

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return f"no such mapping file or folder: {', '.join(missing)}"
    try:
        fields = custom_fields(find_mappings(paths), emulator)
        emulator.seed(
            {
                "salesforce": {"custom_fields": fields.salesforce},
                "hubspot": {"properties": fields.hubspot},
            }
        )
    except (CatalogError, SeedError) as error:
        return str(error)
    return None
