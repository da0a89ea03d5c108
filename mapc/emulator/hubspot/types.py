"""HubSpot object types and the association types between them, per portal (custom objects
add theirs)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ObjectType:
    name: str  # the plural path name: contacts, tickets, p62515_cars
    type_id: str  # 0-1, 0-5, 2-1234567
    singular: str
    created: str = "createdate"
    modified: str = "hs_lastmodifieddate"
    default_read: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


STANDARD_TYPES = (
    ObjectType(
        "contacts",
        "0-1",
        "contact",
        modified="lastmodifieddate",
        default_read=("createdate", "email", "firstname", "lastmodifieddate", "lastname"),
    ),
    ObjectType("companies", "0-2", "company", default_read=("createdate", "domain", "name")),
    ObjectType(
        "deals",
        "0-3",
        "deal",
        default_read=("amount", "closedate", "createdate", "dealname", "dealstage", "pipeline"),
    ),
    ObjectType(
        "tickets",
        "0-5",
        "ticket",
        default_read=(
            "content",
            "createdate",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hs_ticket_category",
            "hs_ticket_priority",
            "subject",
        ),
        required=("subject", "hs_pipeline", "hs_pipeline_stage"),
    ),
    ObjectType(
        "products",
        "0-7",
        "product",
        default_read=("createdate", "description", "name", "price"),
        required=("name",),
    ),
    ObjectType(
        "line_items",
        "0-8",
        "line_item",
        default_read=("createdate", "name", "price", "quantity", "amount"),
        aliases=("lineitem", "lineitems", "line_item"),
    ),
    ObjectType(
        "notes",
        "0-46",
        "note",
        default_read=("hs_note_body", "hs_timestamp"),
        required=("hs_timestamp",),
        created="hs_createdate",
    ),
    ObjectType(
        "meetings",
        "0-47",
        "meeting",
        default_read=("hs_meeting_title", "hs_meeting_start_time", "hs_timestamp"),
        required=("hs_timestamp",),
        created="hs_createdate",
    ),
    ObjectType(
        "calls",
        "0-48",
        "call",
        default_read=("hs_call_title", "hs_call_body", "hs_timestamp"),
        required=("hs_timestamp",),
        created="hs_createdate",
    ),
    ObjectType(
        "emails",
        "0-49",
        "email",
        default_read=("hs_email_subject", "hs_email_text", "hs_timestamp"),
        required=("hs_timestamp",),
        created="hs_createdate",
    ),
    ObjectType(
        "tasks",
        "0-27",
        "task",
        default_read=("hs_task_subject", "hs_task_status", "hs_timestamp"),
        required=("hs_timestamp",),
        created="hs_createdate",
    ),
)

# HUBSPOT_DEFINED association type ids: (from, to, unlabelled id, id of the reverse).
_UNLABELLED = (
    ("contacts", "companies", 279, 280),
    ("deals", "contacts", 3, 4),
    ("deals", "companies", 341, 342),
    ("contacts", "tickets", 15, 16),
    ("tickets", "companies", 339, 340),
    ("deals", "tickets", 27, 28),
    ("deals", "line_items", 19, 20),
    ("contacts", "calls", 193, 194),
    ("companies", "calls", 181, 182),
    ("deals", "calls", 205, 206),
    ("tickets", "calls", 219, 220),
    ("contacts", "emails", 197, 198),
    ("companies", "emails", 185, 186),
    ("deals", "emails", 209, 210),
    ("tickets", "emails", 223, 224),
    ("contacts", "meetings", 199, 200),
    ("companies", "meetings", 187, 188),
    ("deals", "meetings", 211, 212),
    ("tickets", "meetings", 225, 226),
    ("contacts", "notes", 201, 202),
    ("companies", "notes", 189, 190),
    ("deals", "notes", 213, 214),
    ("tickets", "notes", 227, 228),
    ("contacts", "tasks", 203, 204),
    ("companies", "tasks", 191, 192),
    ("deals", "tasks", 215, 216),
    ("tickets", "tasks", 229, 230),
)
# The "Primary" labels: a record's one primary company.
_PRIMARY = (
    ("contacts", "companies", 1, 2),
    ("deals", "companies", 5, 6),
    ("tickets", "companies", 26, 25),
)


@dataclass
class CrmTypes:
    """The object types a portal has and the association types between them."""

    types: dict[str, ObjectType] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    default_association: dict[tuple[str, str], int] = field(default_factory=dict)
    primary_association: dict[tuple[str, str], int] = field(default_factory=dict)
    inverse: dict[int, int] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    categories: dict[int, str] = field(default_factory=dict)
    _pairs: dict[int, tuple[str, str]] = field(default_factory=dict)
    _last_type_id: int = 999

    @classmethod
    def standard(cls) -> CrmTypes:
        crm = cls()
        for kind in STANDARD_TYPES:
            crm.add_type(kind)
        for from_type, to_type, forward, backward in _UNLABELLED:
            crm.add_association(from_type, to_type, forward, backward)
        for from_type, to_type, forward, backward in _PRIMARY:
            crm.add_association(from_type, to_type, forward, backward, label="Primary")
        return crm

    def add_type(self, kind: ObjectType, *, by_singular: bool = True) -> None:
        """Register ``kind`` under its names; a custom object is not addressable by its
        bare (singular) name, as HubSpot's API has refused since 2025-06-24."""
        self.types[kind.name] = kind
        names = (kind.name, kind.type_id, *((kind.singular,) if by_singular else ()), *kind.aliases)
        for alias in names:
            self.aliases[alias.lower()] = kind.name

    def add_association(
        self,
        from_type: str,
        to_type: str,
        forward: int | None = None,
        backward: int | None = None,
        label: str | None = None,
        category: str = "HUBSPOT_DEFINED",
    ) -> tuple[int, int]:
        forward = forward or self._new_type_id()
        backward = backward or self._new_type_id()
        table = self.primary_association if label == "Primary" else self.default_association
        if label is None or label == "Primary":
            table[(from_type, to_type)] = forward
            table[(to_type, from_type)] = backward
        self.inverse[forward], self.inverse[backward] = backward, forward
        self._pairs[forward], self._pairs[backward] = (from_type, to_type), (to_type, from_type)
        for type_id in (forward, backward):
            self.categories[type_id] = category
            if label:
                self.labels[type_id] = label
        return forward, backward

    def _new_type_id(self) -> int:
        self._last_type_id += 1
        return self._last_type_id

    def resolve(self, name: str) -> str | None:
        return self.aliases.get(name.lower())

    def pair(self, type_id: int) -> tuple[str, str] | None:
        return self._pairs.get(type_id)

    def created(self, kind: str) -> str:
        return self.types[kind].created

    def modified(self, kind: str) -> str:
        return self.types[kind].modified
