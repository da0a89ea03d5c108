"""SOQL text for the Salesforce connector: quoting, datetime literals, keyset paging."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mapc.runtime.records import Cursor, parse_timestamp

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"'}


def name(text: str) -> str:
    """An object or field name, checked so no input can change the query's shape."""
    if not _NAME.match(text):
        raise ValueError(f"not a Salesforce API name: {text!r}")
    return text


def quote(value: str) -> str:
    """A SOQL string literal."""
    return "'" + "".join(_ESCAPES.get(ch, ch) for ch in value) + "'"


def datetime_literal(timestamp: str) -> str:
    """A SOQL dateTime literal (unquoted, UTC). Milliseconds are kept only when non-zero,
    since Salesforce stores SystemModstamp to the second."""
    moment = parse_timestamp(timestamp)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def select_list(fields: Sequence[str], required: Sequence[str] = ()) -> str:
    seen: dict[str, str] = {}
    for field in (*required, *fields):
        seen.setdefault(name(field).lower(), field)
    return ", ".join(seen.values())


def changed_since(
    sobject: str,
    fields: Sequence[str],
    since: Cursor | None,
    *,
    where: str | None = None,
    limit: int | None = None,
) -> str:
    """SELECT ... ordered by (SystemModstamp, Id), after `since` in that order.

    `SystemModstamp > ts OR (SystemModstamp = ts AND Id > id)` is a keyset: a page that
    ends inside a run of records sharing one timestamp resumes exactly after the last
    record read, so none is skipped and none is read again.
    """
    conditions: list[str] = []
    if since is not None:
        ts = datetime_literal(since.timestamp)
        if since.record_id:
            conditions.append(
                f"(SystemModstamp > {ts} OR (SystemModstamp = {ts} AND Id > {quote(since.record_id)}))"
            )
        else:
            conditions.append(f"SystemModstamp >= {ts}")
    if where:
        conditions.append(f"({where})")
    soql = f"SELECT {select_list(fields, ('Id', 'SystemModstamp'))} FROM {name(sobject)}"
    if conditions:
        soql += " WHERE " + " AND ".join(conditions)
    soql += " ORDER BY SystemModstamp ASC, Id ASC"
    if limit is not None:
        soql += f" LIMIT {int(limit)}"
    return soql


def by_ids(sobject: str, fields: Sequence[str], ids: Sequence[str], id_field: str = "Id") -> str:
    in_list = ", ".join(quote(i) for i in ids)
    return (
        f"SELECT {select_list(fields, ('Id',))} FROM {name(sobject)} "
        f"WHERE {name(id_field)} IN ({in_list})"
    )
