"""Field catalogs: the objects and fields of HubSpot and Salesforce, with types and flags.

The shipped catalogs live in ``mapc/catalogs/{hubspot,salesforce}.json``; a project may add a
catalog directory whose files extend or override them, field by field (see docs/catalogs.md).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mapc.compiler.json_positions import deepest_nesting, locate, locate_duplicate
from mapc.errors import MapcError

__all__ = [
    "ENUM_KINDS",
    "KINDS",
    "SYSTEMS",
    "Catalog",
    "CatalogError",
    "FieldDef",
    "Kind",
    "ObjectDef",
    "Option",
    "SystemCatalog",
    "SystemName",
    "catalog_from_json",
    "dump_catalog",
    "load_catalog",
    "load_default_catalog",
    "suggest",
    "system_catalog_json",
]

Kind = Literal[
    "text",
    "textarea",
    "email",
    "phone",
    "url",
    "number",
    "currency",
    "percent",
    "bool",
    "date",
    "datetime",
    "enumeration",
    "picklist",
    "multipicklist",
    "reference",
    "id",
]
KINDS: tuple[str, ...] = get_args(Kind)
ENUM_KINDS: frozenset[str] = frozenset({"enumeration", "picklist", "multipicklist"})

SystemName = Literal["hubspot", "salesforce"]
SYSTEMS: tuple[str, ...] = get_args(SystemName)


class CatalogError(MapcError):
    """A project catalog that cannot be used: unreadable, not JSON, or not the catalog format."""

    def __init__(self, path: Path | str, line: int | None, column: int | None, message: str):
        super().__init__(message)
        self.path = Path(path)
        self.line = line
        self.column = column
        self.message = message

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Option(BaseModel):
    """One value of an enumeration or picklist: the stored value and its display label."""

    model_config = _FROZEN

    value: str
    label: str


class FieldDef(BaseModel):
    """One field (Salesforce) or property (HubSpot). ``name`` comes from its key in the file."""

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
    reference_to: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> FieldDef:
        if self.type == "reference" and not self.reference_to:
            raise ValueError("a reference field needs a non-empty 'reference_to'")
        if self.required and self.nillable:
            raise ValueError("a required field cannot be nillable")
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            dup = next(v for v in values if values.count(v) > 1)
            raise ValueError(f"option value {dup!r} is listed twice")
        return self

    @property
    def kind(self) -> str:
        return self.type

    @property
    def is_enum(self) -> bool:
        """True for enumerations, picklists and multi-select picklists."""
        return self.type in ENUM_KINDS

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    @property
    def accepts_other_values(self) -> bool:
        """An unrestricted picklist: the system stores values outside ``options`` too."""
        return self.is_enum and not self.restricted

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    @property
    def writable_on_create(self) -> bool:
        return self.createable and not self.read_only and not self.calculated

    @property
    def writable_on_update(self) -> bool:
        return self.updateable and not self.read_only and not self.calculated


def _name_children(data: Any, key: str) -> Any:
    """Copy each child's key in ``data[key]`` into the child as its ``name``."""
    if isinstance(data, dict) and isinstance(data.get(key), dict):
        named = {k: ({**v, "name": k} if isinstance(v, dict) else v) for k, v in data[key].items()}
        return {**data, key: named}
    return data


class ObjectDef(BaseModel):
    """One object: a HubSpot object type (``contacts``) or a Salesforce sObject (``Lead``)."""

    model_config = _FROZEN

    name: str = Field(min_length=1)
    label: str
    key_prefix: str | None = None
    source: str | None = None
    fields: dict[str, FieldDef]

    @model_validator(mode="before")
    @classmethod
    def _name_fields(cls, data: Any) -> Any:
        return _name_children(data, "fields")

    def field(self, name: str) -> FieldDef | None:
        """The field called exactly ``name``, or None."""
        return self.fields.get(name)

    def field_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.fields))

    def suggest_fields(self, name: str, n: int = 3) -> list[str]:
        """Field names close to ``name``, best first, for "did you mean" hints."""
        return suggest(name, self.fields, n)


