"""Matching HubSpot batch results to inputs, and isolating bad inputs of a rejected batch."""

from __future__ import annotations

from typing import Any

from mapc.runtime.hubspot.batch import match_results, write_isolating
from mapc.runtime.hubspot.http import HubSpotHttpError, Reply


def batch_of(n: int) -> list[tuple[int, dict[str, Any]]]:
    return [
        (i, {"properties": {"email": f"p{i}@x.io"}, "objectWriteTraceId": str(i)}) for i in range(n)
    ]


def test_results_and_errors_match_by_trace_id_in_any_order() -> None:
    batch = batch_of(3)
    body = {
        "status": "COMPLETE",
        "results": [
            {"id": "12", "objectWriteTraceId": "2"},
            {"id": "10", "objectWriteTraceId": "0"},
        ],
        "errors": [
            {
                "category": "VALIDATION_ERROR",
                "message": "bad",
                "context": {"objectWriteTraceId": ["1"]},
            }
        ],
    }
    results = match_results(batch, body, lambda i: None, lambda r: None)
    assert [(r.index, r.ok, r.id) for r in results] == [
        (0, True, "10"),
        (1, False, None),
        (2, True, "12"),
    ]
    assert results[1].errors[0].code == "VALIDATION_ERROR"


def test_update_results_match_by_id_and_missing_ids_fail() -> None:
    batch = [(0, {"id": "5"}), (1, {"id": "6"})]
    body = {
        "results": [{"id": "6"}],
        "errors": [{"category": "OBJECT_NOT_FOUND", "message": "nope", "context": {"ids": ["5"]}}],
    }
    results = match_results(batch, body, lambda i: i["id"], lambda r: str(r.get("id")))
    assert [(r.ok, r.id) for r in results] == [(False, None), (True, "6")]


def test_a_whole_batch_rejection_is_split_until_the_bad_input_stands_alone() -> None:
    bad = {13, 77}
    calls: list[int] = []

    def send(batch: list[tuple[int, dict[str, Any]]]) -> Reply:
        calls.append(len(batch))
        if any(i in bad for i, _ in batch):
            raise HubSpotHttpError(
                400,
                {},
                {"category": "VALIDATION_ERROR", "message": "Property values were not valid"},
            )
        return Reply(
            201,
            {},
            {"results": [{"id": str(1000 + i), "objectWriteTraceId": str(i)} for i, _ in batch]},
        )

    def parse(batch: Any, reply: Reply) -> Any:
        return match_results(batch, reply.body, lambda i: None, lambda r: None)

    results = write_isolating(batch_of(100), send, parse)
    assert [r.index for r in results] == list(range(100))
    assert {r.index for r in results if not r.ok} == bad
    assert all(r.id == str(1000 + r.index) for r in results if r.ok)
    assert len(calls) <= 30


def test_other_errors_are_not_split() -> None:
    def send(batch: Any) -> Reply:
        raise HubSpotHttpError(401, {}, {"category": "INVALID_AUTHENTICATION", "message": "no"})

    try:
        write_isolating(batch_of(4), send, lambda b, r: [])
    except HubSpotHttpError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a 401 must not be split")
