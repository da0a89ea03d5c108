"""Records leaving and coming back in HubSpot: merges, and restores of archived records."""

from __future__ import annotations

from mapc.emulator.hubspot.errors import HsApiError, not_found, validation
from mapc.emulator.hubspot.portal import HsRecord, Portal

Link = tuple[str, str, list[int]]
# Properties a merge computes rather than copies.
_OWN = frozenset({"hs_object_id", "hs_merged_object_ids", "hs_additional_emails"})


def merge(portal: Portal, kind: str, primary_id: str, other_id: str) -> HsRecord:
    """POST /crm/v3/objects/{type}/merge, as HubSpot merges today: a new record with a new
    id takes the primary's values (the other's fill its blanks) and both records'
    associations (the primary's "Primary" labels win); both old ids then read as it, and
    its hs_merged_object_ids lists them."""
    primary = portal.find(kind, str(primary_id))
    other = portal.find(kind, str(other_id))
    if primary is None or other is None:
        raise not_found(kind, str(primary_id if primary is None else other_id))
    if primary.id == other.id:
        raise validation(f"Cannot merge {kind[:-1]} {primary.id} into itself")
    for record in (primary, other):
        portal.unindex(kind, record)
    created = portal.types.created(kind)
    values: dict[str, str | None] = {}
    for record in (other, primary):
        for name, value in record.properties.items():
            if value not in (None, "") and name not in _OWN:
                values[name] = value
    merged_ids = {primary.id, other.id}
    for record in (primary, other):
        merged_ids.update(
            filter(None, str(record.properties.get("hs_merged_object_ids") or "").split(";"))
        )
    values["hs_merged_object_ids"] = ";".join(sorted(merged_ids, key=_numeric))
    if kind == "contacts":
        emails = [r.properties.get("email") for r in (primary, other)]
        extra = {
            e
            for r in (primary, other)
            for e in str(r.properties.get("hs_additional_emails") or "").split(";")
            if e
        }
        extra.update(e for e in emails[1:] if e and e != values.get("email"))
        if extra:
            values["hs_additional_emails"] = ";".join(sorted(extra))
    values[created] = min(
        str(primary.properties.get(created) or primary.created),
        str(other.properties.get(created) or other.created),
    )
    values.pop(portal.types.modified(kind), None)
    links = [portal.associations.drop(kind, r.id) for r in (primary, other)]
    for record in (primary, other):
        del portal.objects[kind][record.id]
    quiet, portal.quiet = portal.quiet, True  # a merge is one event, not a creation
    try:
        record = portal.create(kind, values, stamp=None)
    finally:
        portal.quiet = quiet
    record.created = str(values[created])
    for record_id in merged_ids:
        portal.merged[kind][record_id] = record.id
    _relink(portal, kind, record.id, links[0], links[1])
    portal.event(
        kind,
        "merge",
        primary.id,
        primaryObjectId=int(primary.id),
        mergedObjectIds=[int(i) for i in sorted(merged_ids, key=_numeric) if i.isdigit()],
        newObjectId=int(record.id),
        numberOfPropertiesMoved=len(values),
    )
    return record


def _relink(portal: Portal, kind: str, new_id: str, first: list[Link], second: list[Link]) -> None:
    taken: set[tuple[str, int]] = set()
    for index, links in enumerate((first, second)):
        for to_type, to_id, types in links:
            if to_id not in portal.objects.get(to_type, {}):
                continue
            for type_id in types:
                if portal.types.labels.get(type_id) == "Primary":
                    if index and (to_type, type_id) in taken:
                        continue  # a second "Primary" of the same kind is dropped
                    taken.add((to_type, type_id))
                portal.associations.add(kind, new_id, to_type, to_id, type_id)
    _refresh_companies(portal, kind, new_id, first + second)


def _refresh_companies(portal: Portal, kind: str, record_id: str, links: list[Link]) -> None:
    if kind == "contacts":
        portal.sync_company_id(record_id)
    elif kind == "companies":
        for to_type, to_id, _ in links:
            if to_type == "contacts":
                portal.sync_company_id(to_id)


def restore(portal: Portal, kind: str, record_id: str) -> HsRecord:
    """Bring an archived record back with its id and the associations the archive removed
    (HubSpot restores deleted records from its recycle bin for 90 days, in its app)."""
    record = portal.archived[kind].get(str(record_id))
    if record is None:
        raise not_found(kind, str(record_id))
    email = record.properties.get("email")
    if kind == "contacts" and email and email in portal.emails:
        raise HsApiError(
            409, "CONFLICT", f"Contact already exists. Existing ID: {portal.emails[email]}"
        )
    del portal.archived[kind][record.id]
    record.archived, record.archived_at = False, None
    portal.objects[kind][record.id] = record
    portal.reindex(kind, record)
    links, record.archived_links = record.archived_links, []
    for to_type, to_id, types in links:
        if to_id in portal.objects.get(to_type, {}):
            for type_id in types:
                portal.associations.add(kind, record.id, to_type, to_id, type_id)
    _refresh_companies(portal, kind, record.id, links)
    portal.touch(kind, record)
    portal.event(kind, "restore", record.id)
    return record


def _numeric(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)
