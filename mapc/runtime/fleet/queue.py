"""The task queue: Dramatiq over RabbitMQ. A job is one pair's sync; a message is
acknowledged only once its job is done, so a worker that dies mid-pair hands the message
back to the broker, and another worker takes it once the dead one's lease expires."""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Any

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker

from mapc.runtime.errors import ApiAccessError, AuthenticationError, ConfigurationError
from mapc.runtime.fleet.config import Fleet, load_fleet
from mapc.runtime.fleet.job import PairBusy, sync_pair
from mapc.runtime.fleet.lease import Leases

log = logging.getLogger("mapc.fleet")

DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"
QUEUE = "mapc-pairs"
_MAX_BUSY_RETRIES = 1000
_MAX_FAILED_RETRIES = 5


def broker_url(environ: Any = None) -> str:
    env = os.environ if environ is None else environ
    return str(env.get("MAPC_BROKER_URL") or DEFAULT_BROKER)


def queue_name(environ: Any = None) -> str:
    env = os.environ if environ is None else environ
    return str(env.get("MAPC_QUEUE") or QUEUE)


def setup(url: str | None = None, queue: str | None = None) -> dramatiq.Broker:
    """The broker every producer and worker of this process uses (RabbitMQ at `url`, or
    $MAPC_BROKER_URL; the queue `queue`, or $MAPC_QUEUE, or mapc-pairs)."""
    broker = RabbitmqBroker(url=url or broker_url(), confirm_delivery=True)
    dramatiq.set_broker(broker)
    _declare(broker, queue or queue_name())
    return broker


class _Runtime:
    """What a worker process opens once: the fleet, the lease store, Redis."""

    fleet: Fleet | None = None
    leases: Leases | None = None
    redis: Any = None
    lock = threading.Lock()

    @classmethod
    def get(cls, fleet_path: str) -> tuple[Fleet, Leases, Any]:
        with cls.lock:
            if cls.fleet is None or str(cls.fleet.source) != fleet_path:
                import redis

                cls.fleet = load_fleet(fleet_path)
                cls.leases = Leases(cls.fleet.state, ttl=cls.fleet.lease_seconds)
                cls.redis = redis.Redis.from_url(cls.fleet.redis_url)
            assert cls.leases is not None
            return cls.fleet, cls.leases, cls.redis


def _retry_when(retries: int, exception: BaseException) -> bool:
    """A busy pair waits its turn; an outage or a crash is tried again a few times (its
    cursors did not move, so nothing is lost); what waiting cannot mend (a refused token,
    an org without API access, a broken fleet file) is not retried."""
    if isinstance(exception, PairBusy):
        return retries < _MAX_BUSY_RETRIES
    if isinstance(exception, ConfigurationError | AuthenticationError | ApiAccessError):
        return False
    return retries < _MAX_FAILED_RETRIES


def run_pair(fleet_path: str, pair: str) -> dict[str, Any]:
    """The job: sync `pair` of the fleet file at `fleet_path` (on a worker)."""
    fleet, leases, redis = _Runtime.get(fleet_path)
    try:
        report = sync_pair(fleet, pair, leases, redis)
    except PairBusy as busy:
        log.info("%s", busy)
        raise
    except Exception:
        log.exception("pair %s failed", pair)
        raise
    return {"pair": pair, "writes": report.writes, "failed": report.failed}


def _declare(broker: dramatiq.Broker, queue: str) -> None:
    # A busy pair is tried again after a wait as long as its lease has left, at most.
    dramatiq.actor(  # type: ignore[call-overload]
        run_pair,
        actor_name="mapc_sync_pair",
        queue_name=queue,
        broker=broker,
        retry_when=_retry_when,
        min_backoff=1_000,
        max_backoff=30_000,
        time_limit=6 * 3600 * 1000,
    )


def enqueue(fleet: Fleet, pairs: list[str] | None = None) -> list[str]:
    """One job per pair (all the fleet's by default); the message ids."""
    broker = dramatiq.get_broker()
    actor = broker.get_actor("mapc_sync_pair")
    assert fleet.source is not None
    ids = []
    for key in pairs or [p.key for p in fleet.pairs]:
        fleet.pair(key)  # an unknown pair is an error here, not on a worker
        ids.append(actor.send(str(fleet.source.resolve()), key).message_id)
    return ids


def work(threads: int = 1) -> None:
    """Run a worker in this process until SIGTERM or SIGINT."""
    broker = dramatiq.get_broker()
    worker = dramatiq.Worker(broker, worker_threads=threads)
    # One message per thread: a pair waiting in a worker's buffer is one another worker
    # could be syncing (and one more handed back if this worker dies).
    worker.queue_prefetch = threads
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker.start()
    log.info("worker started: %s thread(s) on %s", threads, sorted(broker.get_declared_queues()))
    try:
        stop.wait()
    finally:
        worker.stop()
