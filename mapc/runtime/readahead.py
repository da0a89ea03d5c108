"""Read-ahead: a stream of pages read on a thread of its own, a few pages ahead of the
code that consumes it, so several streams' calls (HubSpot's and Salesforce's changes)
wait on the network at the same time instead of one after another."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

_POLL = 0.1  # seconds between checks that the consumer still wants pages


class ReadAhead(Generic[T]):
    """Iterate ``source`` on a daemon thread, at most ``depth`` items ahead; iterating the
    ReadAhead gives the items in order and raises what the source raised, where it raised
    it. Use it as a context manager: leaving stops the reading thread."""

    def __init__(self, source: Iterable[T], *, depth: int = 2, name: str = "mapc-read") -> None:
        self._items: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._end: tuple[bool, object] | None = None
        """The end of the source (or its error), once `ready` has taken it off the queue."""
        self._thread = threading.Thread(target=self._read, args=(source,), name=name, daemon=True)
        self._thread.start()

    def _offer(self, entry: tuple[bool, object]) -> bool:
        """Put ``entry`` once there is room; False when the consumer has gone."""
        while not self._stop.is_set():
            try:
                self._items.put(entry, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def _read(self, source: Iterable[T]) -> None:
        try:
            for item in source:
                if not self._offer((True, item)):
                    return
        except BaseException as error:  # handed to the consumer, raised where it reads
            self._offer((False, error))
            return
        self._offer((False, None))

    def __iter__(self) -> Iterator[T]:
        while True:
            if self._end is not None:
                is_item, value = self._end
            else:
                is_item, value = self._items.get()
            if is_item:
                yield value  # type: ignore[misc]
                continue
            self._end = (is_item, value)  # iterating again (or `ready`) ends there too
            if value is not None:
                raise value  # type: ignore[misc]
            return

    def ready(self) -> Iterator[T]:
        """The items read so far, without waiting for more (the reader goes on meanwhile);
        like iterating, it raises what the source raised, where it raised it."""
        while True:
            try:
                is_item, value = self._items.get_nowait()
            except queue.Empty:
                return
            if is_item:
                yield value  # type: ignore[misc]
                continue
            # The end (or the source's error): kept, so iterating afterwards ends there too.
            self._end = (is_item, value)
            if value is not None:
                raise value  # type: ignore[misc]
            return

    @property
    def finished(self) -> bool:
        """Whether the source's end has been taken (by `ready` or iterating): every item
        has been handed out."""
        return self._end is not None and self._end[1] is None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
