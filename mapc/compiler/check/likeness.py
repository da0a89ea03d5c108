"""Do two fields mean the same thing? Names and labels compared loosely, for hints only."""

from __future__ import annotations

from collections.abc import Iterable

from mapc.compiler.catalog import FieldDef

# Close enough to be the same word written two ways ("Create Date", "Created Date"), far
# enough to keep "First Name" and "Last Name" apart.
_SAME = 0.85


def squash(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _words(field: FieldDef) -> tuple[str, ...]:
    return tuple(w for w in (squash(field.name), squash(field.label)) if w)


def same_meaning(a: FieldDef, b: FieldDef) -> bool:
    """True when a name or label of `a` reads as a name or label of `b`."""
    import difflib  # deferred: only error paths need it

    return any(
        x == y or difflib.SequenceMatcher(None, x, y).ratio() >= _SAME
        for x in _words(a)
        for y in _words(b)
    )


def writable_namesake(field: FieldDef, candidates: Iterable[FieldDef]) -> FieldDef | None:
    """The candidate that can be written and means what `field` means, if one does."""
    return next((c for c in candidates if c.writable_on_update and same_meaning(field, c)), None)
