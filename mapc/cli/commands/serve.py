"""`mapc serve`: the Sync health page, /metrics and /healthz over the state database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

HELP = "serve the Sync health page, /metrics and /healthz; with --sync, run on webhooks"
TOKEN_VARIABLE = "MAPC_SERVE_TOKEN"
SECRET_VARIABLE = "HUBSPOT_CLIENT_SECRET"


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
        "database only and needs no CRM credentials. With --sync ADAPTER it also syncs, "
        "within seconds of a change: HubSpot's webhooks to POST /hooks/hubspot (signature "
        f"v3, checked with ${SECRET_VARIABLE}) and a short poll of Salesforce trigger "
        "debounced runs, in this process and with the credentials of `mapc run`; with "
        "--fleet FILE a webhook queues its pair's job instead (docs/runner.md, Triggers).",
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
        help="HubSpot portal (account) id for record links, and the only portal whose "
        "webhooks trigger runs (default: $HUBSPOT_PORTAL_ID)",
    )
    triggers = parser.add_argument_group("triggers (near-real-time runs)")
    where = triggers.add_mutually_exclusive_group()
    where.add_argument(
        "--sync",
        metavar="ADAPTER",
        help="run this generated adapter's sync in this process when a webhook or the "
        "Salesforce poll sees a change (credentials, budgets, retries and concurrency "
        f"from the environment, as `mapc run`), and once at start; webhooks need "
        f"${SECRET_VARIABLE}, the HubSpot app's client secret",
    )
    where.add_argument(
        "--fleet",
        metavar="FILE",
        help="queue the job of the fleet file's pair whose `portal:` a webhook names, "
        "instead of running it here; the poll looks at each org once and queues every "
        "pair on it, its calls from the org's allocation the workers share",
    )
    triggers.add_argument(
        "--debounce",
        metavar="SECONDS",
        help="triggers within this long of the first make one run (default: "
        "$MAPC_TRIGGER_DEBOUNCE or 1; 1 to 60)",
    )
    triggers.add_argument(
        "--poll-salesforce",
        metavar="INTERVAL",
        help="look for Salesforce changes this often, one query per synced object "
        "(default: $MAPC_SALESFORCE_POLL or 30s; `off` for none); its calls count "
        "against the Salesforce budget",
    )
    triggers.add_argument(
        "--public-url",
        metavar="URL",
        help="the base URL HubSpot calls this server at, e.g. https://sync.example.com "
        "(default: $MAPC_PUBLIC_URL, else the URL as requested): behind a proxy the "
        "signature covers the public URL; its host is allowed too",
    )
    triggers.add_argument(
        "--hubspot-source",
        action="append",
        default=[],
        metavar="ID",
        help="a webhook event whose sourceId is ID is mapc's own write and triggers "
        "nothing: the id of mapc's HubSpot app, which the events of its writes carry "
        "(repeatable; default: $MAPC_HUBSPOT_SOURCE_IDS, comma-separated)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=("debug", "info", "warning", "error"),
        help="logs on stderr (default warning; info: a line per webhook delivery and run)",
    )
    parser.add_argument("--log-format", default="logfmt", choices=("logfmt", "json"))
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
    from mapc.cli import render
    from mapc.errors import MapcError

    render.setup_logging(args.log_level, args.log_format)
    try:
        hooks = triggers(args, target, config.account, config.where.hubspot_portal)
    except MapcError as error:
        print(f"mapc serve: {error}", file=sys.stderr)
        return 2
    if hooks is not None and hooks.public_url:
        from urllib.parse import urlsplit

        public_host = urlsplit(hooks.public_url).hostname
        if public_host and public_host not in config.allowed_hosts:
            from dataclasses import replace

            config = replace(config, allowed_hosts=(*config.allowed_hosts, public_host))
    mode = "retry/ignore on with the token" if token.enabled else "read-only"
    if private:
        mode += ", private: every page needs the token"
    if hooks is not None:
        mode += "; " + trigger_note(args, hooks)
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
        create_app(config, hooks=hooks),
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


def triggers(args: argparse.Namespace, target: str, account: str, portal: str | None) -> Any:
    """The webhook endpoint's settings and the triggers of --sync or --fleet; None
    without either. A MapcError says in one sentence what is wrong."""
    import os

    from mapc.runtime.errors import ConfigurationError
    from mapc.runtime.sync.runner import parse_interval
    from mapc.runtime.triggers import hub
    from mapc.serve.hooks import HookConfig

    if not (args.sync or args.fleet):
        for given in ("debounce", "poll_salesforce", "public_url"):
            if getattr(args, given):
                option = "--" + given.replace("_", "-")
                raise ConfigurationError(f"{option} goes with --sync ADAPTER or --fleet FILE")
        return None
    window = debounce(args.debounce or os.environ.get("MAPC_TRIGGER_DEBOUNCE") or "1")
    sources = [*args.hubspot_source]
    sources += [s.strip() for s in os.environ.get("MAPC_HUBSPOT_SOURCE_IDS", "").split(",")]
    own = frozenset(s for s in sources if s)
    public_url = args.public_url or os.environ.get("MAPC_PUBLIC_URL") or None
    if public_url and not public_url.startswith(("https://", "http://")):
        raise ConfigurationError(f"--public-url wants an http(s) URL, not {public_url!r}")
    secret = os.environ.get(SECRET_VARIABLE) or None
    from mapc.runtime.triggers.poll import DEFAULT_INTERVAL

    raw = args.poll_salesforce or os.environ.get("MAPC_SALESFORCE_POLL") or ""
    interval: float | None = DEFAULT_INTERVAL
    if raw.strip().lower() == "off":
        interval = None
    elif raw:
        interval = parse_interval(raw, "--poll-salesforce")
    if args.fleet:
        import redis

        from mapc.runtime.fleet import queue
        from mapc.runtime.fleet.config import load_fleet

        fleet = load_fleet(args.fleet)
        try:
            queue.setup()
        except Exception as error:  # the broker unreachable: one sentence
            raise ConfigurationError(f"cannot reach the broker: {error}") from None
        found = hub.fleet(
            fleet,
            window=window,
            own_sources=own,
            poll_interval=interval,
            redis=redis.Redis.from_url(fleet.redis_url) if interval is not None else None,
        )
    else:
        from mapc.runtime.salesforce.client import SalesforceConnector
        from mapc.runtime.sync.runner import (
            api_budget,
            connect,
            load_adapter,
            open_state,
            retry_rule,
        )
        from mapc.runtime.triggers.targets import LocalSync

        sync = LocalSync(
            load_adapter(args.sync),
            connect(),
            open_state(target, account),
            retry=retry_rule(None, None),
            budget=api_budget(None, None),
        )
        found = hub.embedded(
            sync,
            portal=portal,
            window=window,
            poll_interval=interval,
            poll_salesforce=SalesforceConnector.from_env() if interval is not None else None,
            own_sources=own,
        )
    return HookConfig(found, secret, public_url)


def debounce(text: str) -> float:
    from mapc.runtime.errors import ConfigurationError

    raw = text.strip().removesuffix("s")
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    # At least a second: Salesforce keeps SystemModstamp to the second, so a run the poll
    # triggers starts after the second it saw is over, and reads any later write in it.
    if not 1 <= seconds <= 60:
        raise ConfigurationError(f"--debounce wants seconds from 1 to 60, not {text!r}")
    return seconds


def trigger_note(args: argparse.Namespace, hooks: Any) -> str:
    what = f"syncing {args.sync}" if args.sync else f"queueing pairs of {args.fleet}"
    hook = (
        "webhooks at /hooks/hubspot" if hooks.secret else (f"webhooks off (no ${SECRET_VARIABLE})")
    )
    polls = hooks.triggers.pollers
    poll = f", Salesforce polled every {polls[0].interval:g}s" if polls else ""
    return f"{what} on triggers: {hook}{poll}"
