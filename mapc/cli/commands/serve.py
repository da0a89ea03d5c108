"""`mapc serve`: the Sync health page, /metrics and /healthz over the state database."""

from __future__ import annotations

import argparse
import sys

HELP = "serve the Sync health page, /metrics and /healthz from the state database"
TOKEN_VARIABLE = "MAPC_SERVE_TOKEN"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help=HELP,
        description="Serve HubSpot's Sync health tab for this sync: API calls of the last "
        "24 hours per side against the allocation, open errors as cards by category with "
        "their records and links into HubSpot and Salesforce, run history, lag per pair; "
        "Prometheus metrics at /metrics and a health check at /healthz (503 while the "
        f"state cannot be read). Read-only unless ${TOKEN_VARIABLE} is set: then the page's "
        "Retry and Ignore buttons work for whoever gives that token. It reads the state "
        "database only and needs no CRM credentials.",
    )
    parser.add_argument(
        "--state", metavar="URL", help="state database (default: $MAPC_STATE or mapc-state.db)"
    )
    parser.add_argument("--account", metavar="NAME", help="HubSpot account of the state")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name browsers use to reach this server (repeatable; the --host "
        "address, localhost and 127.0.0.1 are always allowed); requests naming any other "
        "host are refused",
    )
    parser.add_argument(
        "--private",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"the page, exports and /metrics need ${TOKEN_VARIABLE} too, not only the "
        "actions (default: on when --host is not a loopback address)",
    )
    parser.add_argument(
        "--salesforce-url",
        metavar="URL",
        help="Salesforce instance URL for record links (default: $SALESFORCE_INSTANCE_URL)",
    )
    parser.add_argument(
        "--hubspot-portal",
        metavar="ID",
        help="HubSpot portal (account) id for record links (default: $HUBSPOT_PORTAL_ID)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from mapc.runtime.health.records import Where
    from mapc.runtime.sync.runner import account_name, safe_url, state_target

    if not 0 <= args.port <= 65535:
        print("mapc serve: --port wants 0..65535", file=sys.stderr)
        return 2
    target = state_target(args.state)
    if "://" not in target and not Path(target).exists():
        print(f"mapc serve: no state database at {target}: nothing has run yet", file=sys.stderr)
        return 2
    try:
        import uvicorn

        from mapc.serve.app import LOOPBACK, ServeConfig, create_app
        from mapc.serve.auth import Token
    except ImportError as error:  # a trimmed install
        print(f"mapc serve: {error.name or error} is not installed", file=sys.stderr)
        return 2
    token = Token(os.environ.get(TOKEN_VARIABLE) or None)
    loopback = _loopback(args.host)
    if not loopback and not token.enabled:
        print(
            f"mapc serve: refusing to listen on {args.host} without ${TOKEN_VARIABLE}: "
            "anyone who can reach it could read the sync's errors (set the token, or "
            "keep the default --host 127.0.0.1)",
            file=sys.stderr,
        )
        return 2
    private = not loopback if args.private is None else args.private
    if private and not token.enabled:
        print(f"mapc serve: --private needs ${TOKEN_VARIABLE} set", file=sys.stderr)
        return 2
    config = ServeConfig(
        target,
        account_name(args.account),
        Where(
            args.salesforce_url or os.environ.get("SALESFORCE_INSTANCE_URL") or None,
            args.hubspot_portal or os.environ.get("HUBSPOT_PORTAL_ID") or None,
        ),
        token,
        allowed_hosts=tuple(dict.fromkeys([args.host, *LOOPBACK, *args.allowed_host])),
        private=private,
    )
    mode = "retry/ignore on with the token" if token.enabled else "read-only"
    if private:
        mode += ", private: every page needs the token"
    print(
        f"mapc serve: Sync health for {safe_url(target)} at http://{args.host}:{args.port}/ "
        f"({mode}); /metrics, /healthz",
        file=sys.stderr,
        flush=True,
    )
    if not loopback:
        print(
            "mapc serve: warning: listening beyond this machine over plain HTTP; put it "
            "behind TLS (a reverse proxy) so the token does not travel in clear",
            file=sys.stderr,
        )
    uvicorn.run(
        create_app(config),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    return 0


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve beyond this machine
