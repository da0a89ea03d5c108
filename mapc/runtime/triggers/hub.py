"""The triggers of one `mapc serve`: which pair a webhook's portal is, its debounced
runs, and the Salesforce poll; built for the embedded sync or for a fleet."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mapc.runtime.adapter import Adapter
from mapc.runtime.triggers.debounce import DEFAULT_WINDOW, Debouncer
from mapc.runtime.triggers.events import Event, is_echo, latest_by_object
from mapc.runtime.triggers.poll import DEFAULT_INTERVAL, SalesforcePoll
from mapc.runtime.triggers.targets import FleetEnqueue, LocalSync

log = logging.getLogger("mapc.triggers")

ANY_PORTAL = "*"


@dataclass
class Delivery:
    """What one webhook delivery led to (the answer HubSpot gets, ids only)."""

    events: int = 0
    triggered: list[str] = field(default_factory=list)
    echoes: int = 0
    unknown_portals: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "triggered": self.triggered,
            "echoes": self.echoes,
            "unknown_portals": self.unknown_portals,
        }


class Triggers:
    """Pairs (by name), each with its debounced runs; which pair a HubSpot portal's
    webhooks are for; and the pollers that trigger runs too."""

    def __init__(
        self,
        pairs: Sequence[Debouncer],
        pollers: Sequence[SalesforcePoll] = (),
        *,
        portals: Mapping[str, str] | None = None,
        own_sources: Collection[str] = (),
        initial_run: bool = True,
    ) -> None:
        self.pairs = {d.name: d for d in pairs}
        self.portals = dict(portals or {})
        """Portal id -> pair name; ANY_PORTAL: the pair of every other portal's events."""
        self.pollers = list(pollers)
        self.own_sources = frozenset(own_sources)
        self.initial_run = initial_run
        self._warned: set[str] = set()

    def start(self) -> None:
        for debouncer in self.pairs.values():
            debouncer.start()
            if self.initial_run:
                # What changed while no server listened (a webhook HubSpot gave up on, a
                # change before the poll's first look) is read by a first run.
                debouncer.trigger("start")
        for poller in self.pollers:
            poller.start()

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()
        for debouncer in self.pairs.values():
            debouncer.stop()

    def status(self) -> dict[str, dict[str, Any]]:
        """Per pair: runs triggered since start, and whether one is going on or due."""
        return {d.name: {"runs": d.runs, "busy": d.busy} for d in self.pairs.values()}

    def pair_for(self, portal: str) -> Debouncer | None:
        name = self.portals.get(portal) or self.portals.get(ANY_PORTAL)
        return self.pairs.get(name) if name else None

    def hubspot(self, events: Sequence[Event]) -> Delivery:
        """Trigger a run of each pair the events concern; returns at once."""
        out = Delivery(events=len(events))
        by_pair: dict[str, list[Event]] = {}
        for event in events:
            log.debug("webhook event %s", event.describe())
            if is_echo(event, self.own_sources):
                out.echoes += 1
                continue
            debouncer = self.pair_for(event.portal_id)
            if debouncer is None:
                if event.portal_id not in out.unknown_portals:
                    out.unknown_portals.append(event.portal_id)
                continue
            by_pair.setdefault(debouncer.name, []).append(event)
        for name, found in by_pair.items():
            self.pairs[name].trigger("webhook event", latest_by_object(found), n=len(found))
            out.triggered.append(name)
        for portal in out.unknown_portals:
            if portal not in self._warned:
                self._warned.add(portal)
                log.warning(
                    "webhook events for HubSpot portal %s, which no pair here syncs", portal
                )
        return out


def embedded(
    sync: LocalSync,
    *,
    portal: str | None,
    window: float = DEFAULT_WINDOW,
    poll_interval: float | None = DEFAULT_INTERVAL,
    poll_salesforce: Any = None,
    own_sources: Collection[str] = (),
) -> Triggers:
    """The one pair of `mapc serve --sync`: its webhooks (from `portal` only, when
    given) and, unless `poll_interval` is None, a poll of the Salesforce objects whose
    changes the mapping reads, through `poll_salesforce` (a connector of its own)."""
    debouncer = Debouncer(sync.state.account, sync, window)
    pollers = []
    sobjects = synced_sobjects(sync.adapter)
    if poll_interval is not None and poll_salesforce is not None and sobjects:
        pollers.append(
            SalesforcePoll(
                poll_salesforce,
                sobjects,
                lambda changed: debouncer.trigger("Salesforce change", n=len(changed)),
                interval=poll_interval,
                state=sync.state,
                budget=sync.budget,
            )
        )
    return Triggers(
        [debouncer],
        pollers,
        portals={portal or ANY_PORTAL: debouncer.name},
        own_sources=own_sources,
    )


def synced_sobjects(adapter: Adapter) -> list[str]:
    """The Salesforce objects whose changes the mapping reads."""
    found = [
        sobject
        for obj in adapter.objects
        if obj.salesforce_to_hubspot
        for sobject in obj.salesforce_objects
    ]
    return list(dict.fromkeys(found))


def fleet(
    fleet: Any,
    *,
    window: float = DEFAULT_WINDOW,
    own_sources: Collection[str] = (),
    poll_interval: float | None = None,
    redis: Any = None,
) -> Triggers:
    """A fleet's pairs: a webhook queues a job for the pair whose `portal:` it names;
    with `poll_interval`, each org is polled once for all the pairs on it (through the
    org's allocation the workers share in `redis`), and a change queues each of them."""
    debouncers = {
        spec.key: Debouncer(spec.key, FleetEnqueue(fleet, spec.key), window) for spec in fleet.pairs
    }
    pollers = []
    if poll_interval is not None:
        from mapc.runtime.fleet.job import org_poller
        from mapc.runtime.sync.runner import load_adapter

        sobjects = synced_sobjects(load_adapter(fleet.adapter))
        by_org: dict[str, list[Any]] = {}
        for spec in fleet.pairs:
            by_org.setdefault(spec.org, []).append(spec)
        for org, specs in sorted(by_org.items()) if sobjects else ():
            keys = [spec.key for spec in specs]

            def queue_all(changed: list[str], keys: list[str] = keys) -> None:
                for key in keys:
                    debouncers[key].trigger("Salesforce change", n=len(changed))

            salesforce, state = org_poller(fleet, specs[0], redis)
            pollers.append(
                SalesforcePoll(
                    salesforce,
                    sobjects,
                    queue_all,
                    interval=poll_interval,
                    state=state,
                    name=f"Salesforce org {org}",
                )
            )
    # A fleet's first runs are the scheduler's (`mapc fleet enqueue`), not the server's.
    return Triggers(
        list(debouncers.values()),
        pollers,
        portals={spec.portal: spec.key for spec in fleet.pairs if spec.portal},
        own_sources=own_sources,
        initial_run=False,
    )
