"""Associations between HubSpot records, kept in both directions as HubSpot shows them."""

from __future__ import annotations

from collections import defaultdict

from mapc.emulator.hubspot.types import CrmTypes

Key = tuple[str, str]  # (object type, id)


class Associations:
    def __init__(self, types: CrmTypes) -> None:
        self._types = types
        # (from type, from id) -> (to type, to id) -> association type ids
        self._links: defaultdict[Key, dict[Key, set[int]]] = defaultdict(dict)

    def add(
        self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int | None = None
    ) -> int:
        default = self._types.default_association[(from_type, to_type)]
        type_id = type_id or default
        self._links[(from_type, from_id)].setdefault((to_type, to_id), set()).add(type_id)
        inverse = self._types.inverse.get(type_id, type_id)
        self._links[(to_type, to_id)].setdefault((from_type, from_id), set()).add(inverse)
        if type_id != default:
            # A labelled association always comes with the unlabelled one, as in HubSpot.
            self.add(from_type, from_id, to_type, to_id, None)
        return type_id

    def discard_type(
        self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int
    ) -> None:
        self._links.get((from_type, from_id), {}).get((to_type, to_id), set()).discard(type_id)
        inverse = self._types.inverse.get(type_id, type_id)
        self._links.get((to_type, to_id), {}).get((from_type, from_id), set()).discard(inverse)

    def remove(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self._links.get((from_type, from_id), {}).pop((to_type, to_id), None)
        self._links.get((to_type, to_id), {}).pop((from_type, from_id), None)

    def of(self, from_type: str, from_id: str, to_type: str) -> list[tuple[str, list[int]]]:
        linked = self._links.get((from_type, from_id), {})
        found = [
            (to_id, sorted(types)) for (kind, to_id), types in linked.items() if kind == to_type
        ]
        return sorted(found, key=lambda item: int(item[0]) if item[0].isdigit() else 0)

    def drop(self, kind: str, record_id: str) -> list[tuple[str, str, list[int]]]:
        """Remove every link of a record; returns them as (to type, to id, type ids)."""
        removed = self._links.pop((kind, record_id), {})
        for other in removed:
            self._links.get(other, {}).pop((kind, record_id), None)
        return [(to_type, to_id, sorted(types)) for (to_type, to_id), types in removed.items()]

    def dump(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for (from_type, from_id), linked in sorted(self._links.items()):
            for (to_type, to_id), types in sorted(linked.items()):
                out.append(
                    {
                        "from": {"type": from_type, "id": from_id},
                        "to": {"type": to_type, "id": to_id},
                        "types": sorted(types),
                    }
                )
        return out
