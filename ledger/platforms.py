"""Clients for the platforms' profile APIs.

One small interface, :class:`PlatformClient` ("fetch this account's profile"),
and one HTTP implementation on httpx with pooled connections, connect and read
timeouts and the global per-platform rate limit. Each platform is configured
from the environment (``PLATFORM_<NAME>_URL``, ``_TOKEN``, ``_RPS``,
``_REFRESH_HOURS``, falling back to ``PLATFORM_DEFAULT_*``).

The client speaks one profile contract: ``GET {url}/v1/{platform}/profiles/{uid}``
answering ``{"uid", "follower_count", "status", "display_name"}``; 404 means the
account was deleted, 403 banned, 410 suspended; 429 (with Retry-After), 5xx,
timeouts and connection errors are transient. The bundled simulator
(``manage.py simulate_platform``) serves it; a production deployment points each
platform at a gateway that serves it from the real platform.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from urllib.parse import quote

import httpx
from django.conf import settings

from core.ratelimit import RateLimitWait, limiter_for
from ledger.choices import AccountStatus

# How long a worker may sleep for a rate-limit slot before handing the task back for a later retry.
MAX_RATE_LIMIT_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Profile:
    """What a platform says about one account."""

    uid: str
    follower_count: int
    status: str
    display_name: str


class PlatformError(Exception):
    """A profile could not be fetched. ``http_status`` is set when the platform answered."""

    def __init__(self, message: str, *, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


class TransientPlatformError(PlatformError):
    """Timeouts, connection errors, 5xx and 429: worth retrying later."""

    def __init__(self, message: str, *, http_status: int | None = None, retry_after: float | None = None):
        super().__init__(message, http_status=http_status)
        self.retry_after = retry_after


class AccountUnavailable(PlatformError):
    """The platform says the account is deleted (404), banned (403) or suspended (410). Not retried."""

    def __init__(self, message: str, *, http_status: int, status: str):
        super().__init__(message, http_status=http_status)
        self.status = status


class MalformedProfile(PlatformError):
    """The platform answered 200 with data that is not a valid profile. Not retried."""


class PlatformNotConfigured(PlatformError):
    """No URL is configured for the platform."""


class PlatformClient(Protocol):
    def fetch_profile(self, platform_uid: str) -> Profile: ...


@dataclass(frozen=True)
class PlatformConfig:
    platform: str
    url: str
    token: str
    rps: float
    refresh_interval: timedelta


def platform_config(platform: str) -> PlatformConfig:
    """The platform's settings, each falling back to the PLATFORM_DEFAULT_* value."""
    own = settings.PLATFORM_SETTINGS.get(platform, {})
    return PlatformConfig(
        platform=platform,
        url=own.get("url", settings.PLATFORM_DEFAULT_URL).rstrip("/"),
        token=own.get("token", settings.PLATFORM_DEFAULT_TOKEN),
        rps=float(own.get("rps", settings.PLATFORM_DEFAULT_RPS)),
        refresh_interval=timedelta(hours=float(own.get("refresh_hours", settings.PLATFORM_DEFAULT_REFRESH_HOURS))),
    )


_GONE = {404: AccountStatus.DELETED, 403: AccountStatus.BANNED, 410: AccountStatus.SUSPENDED}
_PROFILE_STATUSES = set(AccountStatus.values)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to the backoff policy


def parse_profile(payload: object, platform_uid: str) -> Profile:
    """Validate a profile answer; anything unexpected is :class:`MalformedProfile`."""
    if not isinstance(payload, dict):
        raise MalformedProfile("profile is not a JSON object", http_status=200)
    count, status, name = (
        payload.get("follower_count"),
        payload.get("status", "active"),
        payload.get("display_name", ""),
    )
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise MalformedProfile(f"follower_count is not a non-negative integer: {count!r}", http_status=200)
    if status not in _PROFILE_STATUSES:
        raise MalformedProfile(f"unknown status {status!r}", http_status=200)
    if not isinstance(name, str):
        raise MalformedProfile("display_name is not text", http_status=200)
    if str(payload.get("uid", platform_uid)) != platform_uid:
        raise MalformedProfile("the profile is for another account", http_status=200)
    return Profile(uid=platform_uid, follower_count=count, status=status, display_name=name)


class HttpPlatformClient:
    """The profile contract over HTTP (httpx: pooled, with timeouts and the rate limit)."""

    def __init__(self, config: PlatformConfig, *, connect_timeout: float, read_timeout: float):
        if not config.url:
            raise PlatformNotConfigured(f"no URL configured for platform {config.platform!r}")
        self.config = config
        headers = {"Accept": "application/json", "User-Agent": "paid-review-ledger/1.0"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        self._http = httpx.Client(
            base_url=config.url,
            headers=headers,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )
        self._limiter = limiter_for(config.platform, config.rps)

    def fetch_profile(self, platform_uid: str) -> Profile:
        try:
            self._limiter.acquire(max_wait=MAX_RATE_LIMIT_WAIT_SECONDS)
        except RateLimitWait as exc:
            raise TransientPlatformError(str(exc), retry_after=exc.wait_seconds) from exc
        path = f"/v1/{self.config.platform}/profiles/{quote(platform_uid, safe='')}"
        try:
            response = self._http.get(path)
        except httpx.TimeoutException as exc:
            raise TransientPlatformError(f"timeout: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise TransientPlatformError(f"connection error: {type(exc).__name__}: {exc}") from exc
        code = response.status_code
        if code in _GONE:
            raise AccountUnavailable(f"platform answered {code}", http_status=code, status=_GONE[code])
        if code == 429:
            raise TransientPlatformError(
                "rate limited by the platform",
                http_status=code,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if code >= 500:
            raise TransientPlatformError(f"platform error {code}", http_status=code)
        if code != 200:
            raise PlatformError(f"unexpected answer {code}", http_status=code)
        try:
            payload = response.json()
        except ValueError as exc:
            raise MalformedProfile("answer is not JSON", http_status=code) from exc
        return parse_profile(payload, platform_uid)

    def close(self) -> None:
        self._http.close()


_clients: dict[tuple[int, str], PlatformClient] = {}
_clients_lock = threading.Lock()


def client_for(platform: str) -> PlatformClient:
    """The process's client for a platform (created on first use, after any fork)."""
    key = (os.getpid(), platform)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = HttpPlatformClient(
                platform_config(platform),
                connect_timeout=settings.PLATFORM_CONNECT_TIMEOUT,
                read_timeout=settings.PLATFORM_READ_TIMEOUT,
            )
            _clients[key] = client
        return client


def reset_clients() -> None:
    """Forget cached clients (after a configuration change, and in tests)."""
    with _clients_lock:
        for client in _clients.values():
            close = getattr(client, "close", None)
            if close:
                close()
        _clients.clear()
