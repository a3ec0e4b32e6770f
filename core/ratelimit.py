"""A per-platform request rate limit, global across worker processes when Redis is available.

The limit is a sliding window kept in Redis (one sorted set per platform,
updated atomically by a Lua script using the Redis server's clock), so all
worker processes on all machines share it and no window of the configured
length ever holds more requests than allowed. Without Redis the same
algorithm runs in-process (good for the in-process development mode only).
"""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from collections import deque
from typing import Protocol

from django.conf import settings

# Requests are granted slightly further apart than the nominal window, so that
# network jitter between the grant and the request's arrival never lets the
# platform see more than the limit in any window of nominal length.
WINDOW_GUARD = 1.03

_SLIDING_WINDOW = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window_us = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window_us)
if redis.call('ZCARD', key) < limit then
    redis.call('ZADD', key, now, ARGV[3])
    redis.call('PEXPIRE', key, math.ceil(window_us / 1000) + 1000)
    return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window_us - now
"""


class RateLimitWait(Exception):
    """The next free slot is further away than the caller is willing to wait."""

    def __init__(self, wait_seconds: float):
        super().__init__(f"rate limit: next request allowed in {wait_seconds:.2f} s")
        self.wait_seconds = wait_seconds


def window_for(rps: float) -> tuple[int, float]:
    """``(requests, seconds)``: the sliding window that allows ``rps`` requests per second."""
    if rps <= 0:
        raise ValueError("requests per second must be positive")
    limit = max(1, math.floor(rps))
    return limit, limit / rps


class RateLimiter(Protocol):
    def acquire(self, *, max_wait: float) -> None: ...


class RedisRateLimiter:
    """Sliding-window limiter shared by every process that uses the same Redis key."""

    def __init__(self, *, redis_url: str, key: str, rps: float):
        import redis

        self.limit, window = window_for(rps)
        self.window_us = int(window * WINDOW_GUARD * 1_000_000)
        self.key = key
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=3)
        self._script = self._redis.register_script(_SLIDING_WINDOW)

    def acquire(self, *, max_wait: float) -> None:
        deadline = time.monotonic() + max_wait
        while True:
            wait_us = int(self._script(keys=[self.key], args=[self.limit, self.window_us, uuid.uuid4().hex]))
            if wait_us <= 0:
                return
            wait = wait_us / 1_000_000
            if time.monotonic() + wait > deadline:
                raise RateLimitWait(wait)
            time.sleep(wait)


class LocalRateLimiter:
    """The same sliding window, within one process (development without Redis)."""

    def __init__(self, *, rps: float):
        self.limit, window = window_for(rps)
        self.window = window * WINDOW_GUARD
        self._grants: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self, *, max_wait: float) -> None:
        deadline = time.monotonic() + max_wait
        while True:
            with self._lock:
                now = time.monotonic()
                while self._grants and self._grants[0] <= now - self.window:
                    self._grants.popleft()
                if len(self._grants) < self.limit:
                    self._grants.append(now)
                    return
                wait = self._grants[0] + self.window - now
            if now + wait > deadline:
                raise RateLimitWait(wait)
            time.sleep(wait)


_limiters: dict[tuple[int, str, float], RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(platform: str, rps: float) -> RateLimiter:
    """The process's limiter for a platform (Redis-backed when RATE_LIMIT_REDIS_URL or a Redis broker is set)."""
    cache_key = (os.getpid(), platform, rps)
    with _limiters_lock:
        limiter = _limiters.get(cache_key)
        if limiter is None:
            if settings.RATE_LIMIT_REDIS_URL:
                limiter = RedisRateLimiter(
                    redis_url=settings.RATE_LIMIT_REDIS_URL, key=f"ledger:ratelimit:{platform}", rps=rps
                )
            else:
                limiter = LocalRateLimiter(rps=rps)
            _limiters[cache_key] = limiter
        return limiter
