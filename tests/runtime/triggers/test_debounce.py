"""Debounced runs: a burst of triggers is one run, a trigger during a run is one more run
after it, and two runs of one pair never overlap."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from mapc.runtime.triggers.debounce import Again, Debouncer, Pending


class Recorder:
    """A run that records what it was for, can be held open, and counts overlaps."""

    def __init__(self) -> None:
        self.runs: list[Pending] = []
        self.inside = 0
        self.overlapped = False
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.answer: list[Again | None] = []
        self._lock = threading.Lock()

    def __call__(self, pending: Pending) -> Again | None:
        with self._lock:
            self.inside += 1
            self.overlapped |= self.inside > 1
            self.runs.append(pending)
        self.entered.set()
        self.gate.wait(10)
        with self._lock:
            self.inside -= 1
        return self.answer.pop(0) if self.answer else None


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def debouncer(recorder: Recorder) -> Iterator[Debouncer]:
    found = Debouncer("pair", recorder, window=0.2)
    found.start()
    yield found
    recorder.gate.set()
    found.stop()


def test_a_burst_of_triggers_is_one_run(debouncer: Debouncer, recorder: Recorder) -> None:
    for n in range(25):
        debouncer.trigger("webhook event", {"contacts": 1000 + n})
    assert debouncer.idle(10)
    assert len(recorder.runs) == 1
    assert recorder.runs[0].reasons["webhook event"] == 25
    assert recorder.runs[0].expect == {"contacts": 1024}


def test_a_trigger_during_a_run_is_one_more_run_after_it(
    debouncer: Debouncer, recorder: Recorder
) -> None:
    recorder.gate.clear()
    debouncer.trigger("webhook event")
    assert recorder.entered.wait(10)
    for _ in range(10):  # while the first run is going on
        debouncer.trigger("Salesforce change")
    recorder.gate.set()
    assert debouncer.idle(10)
    assert [dict(p.reasons) for p in recorder.runs] == [
        {"webhook event": 1},
        {"Salesforce change": 10},
    ]
    assert not recorder.overlapped


def test_a_run_that_asks_to_run_again_does_so(debouncer: Debouncer, recorder: Recorder) -> None:
    again = Pending()
    again.add("follow-up", {"contacts": 5})
    recorder.answer.append(Again(0.05, again))
    debouncer.trigger("webhook event", {"contacts": 5})
    assert debouncer.idle(10)
    assert [dict(p.reasons) for p in recorder.runs] == [{"webhook event": 1}, {"follow-up": 1}]


def test_a_failed_run_is_tried_again_not_lost() -> None:
    calls: list[Pending] = []

    def failing(pending: Pending) -> Again | None:
        calls.append(pending)
        if len(calls) == 1:
            raise RuntimeError("the API is down")
        return None

    found = Debouncer("pair", failing, window=0.05, failed_first=0.05)
    found.start()
    try:
        found.trigger("webhook event")
        assert found.idle(10)
    finally:
        found.stop()
    assert len(calls) == 2 and calls[1].reasons["webhook event"] == 1
