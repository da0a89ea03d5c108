"""`mapc resync`: which pairs, records and fields a run reads again and re-applies.

A resync run reads every record of the chosen pairs (or those changed since a moment)
regardless of the cursors, and reconciles each with its counterpart read fresh, never
with the last synced values standing in for it. Links are kept, so a record already
paired is updated in place and nothing is created twice. A field named with `fields` is
decided as at a first sync (its last synced values are set aside): a field mapping added
after the records were linked reaches them all. Cursors do not move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mapc.runtime.adapter import Adapter, ObjectSync
from mapc.runtime.errors import ConfigurationError
from mapc.runtime.records import Cursor


@dataclass(frozen=True)
class Resync:
    pairs: tuple[str, ...] = ()
    """HubSpot objects of the sync blocks to resync (`contacts`, `deals`); none: all."""
    fields: tuple[str, ...] = ()
    """HubSpot properties to re-apply as at a first sync; none: each field as usual."""
    since: datetime | None = None
    """Only records changed since then (on either side); None: every record."""

    def covers(self, obj: ObjectSync) -> bool:
        return not self.pairs or obj.hubspot_object in self.pairs

    def cursor(self) -> Cursor | None:
        """Where a resync read starts: the beginning, or `since`."""
        return Cursor.at(self.since) if self.since is not None else None

    def check(self, adapter: Adapter) -> None:
        """A pair or field the adapter does not sync is a one-sentence error."""
        known = [o.hubspot_object for o in adapter.objects]
        unknown = [p for p in self.pairs if p not in known]
        if unknown:
            raise ConfigurationError(
                f"no sync block for {', '.join(unknown)} in {adapter.name}; "
                f"its pairs are {', '.join(known)}"
            )
        chosen = [o for o in adapter.objects if self.covers(o)]
        mapped = {f.hubspot for o in chosen for f in o.fields}
        missing = [f for f in self.fields if f not in mapped]
        if missing:
            raise ConfigurationError(
                f"{', '.join(missing)}: not a mapped HubSpot property of "
                f"{', '.join(o.hubspot_object for o in chosen)} in {adapter.name}"
            )

    def set_aside(
        self, obj: ObjectSync, hs_last: Mapping[str, Any], sf_last: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The last synced values without the fields re-applied as at a first sync."""
        chosen = [f for f in obj.fields if f.hubspot in self.fields]
        hs = {k: v for k, v in hs_last.items() if k not in {f.hubspot for f in chosen}}
        sf = {k: v for k, v in sf_last.items() if k not in {f.salesforce for f in chosen}}
        return hs, sf