class SystemCatalog(BaseModel):
    """Every known object of one system."""

    model_config = _FROZEN

    system: SystemName
    objects: dict[str, ObjectDef]

    @model_validator(mode="before")
    @classmethod
    def _name_objects(cls, data: Any) -> Any:
        return _name_children(data, "objects")

    def object(self, name: str) -> ObjectDef | None:
        """The object called exactly ``name``, or None."""
        return self.objects.get(name)

    def field(self, object_name: str, field_name: str) -> FieldDef | None:
        obj = self.objects.get(object_name)
        return obj.field(field_name) if obj is not None else None

    def object_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.objects))

    def suggest_objects(self, name: str, n: int = 3) -> list[str]:
        return suggest(name, self.objects, n)


class Catalog(BaseModel):
    """Both systems' catalogs."""

    model_config = _FROZEN

    hubspot: SystemCatalog
    salesforce: SystemCatalog

    def system(self, name: SystemName) -> SystemCatalog:
        return self.hubspot if name == "hubspot" else self.salesforce


def suggest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Close matches for ``name``: case-insensitive equals first, then difflib's best."""
    import difflib  # deferred: only error paths need it, and startup time matters

    pool = sorted(candidates)
    folded = name.casefold()
    exact = [c for c in pool if c.casefold() == folded and c != name]
    by_folded: dict[str, list[str]] = {}
    for c in pool:
        by_folded.setdefault(c.casefold(), []).append(c)
    close = difflib.get_close_matches(folded, list(by_folded), n=n, cutoff=0.6)
    out = list(exact)
    for key in close:
        out.extend(c for c in by_folded[key] if c not in out and c != name)
    return out[:n]


# --- loading -------------------------------------------------------------------------


@functools.cache
def load_default_catalog() -> Catalog:
    """The catalogs shipped with mapc (parsed once per process)."""
    return Catalog(
        hubspot=_load_default_system("hubspot"), salesforce=_load_default_system("salesforce")
    )


def _load_default_system(system: str) -> SystemCatalog:
    path = Path(__file__).with_name("catalogs") / f"{system}.json"
    if path.is_file():  # the usual case; importlib.resources alone costs ~10 ms to import
        text = path.read_text("utf-8")
    else:  # e.g. imported from a zip archive
        from importlib import resources

        text = resources.files("mapc.catalogs").joinpath(f"{system}.json").read_text("utf-8")
    return SystemCatalog.model_validate(json.loads(text))


def load_catalog(extra_dirs: Sequence[Path | str] = ()) -> Catalog:
    """The default catalogs extended by each project catalog directory, in order.

    A directory holds ``hubspot.json`` and/or ``salesforce.json``. Objects are merged by name;
    a field entry for a known field overrides the attributes it gives and keeps the others
    (a new field is a complete definition). Any problem with a project file raises
    :class:`CatalogError`.
    """
    catalog = load_default_catalog()
    for directory in extra_dirs:
        d = Path(directory)
        if not d.is_dir():
            raise CatalogError(d, None, None, "catalog directory not found")
        for system in SYSTEMS:
            path = d / f"{system}.json"
            if path.is_file():
                text, overlay = _read_overlay(path, system)
                catalog = _apply_overlay(catalog, overlay, path, text)
    return catalog


_DEFERRED = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class _OverlayObject(BaseModel):
    """An object entry in a project catalog: the label may be left out for known objects.

    Field entries stay plain mappings here: whether one is complete depends on whether it
    overrides a shipped field, so each is validated once merged (see ``_merge_field``).
    """

    model_config = _DEFERRED

    label: str | None = None
    key_prefix: str | None = None
    source: str | None = None
    fields: dict[str, dict[str, Any]] = {}


class _Overlay(BaseModel):
    model_config = _DEFERRED

    system: SystemName
    objects: dict[str, _OverlayObject] = {}


