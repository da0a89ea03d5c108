"""Lenient validation of project catalog entries that msgspec's strict decoding rejected.

Pydantic (imported only on this path) accepts what the catalog format always accepted, such as
``1`` for a flag or ``120.0`` for a length, and explains what it refuses with a position.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mapc.compiler.catalog import (
    CatalogError,
    Kind,
    SystemName,
    _unknown_kind_message,
    field_problem,
)
from mapc.compiler.json_positions import locate

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class _Option(BaseModel):
    model_config = _FROZEN

    value: str
    label: str


class _Field(BaseModel):
    model_config = _FROZEN

    name: str = Field(min_length=1)
    label: str
    type: Kind
    native_type: str
    length: int | None = Field(default=None, ge=0)
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    required: bool = False
    calculated: bool = False
    custom: bool = False
    read_only: bool = False
    restricted: bool = False
    external_id: bool = False
    unique: bool = False
    reference_to: tuple[str, ...] = ()
    options: tuple[_Option, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> _Field:
        problem = field_problem(
            self.type,
            self.reference_to,
            self.required,
            self.nillable,
            [o.value for o in self.options],
        )
        if problem:
            raise ValueError(problem)
        return self


class _OverlayObject(BaseModel):
    model_config = _FROZEN

    label: str | None = None
    key_prefix: str | None = None
    source: str | None = None
    type_id: str | None = None
    custom: bool | None = None
    fields: dict[str, dict[str, Any]] = {}


class _Overlay(BaseModel):
    model_config = _FROZEN

    system: SystemName
    objects: dict[str, _OverlayObject] = {}


def validate_overlay(path: Path, text: str, data: Any) -> dict[str, Any]:
    """The project catalog document ``data``, coerced, or a CatalogError saying where it fails."""
    try:
        return _Overlay.model_validate(data).model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise _validation_error(path, text, exc) from None


def validate_field(
    data: dict[str, Any], path: Path, text: str, where: tuple[str, ...], *, merged: bool
) -> dict[str, Any]:
    """One merged field entry, coerced, or a CatalogError pointing at it in ``text``."""
    try:
        return _Field.model_validate(data).model_dump()
    except ValidationError as exc:
        raise _validation_error(path, text, exc, prefix=where, merged=merged) from None


def _validation_error(
    path: Path,
    text: str,
    exc: ValidationError,
    prefix: tuple[str, ...] = (),
    *,
    merged: bool = False,
) -> CatalogError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = (*prefix, *first["loc"])
    # Errors raised by a model validator point at the model itself; a missing key at its parent.
    line, col = locate(text, loc)
    where = ".".join(str(p) for p in loc) or "(top level)"
    if first["type"] == "literal_error" and loc and loc[-1] == "type":
        message = _unknown_kind_message(first["input"])
    elif first["type"] == "missing":
        message = f"missing required key {str(loc[-1])!r}"
    else:
        message = str(first["msg"]).removeprefix("Value error, ")
        if merged and not first["loc"]:
            message += " (with the shipped field's other attributes)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return CatalogError(path, line, col, f"{where}: {message}{more}")
