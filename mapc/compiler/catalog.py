"""Field catalogs: the objects and fields of HubSpot and Salesforce, with types and flags.

The shipped catalogs live in ``mapc/catalogs/{hubspot,salesforce}.json``; a project may add a
catalog directory whose files extend or override them, field by field (see docs/catalogs.md).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import msgspec

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


class Option(msgspec.Struct, frozen=True, gc=False, kw_only=True, forbid_unknown_fields=True):
    """One value of an enumeration or picklist: the stored value and its display label."""

    value: str
    label: str


def field_problem(
    kind: str,
    reference_to: Sequence[str],
    required: bool,
    nillable: bool,
    option_values: Sequence[str],
) -> str | None:
    """Why a field's attributes contradict each other, or None when they agree."""
    if kind == "reference" and not reference_to:
        return "a reference field needs a non-empty 'reference_to'"
    if required and nillable:
        return "a required field cannot be nillable"
    values = list(option_values)
    if len(set(values)) != len(values):
        dup = next(v for v in values if values.count(v) > 1)
        return f"option value {dup!r} is listed twice"
    return None


_Name = Annotated[str, msgspec.Meta(min_length=1)]


class FieldDef(
    msgspec.Struct,
    frozen=True,
    gc=False,
    kw_only=True,
    forbid_unknown_fields=True,
    omit_defaults=True,
):
    """One field (Salesforce) or property (HubSpot). ``name`` comes from its key in the file."""

    name: _Name
    label: str
    type: Kind
    native_type: str
    length: Annotated[int, msgspec.Meta(ge=0)] | None = None
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
    options: tuple[Option, ...] = ()

    def __post_init__(self) -> None:
        problem = field_problem(
            self.type,
            self.reference_to,
            self.required,
            self.nillable,
            [o.value for o in self.options],
        )
        if problem:
            raise ValueError(problem)

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


def named_document(data: Any) -> Any:
    """A catalog document with each object's and field's key copied into it as its ``name``."""
    return _name_children(data, "objects", lambda obj: _name_children(obj, "fields"))


def _name_children(data: Any, key: str, inner: Any = None) -> Any:
    if isinstance(data, dict) and isinstance(data.get(key), dict):
        named = {
            k: ((inner or dict)({**v, "name": k}) if isinstance(v, dict) else v)
            for k, v in data[key].items()
        }
        return {**data, key: named}
    return data


class ObjectDef(msgspec.Struct, frozen=True, gc=False, kw_only=True, forbid_unknown_fields=True):
    """One object: a HubSpot object type (``contacts``) or a Salesforce sObject (``Lead``)."""

    name: _Name
    label: str
    key_prefix: str | None = None
    source: str | None = None
    type_id: str | None = None
    """HubSpot's object type id: `0-1` for contacts, `2-<number>` for a custom object."""
    custom: bool = False
    """Defined by the account (a HubSpot custom object, a Salesforce `__c` object)."""
    fields: dict[str, FieldDef]

    def field(self, name: str) -> FieldDef | None:
        """The field called exactly ``name``, or None."""
        return self.fields.get(name)

    def field_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.fields))

    def suggest_fields(self, name: str, n: int = 3) -> list[str]:
        """Field names close to ``name``, best first, for "did you mean" hints."""
        return suggest(name, self.fields, n)


class SystemCatalog(
    msgspec.Struct, frozen=True, gc=False, kw_only=True, forbid_unknown_fields=True
):
    """Every known object of one system."""

    system: SystemName
    objects: dict[str, ObjectDef]

    def object(self, name: str) -> ObjectDef | None:
        """The object called exactly ``name``, or None. A HubSpot object is also found by
        the other names HubSpot's API knows it by: its type id (`0-1`, `2-4100001`) and, for a
        custom object, `p_<name>` and `p<portal id>_<name>`."""
        found = self.objects.get(name)
        if found is not None or self.system != "hubspot":
            return found
        for obj in self.objects.values():
            if obj.type_id == name:
                return obj
        base = unqualified_custom_name(name)
        found = self.objects.get(base) if base is not None else None
        return found if found is not None and found.custom else None

    def field(self, object_name: str, field_name: str) -> FieldDef | None:
        obj = self.objects.get(object_name)
        return obj.field(field_name) if obj is not None else None

    def object_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.objects))

    def suggest_objects(self, name: str, n: int = 3) -> list[str]:
        return suggest(name, self.objects, n)


def unqualified_custom_name(name: str) -> str | None:
    """`widgets` for `p_widgets` or `p62515_widgets` (HubSpot's qualified names of a custom
    object), else None."""
    head, sep, rest = name.partition("_")
    if sep and rest and head[:1] == "p" and (head == "p" or head[1:].isdigit()):
        return rest
    return None


def hubspot_api_name(obj: ObjectDef) -> str:
    """The name HubSpot's API addresses ``obj`` by: its own for HubSpot's objects,
    `p_<name>` for a custom object (HubSpot stopped accepting a custom object's bare name
    on 2025-06-24; the short form, unlike the type id, is the same in every portal)."""
    if not obj.custom or unqualified_custom_name(obj.name) is not None:
        return obj.name
    if obj.name.startswith("2-"):
        return obj.name
    return f"p_{obj.name}"


