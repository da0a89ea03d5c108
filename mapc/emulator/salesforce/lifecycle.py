"""Records leaving and coming back: the delete log (getDeleted), undelete() and merge()."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mapc.emulator.clock import parse_instant
from mapc.emulator.salesforce.errors import SfApiError, SfError
from mapc.emulator.salesforce.ids import object_of, to18
from mapc.emulator.salesforce.org import Org, Record
from mapc.emulator.salesforce.validate import sf_datetime

# getDeleted answers for no more than 15 days back (SOAP getDeleted(), REST sObject Get Deleted).
REPLICATION_DAYS = 15
# merge() takes a master and at most two more records, of these objects.
MERGEABLE = ("Lead", "Contact", "Account")
MAX_MERGED = 2
# Children a merge moves from each merged record to the master: (child, field).
REPARENTED: dict[str, tuple[tuple[str, str], ...]] = {
    "Account": (
        ("Contact", "AccountId"),
        ("Opportunity", "AccountId"),
        ("Task", "WhatId"),
        ("Account", "ParentId"),
    ),
    "Contact": (("OpportunityContactRole", "ContactId"), ("Task", "WhoId")),
    "Lead": (("Task", "WhoId"),),
}


def _minute(moment: datetime) -> datetime:
    """getDeleted ignores the seconds of its start and end."""
    return moment.replace(second=0, microsecond=0)


def deleted_between(org: Org, object_name: str, start: str, end: str) -> dict[str, Any]:
    """The body of `GET sobjects/{Obj}/deleted/?start=&end=`."""
    obj = org.object(object_name)
    try:
        first, last = _minute(parse_instant(start)), _minute(parse_instant(end))
    except ValueError as exc:
        raise SfApiError.one(400, "INVALID_REPLICATION_DATE", f"invalid date: {exc}") from exc
    now = org.clock.now()
    earliest = _minute(now - timedelta(days=REPLICATION_DAYS))
    if last < first:
        raise SfApiError.one(
            400, "INVALID_REPLICATION_DATE", "startDate must chronologically precede endDate"
        )
    if first < earliest:
        raise SfApiError.one(
            400,
            "INVALID_REPLICATION_DATE",
            f"startDate must not be before {sf_datetime(earliest.isoformat())}",
        )
    covered = min(last, _minute(now))
    low, high = sf_datetime(first.isoformat()), sf_datetime(covered.isoformat())
    found = sorted(
        (deleted_date(record), record_id)
        for record_id, record in org.deleted[obj.name].items()
        if low <= deleted_date(record) < high
    )
    return {
        "deletedRecords": [{"id": record_id, "deletedDate": when} for when, record_id in found],
        "earliestDateAvailable": sf_datetime(earliest.isoformat()),
        "latestDateCovered": high,
    }


def deleted_date(record: Record) -> str:
    # Deleting stamps SystemModstamp, and nothing writes a record in the recycle bin.
    return str(record["SystemModstamp"])


def undelete(org: Org, raw_ids: list[str]) -> list[dict[str, Any]]:
    """SOAP undelete(): each record comes back with what its deletion cascaded to."""
    results = []
    for raw_id in raw_ids:
        record_id = to18(str(raw_id)) or str(raw_id)
        name = object_of(record_id)
        if name is None or record_id not in org.deleted.get(name, {}):
            error = SfError("UNDELETE_FAILED", "Entity is not in the recycle bin", ())
            results.append({"id": record_id, "success": False, "errors": [error.collection()]})
            continue
        _restore_family(org, record_id)
        results.append({"id": record_id, "success": True, "errors": []})
    return results


def _restore_family(org: Org, root: str) -> None:
    family = sorted(
        (seq, record_id)
        for record_id, (by, seq) in org.deleted_with.items()
        if by == root or record_id == root
    )
    for _, record_id in family:
        name = object_of(record_id)
        if name is None or record_id not in org.deleted[name]:
            continue
        org.restore_deleted(name, record_id)
        org.deleted_with.pop(record_id, None)


def merge(
    org: Org, master_id: str, merged_ids: list[str], master_values: Record | None = None
) -> dict[str, Any]:
    """SOAP merge(): the master keeps its Id, takes `master_values`, adopts the children of
    the merged records, which go to the recycle bin with MasterRecordId set."""
    master = to18(str(master_id)) or ""
    name = object_of(master)
    if name not in MERGEABLE or master not in org.records[name or ""]:
        raise SfApiError.one(
            400, "INVALID_CROSS_REFERENCE_KEY", f"invalid master record id: {master_id}"
        )
    assert name is not None
    losers = [to18(str(i)) or str(i) for i in merged_ids]
    if not losers or len(losers) > MAX_MERGED:
        raise SfApiError.one(
            400,
            "INVALID_OPERATION",
            f"A merge request names one or two records to merge into the master, not {len(losers)}",
        )
    for loser in losers:
        if loser == master or object_of(loser) != name or loser not in org.records[name]:
            raise SfApiError.one(
                400, "INVALID_CROSS_REFERENCE_KEY", f"invalid record id to merge: {loser}"
            )
    with org.transaction():
        if master_values:
            org.update(name, master, master_values)
        moved: list[str] = []
        for loser in losers:
            for child, field in REPARENTED.get(name, ()):
                for child_id, record in list(org.records[child].items()):
                    if record.get(field) == loser and child_id != master:
                        org.update_mirror(child, child_id, {field: master})
                        moved.append(child_id)
            org.delete(name, loser, extra={"MasterRecordId": master})
    return {
        "id": master,
        "success": True,
        "errors": [],
        "mergedRecordIds": losers,
        "updatedRelatedIds": sorted(set(moved)),
    }
