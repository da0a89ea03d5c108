"""Checks before every API call: several at once, each removed on its own."""

from __future__ import annotations

import pytest

from mapc.runtime.beforecall import BeforeCall


def test_every_check_runs_in_order_and_a_removed_one_only_stops() -> None:
    ran: list[str] = []
    hook = BeforeCall()
    remove_a = hook.add(lambda: ran.append("a"))
    hook.add(lambda: ran.append("b"))
    hook()
    assert ran == ["a", "b"]
    remove_a()
    hook()
    assert ran == ["a", "b", "b"]


def test_a_check_that_raises_stops_the_call_before_later_checks() -> None:
    ran: list[str] = []
    hook = BeforeCall()

    def refuse() -> None:
        raise RuntimeError("budget used up")

    hook.add(refuse)
    hook.add(lambda: ran.append("later"))
    with pytest.raises(RuntimeError):
        hook()
    assert ran == []


def test_the_same_check_added_twice_is_removed_once() -> None:
    ran: list[str] = []
    hook = BeforeCall()

    def check() -> None:
        ran.append("x")

    hook.add(check)
    remove = hook.add(check)
    remove()
    hook()
    assert ran == ["x"]


def test_a_first_check_runs_before_those_added_earlier() -> None:
    ran: list[str] = []
    hook = BeforeCall()
    hook.add(lambda: ran.append("limit"))
    hook.add(lambda: ran.append("budget"), first=True)
    hook()
    assert ran == ["budget", "limit"]
