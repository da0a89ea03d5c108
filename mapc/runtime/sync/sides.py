"""One direction of a pair: whose staged changes, and how they meet the other side's records."""

from __future__ import annotations

from abc import ABC, abstractmethod

from mapc.runtime.adapter import ObjectSync
from mapc.runtime.records import Record
from mapc.runtime.sync.apply import snapshot_record
from mapc.runtime.sync.behaviours.company_links import parent_moved, read_companies
from mapc.runtime.sync.behaviours.lead_conversion import retired
from mapc.runtime.sync.behaviours.names import HUBSPOT_ID, SALESFORCE_ID
from mapc.runtime.sync.context import HUBSPOT, SALESFORCE, Context
from mapc.runtime.sync.creates import Creates
from mapc.runtime.sync.decide import unchanged
from mapc.runtime.sync.matching import hubspot_candidates, salesforce_candidates
from mapc.runtime.sync.state import Link

Match = tuple[str, str]
"""A record on the other side, as (object, id)."""


def included(obj: ObjectSync, hs: Record, remembered: Link | None = None) -> bool:
    """R4: whether a HubSpot record is in the pair's inclusion list; for one not read this
    run (`remembered`: the link whose snapshot stands for it), the answer when it was
    last read."""
    if remembered is not None:
        return not remembered.flags.excluded
    return obj.include is None or bool(obj.include(hs))


def named(match: Match) -> str:
    return f"{match[0]} {match[1]}"


class Side(ABC):
    """The changes staged on side `name`, reconciled with the records of side `other`
    (where their writes go). HubSpot's side runs first; Salesforce's runs second and
    leaves alone what the first reconciled. Each side's own rules are the methods a
    subclass overrides (the defaults: no such rule)."""

    name: str
    other: str
    title: str
    other_title: str
    id_field: str
    objects: tuple[str, ...]
    """The objects staged on this side, reconciled one after the other."""
    other_objects: tuple[str, ...]
    second = False
    """Links whose other record was staged were reconciled from the other side already."""
    waits_for_unread_match = False
    """A matched record that cannot be read (gone since its key was kept) creates nothing
    this run: its key is forgotten and the next run decides again."""

    def __init__(self, ctx: Context, obj: ObjectSync, creates: Creates) -> None:
        self.ctx, self.obj, self.creates = ctx, obj, creates
        self.decided_early: set[str] = set()
        """Records created (or reported duplicates) while the other side was still read
        (runtime/sync/early.py): nothing is left to reconcile for them."""

    def id_of(self, record: Record) -> str:
        return str(record[self.id_field])

    def progress(self, staged: str) -> str:
        return self.title

    @abstractmethod
    def links(self, ids: list[str]) -> dict[str, Link]:
        """The links of this side's records, by their ids."""

    @abstractmethod
    def own(self, link: Link) -> Match:
        """This side's record of a link."""

    @abstractmethod
    def counterpart(self, link: Link) -> Match:
        """The other side's record of a link."""

    @abstractmethod
    def last_synced(self, link: Link) -> Record:
        """This side's values as last synced."""

    @abstractmethod
    def candidates(self, unlinked: list[Record]) -> dict[str, Match]:
        """Id -> the other side's record an unlinked record matches (R6)."""

    @abstractmethod
    def read(self, wanted: list[Match]) -> dict[str, Record]:
        """The other side's records by id: this run's staging, else read."""

    @abstractmethod
    def pair(self, record: Record, there: Record) -> tuple[Record, Record]:
        """(HubSpot record, Salesforce record)."""

    @abstractmethod
    def included(self, record: Record, there: Record, remembered: Link | None) -> bool:
        """R4: whether the pair's HubSpot record is in the inclusion list (`remembered`:
        the link whose snapshot stands for `there`, when it was not read this run)."""

    @abstractmethod
    def new_link(self, staged: str, rid: str, match: Match) -> Link:
        """The link an unlinked record and its match make."""

    @abstractmethod
    def create(self, staged: str, record: Record) -> None:
        """Create the other side's record for one that has no counterpart."""

    def remembered(self, link: Link) -> Record:
        """The other side's record as last synced (it was not read, so did not change)."""
        return snapshot_record(link, self.other)

    def settled(self, link: Link, record: Record) -> bool:
        """The record still holds its last synced values (and parent), and the other side
        was not read this run, so did not change: nothing to do, no read."""
        if not link.synced or self.ctx.resync is not None:
            return False
        if parent_moved(self.obj, link, record, self.name):
            return False
        return unchanged(self.obj, link.sf_object, record, self.last_synced(link), self.name)

    # -- each side's own rules ----------------------------------------------------------

    def passed_over(self, rid: str) -> bool:
        """Left out of reconciling without a word."""
        return False

    def excluded(self, record: Record, link: Link | None) -> bool:
        """Outside the inclusion list, known before the other side is read."""
        return False

    def stopped(self, link: Link) -> str | None:
        """Why a link syncs no more, if it does not."""
        return None

    def prepare(
        self, by_id: dict[str, Record], links: dict[str, Link], matches: dict[str, Match]
    ) -> None:
        """Complete the chunk's records before they are compared."""
        return None

    def taken(self, matches: dict[str, Match]) -> dict[str, Link]:
        """Matched records of the other side that already sync with another of ours."""
        return {}

    def duplicate(self, record: Record) -> str | None:
        """Why an unmatched record creates nothing, when another one creates its match."""
        return None


