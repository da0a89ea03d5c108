"""Every error family is reachable from the codes the APIs and mapc record."""

from __future__ import annotations

import json

import pytest

from mapc.runtime.health.categories import Category, categorize, parse_category


@pytest.mark.parametrize(
    ("code", "family"),
    [
        ("STRING_TOO_LONG", Category.PROPERTY_VALUE),
        ("INVALID_EMAIL_ADDRESS", Category.PROPERTY_VALUE),
        ("FIELD_CUSTOM_VALIDATION_EXCEPTION", Category.PROPERTY_VALUE),
        ("NON_FINITE_NUMBER", Category.PROPERTY_VALUE),
        ("PROPERTY_DOESNT_EXIST", Category.PROPERTY_VALUE),
        ("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", Category.PICKLIST),
        ("INVALID_OPTION", Category.PICKLIST),
        ("REQUIRED_FIELD_MISSING", Category.REQUIRED_FIELD),
        ("DUPLICATE_VALUE", Category.DUPLICATE),
        ("DUPLICATES_DETECTED", Category.DUPLICATE),
        ("CONFLICT", Category.DUPLICATE),
        ("INVALID_CROSS_REFERENCE_KEY", Category.ASSOCIATION),
        ("CONTACT_NOT_SYNCED", Category.ASSOCIATION),
        ("INSUFFICIENT_ACCESS_OR_READONLY", Category.PERMISSION),
        ("INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", Category.PERMISSION),
        ("INSUFFICIENT_ACCESS_SOMETHING_NEW", Category.PERMISSION),
        ("MISSING_SCOPES", Category.PERMISSION),
        ("ENTITY_IS_DELETED", Category.DELETED_RECORD),
        ("OBJECT_NOT_FOUND", Category.DELETED_RECORD),
        ("REQUEST_LIMIT_EXCEEDED", Category.RATE_LIMIT),
        ("RATE_LIMITS", Category.RATE_LIMIT),
        ("NO_RESULT", Category.OTHER),
        ("TRANSIENT_ERROR", Category.OTHER),
        ("SOMETHING_NEVER_SEEN", Category.OTHER),
    ],
)
def test_code_to_family(code: str, family: Category) -> None:
    assert categorize(code, "whatever the API said") is family


def test_hubspot_validation_error_takes_the_property_level_code() -> None:
    problems = [{"isValid": False, "error": "INVALID_OPTION", "name": "industry"}]
    message = f"Property values were not valid: {json.dumps(problems)}"
    assert categorize("VALIDATION_ERROR", message) is Category.PICKLIST
    assert categorize("VALIDATION_ERROR", "Property values were not valid") is (
        Category.PROPERTY_VALUE
    )


def test_a_specific_code_is_not_overridden_by_its_message() -> None:
    assert categorize("STRING_TOO_LONG", '{"error": "INVALID_OPTION"}') is (Category.PROPERTY_VALUE)


def test_parse_category_by_value_or_label() -> None:
    assert parse_category("picklist") is Category.PICKLIST
    assert parse_category("required-field") is Category.REQUIRED_FIELD
    assert parse_category("deleted record") is Category.DELETED_RECORD
    assert parse_category("rate_limit") is Category.RATE_LIMIT
    with pytest.raises(ValueError):
        parse_category("nonsense")
