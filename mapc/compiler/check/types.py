"""The type-compatibility matrix over both systems' field kinds (R2)."""

from __future__ import annotations

from mapc.compiler.catalog import ENUM_KINDS, FieldDef

_TEXTUAL = {"text", "textarea", "email", "phone", "url"}
_NUMERIC = {"number", "currency", "percent"}
_SCALARS = _TEXTUAL | _NUMERIC | {"bool", "date", "datetime", "enumeration", "picklist", "id"}

# target kind -> the source kinds whose values it can hold. A two-way mapping needs both
# directions to hold; references pair only with references (owners, through `owner`).
ACCEPTS: dict[str, frozenset[str]] = {
    "text": frozenset(_SCALARS),
    "textarea": frozenset(_SCALARS | {"multipicklist"}),
    "email": frozenset({"email", "text"}),
    "phone": frozenset({"phone", "text"}),
    "url": frozenset({"url", "text"}),
    "number": frozenset(_NUMERIC),
    "currency": frozenset(_NUMERIC),
    "percent": frozenset(_NUMERIC),
    "bool": frozenset({"bool"}),
    "date": frozenset({"date", "datetime"}),
    "datetime": frozenset({"date", "datetime"}),
    "enumeration": frozenset({"enumeration", "picklist", "text", "bool"}),
    "picklist": frozenset({"enumeration", "picklist", "text"}),
    "multipicklist": frozenset({"multipicklist"}),
    "reference": frozenset({"reference"}),
    "id": frozenset(),
}


def can_hold(target: FieldDef, source: FieldDef) -> bool:
    if target.type == "reference" and source.type == "reference":
        # A reference holds ids of its own targets only: an owner id is no account id.
        return bool(set(target.reference_to) & set(source.reference_to))
    return source.type in ACCEPTS[target.type]


def may_not_fit(target: FieldDef, source: FieldDef) -> bool:
    """`source`'s values may be longer than `target` holds (checked in the flow's direction).

    A longer declared length, or free text (a text area with no length, such as any HubSpot
    multi-line property) flowing into a length-limited text field that is not itself a long
    text area.
    """
    if target.length is None or target.type not in _TEXTUAL:
        return False
    if source.length is not None:
        return source.type in _TEXTUAL and source.length > target.length
    # Free text into a long text area is what such a field is for.
    return source.type == "textarea" and not _long_text_area(target)


def _long_text_area(field: FieldDef) -> bool:
    return field.type == "textarea" and (field.length or 0) > _SHORT_TEXT


_SHORT_TEXT = 255  # Salesforce's longest single-line text field


def length_text(field: FieldDef) -> str:
    if field.length is not None:
        return f"up to {field.length} characters"
    return "free text, no length limit"


def describe(field: FieldDef) -> str:
    if field.type == "reference":
        return f"reference to {', '.join(field.reference_to)}"
    return field.type


def both_enumerations(a: FieldDef, b: FieldDef) -> bool:
    return a.type in ENUM_KINDS and b.type in ENUM_KINDS


def why_not(target: FieldDef, source: FieldDef) -> str:
    """One sentence on why `target` cannot hold `source`'s values."""
    if target.type == "reference" and source.type == "reference":
        return (
            f"{source.name} holds ids of {' or '.join(source.reference_to)} records, "
            f"{target.name} ids of {' or '.join(target.reference_to)} records"
        )
    if target.type == "reference" or source.type == "reference":
        other = source if target.type == "reference" else target
        ref = target if target.type == "reference" else source
        return (
            f"{_article(other.type)} value cannot hold a record reference: "
            f"{ref.name} holds the id of {_article(' or '.join(ref.reference_to))} record"
        )
    if target.type == "id":
        return f"{target.name} is a record id, which no mapping can write"
    return f"{_article(target.type)} field cannot hold {_article(source.type)} value"


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word