class Catalog(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """Both systems' catalogs."""

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
    path = Path(__file__).parents[1] / "catalogs" / f"{system}.json"
    if path.is_file():  # the usual case; importlib.resources alone costs ~10 ms to import
        text = path.read_text("utf-8")
    else:  # e.g. imported from a zip archive
        from importlib import resources

        text = resources.files("mapc.catalogs").joinpath(f"{system}.json").read_text("utf-8")
    return msgspec.convert(named_document(msgspec.json.decode(text)), SystemCatalog)


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


class _OverlayObject(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An object entry in a project catalog: the label may be left out for known objects.

    Field entries stay plain mappings here: whether one is complete depends on whether it
    overrides a shipped field, so each is validated once merged (see ``_merge_field``).
    """

    label: str | None = None
    key_prefix: str | None = None
    source: str | None = None
    type_id: str | None = None
    custom: bool | None = None
    # Any: msgspec hands the entries over as they are; copying them would hold a big project
    # catalog twice at the peak. Each must be a mapping (checked in _read_overlay).
    fields: dict[str, Any] = {}


class _Overlay(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
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
        overlay = msgspec.convert(data, _Overlay)
        entries = (e for o in overlay.objects.values() for e in o.fields.values())
        if not all(isinstance(e, dict) for e in entries):
            raise msgspec.ValidationError("a field entry is not an object")
    except msgspec.ValidationError:
        # msgspec is strict; the lenient validator accepts what it accepted before (or explains).
        from mapc.compiler.catalog_validation import validate_overlay

        overlay = msgspec.convert(validate_overlay(path, text, data), _Overlay)
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
    shared: dict[Any, FieldDef] = {}  # equal entries (one field on Lead and Contact) share one
    for name, patch in overlay.objects.items():
        old = objects.get(name)
        old_fields = old.fields if old is not None else {}
        fields = dict(old_fields)
        for field_name, entry in patch.fields.items():
            where = ("objects", name, "fields", field_name)
            fields[field_name] = _merge_field(
                overlay.system,
                field_name,
                old_fields.get(field_name),
                entry,
                (path, text, where),
                shared,
            )
        objects[name] = ObjectDef(
            name=name,
            label=_given(patch.label, old.label if old is not None else name),
            key_prefix=_given(patch.key_prefix, old.key_prefix if old is not None else None),
            source=_given(patch.source, old.source if old is not None else None),
            type_id=_given(patch.type_id, old.type_id if old is not None else None),
            custom=_is_custom(overlay.system, name, patch.custom, old),
            fields=fields,
        )
    merged = SystemCatalog(system=base.system, objects=objects)
    return msgspec.structs.replace(catalog, **{overlay.system: merged})


def _given(value: str | None, otherwise: str | None) -> Any:
    return value if value is not None else otherwise


def _is_custom(system: str, name: str, given: bool | None, old: ObjectDef | None) -> bool:
    if given is not None:
        return given
    if old is not None:
        return old.custom
    # An object the shipped catalogs lack is the account's own: every HubSpot object a
    # project adds is a custom object, and a Salesforce one is if its name says so.
    return system == "hubspot" or name.endswith("__c")


def _merge_field(
    system: str,
    name: str,
    old: FieldDef | None,
    entry: Mapping[str, Any],
    origin: tuple[Path, str, tuple[str, ...]],
    shared: dict[Any, FieldDef],
) -> FieldDef:
    """A project field entry on top of the shipped field of that name, attribute by attribute."""
    data: dict[str, Any] = msgspec.to_builtins(old) if old is not None else {}
    data.update(entry)
    # Every HubSpot enumeration is restricted to its options; a new one says so by default.
    if old is None and system == "hubspot" and "restricted" not in entry:
        data["restricted"] = data.get("type") in ENUM_KINDS
    data["name"] = name
    for attr in ("type", "native_type"):  # a few distinct values, repeated on every field
        if isinstance(data.get(attr), str):
            data[attr] = sys.intern(data[attr])
    try:  # the value's type is part of the key: 1 and True are equal but not the same entry
        key: Any = tuple(sorted((k, type(v), v) for k, v in data.items()))
        hash(key)
    except TypeError:  # options or reference_to (lists): not shared
        key = None
    if key is not None and key in shared:
        return shared[key]
    try:
        made = msgspec.convert(data, FieldDef)
    except msgspec.ValidationError:
        from mapc.compiler.catalog_validation import validate_field

        path, text, where = origin
        valid = validate_field(data, path, text, where, merged=old is not None)
        made = msgspec.convert(valid, FieldDef)
    if key is not None:
        shared[key] = made
    return made


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
    data: dict[str, Any] = msgspec.to_builtins(f)  # defaults are left out (omit_defaults)
    del data["name"]
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
        if obj.type_id is not None:
            entry["type_id"] = obj.type_id
        if obj.custom:
            entry["custom"] = True
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
    """Validate an already-parsed catalog document (trusted input; raises msgspec's
    ValidationError)."""
    return msgspec.convert(named_document(data), SystemCatalog)
