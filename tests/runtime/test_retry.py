"""Retry policy and rate limiter: what is retried, how long it waits, no real sleeping."""

from __future__ import annotations

import pytest
import requests
import urllib3

from mapc.runtime.hubspot.limits import HubSpotLimiter, hubspot_policy
from mapc.runtime.ratelimit import SlidingWindowLimiter
from mapc.runtime.retry import (
    Failure,
    RetryPolicy,
    call_with_retry,
    failure_from_exception,
    parse_retry_after,
)


def policy(sleeps: list[float] | None = None, **kw: object) -> RetryPolicy:
    record = sleeps if sleeps is not None else []
    return RetryPolicy(sleep=record.append, jitter=lambda: 0.5, **kw)  # type: ignore[arg-type]


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_429_is_retried_even_for_a_create_and_honours_retry_after() -> None:
    p = policy()
    assert p.decide(Failure(429, {"retry-after": "2"}), 1, safe=False) == 2.0


def test_5xx_is_retried_only_when_safe() -> None:
    p = policy()
    assert p.decide(Failure(503), 1, safe=True) is not None
    assert p.decide(Failure(503), 1, safe=False) is None
    assert p.decide(Failure(501), 1, safe=True) is None
    assert p.decide(Failure(400), 1, safe=True) is None


def test_connection_errors_retry_when_safe_or_never_sent() -> None:
    p = policy()
    assert p.decide(Failure(None, sent=True), 1, safe=False) is None
    assert p.decide(Failure(None, sent=False), 1, safe=False) is not None
    assert p.decide(Failure(None, sent=True), 1, safe=True) is not None
    refused = requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(
            None, "/", urllib3.exceptions.NewConnectionError(None, "refused")
        )  # type: ignore[arg-type]
    )
    failure = failure_from_exception(refused)
    assert failure is not None and failure.sent is False
    reset = failure_from_exception(requests.exceptions.ReadTimeout("slow"))
    assert reset is not None and reset.sent is True
    assert failure_from_exception(ValueError("bug")) is None


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    p = RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=lambda: 0.0)
    assert [p.backoff(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    q = RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=lambda: 0.999)
    assert 7.9 < q.backoff(6) <= 8.0


def test_hubspot_rate_limit_headers_set_the_wait() -> None:
    headers = {
        "x-hubspot-ratelimit-remaining": "0",
        "x-hubspot-ratelimit-interval-milliseconds": "10000",
    }
    wait = hubspot_policy(policy()).decide(Failure(429, headers), 1, safe=True)
    assert policy().decide(Failure(429, headers), 1, safe=True) != wait  # HubSpot's only
    assert wait is not None and 10.0 <= wait < 10.2


def test_daily_limit_is_not_retried() -> None:
    assert (
        hubspot_policy(policy()).decide(
            Failure(429, {"x-hubspot-ratelimit-daily-remaining": "0"}), 1, safe=True
        )
        is None
    )


def test_gives_up_after_max_attempts() -> None:
    sleeps: list[float] = []
    p = policy(sleeps, max_attempts=3)
    calls = []

    def flaky() -> int:
        calls.append(1)
        raise requests.exceptions.ConnectionError("down")

    with pytest.raises(requests.exceptions.ConnectionError):
        call_with_retry(
            flaky,
            policy=p,
            safe=True,
            failure_of_result=lambda r: None,
            failure_of_exception=failure_from_exception,
        )
    assert len(calls) == 3 and len(sleeps) == 2


def test_call_succeeds_after_failures() -> None:
    sleeps: list[float] = []
    answers = iter([503, 503, 200])
    result = call_with_retry(
        lambda: next(answers),
        policy=policy(sleeps),
        safe=True,
        failure_of_result=lambda s: Failure(s) if s >= 500 else None,
        failure_of_exception=failure_from_exception,
    )
    assert result == 200 and len(sleeps) == 2


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_sliding_window_spaces_calls() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(3, 10.0, clock=clock, sleep=clock.sleep)
    for _ in range(7):
        limiter.acquire()
    assert clock.now == 20.0
    assert limiter.waited == 20.0


def test_a_margin_counts_each_call_a_little_longer() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(3, 10.0, margin=0.5, clock=clock, sleep=clock.sleep)
    for _ in range(7):
        limiter.acquire()
    assert clock.now == 21.0


def test_hubspot_limiter_keeps_searches_to_five_a_second_and_follows_headers() -> None:
    clock = FakeClock()
    limiter = HubSpotLimiter(100, 5, clock=clock, sleep=clock.sleep)
    for _ in range(11):
        limiter.acquire(search=True)
    assert clock.now == pytest.approx(2.06)  # each second counted 3% longer (jitter)
    # HubSpot says the rolling 10 s window is used up: wait until our oldest call leaves it.
    limiter.observe(
        {"x-hubspot-ratelimit-remaining": "0", "x-hubspot-ratelimit-interval-milliseconds": "10000"}
    )
    limiter.acquire()
    assert clock.now == pytest.approx(
        10.51
    )  # plus a margin of 1% + 5% of the interval for the server's lag
    fresh = HubSpotLimiter(100, 5, clock=clock, sleep=clock.sleep)
    fresh.observe(
        {"x-hubspot-ratelimit-remaining": "0", "x-hubspot-ratelimit-interval-milliseconds": "2000"}
    )
    fresh.acquire()
    assert clock.now == pytest.approx(12.51)  # none of our calls in that window: all of it


def test_other_calls_leave_searches_their_share_of_the_window_while_searches_go() -> None:
    clock = FakeClock()
    limiter = HubSpotLimiter(190, 5, clock=clock, sleep=clock.sleep)
    limiter.acquire(search=True)
    for _ in range(140):  # 190 less the 49 of the searches' 50 they have not used yet
        limiter.acquire()
    assert clock.now == 0.0
    limiter.acquire()  # the next would eat into the searches' share: it waits
    assert clock.now == pytest.approx(10.1)
    limiter.acquire(search=True)  # a search still fits at once
    assert clock.now == pytest.approx(10.1)


def test_searches_at_full_speed_leave_the_others_140_calls_of_each_window() -> None:
    clock = FakeClock()
    limiter = HubSpotLimiter(190, 5, clock=clock, sleep=clock.sleep)
    others = 0
    while clock.now < 9.9:  # a search every 0.2 s, other calls in between while they fit
        limiter.acquire(search=True)
        step = clock.now + 0.2
        while clock.now < step and others < 1000:
            limiter.acquire()
            others += 1 if clock.now < step else 0
        clock.now = max(clock.now, step)
    assert 135 <= others <= 141  # not 91 (the searches counted twice), not 190


def test_once_searches_stop_the_whole_window_is_the_others_again() -> None:
    clock = FakeClock()
    limiter = HubSpotLimiter(190, 5, clock=clock, sleep=clock.sleep)
    limiter.acquire(search=True)
    clock.now += 3.0  # no search for a while
    for _ in range(189):
        limiter.acquire()
    assert clock.now == pytest.approx(3.0)
