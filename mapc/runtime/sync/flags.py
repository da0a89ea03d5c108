"""What the engine keeps on a link besides field values: typed, stored in a column of its own."""

from __future__ import annotations

from typing import Any

import msgspec

from mapc.runtime.sync.codec import encode


class LinkFlags(msgspec.Struct, omit_defaults=True, kw_only=True):
    """A link's engine state. Stored as compact JSON naming only what is not a default,
    so a link with none stores nothing (most links)."""

    excluded: bool = False
    """The HubSpot record was outside the inclusion list when last read (R4, R5)."""
    person: bool = False
    """The Salesforce record is the contact behind a person account (R7): never written."""
    placeholders: frozenset[str] = frozenset()
    """Salesforce fields mapc's create filled with a required-field default."""
    parents: tuple[str | None, str | None] = (None, None)
    """The (HubSpot, Salesforce) parent of the record last synced as its association."""
    contact_roles: frozenset[str] | None = None
    """The Salesforce contacts whose roles on the record were last in sync (None: never)."""
    converted_into: str | None = None
    """The record a lead was converted into when the link no longer syncs (R5, R6)."""
    associations: dict[str, frozenset[str]] = {}
    """HubSpot object -> the ids associated with the record at the last sync of a declared
    association (absent: never recorded)."""


NONE = LinkFlags()

_decoder = msgspec.json.Decoder(LinkFlags)


def dumps(flags: LinkFlags) -> str | None:
    """The column's text: NULL for a link with no flags (sets and keys sorted, so equal
    flags encode alike and an unchanged row is not written again)."""
    return None if flags == NONE else encode(flags)


def loads(text: str | None) -> LinkFlags:
    """The flags a column holds; ValueError when it holds something else."""
    if not text:
        return LinkFlags()
    try:
        return _decoder.decode(text)
    except msgspec.DecodeError as error:  # ValidationError included
        raise ValueError(str(error)) from None


def split_legacy(
    hs_values: dict[str, Any], sf_values: dict[str, Any], flags: LinkFlags
) -> LinkFlags:
    """Move the "@" keys a state written before flags had their column keeps among a
    link's values into `flags` (the values lose them): such a state loads as it was."""
    hs = {k: hs_values.pop(k) for k in [k for k in hs_values if k.startswith("@")]}
    sf = {k: sf_values.pop(k) for k in [k for k in sf_values if k.startswith("@")]}
    if not hs and not sf:
        return flags
    if hs.pop("@in", None) == "0":
        flags.excluded = True
    if sf.pop("@person", None) is not None:
        flags.person = True
    placeholders = sf.pop("@placeholders", None)
    if placeholders:
        flags.placeholders = frozenset(str(placeholders).split(","))
    hs_parent, sf_parent = hs.pop("@parent", None), sf.pop("@parent", None)
    if hs_parent is not None or sf_parent is not None:
        flags.parents = (_text(hs_parent), _text(sf_parent))
    roles = sf.pop("@contact_roles", None)
    if isinstance(roles, list):
        flags.contact_roles = frozenset(str(c) for c in roles)
    converted = sf.pop("@converted_into", None)
    if converted:
        flags.converted_into = str(converted)
    hs.pop("@fresh", None)
    sf.pop("@fresh", None)
    # What is left on the HubSpot side are declared associations' snapshots, "@<object>".
    associations = {
        key[1:]: frozenset(str(i) for i in value)
        for key, value in hs.items()
        if isinstance(value, list)
    }
    if associations:
        flags.associations = {**flags.associations, **associations}
    return flags


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
