"""Salesforce connector on simple-salesforce: describe, incremental keyset reads,
reads by id, and sObject Collections writes (200 per call) with per-record results."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError

from mapc.runtime import soql
from mapc.runtime.config import SalesforceSettings, check_ca_file
from mapc.runtime.errors import TransientError
from mapc.runtime.records import (
    TRANSIENT,
    Cursor,
    Page,
    Record,
    RecordError,
    WriteResult,
    chunked,
    format_timestamp,
    parse_timestamp,
)
from mapc.runtime.retry import RetryPolicy
from mapc.runtime.salesforce.errors import first_error, translated
from mapc.runtime.salesforce.http import QUERY_OPTIONS, SalesforceSession

COLLECTION_SIZE = 200  # sObject Collections: at most 200 records per call
IDS_PER_QUERY = 300  # keeps an `Id IN (...)` query well inside the URL length limit
READ_WINDOW = 50_000  # records per keyset query; each query pages by nextRecordsUrl
OWNER_USER_TYPES = ("Standard", "PowerPartner", "Guest")
# How long after a record's SystemModstamp it can still become visible to a query. The
# stamp is taken when the record is saved inside its transaction, and the transaction
# commits only once its triggers, flows and other saves are done: in the meantime a
# query cannot see the record. Salesforce stops any transaction at 10 minutes (the
# execution-time limit of a transaction), so 10 minutes, not the usual second or two a
# save takes: this lag only decides when a second stops being read again, which costs
# a few pages on the runs of the next 10 minutes, while too short a lag loses a record.
COMMIT_LAG = timedelta(minutes=10)


def clean(record: Mapping[str, Any]) -> Record:
    """A record without Salesforce's `attributes` (at any depth)."""
    out: Record = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        out[key] = clean(value) if isinstance(value, Mapping) else value
    return out


def _record_errors(errors: Any) -> tuple[RecordError, ...]:
    found = []
    for item in errors or ():
        if isinstance(item, Mapping):
            code = str(item.get("statusCode") or item.get("errorCode") or "UNKNOWN_ERROR")
            fields = tuple(str(f) for f in item.get("fields") or ())
            found.append(RecordError(code, str(item.get("message") or ""), fields))
    return tuple(found) or (RecordError("UNKNOWN_ERROR", "Salesforce gave no reason"),)


def parse_collection_results(
    results: Any, offset: int, count: int, *, creating: bool = False
) -> list[WriteResult]:
    """Per-record results of an sObject Collections call, one per input, in order.
    Upserts say `created`; every successful create created its record."""
    out: list[WriteResult] = []
    items = results if isinstance(results, list) else []
    for i in range(count):
        item = items[i] if i < len(items) and isinstance(items[i], Mapping) else None
        if item is None:
            out.append(
                WriteResult.failure(offset + i, "NO_RESULT", "Salesforce returned no result")
            )
        elif item.get("success"):
            out.append(
                WriteResult(offset + i, True, item.get("id"), creating or bool(item.get("created")))
            )
        else:
            out.append(
                WriteResult(
                    offset + i, False, item.get("id"), errors=_record_errors(item.get("errors"))
                )
            )
    return out


def last_cursor(cursor: Cursor, read_at: datetime | None) -> Cursor:
    """The cursor of a read's last page, which ended at exact `cursor`: `(its second, "")`
    unless the read began (`read_at`, by Salesforce's clock) `COMMIT_LAG` or more after
    that second ended, when no record can still be stamped in it unseen."""
    second = cursor.moment.replace(microsecond=0)
    if read_at is not None and second + timedelta(seconds=1) + COMMIT_LAG <= read_at:
        return cursor
    return Cursor(cursor.timestamp)


