"""Read-ahead: streams read at the same time, consumed in order, failures where they are."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from mapc.runtime.readahead import ReadAhead


def test_two_streams_are_read_at_the_same_time_and_each_in_order() -> None:
    both_reading = threading.Barrier(2, timeout=10)

    def pages(prefix: str) -> Iterator[str]:
        both_reading.wait()  # one stream at a time would wait here forever
        for n in range(5):
            yield f"{prefix}{n}"

    with ReadAhead(pages("hs")) as hubspot, ReadAhead(pages("sf")) as salesforce:
        assert list(hubspot) == ["hs0", "hs1", "hs2", "hs3", "hs4"]
        assert list(salesforce) == ["sf0", "sf1", "sf2", "sf3", "sf4"]


def test_a_failure_is_raised_where_the_source_raised_it() -> None:
    def pages() -> Iterator[int]:
        yield 1
        yield 2
        raise ConnectionResetError("the connection dropped")

    seen: list[int] = []
    with ReadAhead(pages()) as stream, pytest.raises(ConnectionResetError):
        for page in stream:
            seen.append(page)
    assert seen == [1, 2]


def test_leaving_early_stops_the_reader() -> None:
    produced: list[int] = []

    def pages() -> Iterator[int]:
        for n in range(10_000):
            produced.append(n)
            yield n

    with ReadAhead(pages(), depth=2) as stream:
        for page in stream:
            if page == 3:
                break
    # The reader stopped a few pages ahead of the consumer, not at the end of the stream.
    assert len(produced) < 10
    assert not stream._thread.is_alive()


def test_ready_takes_what_was_read_without_waiting_and_iterating_takes_the_rest() -> None:
    more = threading.Event()

    def pages() -> Iterator[int]:
        yield 1
        yield 2
        assert more.wait(10)
        yield 3

    with ReadAhead(pages(), depth=8) as stream:
        taken: list[int] = []
        while len(taken) < 2:
            taken += list(stream.ready())  # never blocks: the third page is not read yet
        assert taken == [1, 2] and list(stream.ready()) == []
        more.set()
        assert list(stream) == [3]
        assert list(stream) == [] and list(stream.ready()) == []  # the end stays the end


def test_a_stream_ended_while_iterating_stops_at_once_when_iterated_again() -> None:
    with ReadAhead(iter([1]), depth=2) as stream:
        for page in stream:
            assert page == 1
            break
        assert list(stream) == []
        assert list(stream) == []  # would block forever if the end were taken only once
