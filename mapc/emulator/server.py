"""The emulator handle: both services on their ports, their state, and the test controls."""

from __future__ import annotations

import copy
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mapc.emulator.clock import Clock
from mapc.emulator.control import make_control
from mapc.emulator.faults import CallCounter, FaultRule, Faults
from mapc.emulator.hubspot import lifecycle as hubspot_lifecycle
from mapc.emulator.hubspot.api import HubSpotApi
from mapc.emulator.hubspot.errors import HsApiError
from mapc.emulator.hubspot.limits import RateLimit, RateLimiter
from mapc.emulator.hubspot.marketing import ensure_campaigns, make_event
from mapc.emulator.hubspot.portal import Portal
from mapc.emulator.hubspot.schemas import add_schema
from mapc.emulator.hubspot.webhooks import APP_ID, USER_ID, Source
from mapc.emulator.salesforce import lifecycle as salesforce_lifecycle
from mapc.emulator.salesforce.api import DAILY_LIMIT as SALESFORCE_DAILY_LIMIT
from mapc.emulator.salesforce.api import SalesforceApi
from mapc.emulator.salesforce.convert import convert_lead
from mapc.emulator.salesforce.errors import SfApiError
from mapc.emulator.salesforce.org import Org
from mapc.emulator.seed import (
    at,
    dump_hubspot,
    dump_salesforce,
    read_seed,
    seed_hubspot,
    seed_salesforce,
)
from mapc.emulator.site import Site
from mapc.emulator.tls import make_tls
from mapc.emulator.wire import serve

HOST = "127.0.0.1"


