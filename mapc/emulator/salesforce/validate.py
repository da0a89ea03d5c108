"""Turn a JSON payload into stored field values, or into the errors Salesforce would send."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from mapc.emulator.clock import parse_instant
from mapc.emulator.salesforce.errors import SfError
from mapc.emulator.salesforce.ids import object_of, to18
from mapc.emulator.salesforce.schema import TEXT_TYPES, FieldDef, ObjectDef

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NUMERIC_TYPES = frozenset({"int", "double", "currency", "percent"})
Exists = Callable[[str], bool]


def sf_datetime(value: Any) -> str:
    """Canonical stored form: sorts as text in time order, prints as Salesforce does.

    Salesforce keeps dateTime values to the second (the API always shows `.000`), and a
    literal's milliseconds are ignored when comparing: so many records written within one
    second share their SystemModstamp, as they do in a real org.
    """
    moment = parse_instant(str(value))
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".000+0000"


def check_payload(
    obj: ObjectDef, payload: dict[str, Any], creating: bool, exists: Exists
) -> tuple[dict[str, Any], list[SfError]]:
    """Validate field names, permissions and values; return (values, errors)."""
    values: dict[str, Any] = {}
    unknown = [name for name in payload if name != "attributes" and obj.field(name) is None]
    if unknown:
        message = f"No such column '{unknown[0]}' on sobject of type {obj.name}"
        return {}, [SfError("INVALID_FIELD", message)]
    forbidden: list[str] = []
    errors: list[SfError] = []
    for name, raw in payload.items():
        if name == "attributes":
            continue
        definition = obj.field(name)
        assert definition is not None
        allowed = definition.createable if creating else definition.updateable
        if not allowed:
            forbidden.append(definition.name)
            continue
        value, error = _coerce(definition, raw, exists)
        if error is not None:
            errors.append(error)
        else:
            values[definition.name] = value
    if forbidden:
        message = (
            f"Unable to create/update fields: {', '.join(forbidden)}. Please check the security "
            "settings of this field and verify that it is read/write for your profile or "
            "permission set."
        )
        errors.insert(0, SfError("INVALID_FIELD_FOR_INSERT_UPDATE", message, tuple(forbidden)))
    return values, errors


def missing_required(
    obj: ObjectDef, record: dict[str, Any], skip: frozenset[str]
) -> SfError | None:
    missing = [
        f.name
        for f in obj.fields.values()
        if f.required and f.name not in skip and record.get(f.name) in (None, "")
    ]
    if not missing:
        return None
    return SfError(
        "REQUIRED_FIELD_MISSING",
        f"Required fields are missing: [{', '.join(missing)}]",
        tuple(missing),
    )


def _coerce(f: FieldDef, raw: Any, exists: Exists) -> tuple[Any, SfError | None]:
    label = f.label or f.name
    if raw is None or (raw == "" and f.type != "boolean"):
        if f.type == "boolean":
            return False, None
        return None, None
    if f.type == "boolean":
        if isinstance(raw, bool):
            return raw, None
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true", None
        return None, _bad_type(f, raw)
    if f.type in NUMERIC_TYPES:
        return _number(f, raw)
    if f.type == "date":
        try:
            return date.fromisoformat(str(raw)[:10]).isoformat(), None
        except ValueError:
            return None, _parser_error("Date", raw)
    if f.type == "datetime":
        try:
            return sf_datetime(raw), None
        except ValueError:
            return None, _parser_error("DateTime", raw)
    if f.type in ("reference", "id"):
        return _reference(f, str(raw), exists)
    if f.type in TEXT_TYPES:
        text = raw if isinstance(raw, str) else _json_text(raw)
        if f.length and len(text) > f.length:
            return None, SfError(
                "STRING_TOO_LONG",
                f"{label}: data value too large: {text} (max length={f.length})",
                (f.name,),
            )
        if f.type == "email" and not _EMAIL.match(text):
            return None, SfError(
                "INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {text}", (f.name,)
            )
        if f.type == "picklist" and f.restricted and text not in f.picklist:
            return None, SfError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{label}: bad value for restricted picklist field: {text}",
                (f.name,),
            )
        return text, None
    return raw, None


def _number(f: FieldDef, raw: Any) -> tuple[Any, SfError | None]:
    if isinstance(raw, bool):
        return None, _bad_type(f, raw)
    try:
        number = float(raw) if f.type != "int" else int(str(raw))
    except ValueError:
        kind = "int" if f.type == "int" else "double"
        return None, _parser_error(kind, raw)
    if f.type != "int" and float(number).is_integer() and f.scale == 0 and isinstance(raw, int):
        return raw, None
    return number, None


def _reference(f: FieldDef, raw: str, exists: Exists) -> tuple[Any, SfError | None]:
    label = f.label or f.name
    full = to18(raw)
    if full is None or object_of(full) not in (*f.reference_to, None):
        return None, SfError(
            "MALFORMED_ID", f"{label} ID: id value of incorrect type: {raw}", (f.name,)
        )
    if f.reference_to and not exists(full):
        return None, SfError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", (f.name,))
    return full, None


def _bad_type(f: FieldDef, raw: Any) -> SfError:
    return SfError(
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        f"{f.label or f.name}: value not of required type: {raw}",
        (f.name,),
    )


def _parser_error(kind: str, raw: Any) -> SfError:
    return SfError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from VALUE_STRING value {raw} or "
        "request may be missing a required field",
    )


def _json_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)
