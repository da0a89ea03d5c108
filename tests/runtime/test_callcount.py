"""API calls counted exactly, and a budget checked in the same step, across threads."""

from __future__ import annotations

import threading

from mapc.runtime.callcount import CallCounter


def test_a_budget_guard_and_its_count_are_one_step_across_threads() -> None:
    """Eight calls in flight against a budget with room for five: exactly five pass."""
    calls = CallCounter()
    start = threading.Barrier(8, timeout=10)
    refused: list[int] = []

    def guard() -> None:
        if sum(calls.values()) >= 5:
            raise RuntimeError("budget used up")

    def call(n: int) -> None:
        start.wait()
        try:
            calls.count("POST batch/create", guard=guard)
        except RuntimeError:
            refused.append(n)

    threads = [threading.Thread(target=call, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls["POST batch/create"] == 5 and len(refused) == 3
