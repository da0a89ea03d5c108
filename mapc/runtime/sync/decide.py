"""Per-field decisions for one linked pair: what to write where, under each field's rule.

The one place a field's rule is decided. The adapter's transforms only convert values
(types, value maps); `offered` applies the part of each rule that depends on the values
alone, and `decide` the part that depends on which side changed since the last sync (the
link's snapshots). Nothing here touches an API or the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mapc.runtime.adapter import FieldSync, ObjectSync, Rule
from mapc.runtime.sync.behaviours.owners import OwnerDirectory
from mapc.runtime.sync.values import blank, canon_text, truthy
from mapc.runtime.sync.values import same as same_exact


@dataclass(frozen=True)
class Conflict:
    field: str
    hubspot_value: Any
    salesforce_value: Any
    winner: str


@dataclass
class Decision:
    to_salesforce: dict[str, Any] = field(default_factory=dict)
    to_hubspot: dict[str, Any] = field(default_factory=dict)
    unsubscribe: bool = False
    """R1: unsubscribe the HubSpot contact from all email (Communication Preferences)."""
    person_opt_out: bool = False
    """R1 on a person account (R7): set its Email Opt Out on the Account, the one write
    mapc makes to a person account (Salesforce mirrors it to the contact behind it)."""
    conflicts: list[Conflict] = field(default_factory=list)
    owner_resets: list[str] = field(default_factory=list)
    """R10: HubSpot owner fields reset to Salesforce's owner (no matching active user)."""

    @property
    def empty(self) -> bool:
        return not (
            self.to_salesforce or self.to_hubspot or self.unsubscribe or self.person_opt_out
        )


def same_ci(a: Any, b: Any) -> bool:
    """Match keys compared ignoring case (HubSpot lower-cases emails it stores)."""
    return same_exact(
        a.lower() if isinstance(a, str) else a, b.lower() if isinstance(b, str) else b
    )


def _case_blind(obj: ObjectSync, f: FieldSync) -> bool:
    return obj.match.ignore_case and f.hubspot == obj.match.hubspot_field


def unchanged(
    obj: ObjectSync, sobject: str, record: Mapping[str, Any], last: Mapping[str, Any], side: str
) -> bool:
    """Whether one side's record still holds the values last synced (an echo of our own
    write, or a change to fields no mapping reads)."""
    for f in fields_for(obj, sobject):
        name = f.hubspot if side == "hubspot" else f.salesforce
        if name not in last:
            return False
        if f.rule is Rule.OPT_OUT:
            if truthy(record.get(name)) != truthy(last[name]):
                return False
            continue
        same = same_ci if _case_blind(obj, f) else same_exact
        if not same(record.get(name), last[name]):
            return False
    return True


def fields_for(obj: ObjectSync, sobject: str) -> list[FieldSync]:
    return [f for f in obj.fields if sobject in f.salesforce_objects]


