"""Constants written in a mapping checked against the field they end up in."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import ENUM_KINDS, FieldDef
from mapc.compiler.check.context import Context

_TEXT_KINDS = {"text", "textarea", "email", "phone", "url", "date", "datetime", "id", "reference"}
_NUMBER_KINDS = {"number", "currency", "percent"}


def check_literal(context: Context, literal: ir.Literal, field: FieldDef, where: str) -> bool:
    """Report a constant that `field` cannot hold; True when it is fine."""
    value = literal.value
    if field.type in ENUM_KINDS:
        if not isinstance(value, str):
            return _wrong_type(context, literal, field, where, "a string naming one of its options")
        options = field.option_values
        # An unrestricted picklist stores other values too: an org's own value is no error.
        if options and value not in options and not field.accepts_other_values:
            shown = ", ".join(repr(o) for o in options[:12]) + (
                ", ..." if len(options) > 12 else ""
            )
            context.error(
                "E505",
                f"{value!r} is not an option of {where} ({field.type})",
                literal.span,
                f"the options are: {shown}",
            )
            return False
        return True
    if field.type == "bool":
        if not isinstance(value, bool):
            return _wrong_type(context, literal, field, where, "`true` or `false`")
        return True
    if field.type in _NUMBER_KINDS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _wrong_type(context, literal, field, where, "a number")
        return True
    if field.type in _TEXT_KINDS:
        if not isinstance(value, str):
            return _wrong_type(context, literal, field, where, "a string")
        if field.length is not None and len(value) > field.length:
            context.error(
                "E504",
                f"{len(value)} characters is longer than {where} allows ({field.length})",
                literal.span,
                f"shorten the text to at most {field.length} characters",
            )
            return False
    return True


def _wrong_type(
    context: Context, literal: ir.Literal, field: FieldDef, where: str, wanted: str
) -> bool:
    context.error(
        "E304",
        f"{where} is {field.type}, but {literal.value!r} is {literal.kind}",
        literal.span,
        f"write {wanted}",
    )
    return False
