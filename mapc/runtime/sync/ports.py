"""What the engine needs from the two connectors (mapc.runtime.salesforce.client / .hubspot)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from mapc.runtime.records import Cursor, Page, Record, WriteResult


class SalesforcePort(Protocol):
    def read_changed(
        self,
        sobject: str,
        fields: Sequence[str],
        since: Cursor | None = None,
        *,
        where: str | None = None,
        include_deleted: bool = False,
    ) -> Iterator[Page]: ...
    def read_by_ids(
        self, sobject: str, ids: Sequence[str], fields: Sequence[str]
    ) -> list[Record]: ...
    def query(self, soql: str, *, include_deleted: bool = False) -> Iterator[Record]: ...
    def create(self, sobject: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]: ...
    def update(self, sobject: str, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]: ...
    def upsert(
        self, sobject: str, external_id_field: str, records: Sequence[Mapping[str, Any]]
    ) -> list[WriteResult]: ...
    def users(self, *, active_only: bool = False) -> list[Record]: ...
    def queues(self) -> list[Record]: ...
    def opportunity_contact_roles(self, opportunity_ids: Sequence[str]) -> list[Record]: ...


class HubSpotPort(Protocol):
    def read_changed(
        self, object_type: str, properties: Sequence[str], since: Cursor | None = None
    ) -> Iterator[Page]: ...
    def read_by_ids(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        id_property: str | None = None,
    ) -> list[Record]: ...
    def create(
        self, object_type: str, records: Sequence[Mapping[str, Any]]
    ) -> list[WriteResult]: ...
    def update(
        self, object_type: str, records: Sequence[Mapping[str, Any]]
    ) -> list[WriteResult]: ...
    def upsert(
        self, object_type: str, records: Sequence[Mapping[str, Any]], *, id_property: str = ...
    ) -> list[WriteResult]: ...
    def associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, list[str]]: ...
    def associate(
        self, from_type: str, to_type: str, pairs: Sequence[tuple[str, str]]
    ) -> list[WriteResult]: ...
    def owners(self) -> list[Record]: ...
    def unsubscribe_all_batch(self, emails: Sequence[str]) -> list[WriteResult]: ...
    def email_events(
        self, start: datetime, end: datetime, event_types: Sequence[str] = ("OPEN", "CLICK")
    ) -> Iterator[list[Record]]: ...
