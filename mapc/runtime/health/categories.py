"""Per-record error codes -> the families HubSpot's Sync health groups errors by."""

from __future__ import annotations

import re
from enum import StrEnum


class Category(StrEnum):
    PROPERTY_VALUE = "property_value"
    PICKLIST = "picklist"
    REQUIRED_FIELD = "required_field"
    DUPLICATE = "duplicate"
    ASSOCIATION = "association"
    PERMISSION = "permission"
    DELETED_RECORD = "deleted_record"
    RATE_LIMIT = "rate_limit"
    OTHER = "other"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Category.PROPERTY_VALUE: "property value",
    Category.PICKLIST: "picklist",
    Category.REQUIRED_FIELD: "required field",
    Category.DUPLICATE: "duplicate",
    Category.ASSOCIATION: "association",
    Category.PERMISSION: "permission",
    Category.DELETED_RECORD: "deleted record",
    Category.RATE_LIMIT: "rate/API limit",
    Category.OTHER: "other",
}

# Exact codes: Salesforce statusCode/errorCode values, HubSpot error categories and
# property-level error codes, and the codes mapc records itself.
_EXACT: dict[str, Category] = {
    # Salesforce
    "STRING_TOO_LONG": Category.PROPERTY_VALUE,
    "INVALID_EMAIL_ADDRESS": Category.PROPERTY_VALUE,
    "INVALID_TYPE_ON_FIELD_IN_RECORD": Category.PROPERTY_VALUE,
    "NUMBER_OUTSIDE_VALID_RANGE": Category.PROPERTY_VALUE,
    "INVALID_FIELD": Category.PROPERTY_VALUE,
    "INVALID_FIELD_FOR_INSERT_UPDATE": Category.PROPERTY_VALUE,
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": Category.PROPERTY_VALUE,
    "FIELD_INTEGRITY_EXCEPTION": Category.PROPERTY_VALUE,
    "MALFORMED_ID": Category.PROPERTY_VALUE,
    "JSON_PARSER_ERROR": Category.PROPERTY_VALUE,
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": Category.PICKLIST,
    "BAD_VALUE_FOR_RESTRICTED_PICKLIST": Category.PICKLIST,
    "REQUIRED_FIELD_MISSING": Category.REQUIRED_FIELD,
    "DUPLICATE_VALUE": Category.DUPLICATE,
    "DUPLICATES_DETECTED": Category.DUPLICATE,
    "DUPLICATE_EXTERNAL_ID": Category.DUPLICATE,
    "INVALID_CROSS_REFERENCE_KEY": Category.ASSOCIATION,
    "INSUFFICIENT_ACCESS_OR_READONLY": Category.PERMISSION,
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": Category.PERMISSION,
    "INVALID_FIELD_FOR_INSERT_UPDATE_PERMISSION": Category.PERMISSION,
    "FIELD_NOT_UPDATABLE": Category.PERMISSION,
    "CANNOT_UPDATE_CONVERTED_LEAD": Category.PERMISSION,
    "ENTITY_IS_LOCKED": Category.PERMISSION,
    "INVALID_SESSION_ID": Category.PERMISSION,
    "API_DISABLED_FOR_ORG": Category.PERMISSION,
    "ENTITY_IS_DELETED": Category.DELETED_RECORD,
    "NOT_FOUND": Category.DELETED_RECORD,
    "REQUEST_LIMIT_EXCEEDED": Category.RATE_LIMIT,
    "TOO_MANY_REQUESTS": Category.RATE_LIMIT,
    # HubSpot
    "VALIDATION_ERROR": Category.PROPERTY_VALUE,
    "PROPERTY_DOESNT_EXIST": Category.PROPERTY_VALUE,
    "INVALID_EMAIL": Category.PROPERTY_VALUE,
    "INVALID_DECIMAL": Category.PROPERTY_VALUE,
    "INVALID_INTEGER": Category.PROPERTY_VALUE,
    "INVALID_DATE": Category.PROPERTY_VALUE,
    "INVALID_LONG": Category.PROPERTY_VALUE,
    "INVALID_BOOLEAN": Category.PROPERTY_VALUE,
    "READ_ONLY_VALUE": Category.PROPERTY_VALUE,
    "INVALID_OPTION": Category.PICKLIST,
    "REQUIRED_PROPERTY": Category.REQUIRED_FIELD,
    "CONFLICT": Category.DUPLICATE,
    "OBJECT_ALREADY_EXISTS": Category.DUPLICATE,
    "OBJECT_NOT_FOUND": Category.DELETED_RECORD,
    "INVALID_ASSOCIATION": Category.ASSOCIATION,
    "MISSING_SCOPES": Category.PERMISSION,
    "INVALID_AUTHENTICATION": Category.PERMISSION,
    "FORBIDDEN": Category.PERMISSION,
    "RATE_LIMITS": Category.RATE_LIMIT,
    "RATE_LIMIT": Category.RATE_LIMIT,
    # mapc
    "NON_FINITE_NUMBER": Category.PROPERTY_VALUE,
    "CONTACT_NOT_SYNCED": Category.ASSOCIATION,
}

# HubSpot answers VALIDATION_ERROR for a whole input and lists each property's own code
# inside the message ({"error": "INVALID_OPTION", ...}); the most specific one wins.
_INNER = re.compile(r'"(?:error|code)"\s*:\s*"([A-Z][A-Z_]+)"')
_SPECIFIC = (
    Category.PICKLIST,
    Category.REQUIRED_FIELD,
    Category.DUPLICATE,
    Category.PERMISSION,
    Category.PROPERTY_VALUE,
)


def categorize(code: str, message: str = "") -> Category:
    """The family of one per-record error, from the API's code (and, for a generic code,
    the property-level codes its message carries)."""
    normalized = code.strip().upper()
    found = _EXACT.get(normalized)
    if normalized in {"VALIDATION_ERROR", ""} or found is None:
        inner = {_EXACT.get(c) for c in _INNER.findall(message)} - {None}
        for category in _SPECIFIC:
            if category in inner:
                return category
    if found is not None:
        return found
    if normalized.startswith("INSUFFICIENT_ACCESS"):
        return Category.PERMISSION
    if "PICKLIST" in normalized:
        return Category.PICKLIST
    if "DUPLICATE" in normalized:
        return Category.DUPLICATE
    if "LIMIT_EXCEEDED" in normalized or normalized.startswith("RATE_LIMIT"):
        return Category.RATE_LIMIT
    return Category.OTHER


def parse_category(text: str) -> Category:
    """A category named on the command line by value ("picklist") or label."""
    wanted = text.strip().lower().replace("-", "_").replace(" ", "_").replace("/", "_")
    for category in Category:
        if wanted in {category.value, category.label.replace(" ", "_").replace("/", "_")}:
            return category
    if wanted == "rate_limit" or wanted == "api_limit":
        return Category.RATE_LIMIT
    raise ValueError(text)
