"""The sync engine: one run of an adapter, every object pair and rule, crash safe.

Order: recover what a killed run left half done; contacts (so companies can match by
their contacts); companies; contact<->company associations; deals; Closed/Won (R9);
email events (R8). Cursors move last, once everything they cover is committed, so a run
killed at any point re-reads the same changes and the links and last synced values
keep it from writing anything twice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from mapc.runtime.adapter import Adapter, Behaviour, CreateContacts, MatchKind, ObjectSync
from mapc.runtime.api_usage import RunUsage, meter_of
from mapc.runtime.budget import Budget, BudgetExhausted
from mapc.runtime.errors import ConfigurationError
from mapc.runtime.sync.behaviours.closed_won import apply_closed_won
from mapc.runtime.sync.behaviours.company_links import sync_associations
from mapc.runtime.sync.behaviours.contact_roles import sync_contact_roles, syncs_contact_roles
from mapc.runtime.sync.behaviours.email_events import CURSOR as EVENTS_CURSOR
from mapc.runtime.sync.behaviours.email_events import sync_email_events
from mapc.runtime.sync.behaviours.names import CONTACTS, DAILY_API_REQUESTS
from mapc.runtime.sync.behaviours.opt_out import retry_owed
from mapc.runtime.sync.behaviours.owners import OwnerDirectory
from mapc.runtime.sync.behaviours.person_accounts import OrgShape, org_shape
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.lock import RunLock
from mapc.runtime.sync.lookups import sync_lookups
from mapc.runtime.sync.pairs import PairSync
from mapc.runtime.sync.ports import HubSpotPort, SalesforcePort
from mapc.runtime.sync.recovery import recover
from mapc.runtime.sync.renamed_objects import adopt_qualified_names
from mapc.runtime.sync.report import DETAIL_LIMIT, SUMMARY_LOGGER, Report
from mapc.runtime.sync.resync import Resync
from mapc.runtime.sync.retries import RetryRule, record_failures
from mapc.runtime.sync.staging import Staging
from mapc.runtime.sync.state import StateStore, now_iso
from mapc.runtime.sync.writes import Writes

log = logging.getLogger("mapc.sync")
summary = logging.getLogger(SUMMARY_LOGGER)


def concurrency_from_env(environ: Mapping[str, str] | None = None) -> int:
    """$MAPC_CONCURRENCY: write batches of one queue in flight at once (1 by default)."""
    raw = (os.environ if environ is None else environ).get("MAPC_CONCURRENCY", "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 32:
        raise ConfigurationError(
            f"MAPC_CONCURRENCY wants a whole number from 1 to 32, not {raw!r}."
        )
    return int(raw)


Progress = Callable[[str], None]

# A run's outcome as the run log stores it. A run with rejected records completed: only
# a run that stopped on an exception (an API or the state failed) failed.
COMPLETED = "completed"
COMPLETED_WITH_ERRORS = "completed_with_errors"
FAILED = "failed"
STOPPED_BUDGET = "stopped_budget"
DAY = timedelta(hours=24)


def ordered(objects: tuple[ObjectSync, ...]) -> list[ObjectSync]:
    def rank(obj: ObjectSync) -> int:
        if obj.match.kind is MatchKind.FIELD:
            return 0
        if obj.match.kind is MatchKind.ASSOCIATED_CONTACTS:
            return 1
        return 2

    return sorted(objects, key=rank)


class SyncEngine:
    def __init__(
        self,
        adapter: Adapter,
        salesforce: SalesforcePort,
        hubspot: HubSpotPort,
        state: StateStore,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        detail_limit: int | None = DETAIL_LIMIT,
        retry: RetryRule | None = None,
        budget: Budget | None = None,
        concurrency: int | None = None,
        resync: Resync | None = None,
    ) -> None:
        """`concurrency`: write batches of one queue sent at once (default
        $MAPC_CONCURRENCY, else 1). `resync`: what a `mapc resync` run reads again."""
        self.concurrency = concurrency if concurrency is not None else concurrency_from_env()
        if resync is not None:
            resync.check(adapter)
        self.resync = resync
        self.adapter = adapter
        self.retry = retry or RetryRule()
        self.budget = budget
        self.detail_limit = detail_limit
        self.salesforce = salesforce
        self.hubspot = hubspot
        self.state = state
        self.dry_run = dry_run
        self.progress = progress or (lambda _step: None)

    def _owners(self) -> OwnerDirectory | None:
        if not any(f.owner for o in self.adapter.objects for f in o.fields):
            return None
        return OwnerDirectory(
            self.hubspot.owners(), self.salesforce.users(), self.salesforce.queues()
        )

    def _org_shape(self) -> OrgShape:
        if not any(Behaviour.PERSON_ACCOUNTS in o.behaviours for o in self.adapter.objects):
            return OrgShape(False)
        return org_shape(self.salesforce, self.adapter.settings.person_accounts)

    def run(self) -> Report:
        lock = RunLock(self.state)
        lock.acquire()
        try:
            return self._locked_run(lock)
        finally:
            lock.release()

    def _locked_run(self, lock: RunLock) -> Report:
        adopt_qualified_names(self.state, self.adapter)
        if self.concurrency < 2:
            return self._report(lock, Writes())
        # A thread per batch in flight on each lane: Salesforce's writes and HubSpot's.
        with ThreadPoolExecutor(2 * self.concurrency, thread_name_prefix="mapc-write") as pool:
            return self._report(lock, Writes(self.concurrency, pool))

    def _report(self, lock: RunLock, writes: Writes) -> Report:
        run_id = self.state.log.start_run(self.adapter.name, dry_run=self.dry_run)
        report = Report(dry_run=self.dry_run, run_id=run_id, detail_limit=self.detail_limit)
        usage = RunUsage({SALESFORCE: meter_of(self.salesforce), HUBSPOT: meter_of(self.hubspot)})
        staging = Staging(self.state, run_id)
        ctx = Context(
            self.adapter,
            self.salesforce,
            self.hubspot,
            self.state,
            staging,
            writes,
            report,
            run_id,
            dry_run=self.dry_run,
            progress=self.progress,
            heartbeat=lock.beat,
            resync=self.resync,
        )
        status = FAILED
        org_limits: dict[str, int | None] = {}
        remove_guard: Callable[[], None] = _nothing
        try:
            if self.budget is not None:
                org_limits = self._org_limits()
                since = (datetime.now(UTC) - DAY).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                remove_guard = self.budget.guard(
                    usage, self.state.log.api_calls_since(since), org_limits
                )
            self._run(ctx)
            status = COMPLETED_WITH_ERRORS if report.failed else COMPLETED
            return report
        except BudgetExhausted as stop:
            # Like a run killed at a clean point: what was written is recorded, nothing
            # queued was sent, the cursors did not move; the next run resumes.
            status = STOPPED_BUDGET
            report.stopped = str(stop)
            log.warning("run %s stopped: %s", run_id, stop)
            return report
        finally:
            # Batches still in flight when the run stopped on its own thread: what they
            # wrote is recorded before anything else is (at concurrency 1 there are none).
            writes.drain()
            remove_guard()
            allowed: dict[str, int | None] = {}
            if self.budget is not None:
                allowed = {
                    side: self.budget.allowed(side, usage, org_limits) for side in usage.meters
                }
            report.api = usage.as_dict(allowed)
            if ctx.failed and not self.dry_run:
                record_failures(ctx, sorted(ctx.failed), self.retry)
            staging.clear()
            self.state.log.finish_run(run_id, status, report.as_counts())
            report.outcome = status
            report.finished_at = now_iso()
            # A failed run's reason is the one sentence the caller reports; its summary
            # line stays below the default level.
            (log if status == FAILED else summary).info(
                "%s #%s %s: %s writes, %s errors, %s conflicts, API calls %s",
                "plan" if self.dry_run else "run",
                run_id,
                status,
                report.writes,
                report.failed,
                report.conflicts,
                usage.summary(),
                extra={
                    "run_id": run_id,
                    "outcome": status,
                    "writes": report.writes,
                    "errors": report.failed,
                    "conflicts": report.conflicts,
                    "api_calls": usage.summary(),
                },
            )

    def _org_limits(self) -> dict[str, int | None]:
        """The org's daily API limit, read from the limits resource when a share of it is
        the Salesforce allocation (HubSpot's arrives with its first answer's headers)."""
        assert self.budget is not None
        wanted = self.budget.allocations.get(SALESFORCE)
        read = getattr(self.salesforce, "limits", None)
        if wanted is None or wanted.share is None or read is None:
            return {}
        daily = read().get(DAILY_API_REQUESTS) or {}
        most = daily.get("Max") if isinstance(daily, dict) else None
        return {SALESFORCE: most if isinstance(most, int) else None}

    def _run(self, ctx: Context) -> None:
        settings = self.adapter.settings
        if settings.shared_org and settings.create_hubspot_contacts is not CreateContacts.NEVER:
            log.warning(
                "several HubSpot accounts share this Salesforce org but create_hubspot_contacts "
                "is %s: records one account creates in Salesforce may create contacts in the "
                "others; `never` is recommended (R5, R11)",
                settings.create_hubspot_contacts.value,
            )
        shape = self._org_shape()
        ctx.person_accounts, ctx.account_fields = shape.person_accounts, shape.account_fields
        ctx.owners = self._owners()
        objects = ordered(self.adapter.objects)
        for obj in objects:
            recover(ctx, obj)
        retry_owed(ctx)
        syncs: list[PairSync] = []
        if self.resync is not None:
            objects = [o for o in objects if self.resync.covers(o)]
        for obj in objects:
            self.progress(f"syncing {obj.hubspot_object}")
            pair = PairSync(ctx, obj)
            pair.run()
            syncs.append(pair)
            if (
                obj.match.kind is MatchKind.ASSOCIATED_CONTACTS
                and self.adapter.object_for(CONTACTS) is not None
            ):
                self.progress("syncing contact <-> company associations")
                sync_associations(ctx)
        if any(obj.associations for obj in objects):
            self.progress("syncing declared associations")
            sync_lookups(ctx, objects)
        if any(syncs_contact_roles(obj) for obj in objects):
            self.progress("syncing deal <-> contact associations (contact roles)")
            sync_contact_roles(ctx)
        if self.adapter.closed_won is not None:
            self.progress("applying Closed/Won opportunities")
            apply_closed_won(ctx, self.adapter.closed_won)
        events_cursor = None
        if self.adapter.email_events is not None and self.resync is None:
            self.progress("turning email events into tasks")
            events_cursor = sync_email_events(ctx, self.adapter.email_events)
        ctx.writes.flush_all()
        ctx.save()
        if not self.dry_run:
            for pair in syncs:
                pair.commit_cursors()
            if events_cursor is not None:
                self.state.set_cursor(HUBSPOT, EVENTS_CURSOR, events_cursor)


def _nothing() -> None:
    return None


def run_once(
    adapter: Adapter,
    salesforce: SalesforcePort,
    hubspot: HubSpotPort,
    state: StateStore,
    *,
    dry_run: bool = False,
) -> Report:
    return SyncEngine(adapter, salesforce, hubspot, state, dry_run=dry_run).run()