def _read_overlay(path: Path, system: str) -> tuple[str, _Overlay]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(path, None, None, f"cannot read catalog: {exc}") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise CatalogError(path, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except _DuplicateKeyError as exc:
        line, col = locate_duplicate(text, exc.key)
        raise CatalogError(
            path, line, col, f"key {exc.key!r} appears twice in one object"
        ) from None
    except RecursionError:
        depth, line, col = deepest_nesting(text)
        raise CatalogError(
            path, line, col, f"invalid JSON: nested {depth} levels deep, too deep to read"
        ) from None
    try:
        overlay = _Overlay.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(path, text, exc) from None
    if overlay.system != system:
        line, col = locate(text, ("system",))
        raise CatalogError(
            path,
            line,
            col,
            f'{path.name} must declare "system": "{system}", not {overlay.system!r}',
        )
    return text, overlay


def _apply_overlay(catalog: Catalog, overlay: _Overlay, path: Path, text: str) -> Catalog:
    base = catalog.system(overlay.system)
    objects = dict(base.objects)
    for name, patch in overlay.objects.items():
        old = objects.get(name)
        old_fields = old.fields if old is not None else {}
        fields = dict(old_fields)
        for field_name, entry in patch.fields.items():
            where = ("objects", name, "fields", field_name)
            fields[field_name] = _merge_field(
                overlay.system, field_name, old_fields.get(field_name), entry, path, text, where
            )
        objects[name] = ObjectDef(
            name=name,
            label=_given(patch.label, old.label if old is not None else name),
            key_prefix=_given(patch.key_prefix, old.key_prefix if old is not None else None),
            source=_given(patch.source, old.source if old is not None else None),
            fields=fields,
        )
    merged = SystemCatalog(system=base.system, objects=objects)
    return catalog.model_copy(update={overlay.system: merged})


def _given(value: str | None, otherwise: str | None) -> Any:
    return value if value is not None else otherwise


def _merge_field(
    system: str,
    name: str,
    old: FieldDef | None,
    entry: Mapping[str, Any],
    path: Path,
    text: str,
    where: tuple[str, ...],
) -> FieldDef:
    """A project field entry on top of the shipped field of that name, attribute by attribute."""
    data: dict[str, Any] = old.model_dump(exclude={"name"}) if old is not None else {}
    data.update(entry)
    # Every HubSpot enumeration is restricted to its options; a new one says so by default.
    if old is None and system == "hubspot" and "restricted" not in entry:
        data["restricted"] = data.get("type") in ENUM_KINDS
    data["name"] = name
    try:
        return FieldDef.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(path, text, exc, prefix=where, merged=old is not None) from None


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


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


# Native type names people write in "type" by mistake, and the kind they mean.
_KIND_ALIASES = {
    "string": "text",
    "boolean": "bool",
    "booleancheckbox": "bool",
    "checkbox": "bool",
    "double": "number",
    "int": "number",
    "integer": "number",
    "select": "enumeration",
    "radio": "enumeration",
    "combobox": "text",
}


def _unknown_kind_message(value: Any) -> str:
    message = f"unknown field type {value!r}"
    if isinstance(value, str):
        guess = _KIND_ALIASES.get(value.casefold()) or next(iter(suggest(value, KINDS, 1)), None)
        if guess:
            message += f"; did you mean {guess!r}? (put the system's own type name in native_type)"
    return f"{message}; expected one of: {', '.join(KINDS)}"


# --- writing ---------------------------------------------------------------------------


def _field_json(f: FieldDef) -> dict[str, Any]:
    # label, type and native_type have no defaults, so they are always written.
    data = f.model_dump(mode="json", exclude={"name"}, exclude_defaults=True)
    if f.is_enum:
        # Said outright for every picklist, false included: a reader of the file (the
        # emulator) must not guess a restriction the system does not have.
        data["restricted"] = f.restricted
    return data


def system_catalog_json(catalog: SystemCatalog) -> dict[str, Any]:
    """The JSON document for one system's catalog, defaults left out."""
    objects: dict[str, Any] = {}
    for name, obj in catalog.objects.items():
        entry: dict[str, Any] = {"label": obj.label}
        if obj.key_prefix is not None:
            entry["key_prefix"] = obj.key_prefix
        if obj.source is not None:
            entry["source"] = obj.source
        entry["fields"] = {fname: _field_json(f) for fname, f in obj.fields.items()}
        objects[name] = entry
    return {"system": catalog.system, "objects": objects}


def dump_catalog(catalog: SystemCatalog) -> str:
    """Deterministic JSON text (sorted keys, 2-space indent, trailing newline) for a catalog."""
    return (
        json.dumps(system_catalog_json(catalog), indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )


def catalog_from_json(data: Mapping[str, Any]) -> SystemCatalog:
    """Validate an already-parsed catalog document (trusted input; raises ValidationError)."""
    return SystemCatalog.model_validate(data)
