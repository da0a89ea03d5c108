"""mapc's shipped field catalogs, read as data files: the emulator's standard objects."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def shipped_catalog(system: str) -> dict[str, Any]:
    """The catalog the checker uses for `system` ("salesforce" or "hubspot"), as plain JSON.

    Read generically: every object and every field in the file is taken, so a catalog that
    grows (more objects, every standard field) grows the emulator with it. Parsed once per
    process and shared: callers read it and never change it.
    """
    text = resources.files("mapc.catalogs").joinpath(f"{system}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
