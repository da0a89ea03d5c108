"""R6: finding the other side's record for an unlinked one.

Leads/contacts by a match key (email, case-insensitive), looked up among this run's
changed records and the keys of every record seen before, so matching costs no API call;
companies<->accounts by their associated contacts (majority), sticky once linked;
deals<->opportunities never.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from mapc.runtime.adapter import MatchKind, ObjectSync
from mapc.runtime.records import Record
from mapc.runtime.sync.behaviours.names import CONTACTS, HUBSPOT_ID, SALESFORCE_ID
from mapc.runtime.sync.behaviours.seed import contact_first
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context


def _merge(*found: dict[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    merged: dict[str, list[tuple[str, str]]] = {}
    for part in found:
        for key, items in part.items():
            bucket = merged.setdefault(key, [])
            bucket.extend(item for item in items if item not in bucket)
    return merged


def _preference(item: tuple[str, str]) -> tuple[int, str]:
    return contact_first(item)


def salesforce_candidates(
    ctx: Context, obj: ObjectSync, records: Iterable[Record]
) -> dict[str, tuple[str, str]]:
    """HubSpot id -> (sobject, Salesforce id) of the unlinked record it matches."""
    recs = list(records)
    if obj.match.kind is MatchKind.FIELD and obj.match_key is not None:
        keys = {str(r[HUBSPOT_ID]): obj.match_key(r) for r in recs}
        wanted = [k for k in keys.values() if k]
        sobjects = obj.salesforce_objects
        found = _merge(
            ctx.staging.by_keys(SALESFORCE, wanted, sobjects),
            ctx.state.find_keys(SALESFORCE, wanted, sobjects),
        )
        options = {
            hs_id: sorted(
                (i for i in found.get(key, []) if i[0] in obj.salesforce_objects), key=_preference
            )
            for hs_id, key in keys.items()
            if key
        }
        taken = ctx.state.links_by_salesforce(
            obj.hubspot_object, [rid for items in options.values() for _, rid in items]
        )
        result: dict[str, tuple[str, str]] = {}
        used: set[str] = set()
        for hs_id, items in options.items():
            for sobject, rid in items:
                if rid not in taken and rid not in used and rid not in ctx.retired:
                    result[hs_id] = (sobject, rid)
                    used.add(rid)
                    break
        return result
    if obj.match.kind is MatchKind.ASSOCIATED_CONTACTS:
        result = {}
        for rec in recs:
            hs_id = str(rec[HUBSPOT_ID])
            votes = Counter(
                link.sf_parent
                for link in ctx.state.parents_of(CONTACTS, hs_parent=hs_id)
                if link.sf_parent
            )
            taken = ctx.state.links_by_salesforce(obj.hubspot_object, [str(v) for v in votes])
            for account, _ in votes.most_common():
                if account and account not in taken:
                    result[hs_id] = (obj.salesforce_objects[0], account)
                    break
        return result
    return {}


def hubspot_candidates(ctx: Context, obj: ObjectSync, records: Iterable[Record]) -> dict[str, str]:
    """Salesforce id -> HubSpot id of the record it matches (which may be linked already)."""
    recs = list(records)
    if obj.match.kind is MatchKind.FIELD and obj.salesforce_match_key is not None:
        keys = {str(r[SALESFORCE_ID]): obj.salesforce_match_key(r) for r in recs}
        wanted = [k for k in keys.values() if k]
        kinds = (obj.hubspot_object,)
        found = _merge(
            ctx.staging.by_keys(HUBSPOT, wanted, kinds), ctx.state.find_keys(HUBSPOT, wanted, kinds)
        )
        return {sf_id: found[key][0][1] for sf_id, key in keys.items() if key and found.get(key)}
    if obj.match.kind is MatchKind.ASSOCIATED_CONTACTS:
        result: dict[str, str] = {}
        for rec in recs:
            sf_id = str(rec[SALESFORCE_ID])
            votes = Counter(
                link.hs_parent
                for link in ctx.state.parents_of(CONTACTS, sf_parent=sf_id)
                if link.hs_parent
            )
            taken = ctx.state.links_by_hubspot(obj.hubspot_object, [str(v) for v in votes])
            for company, _ in votes.most_common():
                if company and company not in taken:
                    result[sf_id] = str(company)
                    break
        return result
    return {}
