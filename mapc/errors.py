"""The root of every error mapc raises for a person to act on (bad input, configuration,
an API that refused, a state in use): `str(error)` is one sentence, and the CLI catches
this one type, never a list of unrelated classes."""

from __future__ import annotations


class MapcError(Exception):
    """An error whose message is one sentence for a person, never a traceback."""
