"""The sliding-window rate limit: never more than the limit in one window, in-process and in Redis."""

import os
import uuid

import pytest

from core.ratelimit import WINDOW_GUARD, LocalRateLimiter, RateLimitWait, RedisRateLimiter, window_for


@pytest.mark.parametrize(("rps", "expected"), [(5, (5, 1.0)), (2.5, (2, 0.8)), (0.5, (1, 2.0)), (1, (1, 1.0))])
def test_window_for(rps, expected):
    assert window_for(rps) == expected


def test_window_for_refuses_zero():
    with pytest.raises(ValueError):
        window_for(0)


def _grants_without_waiting(limiter, tries: int) -> tuple[int, float]:
    granted, wait = 0, 0.0
    for _ in range(tries):
        try:
            limiter.acquire(max_wait=0)
            granted += 1
        except RateLimitWait as exc:
            wait = exc.wait_seconds
    return granted, wait


def test_local_limiter_grants_the_limit_then_says_how_long_to_wait():
    granted, wait = _grants_without_waiting(LocalRateLimiter(rps=5), 8)
    assert granted == 5
    assert 0.9 < wait <= WINDOW_GUARD


@pytest.fixture
def redis_url():
    url = os.environ.get("LEDGER_TEST_REDIS_URL")
    if not url:
        pytest.skip("needs Redis (set LEDGER_TEST_REDIS_URL)")
    return url


def test_redis_limiter_is_shared_between_limiters(redis_url):
    """GIVEN two limiters (as in two worker processes) on one key WHEN both ask THEN together they get the limit."""
    key = f"test:ratelimit:{uuid.uuid4().hex}"
    first = RedisRateLimiter(redis_url=redis_url, key=key, rps=4)
    second = RedisRateLimiter(redis_url=redis_url, key=key, rps=4)
    granted_first, _ = _grants_without_waiting(first, 3)
    granted_second, wait = _grants_without_waiting(second, 3)
    assert (granted_first, granted_second) == (3, 1)
    assert 0.9 < wait <= WINDOW_GUARD
    first.acquire(max_wait=2)  # waits for the window to slide, then gets a slot
