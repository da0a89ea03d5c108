"""HubSpot connector on hubspot-api-client: incremental search reads, batch reads,
associations (v4), owners and properties. Writes live in `hubspot_writes`, marketing
endpoints (unsubscribe-all, email events) in `hubspot_marketing`."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from hubspot import Client
from urllib3.util.retry import Retry

from mapc.runtime.config import HubSpotSettings, check_ca_file, masked_url
from mapc.runtime.hubspot.batch import BATCH_SIZE
from mapc.runtime.hubspot.http import HubSpotHttpError, HubSpotTransport
from mapc.runtime.hubspot.keyset import ID_PROPERTY, FilterGroup, Found, Sort, keyset_pages
from mapc.runtime.hubspot.limits import HubSpotLimiter
from mapc.runtime.hubspot.marketing import HubSpotMarketing
from mapc.runtime.hubspot.writes import HubSpotWrites
from mapc.runtime.records import Cursor, Page, Record, WriteResult, chunked
from mapc.runtime.retry import RetryPolicy
from mapc.runtime.servertime import asked_at, server_time

log = logging.getLogger(__name__)

SEARCH_LIMIT = 200  # the most one search page returns
OWNERS_PAGE = 100
LIST_PAGE = 100  # the most one list page returns


def timestamp_property(object_type: str) -> str:
    """Contacts keep their last-modified time in `lastmodifieddate`, other objects in
    `hs_lastmodifieddate`."""
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


def flatten(obj: Mapping[str, Any]) -> Record:
    """A HubSpot object as a flat record: its id and its properties."""
    record: Record = {"id": str(obj.get("id"))}
    record.update(obj.get("properties") or {})
    return record


class HubSpotConnector:
    """What the sync engine needs from one HubSpot account: reads here, writes through
    `HubSpotWrites`, Communication Preferences and Email Events through `HubSpotMarketing`."""

    def __init__(
        self,
        settings: HubSpotSettings,
        *,
        retry: RetryPolicy | None = None,
        limiter: HubSpotLimiter | None = None,
    ) -> None:
        self._settings = settings
        check_ca_file(settings.ca_bundle, settings.ca_variable)
        options: dict[str, Any] = {
            "access_token": settings.access_token.reveal(),
            "host": settings.base_url,  # the generated clients
            "base_url": settings.base_url,  # api_request
            # Our own retry layer decides what to repeat; urllib3's must not (it would
            # retry without backoff, and never a POST).
            "retry": Retry(total=0, raise_on_redirect=False, raise_on_status=False),
        }
        if settings.ca_bundle:
            options["ssl_ca_cert"] = settings.ca_bundle
        self._client = Client.create(**options)
        self._http = HubSpotTransport(
            retry or RetryPolicy(),
            limiter or HubSpotLimiter(settings.requests_per_10s, settings.searches_per_second),
            settings.secrets(),
            settings.timeout,
        )
        crm = self._client.crm
        # Each property access builds a new ApiClient and connection pool: do it once.
        self._objects = crm.objects.basic_api
        self._batch = crm.objects.batch_api
        self._search = crm.objects.search_api
        self._assoc = crm.associations.v4.batch_api
        self._owners = crm.owners.owners_api
        self._properties = crm.properties.core_api
        self.writes = HubSpotWrites(self._http, self._batch, self._assoc)
        self.marketing = HubSpotMarketing(
            self._client, self._http, settings.ca_bundle, settings.timeout
        )

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        retry: RetryPolicy | None = None,
        limiter: HubSpotLimiter | None = None,
    ) -> HubSpotConnector:
        return cls(HubSpotSettings.from_env(environ), retry=retry, limiter=limiter)

    def __repr__(self) -> str:
        return f"HubSpotConnector(base_url={masked_url(self._settings.base_url)!r})"

    @property
    def calls(self) -> Counter[str]:
        """HTTP calls made so far, by endpoint (retries included)."""
        return self._http.calls

    @property
    def meter(self) -> HubSpotTransport:
        """Where calls are counted and the account's daily usage is read (`calls`,
        `org_usage`, `before_call`)."""
        return self._http

    def _read(
        self, endpoint: str, what: str, call: Any, *args: Any, search: bool = False, **kwargs: Any
    ) -> Any:
        try:
            reply = self._http.generated(
                endpoint, call, *args, safe=True, search=search, what=what, **kwargs
            )
        except HubSpotHttpError as exc:
            raise self._http.translate(exc, what) from None
        return reply.body

    # -- reads -------------------------------------------------------------------------

    def read_changed(
        self,
        object_type: str,
        properties: Sequence[str],
        since: Cursor | None = None,
        *,
        as_of_start: bool = False,
    ) -> Iterator[Page]:
        """Records changed after `since`, in (last-modified, id) order; see hubspot_keyset.
        `as_of_start`: only those changed by the time the read's first answer came, by
        HubSpot's clock (its `Date`), so writes made while the read goes on, the run's own
        included, are the next read's (but for those made in that answer's second).

        A read from `since` starts up to `settings.search_lookback_seconds` earlier (the
        search index lags writes; each cursor carries the server's time, from the first
        search's `Date`, that bounds how far back is needed), so some unchanged records
        are read again on purpose."""
        ts_property = timestamp_property(object_type)
        wanted = list(dict.fromkeys([*properties, ts_property, ID_PROPERTY]))
        began: list[datetime | None] = []
        """The read's bound once its first answer came (None: that answer had no `Date`,
        never so from HubSpot, and the read is unbounded)."""

        def search(groups: list[FilterGroup], sorts: list[Sort]) -> Found:
            body = {
                "filterGroups": groups,
                "sorts": sorts,
                "properties": wanted,
                "limit": SEARCH_LIMIT,
            }
            what = f"search {object_type}"
            sent = time.monotonic()
            try:
                answer = self._http.generated(
                    "POST search",
                    self._search.do_search,
                    object_type,
                    public_object_search_request=body,
                    safe=True,
                    search=True,
                    what=what,
                )
            except HubSpotHttpError as exc:
                raise self._http.translate(exc, what) from None
            if as_of_start and not began:
                began.append(server_time(answer.headers))
            reply = answer.body or {}
            results = [flatten(r) for r in reply.get("results", [])]
            more = bool((reply.get("paging") or {}).get("next"))
            return Found(results, more, asked_at(answer.headers, time.monotonic() - sent))

        def bound() -> datetime | None:
            return began[0] if began else None

        lookback_ms = self._settings.search_lookback_seconds * 1000
        return keyset_pages(search, ts_property, since, lookback_ms=lookback_ms, until=bound)

    def read_by_ids(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        id_property: str | None = None,
    ) -> list[Record]:
        found: list[Record] = []
        for chunk in chunked(list(dict.fromkeys(ids)), BATCH_SIZE):
            body: dict[str, Any] = {
                "properties": list(properties),
                "inputs": [{"id": i} for i in chunk],
            }
            if id_property:
                body["idProperty"] = id_property
            try:
                reply = self._http.generated(
                    "POST batch/read",
                    self._batch.read,
                    object_type,
                    batch_read_input_simple_public_object_id=body,
                    archived=False,
                    safe=True,
                    what=f"read {object_type} by id",
                )
            except HubSpotHttpError as exc:
                if exc.status == 404:  # none of the ids exist
                    continue
                raise self._http.translate(exc, f"read {object_type} by id") from None
            found += [flatten(r) for r in (reply.body or {}).get("results", [])]
        return found

    def read_archived(self, object_type: str, properties: Sequence[str]) -> Iterator[Page]:
        """Every archived record (HubSpot keeps them 90 days), a page of 100 at a time:
        the list endpoint with `archived=true` is the only way to see deletions."""
        after: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "limit": LIST_PAGE,
                "archived": True,
                "properties": list(properties),
            }
            if after:
                kwargs["after"] = after
            reply = (
                self._read(
                    "GET objects",
                    f"list archived {object_type}",
                    self._objects.get_page,
                    object_type,
                    **kwargs,
                )
                or {}
            )
            yield Page(tuple(flatten(r) for r in reply.get("results", [])), None)
            after = ((reply.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def owners(self) -> list[Record]:
        owners: list[Record] = []
        after: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": OWNERS_PAGE, "archived": False}
            if after:
                kwargs["after"] = after
            reply = self._read("GET owners", "list owners", self._owners.get_page, **kwargs) or {}
            owners += [dict(o) for o in reply.get("results", [])]
            after = ((reply.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return owners

    def properties(self, object_type: str) -> list[dict[str, Any]]:
        reply = self._read(
            "GET properties",
            f"list {object_type} properties",
            self._properties.get_all,
            object_type,
        )
        return [dict(p) for p in (reply or {}).get("results", [])]

    def schemas(self) -> list[dict[str, Any]]:
        """The account's custom object schemas (`GET /crm/v3/schemas`), properties included."""
        reply = self._read(
            "GET schemas",
            "list custom object schemas",
            self._client.crm.schemas.core_api.get_all,
        )
        return [dict(s) for s in (reply or {}).get("results", [])]

    def associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[str]]:
        """From each id to the ids of all its `to_type` associations (v4 batch read). A
        record with more than one page of them (500) comes back with `paging.next.after`;
        it is asked for again, with that cursor, until every page is read.

        Only an id HubSpot answered for is in the result: [] when it said
        NO_ASSOCIATIONS_FOUND, left out on any other error (unknown, which callers must
        never take for "none": associations sync both ways, so "none" deletes)."""
        found: dict[str, list[str]] = {str(i): [] for i in ids}
        unknown: set[str] = set()
        todo: list[tuple[str, str | None]] = [(i, None) for i in found]
        while todo:
            more: list[tuple[str, str | None]] = []
            for chunk in chunked(todo, BATCH_SIZE):
                pages, failed = self._association_page(from_type, to_type, chunk)
                unknown |= failed
                for source, targets, after in pages:
                    found.setdefault(source, []).extend(targets)
                    if after:
                        more.append((source, after))
            todo = more
        if unknown:
            log.warning(
                "%d %s: their %s associations could not be read; left alone this run",
                len(unknown),
                from_type,
                to_type,
            )
        return {k: v for k, v in found.items() if k not in unknown}

    def _association_page(
        self, from_type: str, to_type: str, chunk: Sequence[tuple[str, str | None]]
    ) -> tuple[list[tuple[str, list[str], str | None]], set[str]]:
        """The pages read, and the ids whose read failed (other than "none found")."""
        asked = {i for i, _ in chunk}
        body = {"inputs": [{"id": i, **({"after": a} if a else {})} for i, a in chunk]}
        try:
            reply = self._http.generated(
                "POST associations/batch/read",
                self._assoc.get_page,
                from_type,
                to_type,
                batch_input_public_fetch_associations_batch_request=body,
                safe=True,
                what=f"read {from_type} to {to_type} associations",
            )
        except HubSpotHttpError as exc:
            if exc.status == 404:
                # Only an answer that says "none found" for an input means none; a bare
                # 404 (a wrong object type, a proxy) says nothing about the records.
                return [], asked - _none_found(exc.body, asked)
            raise self._http.translate(exc, f"read {from_type} associations") from None
        out: list[tuple[str, list[str], str | None]] = []
        answer = reply.body or {}
        for result in answer.get("results", []):
            source = str((result.get("from") or {}).get("id"))
            targets = [str(t.get("toObjectId")) for t in result.get("to") or ()]
            after = (((result.get("paging") or {}).get("next")) or {}).get("after")
            out.append((source, targets, str(after) if after else None))
        answered = {source for source, _, _ in out} | _none_found(answer, asked)
        return out, asked - answered

    # -- writes -----------------------------------------------------------------------

    def create(self, object_type: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        return self.writes.create(object_type, records)

    def update(self, object_type: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        return self.writes.update(object_type, records)

    def upsert(
        self, object_type: str, records: Sequence[Mapping[str, Any]], *, id_property: str = "email"
    ) -> list[WriteResult]:
        return self.writes.upsert(object_type, records, id_property=id_property)

    def archive(self, object_type: str, ids: Sequence[str]) -> list[WriteResult]:
        return self.writes.archive(object_type, ids)

    def associate(
        self, from_type: str, to_type: str, pairs: Sequence[tuple[str, str]]
    ) -> list[WriteResult]:
        return self.writes.associate(from_type, to_type, pairs)

    def dissociate(
        self, from_type: str, to_type: str, pairs: Sequence[tuple[str, str]]
    ) -> list[WriteResult]:
        return self.writes.dissociate(from_type, to_type, pairs)

    # -- marketing (Communication Preferences, Email Events) ---------------------------

    def unsubscribe_all(self, email: str) -> WriteResult:
        return self.marketing.unsubscribe_all(email)

    def unsubscribe_all_batch(self, emails: Sequence[str]) -> list[WriteResult]:
        return self.marketing.unsubscribe_all_batch(emails)

    def is_unsubscribed_from_all(self, email: str) -> bool:
        return self.marketing.is_unsubscribed_from_all(email)

    def email_events(
        self, start: datetime, end: datetime, event_types: Sequence[str] = ("OPEN", "CLICK")
    ) -> Iterator[list[Record]]:
        return self.marketing.email_events(start, end, event_types)

    def email_campaign(self, campaign_id: str) -> Record | None:
        return self.marketing.email_campaign(campaign_id)


NO_ASSOCIATIONS = "crm.associations.NO_ASSOCIATIONS_FOUND"


def _none_found(body: Any, asked: set[str]) -> set[str]:
    """The inputs a batch association read's errors say have no association (each
    error names them in `context.fromObjectId`; one that names none covers them all)."""
    if not isinstance(body, dict):
        return set()
    errors = body.get("errors")
    if not isinstance(errors, list):
        errors = [body]  # a whole-request error answers with the error itself
    out: set[str] = set()
    for error in errors:
        if not isinstance(error, dict) or error.get("subCategory") != NO_ASSOCIATIONS:
            continue
        ids = (error.get("context") or {}).get("fromObjectId")
        out |= {str(i) for i in ids} if isinstance(ids, list) else asked
    return out & asked