def snapshot(
    obj: ObjectSync, sobject: str, hs: Mapping[str, Any], sf: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values to remember as last synced, from both sides' current records."""
    mapped = fields_for(obj, sobject)
    return (
        {f.hubspot: canon_text(hs.get(f.hubspot)) for f in mapped},
        {f.salesforce: canon_text(sf.get(f.salesforce)) for f in mapped},
    )


def offered(
    obj: ObjectSync,
    sobject: str,
    record: Mapping[str, Any],
    other: Mapping[str, Any] | None,
    *,
    to_salesforce: bool,
) -> dict[str, Any]:
    """What one side's `record` may write over the other side's record `other` (None: a
    record not made yet), field by field, before any question of what changed: its values
    as the transform converts them, for the fields whose rule lets them flow this way.

    Prefer Salesforce unless blank (R12) writes HubSpot's value only into a blank
    Salesforce field, and never offers a blank Salesforce value (a clearing is `decide`'s
    to judge, from the last synced value). The opt-out (R1) only ever offers an
    unsubscribe: True to Salesforce, "true" to HubSpot, nothing for a subscribed record.
    """
    if to_salesforce:
        converted = obj.to_salesforce(sobject, record)
    else:
        converted = obj.to_hubspot(sobject, record)
    target_record: Mapping[str, Any] = other or {}
    out: dict[str, Any] = {}
    for f in fields_for(obj, sobject):
        if not (f.to_salesforce if to_salesforce else f.to_hubspot):
            continue
        source, target = (f.hubspot, f.salesforce) if to_salesforce else (f.salesforce, f.hubspot)
        if f.rule is Rule.OPT_OUT:
            if truthy(record.get(source)):
                out[target] = True if to_salesforce else "true"
            continue
        if target not in converted:
            continue  # a value its value map lacks: nothing to write
        value = converted[target]
        if f.rule is Rule.PREFER_SALESFORCE and (
            blank(value) or (to_salesforce and not blank(target_record.get(target)))
        ):
            continue
        out[target] = value
    return out


def decide(
    obj: ObjectSync,
    sobject: str,
    hs: Mapping[str, Any],
    sf: Mapping[str, Any],
    hs_last: Mapping[str, Any] | None,
    sf_last: Mapping[str, Any] | None,
    *,
    hubspot_newer: bool,
    owners: OwnerDirectory | None,
    salesforce_writable: bool = True,
) -> Decision:
    """What to write for one pair. `hs_last`/`sf_last` are None before its first sync."""
    first = hs_last is None or sf_last is None
    hs_prev: Mapping[str, Any] = hs_last or {}
    sf_prev: Mapping[str, Any] = sf_last or {}
    to_sf = offered(obj, sobject, hs, sf, to_salesforce=True)
    to_hs = offered(obj, sobject, sf, hs, to_salesforce=False)
    out = Decision()
    for f in fields_for(obj, sobject):
        hv, sv = hs.get(f.hubspot), sf.get(f.salesforce)
        same = same_ci if _case_blind(obj, f) else same_exact
        # A field mapped after the pair last synced (or set aside by `mapc resync`) has no
        # last synced value on either side: it syncs as at a first sync.
        field_first = first or (f.hubspot not in hs_prev and f.salesforce not in sf_prev)
        hs_changed = field_first or not same(hv, hs_prev.get(f.hubspot))
        sf_changed = field_first or not same(sv, sf_prev.get(f.salesforce))
        if not (hs_changed or sf_changed) or f.rule is Rule.DO_NOT_SYNC:
            continue
        if f.rule is Rule.OPT_OUT:
            _opt_out(f, to_sf, to_hs, hv, sv, hs_changed, sf_changed, out, salesforce_writable)
            continue
        if f.owner:
            _owner(
                f,
                hv,
                sv,
                sf_prev,
                hs_changed,
                sf_changed,
                hubspot_newer,
                field_first,
                owners,
                out,
                salesforce_writable,
            )
            continue
        # Writability is applied after the rule has picked a side: a Salesforce record
        # that cannot be written (a person account, R7) loses nothing it would have won.
        send_sf = f.to_salesforce and f.salesforce in to_sf and not same(to_sf[f.salesforce], sv)
        send_hs = f.to_hubspot and f.hubspot in to_hs and not same(to_hs[f.hubspot], hv)
        if f.rule is Rule.TWO_WAY:
            send_sf = send_sf and hs_changed
            send_hs = send_hs and sf_changed
            if send_sf and send_hs:
                if field_first and (blank(hv) or blank(sv)):
                    hubspot_wins = blank(sv)
                else:
                    hubspot_wins = hubspot_newer
                    if not field_first:
                        winner = "hubspot" if hubspot_wins else "salesforce"
                        out.conflicts.append(Conflict(f.hubspot, hv, sv, winner))
                send_sf, send_hs = hubspot_wins, not hubspot_wins
        elif f.rule is Rule.PREFER_SALESFORCE:
            if _cleared_in_salesforce(f, sv, sf_prev, field_first, sf_changed):
                # Salesforce clearing a value it had wins like any of its values (HubSpot's
                # connector clears the property); `offered` carries no blank value.
                if f.to_hubspot and not blank(hv):
                    out.to_hubspot[f.hubspot] = None
                continue
            # `offered` already holds back a blank Salesforce value and HubSpot's value
            # over a Salesforce one: what is left goes from the side that changed.
            send_hs = send_hs and sf_changed
            send_sf = send_sf and hs_changed
        elif f.rule is Rule.ALWAYS_SALESFORCE:
            send_sf = False
        elif f.rule is Rule.ALWAYS_HUBSPOT:
            send_hs = False
        if send_sf and salesforce_writable:
            out.to_salesforce[f.salesforce] = to_sf[f.salesforce]
        if send_hs:
            out.to_hubspot[f.hubspot] = to_hs[f.hubspot]
    return out


def _cleared_in_salesforce(
    f: FieldSync, sv: Any, sf_prev: Mapping[str, Any], first: bool, sf_changed: bool
) -> bool:
    """R12, prefer Salesforce unless blank: Salesforce's value was cleared since the last
    sync (blank now, not blank then). A value blank from the start is not a clearing: there
    HubSpot's value fills Salesforce."""
    return not first and sf_changed and blank(sv) and not blank(sf_prev.get(f.salesforce))


def _opt_out(
    f: FieldSync,
    to_sf: Mapping[str, Any],
    to_hs: Mapping[str, Any],
    hv: Any,
    sv: Any,
    hs_changed: bool,
    sf_changed: bool,
    out: Decision,
    salesforce_writable: bool,
) -> None:
    """R1: an unsubscribe travels both ways; a cleared opt-out never resubscribes HubSpot
    (`offered` offers only unsubscribes)."""
    if f.salesforce in to_sf and not truthy(sv) and hs_changed:
        if salesforce_writable:
            out.to_salesforce[f.salesforce] = to_sf[f.salesforce]
        else:
            out.person_opt_out = True
    if f.hubspot in to_hs and not truthy(hv) and sf_changed:
        out.unsubscribe = True


def _owner(
    f: FieldSync,
    hv: Any,
    sv: Any,
    sf_prev: Mapping[str, Any],
    hs_changed: bool,
    sf_changed: bool,
    hubspot_newer: bool,
    first: bool,
    owners: OwnerDirectory | None,
    out: Decision,
    salesforce_writable: bool,
) -> None:
    """R10: translate owners; a HubSpot owner with no active Salesforce user is reset."""
    if owners is None:
        return
    sf_target = owners.salesforce_for_hubspot(hv) if not blank(hv) else None
    hs_target = owners.hubspot_for_salesforce(sv) if not blank(sv) else None
    want_sf = f.to_salesforce and hs_changed and not blank(hv) and salesforce_writable
    want_hs = f.to_hubspot and sf_changed and hs_target is not None and hs_target != str(hv or "")
    if want_sf and sf_target == sv:
        want_sf = False  # already the same person
    if want_sf and want_hs:
        use_hubspot = hubspot_newer and not first
        want_sf, want_hs = use_hubspot, not use_hubspot
    if want_sf:
        if sf_target is not None:
            out.to_salesforce[f.salesforce] = sf_target
            return
        # No active Salesforce user with this owner's name and email: write nothing to
        # Salesforce and put back the owner of the last value read from Salesforce.
        last = sv if not blank(sv) else sf_prev.get(f.salesforce)
        reset = owners.hubspot_for_salesforce(last)
        if reset is not None and reset != str(hv or ""):
            out.to_hubspot[f.hubspot] = reset
            out.owner_resets.append(f.hubspot)
        return
    if want_hs and hs_target is not None:
        out.to_hubspot[f.hubspot] = hs_target
