"""One job: sync one pair under its lease, with the limits every worker shares."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete

from mapc.errors import MapcError
from mapc.runtime.config import HubSpotSettings
from mapc.runtime.fleet.config import Fleet, PairSpec
from mapc.runtime.fleet.lease import Keeper, Leases
from mapc.runtime.fleet.limits import SharedHubSpotLimiter, SharedSalesforceLimiter
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.salesforce.client import SalesforceConnector
from mapc.runtime.sync import schema as s
from mapc.runtime.sync.engine import SyncEngine
from mapc.runtime.sync.lock import RunLock
from mapc.runtime.sync.report import Report
from mapc.runtime.sync.runner import load_adapter
from mapc.runtime.sync.state import StateStore

log = logging.getLogger("mapc.fleet")


class PairBusy(MapcError):
    """Another worker holds the pair's lease (or held it and died: it has not expired)."""

    def __init__(self, pair: str, seconds: float) -> None:
        super().__init__(f"pair {pair} is leased to another worker for {seconds:.0f}s more")
        self.pair = pair
        self.seconds = seconds


def connectors(
    fleet: Fleet, spec: PairSpec, redis: Any
) -> tuple[SalesforceConnector, HubSpotConnector]:
    """The pair's connectors, each call counted against the limits the fleet shares: the
    org's allocation by every portal on it, the portal's by every worker."""
    sf = SalesforceConnector.from_env(spec.env)
    sf.meter.before_call.add(SharedSalesforceLimiter(redis, spec.org, fleet.salesforce_limit))
    settings = HubSpotSettings.from_env(spec.env)
    limiter = SharedHubSpotLimiter(
        redis,
        spec.account,
        requests_per_10s=settings.requests_per_10s,
        searches_per_second=settings.searches_per_second,
    )
    return sf, HubSpotConnector(settings, limiter=limiter)


def org_poller(fleet: Fleet, spec: PairSpec, redis: Any) -> tuple[SalesforceConnector, StateStore]:
    """A connector to `spec`'s org for the Salesforce poll of `mapc serve --fleet`, its
    calls taken from the org's shared allocation, and the state its calls are recorded in
    (the pair's account: one poll serves every portal on the org)."""
    sf = SalesforceConnector.from_env(spec.env)
    sf.meter.before_call.add(SharedSalesforceLimiter(redis, spec.org, fleet.salesforce_limit))
    return sf, StateStore(fleet.state, account=spec.account, create=False)


def sync_pair(
    fleet: Fleet,
    key: str,
    leases: Leases,
    redis: Any,
    *,
    on_lost: Callable[[], None] | None = None,
) -> Report:
    """Sync the pair `key` once, holding its lease; PairBusy while another worker holds
    it. A worker killed here loses nothing: its lease expires, the job is delivered again,
    and the next run recovers what this one left half done (as after any crash)."""
    spec = fleet.pair(key)
    lease = leases.acquire(key)
    if lease is None:
        raise PairBusy(key, leases.held_for(key))
    try:
        with Keeper(leases, lease, on_lost=on_lost):
            state = StateStore(fleet.state, account=spec.account, create=False)
            try:
                # The lease makes this worker the pair's only runner: a run lock left in
                # the state is a dead worker's, however fresh its heartbeat looks.
                with state.engine.begin() as conn:
                    conn.execute(delete(s.meta).where(s.meta.c.key == RunLock(state).key))
                sf, hs = connectors(fleet, spec, redis)
                report = SyncEngine(load_adapter(fleet.adapter), sf, hs, state).run()
            finally:
                state.close()
    finally:
        leases.release(lease)
    log.info("pair %s synced: %s writes, %s errors", key, report.writes, report.failed)
    return report
