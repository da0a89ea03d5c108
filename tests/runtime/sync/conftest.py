"""Fixtures for the engine's end-to-end tests: real connectors against the emulator."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mapc.runtime.adapter import Adapter
from mapc.runtime.hubspot.client import HubSpotConnector
from mapc.runtime.hubspot.limits import HubSpotLimiter
from mapc.runtime.retry import RetryPolicy
from mapc.runtime.salesforce.client import SalesforceConnector
from mapc.runtime.sync.engine import SyncEngine
from mapc.runtime.sync.report import Report
from mapc.runtime.sync.retries import RetryRule
from mapc.runtime.sync.state import StateStore
from tests.runtime.sync.compiled import fixture

LIFECYCLE_FIELD = {
    "name": "Lifecycle_Stage__c",
    "type": "picklist",
    "picklistValues": [
        "Subscriber",
        "Lead",
        "Marketing Qualified Lead",
        "Sales Qualified Lead",
        "Opportunity",
        "Customer",
        "Evangelist",
        "Other",
    ],
}

# Reads that use POST: they change nothing.
READ_POSTS = ("*/search", "*/batch/read", "*/query*")


def is_write(key: str) -> bool:
    method, _, path = key.partition(" ")
    if method == "GET":
        return False
    return not (method == "POST" and any(fnmatch.fnmatchcase(path, p) for p in READ_POSTS))


def base_seed() -> dict[str, Any]:
    return {
        "salesforce": {
            "custom_fields": {"Lead": [LIFECYCLE_FIELD], "Contact": [LIFECYCLE_FIELD]},
            "records": {
                "User": [
                    {
                        "_ref": "u_ada",
                        "FirstName": "Ada",
                        "LastName": "Byron",
                        "Email": "ada@corp.example",
                        "Username": "ada@corp.example",
                        "UserType": "Standard",
                        "IsActive": True,
                    },
                    {
                        "_ref": "u_old",
                        "FirstName": "Old",
                        "LastName": "Timer",
                        "Email": "old@corp.example",
                        "Username": "old@corp.example",
                        "UserType": "Standard",
                        "IsActive": False,
                    },
                ]
            },
        },
        "hubspot": {
            "owners": [
                {
                    "_ref": "o_ada",
                    "id": "501",
                    "email": "ada@corp.example",
                    "firstName": "Ada",
                    "lastName": "Byron",
                },
                {
                    "_ref": "o_old",
                    "id": "502",
                    "email": "old@corp.example",
                    "firstName": "Old",
                    "lastName": "Timer",
                },
                {
                    "_ref": "o_ghost",
                    "id": "503",
                    "email": "ghost@corp.example",
                    "firstName": "Ghost",
                    "lastName": "Writer",
                },
            ]
        },
    }


IMMEDIATE_RETRY = RetryRule(backoff=0.0)
"""Runs here follow each other at once: a failed record is due again at the next one."""


@dataclass
class SyncEnv:
    emulator: Any
    salesforce: SalesforceConnector
    hubspot: HubSpotConnector
    state: StateStore
    adapter: Adapter
    refs: dict[str, str] = field(default_factory=dict)
    person_accounts: bool = True
    new_state: Callable[[str], str] = field(default=lambda name: f"{name}.db")
    """A target for a new, empty state of the given name (the `new_state` fixture)."""

    def seed(self, data: dict[str, Any]) -> dict[str, str]:
        self.refs.update(self.emulator.seed(data))
        return self.refs

    def run(
        self,
        adapter: Adapter | None = None,
        *,
        dry_run: bool = False,
        state: StateStore | None = None,
    ) -> Report:
        engine = SyncEngine(
            adapter or self.adapter,
            self.salesforce,
            self.hubspot,
            state or self.state,
            dry_run=dry_run,
            retry=IMMEDIATE_RETRY,
        )
        return engine.run()

    def writes(self) -> dict[str, int]:
        return {k: v for k, v in self.emulator.calls().items() if is_write(k)}

    def write_count(self) -> int:
        return sum(self.writes().values())

    # -- reading both CRMs' final state -------------------------------------------------

    def sf(self, sobject: str, where: str = "", fields: str = "") -> list[dict[str, Any]]:
        select = fields or ", ".join(sorted({"Id", *self._sf_fields(sobject)}))
        soql = f"SELECT {select} FROM {sobject}" + (f" WHERE {where}" if where else "")
        return list(self.salesforce.query(soql + " ORDER BY Id"))

    def _sf_fields(self, sobject: str) -> tuple[str, ...]:
        for obj in self.adapter.objects:
            if sobject in obj.salesforce_fields:
                return obj.salesforce_fields[sobject]
        return ("Id",)

    def hs(
        self, object_type: str = "contacts", props: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        obj = self.adapter.object_for(object_type)
        wanted = props or (obj.hubspot_properties if obj else ("name",))
        records: list[dict[str, Any]] = []
        for page in self.hubspot.read_changed(object_type, list(wanted), None):
            records.extend(page.records)
        return sorted(records, key=lambda r: int(r["id"]))

    def hs_by_email(self) -> dict[str, dict[str, Any]]:
        return {str(r["email"]).lower(): r for r in self.hs("contacts") if r.get("email")}


def fast_retry() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=6, base_delay=0.0, max_delay=0.0, max_retry_after=0.05, sleep=lambda _s: None
    )


def connectors(env: dict[str, str]) -> tuple[SalesforceConnector, HubSpotConnector]:
    sf = SalesforceConnector.from_env(env, retry=fast_retry())
    hs = HubSpotConnector.from_env(
        env, retry=fast_retry(), limiter=HubSpotLimiter(1_000_000, 1_000_000)
    )
    return sf, hs


GENERATED = Path(__file__).resolve().parents[3] / "generated" / "hubspot_salesforce.py"


@pytest.fixture(params=["standard", "person-accounts"])
def shaped(
    request: pytest.FixtureRequest, emulator: Any, new_state: Callable[[str], str]
) -> Iterator[SyncEnv]:
    """The generated default adapter, unchanged, on an org without and one with person
    accounts (the session's emulator reset to each shape)."""
    from mapc.runtime.sync.runner import load_adapter

    person_accounts = request.param == "person-accounts"
    emulator.reset(person_accounts=person_accounts)
    refs = emulator.seed(base_seed())
    sf, hs = connectors(emulator.env())
    state = StateStore(new_state("state"))
    adapter = load_adapter(str(GENERATED))
    yield SyncEnv(emulator, sf, hs, state, adapter, dict(refs), person_accounts, new_state)
    state.close()


@pytest.fixture
def sync(emulator: Any, new_state: Callable[[str], str]) -> Iterator[SyncEnv]:
    emulator.configure(person_accounts=True)
    refs = emulator.seed(base_seed())
    sf, hs = connectors(emulator.env())
    state = StateStore(new_state("state"))
    yield SyncEnv(emulator, sf, hs, state, fixture("seed"), dict(refs), new_state=new_state)
    state.close()