class SalesforceConnector:
    """What the sync engine needs from one Salesforce org."""

    def __init__(self, settings: SalesforceSettings, *, retry: RetryPolicy | None = None) -> None:
        settings.validate()
        check_ca_file(settings.ca_bundle, settings.ca_variable)
        self._settings = settings
        self._secrets = settings.secrets()
        self._session = SalesforceSession(
            policy=retry or RetryPolicy(), timeout=settings.timeout, ca_bundle=settings.ca_bundle
        )
        with translated(self._secrets, "log in"):
            if settings.access_token is not None:
                self._sf = Salesforce(
                    instance_url=settings.instance_url,
                    session_id=settings.access_token.reveal(),
                    version=settings.api_version,
                    session=self._session,
                )
            else:
                assert settings.password is not None and settings.security_token is not None
                self._sf = Salesforce(
                    username=settings.username,
                    password=settings.password.reveal(),
                    security_token=settings.security_token.reveal(),
                    domain=settings.domain,
                    version=settings.api_version,
                    session=self._session,
                )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, retry: RetryPolicy | None = None
    ) -> SalesforceConnector:
        return cls(SalesforceSettings.from_env(environ), retry=retry)

    def __repr__(self) -> str:
        return f"SalesforceConnector(instance={self._sf.sf_instance!r})"

    @property
    def calls(self) -> Counter[str]:
        """HTTP calls made so far, by method and endpoint (retries included)."""
        return self._session.calls

    @property
    def meter(self) -> SalesforceSession:
        """Where calls are counted and the org's usage is read (`calls`, `org_usage`,
        `before_call`)."""
        return self._session

    # -- low level ---------------------------------------------------------------------

    def _rest(self, path: str, method: str = "GET", **kwargs: Any) -> Any:
        return self._sf.restful(path, method=method, **kwargs)

    def _query_batches(
        self, query: str, *, include_deleted: bool = False
    ) -> Iterator[list[Record]]:
        headers = {"Sforce-Query-Options": QUERY_OPTIONS}
        result = self._sf.query(query, include_deleted=include_deleted, headers=headers)
        while True:
            yield [clean(r) for r in result.get("records", [])]
            next_url = result.get("nextRecordsUrl")
            if result.get("done", True) or not next_url:
                return
            result = self._sf.query_more(next_url, identifier_is_url=True, headers=headers)

    # -- reads -------------------------------------------------------------------------

    def describe(self, sobject: str) -> dict[str, Any]:
        with translated(self._secrets, f"describe {sobject}"):
            result = self._rest(f"sobjects/{soql.name(sobject)}/describe")
        return dict(result or {})

    def describe_global(self) -> list[dict[str, Any]]:
        with translated(self._secrets, "list the org's objects"):
            result = self._rest("sobjects")
        return list((result or {}).get("sobjects", []))

    def query(self, query: str, *, include_deleted: bool = False) -> Iterator[Record]:
        with translated(self._secrets, "run a query"):
            for batch in self._query_batches(query, include_deleted=include_deleted):
                yield from batch

    def read_changed(
        self,
        sobject: str,
        fields: Sequence[str],
        since: Cursor | None = None,
        *,
        where: str | None = None,
        include_deleted: bool = False,
        window: int = READ_WINDOW,
    ) -> Iterator[Page]:
        """Records changed after `since`, oldest first, a page per API response.

        Each keyset query (at most `window` records) is paged through `nextRecordsUrl`;
        a full window starts the next query after the last record read.

        Salesforce keeps SystemModstamp to the second, so a record written later in the
        second of the last record read can share its timestamp and sort before it by id
        (or was saved in it by a transaction not yet committed). The last page's cursor
        therefore covers only what is strictly older than that second, so the next read
        starts at the second again (its records are read twice, which the caller sees as
        unchanged) rather than skip such a record for good, unless the read began (its
        first answer's `Date`) at least `COMMIT_LAG` after that second ended: then no
        record can still join the second and the cursor is exact. A read with no `Date`
        keeps the second.
        """
        cursor = since
        held: Page | None = None
        began: list[datetime | None] = []
        with translated(self._secrets, f"read changed {sobject} records"):
            while True:
                query = soql.changed_since(sobject, fields, cursor, where=where, limit=window)
                seen = 0
                for batch in self._query_batches(query, include_deleted=include_deleted):
                    if not began:  # the first query's answer, on this thread, just now
                        began.append(self._session.asked_at)
                    if not batch:
                        continue
                    seen += len(batch)
                    last = batch[-1]
                    stamp = format_timestamp(parse_timestamp(str(last["SystemModstamp"])))
                    cursor = Cursor(stamp, str(last["Id"]))
                    if held is not None:
                        yield held
                    held = Page(tuple(batch), cursor)
                if seen < window:
                    break
        if held is not None:
            assert held.cursor is not None
            yield Page(held.records, last_cursor(held.cursor, began[0]))

    def read_by_ids(self, sobject: str, ids: Sequence[str], fields: Sequence[str]) -> list[Record]:
        found: list[Record] = []
        unique = list(dict.fromkeys(ids))
        with translated(self._secrets, f"read {sobject} records by id"):
            for chunk in chunked(unique, IDS_PER_QUERY):
                for batch in self._query_batches(soql.by_ids(sobject, fields, chunk)):
                    found.extend(batch)
        return found

    def users(self, *, active_only: bool = False) -> list[Record]:
        """Users HubSpot treats as owners: types Standard, PowerPartner and Guest."""
        types = ", ".join(soql.quote(t) for t in OWNER_USER_TYPES)
        query = (
            "SELECT Id, Name, FirstName, LastName, Email, IsActive, UserType FROM User "
            f"WHERE UserType IN ({types})"
        )
        if active_only:
            query += " AND IsActive = true"
        return list(self.query(query))

    def queues(self) -> list[Record]:
        return list(self.query("SELECT Id, Name, Email FROM Group WHERE Type = 'Queue'"))

    def opportunity_contact_roles(self, opportunity_ids: Sequence[str]) -> list[Record]:
        fields = ("Id", "OpportunityId", "ContactId", "Role", "IsPrimary")
        found: list[Record] = []
        unique = list(dict.fromkeys(opportunity_ids))
        with translated(self._secrets, "read opportunity contact roles"):
            for chunk in chunked(unique, IDS_PER_QUERY):
                query = soql.by_ids(
                    "OpportunityContactRole", fields, chunk, id_field="OpportunityId"
                )
                for batch in self._query_batches(query):
                    found.extend(batch)
        return found

    def limits(self) -> dict[str, Any]:
        with translated(self._secrets, "read the org's limits"):
            return dict(self._rest("limits") or {})

    # -- writes ------------------------------------------------------------------------

    def _collection_call(
        self, what: str, method: str, path: str, chunk: Sequence[Any], offset: int, **kwargs: Any
    ) -> list[WriteResult]:
        """One sObject Collections call. A whole-call rejection (say, an unknown object)
        becomes that error on every record of the chunk; credentials and access errors raise."""
        try:
            with translated(self._secrets, what):
                try:
                    results = self._rest(path, method=method, **kwargs)
                except SalesforceError as exc:
                    if exc.status not in (400, 404):
                        raise
                    code, message = first_error(exc.content)
                    return [
                        WriteResult.failure(offset + i, code or f"HTTP_{exc.status}", message)
                        for i in range(len(chunk))
                    ]
        except TransientError as error:
            # The call failed after every safe retry: this chunk's outcome is reported
            # per record (for a create it is unknown), and later chunks still go.
            return [
                WriteResult.failure(offset + i, TRANSIENT, str(error)) for i in range(len(chunk))
            ]
        return parse_collection_results(results, offset, len(chunk), creating=method == "POST")

    def _records_body(self, sobject: str, records: Sequence[Mapping[str, Any]]) -> str:
        typed = [{"attributes": {"type": sobject}, **dict(r)} for r in records]
        return json.dumps({"allOrNone": False, "records": typed}, default=str)

    def create(self, sobject: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        soql.name(sobject)
        out: list[WriteResult] = []
        for n, chunk in enumerate(chunked(records, COLLECTION_SIZE)):
            body = self._records_body(sobject, chunk)
            out += self._collection_call(
                f"create {sobject} records",
                "POST",
                "composite/sobjects",
                chunk,
                n * COLLECTION_SIZE,
                data=body,
            )
        return out

    def update(self, sobject: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        soql.name(sobject)
        out: list[WriteResult] = []
        for n, chunk in enumerate(chunked(records, COLLECTION_SIZE)):
            offset = n * COLLECTION_SIZE
            missing = [i for i, r in enumerate(chunk) if not r.get("Id")]
            if missing:
                raise ValueError(
                    f"update needs an Id in every record (input {offset + missing[0]})"
                )
            body = self._records_body(sobject, chunk)
            out += self._collection_call(
                f"update {sobject} records", "PATCH", "composite/sobjects", chunk, offset, data=body
            )
        return out

    def upsert(
        self, sobject: str, external_id_field: str, records: Sequence[Mapping[str, Any]]
    ) -> list[WriteResult]:
        path = f"composite/sobjects/{soql.name(sobject)}/{soql.name(external_id_field)}"
        out: list[WriteResult] = []
        for n, chunk in enumerate(chunked(records, COLLECTION_SIZE)):
            body = self._records_body(sobject, chunk)
            out += self._collection_call(
                f"upsert {sobject} records", "PATCH", path, chunk, n * COLLECTION_SIZE, data=body
            )
        return out

    def delete(self, ids: Sequence[str]) -> list[WriteResult]:
        """Delete records; one already deleted counts as deleted (a retried call whose
        first answer was lost finds them gone)."""
        out: list[WriteResult] = []
        for n, chunk in enumerate(chunked(ids, COLLECTION_SIZE)):
            params = {"ids": ",".join(chunk), "allOrNone": "false"}
            out += self._collection_call(
                "delete records",
                "DELETE",
                "composite/sobjects",
                chunk,
                n * COLLECTION_SIZE,
                params=params,
            )
        return [
            WriteResult(r.index, True, ids[r.index])
            if not r.ok and r.errors and r.errors[0].code == "ENTITY_IS_DELETED"
            else r
            for r in out
        ]
