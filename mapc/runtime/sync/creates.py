"""Creating the other side's record for an unlinked one, and linking it to what was made."""

from __future__ import annotations

from functools import partial
from typing import Any

from mapc.runtime.adapter import CreateContacts, MatchKind, ObjectSync
from mapc.runtime.kinds import Rule
from mapc.runtime.records import Record, WriteResult
from mapc.runtime.sync.apply import (
    PARENT_KEY,
    bracketed,
    queue_unsubscribe,
)
from mapc.runtime.sync.behaviours.names import (
    ACCOUNT_ID,
    CONTACT,
    EMAIL,
    HUBSPOT_ID,
    SALESFORCE_ID,
)
from mapc.runtime.sync.behaviours.person_accounts import never_created
from mapc.runtime.sync.behaviours.seed import leads_and_contacts
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.decide import fields_for, offered, snapshot
from mapc.runtime.sync.flags import LinkFlags
from mapc.runtime.sync.journal import Journal
from mapc.runtime.sync.report import Change
from mapc.runtime.sync.state import Link
from mapc.runtime.sync.values import blank, canon_text, truthy
from mapc.runtime.sync.writes import HUBSPOT_BATCH, SALESFORCE_BATCH, Item


class Creates:
    """One pair's creates: the payload, sent in batches (upserted by the pair's idempotency
    key, else journalled for recovery), and the link its result makes. HubSpot never
    creates person accounts (R7); which Salesforce records create HubSpot contacts: R5."""

    def __init__(self, ctx: Context, obj: ObjectSync) -> None:
        self.ctx, self.obj, self.name = ctx, obj, obj.hubspot_object
        self.journal = Journal(ctx, self.name)

    def queue_salesforce(self, sobject: str) -> None:
        """The write queue of creates of `sobject` in Salesforce."""
        ctx, sf = self.ctx, self.ctx.salesforce
        key = self.obj.salesforce_keys.get(sobject)
        if key is not None:
            # Exactly once: a retried upsert finds what a lost answer created, so there is
            # nothing to journal and nothing to find by fingerprint.
            ctx.writes.queue(
                f"sf:create:{self.name}:{sobject}",
                SALESFORCE_BATCH,
                partial(sf.upsert, sobject, key),
                after=self._saved,
            )
        else:
            ctx.writes.queue(
                f"sf:create:{self.name}:{sobject}",
                SALESFORCE_BATCH,
                partial(sf.create, sobject),
                before=self.journal.before(SALESFORCE, sobject),
                after=self.journal.after,
            )

    def queue_hubspot(self) -> None:
        """The write queue of creates of the pair's object in HubSpot."""
        ctx, hs, name = self.ctx, self.ctx.hubspot, self.name
        key = self.obj.hubspot_key
        if key is not None:
            ctx.writes.queue(
                f"hs:create:{name}",
                HUBSPOT_BATCH,
                lambda recs: hs.upsert(name, recs, id_property=key),
                after=self._saved,
            )
        else:
            ctx.writes.queue(
                f"hs:create:{name}",
                HUBSPOT_BATCH,
                lambda recs: hs.create(name, recs),
                before=self.journal.before(HUBSPOT, name),
                after=self.journal.after,
            )

    def _saved(self, _items: list[Item]) -> None:
        self.ctx.save()

    def in_salesforce(self, hs: Record) -> None:
        """Queue the Salesforce record for an unlinked HubSpot one."""
        ctx, obj = self.ctx, self.obj
        hs_id = str(hs[HUBSPOT_ID])
        if self._held(SALESFORCE, hs_id, f"{self.name} {hs_id}"):
            return
        if obj.match.kind is MatchKind.FIELD and obj.match_key and not obj.match_key(hs):
            ctx.report.add(
                self.name,
                SALESFORCE,
                "skip",
                f"{self.name} {hs_id}",
                reason=f"no {obj.match.hubspot_field or 'match key'} to match on",
            )
            return
        sobject = obj.create_object or obj.salesforce_objects[0]
        values = self._values_for_salesforce(sobject, hs)
        defaulted = sorted(
            k
            for k, v in ctx.create_defaults(obj, sobject).items()
            if values.get(k) == v and blank(_proposed(obj, sobject, hs, k))
        )
        counted = ctx.will(
            self.name,
            SALESFORCE,
            "create",
            f"{sobject} for {self.name} {hs_id}",
            tuple(sorted(values)),
            "new in HubSpot",
            tuple(Change(k, None, values[k]) for k in sorted(values)),
        )
        if ctx.dry_run:
            return
        now_hs, _ = snapshot(obj, sobject, hs, {})

        def done(result: WriteResult) -> None:
            if not result.ok or not result.id:
                for err in result.errors:
                    ctx.error(self.name, SALESFORCE, hs_id, err.code, err.message, err.fields)
                return
            counted()
            sf_values: dict[str, Any] = {f.salesforce: None for f in fields_for(obj, sobject)}
            sf_values.update({k: canon_text(v) for k, v in values.items()})
            link = Link(
                self.name,
                hs_id,
                sobject,
                result.id,
                origin=HUBSPOT,
                hs_values=dict(now_hs),
                sf_values=sf_values,
                hs_parent=hs.get(PARENT_KEY),
                flags=LinkFlags(placeholders=frozenset(defaulted)),
            )
            ctx.resolved(self.name, SALESFORCE, hs_id)
            ctx.touch(link)

        key = obj.salesforce_keys.get(sobject)
        payload = {**values, key: hs_id} if key else dict(values)
        ctx.writes.add(f"sf:create:{self.name}:{sobject}", payload, done, source=hs_id)

    def _values_for_salesforce(self, sobject: str, hs: Record) -> dict[str, Any]:
        """What a create sends: what the rules offer a record not made yet (`offered`),
        owners translated (R10), blanks left out, then the mapping's create defaults."""
        obj = self.obj
        values = offered(obj, sobject, hs, None, to_salesforce=True)
        for f in fields_for(obj, sobject):
            if f.owner and f.to_salesforce:
                owners = self.ctx.owners
                values[f.salesforce] = (
                    owners.salesforce_for_hubspot(hs.get(f.hubspot)) if owners else None
                )
        values = {k: v for k, v in values.items() if not blank(v)}
        for key, default in self.ctx.create_defaults(obj, sobject).items():
            if blank(values.get(key)):
                values[key] = default
        never = never_created(sobject, self.ctx.person_accounts)
        return {k: v for k, v in values.items() if k not in never}

    def _held(self, target: str, source: str, label: str) -> bool:
        """An earlier create of this record may have been carried out and cannot be
        found again (recovery): it is not created again until an operator settles it."""
        if (self.name, target, source) not in self.ctx.held:
            return False
        self.ctx.report.add(
            self.name,
            target,
            "skip",
            label,
            reason="maybe created by an earlier run (its answer was lost): see `mapc errors`",
        )
        return True

    def creates_from(self, sobject: str) -> bool:
        """Whether a new `sobject` record creates a HubSpot record (R5)."""
        if not leads_and_contacts(self.obj):
            return True
        setting = self.ctx.adapter.settings.create_hubspot_contacts
        if setting is CreateContacts.NEVER:
            return False
        return setting is CreateContacts.LEADS_AND_CONTACTS or sobject == CONTACT

    def in_hubspot(self, sobject: str, sf: Record) -> None:
        """Queue the HubSpot record for an unlinked Salesforce one."""
        ctx, obj = self.ctx, self.obj
        sf_id = str(sf[SALESFORCE_ID])
        if self._held(HUBSPOT, sf_id, f"{sobject} {sf_id}"):
            return
        if not self.creates_from(sobject):
            ctx.report.add(
                self.name,
                HUBSPOT,
                "skip",
                f"{sobject} {sf_id}",
                reason=f"create_hubspot_contacts: "
                f"{ctx.adapter.settings.create_hubspot_contacts.value} (R5)",
            )
            return
        values = self._values_for_hubspot(sobject, sf)
        counted = ctx.will(
            self.name,
            HUBSPOT,
            "create",
            f"{self.name} for {sobject} {sf_id}",
            tuple(sorted(values)),
            "new in Salesforce",
            tuple(Change(k, None, values[k]) for k in sorted(values)),
        )
        opt = next((f for f in fields_for(obj, sobject) if f.rule is Rule.OPT_OUT), None)
        opted_out = opt is not None and truthy(sf.get(opt.salesforce))
        if ctx.dry_run:
            if opt is not None and opted_out:
                ctx.report.add(
                    self.name,
                    HUBSPOT,
                    "unsubscribe",
                    f"{sobject} {sf_id}",
                    (opt.hubspot,),
                    "Email Opt Out set in Salesforce (R1)",
                )
            return
        _, now_sf = snapshot(obj, sobject, {}, sf)

        def done(result: WriteResult) -> None:
            if not result.ok or not result.id:
                for err in result.errors:
                    ctx.error(self.name, HUBSPOT, sf_id, err.code, err.message, err.fields)
                return
            counted()
            hs_values: dict[str, Any] = {f.hubspot: None for f in fields_for(obj, sobject)}
            hs_values.update({k: canon_text(v) for k, v in values.items()})
            if opt is not None:
                hs_values[opt.hubspot] = None
            if obj.match_key is not None:
                ctx.new_keys.append((HUBSPOT, self.name, result.id, obj.match_key(values)))
            link = Link(
                self.name,
                result.id,
                sobject,
                sf_id,
                origin=SALESFORCE,
                hs_values=hs_values,
                sf_values=dict(now_sf),
                sf_parent=str(sf.get(ACCOUNT_ID) or "") or None,
            )
            ctx.resolved(self.name, HUBSPOT, sf_id)
            ctx.touch(link)
            if opted_out:
                queue_unsubscribe(ctx, obj, link, values.get(EMAIL), now_sf)

        key = obj.hubspot_key
        payload = {**values, key: sf_id} if key else dict(values)
        ctx.writes.add(f"hs:create:{self.name}", payload, done, source=sf_id)

    def _values_for_hubspot(self, sobject: str, sf: Record) -> dict[str, Any]:
        """What a create sends: what the rules offer a record not made yet (`offered`),
        owners translated (R10), blanks and Salesforce's required-field placeholders left
        out, then the mapping's create defaults. The opt-out is not a property HubSpot
        takes on a create: it goes through Communication Preferences once the contact
        exists (R1, `queue_unsubscribe`)."""
        obj = self.obj
        values = offered(obj, sobject, sf, None, to_salesforce=False)
        placeholders = {
            k: v for k, v in obj.create_defaults.get(sobject, {}).items() if bracketed(v)
        }
        for f in fields_for(obj, sobject):
            if f.hubspot not in values:
                continue
            if f.rule is Rule.OPT_OUT:
                del values[f.hubspot]
            elif f.owner:
                owners = self.ctx.owners
                values[f.hubspot] = (
                    owners.hubspot_for_salesforce(sf.get(f.salesforce)) if owners else None
                )
            elif (
                f.salesforce in placeholders and sf.get(f.salesforce) == placeholders[f.salesforce]
            ):
                del values[f.hubspot]
        values = {k: v for k, v in values.items() if not blank(v)}
        for key, default in obj.hubspot_create_defaults.items():
            if blank(values.get(key)):
                values[key] = default
        return values


def _proposed(obj: ObjectSync, sobject: str, hs: Record, field: str) -> Any:
    return obj.to_salesforce(sobject, hs).get(field)
