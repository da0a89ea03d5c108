"""HubSpot batch writes: inputs of 100, results matched back to inputs, and a batch the
API rejects as a whole for one bad input split until the bad inputs stand alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mapc.runtime.hubspot.http import HubSpotHttpError, Reply
from mapc.runtime.records import RecordError, WriteResult

BATCH_SIZE = 100
# Statuses HubSpot answers for a whole batch when some inputs are bad (validation errors,
# a duplicate unique value): nothing in the batch was written, so parts may be re-sent.
INPUT_ERRORS = frozenset({400, 409, 422})

# What a batch sender takes: the batch's inputs as (input index, JSON input) pairs.
Send = Callable[[Sequence[tuple[int, dict[str, Any]]]], Reply]
Parse = Callable[[Sequence[tuple[int, dict[str, Any]]], Reply], list[WriteResult]]


def _error_of(item: Mapping[str, Any]) -> RecordError:
    code = str(item.get("category") or item.get("status") or "ERROR")
    fields: list[str] = []
    context = item.get("context")
    if isinstance(context, Mapping):
        for key in ("propertyName", "properties"):
            values = context.get(key)
            if isinstance(values, list):
                fields += [str(v) for v in values]
    for detail in item.get("errors") or ():
        if isinstance(detail, Mapping):
            context = detail.get("context")
            if isinstance(context, Mapping) and isinstance(context.get("propertyName"), list):
                fields += [str(v) for v in context["propertyName"]]
    return RecordError(code, str(item.get("message") or ""), tuple(dict.fromkeys(fields)))


def _id_of(result: Mapping[str, Any]) -> str | None:
    value = result.get("id")
    return None if value is None else str(value)


def _context_values(item: Mapping[str, Any], *keys: str) -> list[str]:
    context = item.get("context")
    found: list[str] = []
    if isinstance(context, Mapping):
        for key in keys:
            values = context.get(key)
            if isinstance(values, list):
                found += [str(v) for v in values]
    return found


def match_results(
    batch: Sequence[tuple[int, dict[str, Any]]],
    body: Any,
    key_of_input: Callable[[dict[str, Any]], str | None],
    key_of_result: Callable[[Mapping[str, Any]], str | None],
) -> list[WriteResult]:
    """One WriteResult per input, from a 200/201/207 batch reply.

    Results and errors are matched to inputs by `objectWriteTraceId` (set to the input
    index), then by a key (record id, or the upsert's id property), then by position.
    """
    body = body if isinstance(body, Mapping) else {}
    by_index: dict[int, WriteResult] = {}
    positions = {str(index): index for index, _ in batch}
    keys = {k: index for index, item in batch if (k := key_of_input(item)) is not None}
    unplaced: list[Mapping[str, Any]] = []
    for result in body.get("results") or ():
        if not isinstance(result, Mapping):
            continue
        trace = result.get("objectWriteTraceId")
        key = key_of_result(result)
        index = positions.get(str(trace)) if trace is not None else keys.get(key or "")
        if index is None or index in by_index:
            unplaced.append(result)
            continue
        by_index[index] = WriteResult(index, True, _id_of(result), bool(result.get("new")))
    for error in body.get("errors") or ():
        if not isinstance(error, Mapping):
            continue
        refs = _context_values(error, "objectWriteTraceId")
        indexes = [positions[r] for r in refs if r in positions]
        indexes += [keys[r] for r in _context_values(error, "ids", "id") if r in keys]
        problem = _error_of(error)
        targets = indexes or [i for i, _ in batch if i not in by_index]
        for index in targets:
            if index not in by_index:
                by_index[index] = WriteResult(index, False, errors=(problem,))
    leftover = iter(unplaced)
    out: list[WriteResult] = []
    for index, _ in batch:
        if index in by_index:
            out.append(by_index[index])
            continue
        result = next(leftover, None)
        if result is None:
            out.append(WriteResult.failure(index, "NO_RESULT", "HubSpot returned no result"))
        else:
            out.append(WriteResult(index, True, _id_of(result), bool(result.get("new"))))
    return out


def write_isolating(
    batch: Sequence[tuple[int, dict[str, Any]]],
    send: Send,
    parse: Parse,
) -> list[WriteResult]:
    """Send one batch; if HubSpot rejects it as a whole because of its inputs (nothing
    was written), send halves, and halves of failing halves, until each bad input stands
    alone and gets the error as its result, while every other input is written.
    One bad input in 100 costs about 2 x log2(100) = 14 extra calls."""
    outcome = _try(batch, send, parse)
    if isinstance(outcome, HubSpotHttpError):
        return _split(batch, outcome, send, parse)
    return outcome


def _split(
    batch: Sequence[tuple[int, dict[str, Any]]],
    rejection: HubSpotHttpError,
    send: Send,
    parse: Parse,
) -> list[WriteResult]:
    if len(batch) == 1:
        return [WriteResult(batch[0][0], False, errors=(_error_of(_body(rejection)),))]
    middle = len(batch) // 2
    out: list[WriteResult] = []
    for half in (batch[:middle], batch[middle:]):
        outcome = _try(half, send, parse)
        out += (
            _split(half, outcome, send, parse) if isinstance(outcome, HubSpotHttpError) else outcome
        )
    return out


def _body(exc: HubSpotHttpError) -> Mapping[str, Any]:
    return exc.body if isinstance(exc.body, Mapping) else {"message": exc.message}


def _try(
    batch: Sequence[tuple[int, dict[str, Any]]], send: Send, parse: Parse
) -> list[WriteResult] | HubSpotHttpError:
    try:
        return parse(batch, send(batch))
    except HubSpotHttpError as exc:
        if exc.status not in INPUT_ERRORS:
            raise
        return exc