class Emulator:
    """Salesforce (HTTPS) and HubSpot (HTTP) on 127.0.0.1, plus the controls tests need.

    Create it with `start_emulator()`; everything here is also reachable over HTTP under
    /_emulator/ on either port, for a process that only has the URLs.
    """

    def __init__(
        self,
        *,
        person_accounts: bool = False,
        edition: str = "Enterprise",
        salesforce_port: int = 0,
        hubspot_port: int = 0,
        salesforce_token: str | None = None,
        hubspot_token: str | None = None,
        seed: str | Path | dict[str, Any] | None = None,
    ) -> None:
        self.clock = Clock()
        self.faults = Faults()
        self.counter = CallCounter()
        self.lock = threading.RLock()
        self.limiter = RateLimiter()
        self.salesforce_token = salesforce_token or f"00D5g000004Emul!{secrets.token_urlsafe(24)}"
        self.hubspot_token = hubspot_token or f"pat-na1-{secrets.token_hex(16)}"
        self._defaults = {"person_accounts": person_accounts, "edition": edition}
        self._settings = dict(self._defaults)
        self.refs: dict[str, str] = {}
        self.salesforce = SalesforceApi(
            self._new_org, self.salesforce_token, lambda: self.counter.total("* /services/*")
        )
        self.hubspot = HubSpotApi(Portal(self.clock), self.hubspot_token, self.limiter)
        self._ports = (salesforce_port, hubspot_port)
        self._servers: list[ThreadingHTTPServer] = []
        self._tmp: Path | None = None
        self.ca_path: Path | None = None
        self.ca_bundle_path: Path | None = None
        self.salesforce_url = self.hubspot_url = ""
        self._initial_seed = seed

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Emulator:
        self._tmp = Path(tempfile.mkdtemp(prefix="mapc-emulator-"))
        context, self.ca_path, self.ca_bundle_path = make_tls(self._tmp)
        control = make_control(self)
        sf_site = Site(lambda: self.salesforce, self.counter, self.faults, self.lock, control)
        hs_site = Site(lambda: self.hubspot, self.counter, self.faults, self.lock, control)

        def now() -> float:  # tests move the clock: the Date header moves with the stamps
            return self.clock.now().timestamp()

        sf_server, _ = serve(HOST, self._ports[0], sf_site, context, now)
        hs_server, _ = serve(HOST, self._ports[1], hs_site, now=now)
        self._servers = [sf_server, hs_server]
        self.salesforce_url = f"https://{HOST}:{sf_server.server_address[1]}"
        self.hubspot_url = f"http://{HOST}:{hs_server.server_address[1]}"
        if self._initial_seed is not None:
            try:
                self.seed(self._initial_seed)
            except BaseException:
                self.stop()
                raise
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> Emulator:
        return self if self._servers else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ state

    @property
    def org(self) -> Org:
        return self.salesforce.org

    @property
    def portal(self) -> Portal:
        return self.hubspot.portal

    def _new_org(self) -> Org:
        return Org(
            self.clock, bool(self._settings["person_accounts"]), str(self._settings["edition"])
        )

    def reset(
        self,
        seed: str | Path | dict[str, Any] | None = None,
        *,
        person_accounts: bool | None = None,
        edition: str | None = None,
    ) -> None:
        """Empty both services, forget calls, faults, rate limits and clock changes.

        Org settings go back to those the emulator started with, unless given here.
        """
        with self.lock:
            self._settings = dict(self._defaults)
            if person_accounts is not None:
                self._settings["person_accounts"] = person_accounts
            if edition is not None:
                self._settings["edition"] = edition
            self.salesforce.reset(self._new_org())
            # Deliveries still waiting to be sent again go with the old portal.
            self.portal.webhooks.close()
            self.hubspot.reset(Portal(self.clock))
            self.limiter.configure(RateLimit())
            self.salesforce.daily_limit = SALESFORCE_DAILY_LIMIT
            self.refs = {}
        self.faults.clear()
        self.counter.reset()
        self.clock.reset()
        if seed is not None:
            self.seed(seed)

    def seed(self, source: str | Path | dict[str, Any]) -> dict[str, str]:
        """Add records from a seed; returns the ids of records that named a "_ref"."""
        data = read_seed(source)
        with self.lock:
            # All or nothing: a seed that fails part way leaves both services as they were.
            shared = {id(self.clock): self.clock, id(self.org.ids): self.org.ids}
            before = (
                dict(self._settings),
                copy.deepcopy(self.org, dict(shared)),
                copy.deepcopy(self.portal, dict(shared)),
                dict(self.refs),
            )
            try:
                return self._load(data)
            except BaseException:
                settings, org, portal, refs = before
                self._settings = settings
                self.salesforce.reset(org)
                self.hubspot.reset(portal)
                self.refs = refs
                raise

    def _load(self, data: dict[str, Any]) -> dict[str, str]:
        sf = data.get("salesforce") or {}
        wanted = {k: sf[k] for k in ("person_accounts", "edition") if k in sf}
        if any(self._settings[k] != v for k, v in wanted.items()):
            self._settings.update(wanted)
            self.salesforce.reset(self._new_org())
        hs = data.get("hubspot") or {}
        rate_limit = None
        if hs.get("rate_limit"):
            with at("hubspot.rate_limit"):
                rate_limit = RateLimit.from_dict(hs["rate_limit"])
        seed_salesforce(self.org, sf, self.refs)
        seed_hubspot(self.portal, hs, self.refs)
        if rate_limit is not None:
            self.limiter.configure(rate_limit)
        return dict(self.refs)

    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {"salesforce": dump_salesforce(self.org), "hubspot": dump_hubspot(self.portal)}

    def configure(
        self,
        *,
        person_accounts: bool | None = None,
        edition: str | None = None,
        rate_limit: dict[str, Any] | RateLimit | None = None,
        salesforce_daily_limit: int | None = None,
    ) -> None:
        """Change org settings (which empties the org), HubSpot's enforced rate limits or
        the org's daily API limit (DailyApiRequests; past it every call is refused)."""
        if salesforce_daily_limit is not None:
            self.salesforce.daily_limit = int(salesforce_daily_limit)
        if person_accounts is not None or edition is not None:
            with self.lock:
                if person_accounts is not None:
                    self._settings["person_accounts"] = person_accounts
                if edition is not None:
                    self._settings["edition"] = edition
                self.salesforce.reset(self._new_org())
        if rate_limit is not None:
            limit = (
                rate_limit if isinstance(rate_limit, RateLimit) else RateLimit.from_dict(rate_limit)
            )
            self.limiter.configure(limit)

    def add_salesforce_field(self, object_name: str, definition: dict[str, Any]) -> None:
        """Define a `__c` field (keys as describe() prints them) until the next reset."""
        with self.lock:
            self.org.add_custom_field(object_name, definition)

    def add_salesforce_object(self, definition: dict[str, Any]) -> None:
        """Deploy a `__c` object (`name`, `label`, `fields`), as the Metadata API would."""
        with self.lock:
            self.org.add_custom_object(definition)

    def add_hubspot_schema(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Define a HubSpot custom object (an ObjectSchemaEgg, as POST /crm/v3/schemas)."""
        with self.lock:
            return add_schema(self.portal, definition)

    def add_hubspot_property(self, object_type: str, definition: dict[str, Any]) -> None:
        """Define a custom property (keys as the properties API takes them)."""
        with self.lock:
            self.portal.add_property(self.portal.kind(object_type), definition)

    def add_email_events(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self.lock:
            made = [make_event(e, self.clock.now_ms()) for e in events]
            self.portal.email_events.extend(made)
            ensure_campaigns(self.portal, made, self.clock.now_ms())
        return made

    # ------------------------------------------------------------------ lifecycle events

    def salesforce_undelete(self, ids: list[str]) -> list[dict[str, Any]]:
        """SOAP undelete() (REST has no undelete): one UndeleteResult per id."""
        with self.lock:
            return salesforce_lifecycle.undelete(self.org, list(ids))

    def salesforce_merge(
        self, master_id: str, merged_ids: list[str], master_values: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """SOAP merge() (REST has none): a MergeResult, or one with success false."""
        with self.lock:
            return _sf_result(
                lambda: salesforce_lifecycle.merge(self.org, master_id, merged_ids, master_values)
            )

    def convert_lead(self, lead_id: str, **options: Any) -> dict[str, Any]:
        """SOAP convertLead(): options as LeadConvert names them (accountId, contactId,
        convertedStatus, doNotCreateOpportunity, opportunityName, ownerId, ...)."""
        with self.lock:
            return _sf_result(lambda: convert_lead(self.org, {**options, "leadId": lead_id}))

    def hubspot_restore(self, object_type: str, ids: list[str]) -> list[dict[str, Any]]:
        """Restore archived HubSpot records (an app action; the public API has none)."""
        with self.lock:
            kind = self.portal.kind(object_type)
            out = []
            for record_id in ids:
                try:
                    record = hubspot_lifecycle.restore(self.portal, kind, str(record_id))
                    out.append({"id": record.id, "restored": True})
                except HsApiError as exc:
                    out.append({"id": str(record_id), "restored": False, "error": exc.body()})
            return out

    def hubspot_edit(
        self,
        object_type: str,
        record_id: str,
        properties: dict[str, Any],
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Change a HubSpot record as a person would in HubSpot's CRM pages: its webhook
        events say changeSource CRM_UI and sourceId "userId:N" (USER_ID by default)."""
        with self.lock:
            portal = self.portal
            try:
                kind = portal.kind(object_type)
                record = portal.get(kind, str(record_id))
                values = portal.check(kind, properties, creating=False)
                portal.conflict(kind, values, record.id)
            except HsApiError as exc:
                raise ValueError(exc.message) from None
            with portal.acting(Source.person(USER_ID if user_id is None else int(user_id))):
                portal.update(kind, record, values)
            return {"id": record.id, "properties": dict(record.properties)}

    def subscribe_webhooks(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Send HubSpot webhook calls (`targetUrl` on 127.0.0.1, `clientSecret`, optional
        `subscriptions` such as ["contact.creation"], `appId`, and the retry schedule:
        `retries`, 0 to 10, and `retryDelay`, seconds before the first) for changes."""
        with self.lock:
            return self.portal.webhooks.subscribe(definition)

    def flush_webhooks(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until queued webhook calls went out; returns the delivery log."""
        return self.portal.webhooks.flush(timeout)

    # ------------------------------------------------------------------ test controls

    def calls(self, pattern: str | None = None) -> dict[str, int]:
        """Calls per endpoint, e.g. {"POST /services/data/vXX.X/composite/sobjects": 3}."""
        import fnmatch

        counts = self.counter.snapshot()
        if pattern is None:
            return counts
        return {k: v for k, v in counts.items() if fnmatch.fnmatchcase(k, pattern)}

    def call_count(self, pattern: str = "*") -> int:
        return self.counter.total(pattern)

    def last_request_headers(self, pattern: str = "*") -> dict[str, str] | None:
        """Headers of the most recent call matching `pattern` (e.g. to see Sforce-Call-Options)."""
        return self.counter.last_headers(pattern)

    def reset_calls(self) -> None:
        self.counter.reset()

    def add_fault(self, pattern: str, **settings: Any) -> FaultRule:
        return self.faults.add(FaultRule(pattern=pattern, **settings))

    def clear_faults(self) -> None:
        self.faults.clear()

    # ------------------------------------------------------------------ connection details

    def info(self) -> dict[str, Any]:
        """What `mapc emulate` prints: everything a client needs to connect."""
        return {
            "salesforce_instance_url": self.salesforce_url,
            "hubspot_base_url": self.hubspot_url,
            "ca_path": str(self.ca_path),
            "ca_bundle_path": str(self.ca_bundle_path),
            "salesforce_access_token": self.salesforce_token,
            "hubspot_access_token": self.hubspot_token,
            "control_url": f"{self.hubspot_url}/_emulator",
            "salesforce_person_accounts": self.org.person_accounts,
            "salesforce_edition": self.org.edition,
            # The sourceId of the webhook events of writes made with the access token.
            "hubspot_app_id": APP_ID,
            "hubspot_user_id": USER_ID,
        }

    def runner_env(self) -> dict[str, str]:
        """The variables `mapc run` and `mapc plan` read, as `mapc emulate --env` prints."""
        return {
            "SALESFORCE_INSTANCE_URL": self.salesforce_url,
            "SALESFORCE_ACCESS_TOKEN": self.salesforce_token,
            "SALESFORCE_CA_BUNDLE": str(self.ca_bundle_path),
            "HUBSPOT_ACCESS_TOKEN": self.hubspot_token,
            "HUBSPOT_BASE_URL": self.hubspot_url,
        }

    def env(self) -> dict[str, str]:
        """Environment variables for the connectors (and requests' CA bundle)."""
        return {
            "SALESFORCE_INSTANCE_URL": self.salesforce_url,
            "SALESFORCE_ACCESS_TOKEN": self.salesforce_token,
            "HUBSPOT_ACCESS_TOKEN": self.hubspot_token,
            "HUBSPOT_BASE_URL": self.hubspot_url,
            "REQUESTS_CA_BUNDLE": str(self.ca_bundle_path),
        }


def _sf_result(action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A SOAP-style result: what the action answered, or success false with its errors."""
    try:
        return action()
    except SfApiError as exc:
        return {"success": False, "errors": [e.collection() for e in exc.errors]}


def start_emulator(**settings: Any) -> Emulator:
    """Start both emulated services on ephemeral 127.0.0.1 ports and return the handle."""
    return Emulator(**settings).start()
