"""The catalogue of change kinds: a stable code, a title, and whether it is breaking.

B-codes are breaking (they need care in production: duplicates, records or values that
stop syncing, data written differently); S-codes are safe. docs/diff.md has a section per
code, and a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeKind:
    code: str
    title: str
    hint: str

    @property
    def breaking(self) -> bool:
        return self.code.startswith("B")


_KINDS = (
    # files and mappings
    ChangeKind(
        "S002",
        "mapping renamed",
        "only the run log's label changes: links and cursors are kept per HubSpot account "
        "(MAPC_HUBSPOT_ACCOUNT) and the generated module is named after the file",
    ),
    ChangeKind(
        "B002",
        "mapping file removed",
        "its records stop syncing; make sure the sync is meant to end",
    ),
    ChangeKind("S001", "mapping file added", "a new sync starts on the next run"),
    # object pairs
    ChangeKind(
        "B101",
        "object pair removed",
        "records of this pair stop syncing; make sure that is intended",
    ),
    ChangeKind(
        "B102",
        "Salesforce object removed from a pair",
        "records of that object stop syncing; make sure that is intended",
    ),
    ChangeKind(
        "B103",
        "object pair direction changed",
        "records now flow the other way (or only one way); review both systems' data first",
    ),
    ChangeKind(
        "B104",
        "first Salesforce object of a pair changed",
        "new HubSpot records now create the first object listed (and companies link to it): "
        "records created from now on land in another Salesforce object",
    ),
    ChangeKind("S101", "object pair added", "a new pair syncs from the next run on"),
    ChangeKind("S102", "Salesforce object added to a pair", "records of that object start syncing"),
    # match keys
    ChangeKind(
        "B201",
        "match key changed",
        "records linked under the old key are matched again under the new one: the next run "
        "can create duplicates; plan a migration of the links",
    ),
    ChangeKind(
        "B202",
        "match key removed",
        "without a match key every record is created anew on the other side: duplicates",
    ),
    # field mappings
    ChangeKind(
        "B301",
        "field mapping removed",
        "the field stops syncing; values already written stay as they are",
    ),
    ChangeKind(
        "B302",
        "field direction reversed",
        "values now overwrite the side they used to come from; review both sides first",
    ),
    ChangeKind(
        "B303",
        "two-way field made one-way",
        "changes on one side stop reaching the other",
    ),
    ChangeKind(
        "B304",
        "field stops syncing",
        "`do not sync` writes nothing either way; remove the mapping if that is the intent",
    ),
    ChangeKind(
        "B305",
        "field mapping narrowed to fewer Salesforce objects",
        "the field stops syncing for the objects no longer covered",
    ),
    ChangeKind(
        "B306",
        "value map of a field changed",
        "values are now translated differently; records already synced keep the old values",
    ),
    ChangeKind(
        "B307",
        "field rule restricts one side",
        "one side's edits now win less often (e.g. `two way` -> `prefer salesforce unless "
        "blank`): its changes can be overwritten",
    ),
    ChangeKind(
        "B308",
        "owner handling changed",
        "owner values are now written untranslated, or translated to Salesforce users",
    ),
    ChangeKind(
        "B309",
        "standard opt-out rule changed",
        "only `standard opt_out` keeps a cleared Salesforce Email Opt Out from resubscribing "
        "HubSpot (R1); `mapc check` rejects any other rule for it (E402): restore it",
    ),
    ChangeKind("S301", "field mapping added", "the field starts syncing on the next run"),
    ChangeKind(
        "S302",
        "field syncs more",
        "values start flowing where (or when) they did not, e.g. one-way made two-way: the "
        "receiving side's values can be overwritten",
    ),
    ChangeKind(
        "S304",
        "field mapping widened to more Salesforce objects",
        "the field starts syncing for the objects added",
    ),
    # inclusion filter
    ChangeKind(
        "B401",
        "inclusion filter narrowed or changed",
        "contacts outside the new filter stop syncing to Salesforce; unless the new filter "
        "provably includes everything the old one did, treat it as narrowing",
    ),
    ChangeKind(
        "S401",
        "inclusion filter widened",
        "more contacts sync to Salesforce from the next run on",
    ),
    # value maps
    ChangeKind(
        "B501",
        "value dropped from a value map",
        "records holding that value can no longer be translated: they fail to sync or are "
        "written blank",
    ),
    ChangeKind(
        "B502",
        "value map entry changed",
        "the value is now written differently; records already synced keep the old value",
    ),
    ChangeKind(
        "B503",
        "value map removed",
        "fields that used it can no longer translate their values",
    ),
    ChangeKind("S501", "value added to a value map", "one more value translates"),
    ChangeKind("S503", "value map added or unused one removed", "nothing that syncs today changes"),
    # settings
    ChangeKind(
        "B601",
        "contact creation setting changed",
        "which Salesforce records create HubSpot contacts changes (R5); with several HubSpot "
        "accounts on one org, `never` is recommended",
    ),
    ChangeKind(
        "B602",
        "person accounts setting changed",
        "Salesforce person accounts start or stop becoming a HubSpot company and contact",
    ),
    ChangeKind(
        "B603",
        "Salesforce object for new HubSpot contacts changed",
        "new HubSpot contacts from now on create other Salesforce records (leads instead of "
        "contacts, or the reverse); those already linked stay where they are",
    ),
    ChangeKind(
        "S601",
        "shared org setting changed",
        "only the checker's advice changes (W101); sync state stays per mapping",
    ),
    ChangeKind(
        "S602", "catalogs setting changed", "field types are checked against other catalogs"
    ),
    ChangeKind(
        "S603",
        "create_salesforce_as written out or dropped, same meaning",
        "new HubSpot contacts create the same Salesforce object as before",
    ),
    # defaults, events, Closed/Won
    ChangeKind(
        "B701",
        "default value removed",
        "records created from now on get no value there; a required field makes creates fail",
    ),
    ChangeKind("S701", "default value added or changed", "only records created from now on get it"),
    ChangeKind(
        "B801",
        "Closed/Won rule removed or changed",
        "won opportunities stop updating (or update differently) their contacts",
    ),
    ChangeKind("S801", "Closed/Won rule added", "won opportunities start updating contacts"),
    ChangeKind(
        "B802",
        "email events removed or narrowed",
        "email opens or clicks stop becoming Salesforce tasks (or become other records)",
    ),
    ChangeKind(
        "S802", "email events added or widened", "more email events become Salesforce tasks"
    ),
    # associations
    ChangeKind(
        "B901",
        "association removed or changed",
        "the association stops syncing (or syncs another way or through another field)",
    ),
    ChangeKind("S901", "association added", "the association starts syncing on the next run"),
    # idempotency keys
    ChangeKind(
        "B902",
        "idempotency key removed or changed",
        "creates stop being upserts by the key (a lost answer is then recovered by fingerprint, "
        "at least once); records created under an old key are not found by a new one, and "
        "`mapc state rebuild` no longer reads the links they hold",
    ),
    # deletion policies
    ChangeKind(
        "B950",
        "deletions now delete the counterpart",
        "a record deleted on that side from the next run on also deletes (archives) its "
        "counterpart on the other side, where before the pair was only unlinked",
    ),
    ChangeKind(
        "S950",
        "deletions now only unlink",
        "a record deleted on that side no longer deletes its counterpart: the counterpart "
        "stays, unlinked",
    ),
    ChangeKind(
        "S902",
        "idempotency key added",
        "records created from now on are upserts by the key (exactly once); records created "
        "before hold no key",
    ),
)

KINDS: dict[str, ChangeKind] = {k.code: k for k in _KINDS}