class FromHubSpot(Side):
    """HubSpot's changes: the inclusion list is theirs (R4), a converted lead's link
    syncs no more, and a contact brings its company (R2, R6)."""

    name, other, title, other_title = HUBSPOT, SALESFORCE, "HubSpot", "Salesforce"
    id_field = HUBSPOT_ID
    waits_for_unread_match = True

    def __init__(self, ctx: Context, obj: ObjectSync, creates: Creates) -> None:
        super().__init__(ctx, obj, creates)
        self.objects, self.other_objects = (obj.hubspot_object,), obj.salesforce_objects

    def links(self, ids: list[str]) -> dict[str, Link]:
        return self.ctx.state.links_by_hubspot(self.obj.hubspot_object, ids)

    def own(self, link: Link) -> Match:
        return link.object, link.hubspot_id

    def counterpart(self, link: Link) -> Match:
        return link.sf_object, link.sf_id

    def last_synced(self, link: Link) -> Record:
        return link.hs_values

    def candidates(self, unlinked: list[Record]) -> dict[str, Match]:
        # Only an included record can match: one left out must not take the match of one in.
        recs = [r for r in unlinked if included(self.obj, r)]
        return salesforce_candidates(self.ctx, self.obj, recs)

    def read(self, wanted: list[Match]) -> dict[str, Record]:
        return self.ctx.salesforce_records(self.obj, wanted)

    def pair(self, record: Record, there: Record) -> tuple[Record, Record]:
        return record, there

    def included(self, record: Record, there: Record, remembered: Link | None) -> bool:
        return included(self.obj, record)

    def new_link(self, staged: str, rid: str, match: Match) -> Link:
        return Link(self.obj.hubspot_object, rid, match[0], match[1], origin="match")

    def create(self, staged: str, record: Record) -> None:
        self.creates.in_salesforce(record)

    def excluded(self, record: Record, link: Link | None) -> bool:
        """Not synced, and its link remembers it (R4/R5)."""
        if included(self.obj, record):
            return False
        if link is not None and not link.flags.excluded:
            link.flags.excluded = True
            self.ctx.touch(link)
        return True

    def stopped(self, link: Link) -> str | None:
        contact = retired(link)
        if contact is None:
            return None
        name = self.obj.hubspot_object
        return f"its lead was converted into {contact}, which syncs with another {name}"

    def prepare(
        self, by_id: dict[str, Record], links: dict[str, Link], matches: dict[str, Match]
    ) -> None:
        read_companies(self.ctx, self.obj, by_id, links, matches)


class FromSalesforce(Side):
    """Salesforce's changes, one object after the other: second, so what HubSpot's side
    reconciled (and converted leads) are left alone; a match already linked is a
    duplicate, and so is a second record creating the same match key (R6)."""

    name, other, title, other_title = SALESFORCE, HUBSPOT, "Salesforce", "HubSpot"
    id_field = SALESFORCE_ID
    second = True

    def __init__(self, ctx: Context, obj: ObjectSync, creates: Creates) -> None:
        super().__init__(ctx, obj, creates)
        self.objects, self.other_objects = obj.salesforce_objects, (obj.hubspot_object,)
        self._creating: dict[str, str] = {}
        """Match key -> the record creating a HubSpot record for it this run."""

    def progress(self, staged: str) -> str:
        return f"{self.title} {staged}"

    def links(self, ids: list[str]) -> dict[str, Link]:
        return self.ctx.state.links_by_salesforce(self.obj.hubspot_object, ids)

    def own(self, link: Link) -> Match:
        return link.sf_object, link.sf_id

    def counterpart(self, link: Link) -> Match:
        return link.object, link.hubspot_id

    def last_synced(self, link: Link) -> Record:
        return link.sf_values

    def candidates(self, unlinked: list[Record]) -> dict[str, Match]:
        name = self.obj.hubspot_object
        found = hubspot_candidates(self.ctx, self.obj, unlinked)
        return {sf_id: (name, hs_id) for sf_id, hs_id in found.items()}

    def read(self, wanted: list[Match]) -> dict[str, Record]:
        return self.ctx.hubspot_records(self.obj, [rid for _, rid in wanted])

    def pair(self, record: Record, there: Record) -> tuple[Record, Record]:
        return there, record

    def included(self, record: Record, there: Record, remembered: Link | None) -> bool:
        return included(self.obj, there, remembered)

    def new_link(self, staged: str, rid: str, match: Match) -> Link:
        return Link(self.obj.hubspot_object, match[1], staged, rid, origin="match")

    def create(self, staged: str, record: Record) -> None:
        key = self._key(record)
        if key:
            self._creating[key] = f"{staged} {self.id_of(record)}"
        self.creates.in_hubspot(staged, record)

    def passed_over(self, rid: str) -> bool:
        # Reconciled from HubSpot's side in a dry run (which saves no link), a converted
        # lead (read-only, its link moved), or created while HubSpot was read.
        return rid in self.ctx.planned or rid in self.ctx.retired or rid in self.decided_early

    def taken(self, matches: dict[str, Match]) -> dict[str, Link]:
        return self.ctx.state.links_by_hubspot(
            self.obj.hubspot_object, [rid for _, rid in matches.values()]
        )

    def duplicate(self, record: Record) -> str | None:
        key = self._key(record)
        if key and key in self._creating:
            return f"duplicate by email of {self._creating[key]} (R6)"
        return None

    def _key(self, record: Record) -> str | None:
        key = self.obj.salesforce_match_key
        return key(record) if key else None
