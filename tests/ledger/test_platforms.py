"""The HTTP platform client against the simulator: each answer maps to its error kind."""

import httpx
import pytest

from ledger.platforms import (
    AccountUnavailable,
    HttpPlatformClient,
    MalformedProfile,
    PlatformError,
    PlatformNotConfigured,
    TransientPlatformError,
    client_for,
    parse_profile,
    platform_config,
)
from ledger.simulator import deterministic_profile


def fault(sim, uid: str, kind: str, **extra) -> None:
    httpx.post(f"{sim.url}/_control/faults", json={"uid": uid, "fault": kind, **extra}).raise_for_status()


def test_profile_is_deterministic_and_parsed(simulator):
    profile = client_for("douyin").fetch_profile("dy_1")
    expected = deterministic_profile("douyin", "dy_1")
    assert (profile.uid, profile.follower_count, profile.status) == ("dy_1", expected["follower_count"], "active")
    assert client_for("douyin").fetch_profile("dy_1") == profile
    assert client_for("weibo").fetch_profile("dy_1").follower_count != profile.follower_count


@pytest.mark.parametrize(
    ("uid", "status", "code"),
    [("deleted-1", "deleted", 404), ("banned-1", "banned", 403), ("suspended-1", "suspended", 410)],
)
def test_gone_accounts(simulator, uid, status, code):
    with pytest.raises(AccountUnavailable) as info:
        client_for("douyin").fetch_profile(uid)
    assert (info.value.status, info.value.http_status) == (status, code)


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_errors_are_transient(simulator, kind):
    fault(simulator, "u1", kind, times=1)
    with pytest.raises(TransientPlatformError) as info:
        client_for("douyin").fetch_profile("u1")
    assert info.value.http_status == int(kind)
    assert client_for("douyin").fetch_profile("u1").uid == "u1"  # only once


def test_429_is_transient_with_retry_after(simulator):
    fault(simulator, "u1", "429", retry_after_seconds=7)
    with pytest.raises(TransientPlatformError) as info:
        client_for("douyin").fetch_profile("u1")
    assert (info.value.http_status, info.value.retry_after) == (429, 7.0)


def test_timeout_is_transient(simulator):
    fault(simulator, "slow", "timeout", times=1)  # the simulator answers after 2 s; the client waits 0.5 s
    with pytest.raises(TransientPlatformError, match="timeout"):
        client_for("douyin").fetch_profile("slow")


def test_connection_refused_is_transient(settings):
    config = platform_config("douyin")
    client = HttpPlatformClient(
        config.__class__(**{**vars(config), "url": "http://127.0.0.1:9"}), connect_timeout=0.5, read_timeout=0.5
    )
    with pytest.raises(TransientPlatformError, match="connection error"):
        client.fetch_profile("x")


@pytest.mark.parametrize("kind", ["malformed", "bad_data"])
def test_malformed_answers(simulator, kind):
    fault(simulator, "u1", kind)
    with pytest.raises(MalformedProfile):
        client_for("douyin").fetch_profile("u1")


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"follower_count": "12"},
        {"follower_count": True},
        {"follower_count": 1, "status": "asleep"},
        {"uid": "other", "follower_count": 1},
    ],
)
def test_parse_profile_refuses_bad_data(payload):
    with pytest.raises(MalformedProfile):
        parse_profile(payload, "u1")


def test_token_is_sent(simulator, settings):
    simulator.state.token = "s3cret"
    try:
        from ledger.platforms import reset_clients

        settings.PLATFORM_SETTINGS = {"douyin": {"token": "s3cret"}}
        reset_clients()
        assert client_for("douyin").fetch_profile("u1").uid == "u1"
        with pytest.raises(PlatformError, match="401"):  # the other platform has no token
            client_for("weibo").fetch_profile("u1")
    finally:
        simulator.state.token = ""


def test_per_platform_configuration(settings):
    settings.PLATFORM_SETTINGS = {"weibo": {"url": "http://weibo.gateway/", "rps": "2.5", "refresh_hours": "6"}}
    settings.PLATFORM_DEFAULT_URL = "http://default.gateway"
    weibo, douyin = platform_config("weibo"), platform_config("douyin")
    assert (weibo.url, weibo.rps, weibo.refresh_interval.total_seconds()) == ("http://weibo.gateway", 2.5, 6 * 3600)
    assert douyin.url == "http://default.gateway"


def test_missing_url_is_a_clear_error(settings):
    from ledger.platforms import reset_clients

    settings.PLATFORM_DEFAULT_URL = ""
    settings.PLATFORM_SETTINGS = {}
    reset_clients()
    with pytest.raises(PlatformNotConfigured):
        client_for("douyin")
