"""Salesforce record ids: key prefixes, 15-character ids and the 18-character checksum."""

from __future__ import annotations

import itertools
import re
import threading

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SHAPE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")

KEY_PREFIXES: dict[str, str] = {
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Lead": "00Q",
    "Task": "00T",
    "User": "005",
    "Group": "00G",
    "OpportunityContactRole": "00K",
    "RecordType": "012",
    "Organization": "00D",
}
# Reversible, so that an id alone tells which object it belongs to. Objects from a grown
# catalog and custom objects register theirs (process-wide: a prefix names one object).
OBJECT_BY_PREFIX = {prefix: name for name, prefix in KEY_PREFIXES.items()}
_LOCK = threading.Lock()


def register_prefix(name: str, prefix: str) -> None:
    with _LOCK:
        if OBJECT_BY_PREFIX.get(prefix, name) != name:
            raise ValueError(f"key prefix {prefix} already names {OBJECT_BY_PREFIX[prefix]}")
        KEY_PREFIXES[name] = prefix
        OBJECT_BY_PREFIX[prefix] = name


def custom_prefix(name: str) -> str:
    """The prefix of a custom object: a00, a01, ... as an org hands them out, kept per name."""
    with _LOCK:
        if name in KEY_PREFIXES:
            return KEY_PREFIXES[name]
        used = sum(1 for prefix in OBJECT_BY_PREFIX if prefix.startswith("a"))
        first, second = divmod(used, 62)
        return f"a{_BASE62[first]}{_BASE62[second]}"


def checksum(id15: str) -> str:
    """The three characters Salesforce appends so that ids survive case-insensitive systems."""
    suffix = ""
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += _SUFFIX[bits]
    return suffix


def to18(record_id: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None when it is malformed."""
    if not _SHAPE.match(record_id):
        return None
    id15 = record_id[:15]
    full = id15 + checksum(id15)
    if len(record_id) == 18 and record_id[15:].upper() != full[15:].upper():
        return None
    return full


def object_of(record_id: str) -> str | None:
    return OBJECT_BY_PREFIX.get(record_id[:3])


class IdFactory:
    """Hands out ids shaped like a real org's: prefix, pod, a reserved 0, a base-62 counter."""

    def __init__(self, pod: str = "5g") -> None:
        self._pod = pod
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    def new(self, prefix: str) -> str:
        with self._lock:
            number = next(self._counter)
        # Start the counter high so that the ids mix digits and letters of both cases,
        # which is what makes the checksum matter.
        number += 62**5 * 17
        digits = ""
        for _ in range(9):
            number, rest = divmod(number, 62)
            digits = _BASE62[rest] + digits
        id15 = f"{prefix}{self._pod}0{digits}"
        return id15 + checksum(id15)

    def reset(self) -> None:
        with self._lock:
            self._counter = itertools.count(1)
