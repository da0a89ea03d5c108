"""`mapc fleet`: many (portal, org) pairs as jobs on a task queue (docs/scale.md)."""

from __future__ import annotations

import argparse
import logging
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "fleet",
        help="sync many (portal, org) pairs as jobs on a task queue (RabbitMQ, Redis, PostgreSQL)",
        description="Workers on any number of machines take (portal, org) pairs from a "
        "RabbitMQ queue ($MAPC_BROKER_URL, default amqp://guest:guest@127.0.0.1:5672), "
        "share one PostgreSQL state, hold a lease per pair and share rate limits in Redis. "
        "`mapc run` stays the way to sync one pair without any of them.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    enqueue = actions.add_parser(
        "enqueue",
        help="queue one sync of each pair of a fleet file (or of the pairs named)",
        description="Queue a sync job per pair. Exit 0 when queued, 2 otherwise.",
    )
    enqueue.add_argument("fleet", metavar="FLEET", help="the fleet file (YAML)")
    enqueue.add_argument(
        "--pair", action="append", metavar="ACCOUNT@ORG", help="only this pair (repeatable)"
    )
    enqueue.set_defaults(func=run_enqueue)
    work = actions.add_parser(
        "work",
        help="run a worker: take pair jobs from the queue until stopped (SIGTERM, Ctrl-C)",
        description="Run a worker in this process. A pair whose lease another worker holds "
        "is tried again later; a worker that cannot keep its lease stops itself.",
    )
    work.add_argument("--threads", type=int, default=1, help="pairs synced at once (default 1)")
    work.set_defaults(func=run_work)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_enqueue(args: argparse.Namespace) -> int:
    from mapc.errors import MapcError
    from mapc.runtime.fleet import queue
    from mapc.runtime.fleet.config import load_fleet

    try:
        fleet = load_fleet(args.fleet)
        queue.setup()
        ids = queue.enqueue(fleet, args.pair)
    except MapcError as error:
        print(f"mapc fleet enqueue: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the broker unreachable: one sentence, no traceback
        print(f"mapc fleet enqueue: cannot reach the broker: {error}", file=sys.stderr)
        return 2
    print(f"queued {len(ids)} pair job(s)")
    return 0


def run_work(args: argparse.Namespace) -> int:
    from mapc.runtime.fleet import queue

    if args.threads < 1:
        print("mapc fleet work: --threads wants 1 or more", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    try:
        queue.setup()
    except Exception as error:
        print(f"mapc fleet work: cannot reach the broker: {error}", file=sys.stderr)
        return 2
    queue.work(args.threads)
    return 0
