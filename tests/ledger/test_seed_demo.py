import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ledger.models import Agency, FollowerSnapshot, Influencer, PlatformAccount

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Agency.objects.count(),
        Influencer.objects.count(),
        PlatformAccount.objects.count(),
        FollowerSnapshot.objects.count(),
    )


def test_seed_builds_the_story_and_is_idempotent():
    seed()
    first = counts()
    seed()
    assert counts() == first
    assert first[1] >= 13  # the blogger and a dozen others

    blogger = PlatformAccount.objects.get(platform="douyin", platform_uid="dy_60000001")
    assert blogger.follower_count == 600_000
    assert blogger.influencer.agency.kind == "mcn"
    assert blogger.snapshots.count() == 365  # a year of daily history
    assert {a.platform for a in PlatformAccount.objects.all()} >= {"douyin", "kuaishou", "weibo", "bilibili"}
    for agency in Agency.objects.all():
        agency.full_clean()  # valid USCCs


def test_seed_history_has_a_bought_follower_spike():
    seed()
    account = PlatformAccount.objects.get(platform_uid="dy_60000002")
    counts_by_day = list(account.snapshots.order_by("captured_at").values_list("follower_count", flat=True))
    jumps = [b / a - 1 for a, b in itertools.pairwise(counts_by_day)]
    assert max(jumps) > 0.10  # the spike
    assert sorted(jumps)[-2] < 0.02  # organic days


def test_demo_logins_print_a_working_token_and_need_debug(settings, api):
    settings.DEBUG = True
    output = seed("--demo-logins")
    token = output.split("Bearer ")[1].split("'")[0]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/influencers/").status_code == 200
    assert api.post("/api/v1/agencies/", {"name": "x", "kind": "mcn"}).status_code == 403  # read-only
    settings.DEBUG = False
    with pytest.raises(CommandError):
        seed("--demo-logins")


def test_demo_logins_name_the_host_and_port_the_server_uses(settings):
    settings.DEBUG = True
    output = seed("--demo-logins", "--base-url", "http://0.0.0.0:9123/")
    assert "http://0.0.0.0:9123/admin/" in output
    assert "http://0.0.0.0:9123/api/v1/influencers/" in output
    assert "http://0.0.0.0:9123/api/docs/" in output
    assert ":8000" not in output


def test_refreshing_a_demo_account_continues_its_own_series(simulator):
    """GIVEN the demo and a simulator given the ledger's counts (as `make run` starts it)
    WHEN the demo blogger is refreshed now
    THEN his new count follows on from his 600,000 followers: no cliff on his chart."""
    from datetime import UTC, datetime

    from ledger.selectors import ledger_baselines
    from ledger.services import profile_refresh

    seed()
    simulator.state.baselines = ledger_baselines()
    blogger = PlatformAccount.objects.get(platform="douyin", platform_uid="dy_60000001")
    assert simulator.state.baselines[("douyin", "dy_60000001")] == (600_000, blogger.followers_captured_at.date())
    profile_refresh(account_id=blogger.pk, slot=datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    blogger.refresh_from_db()
    days = (datetime.now(UTC).date() - simulator.state.baselines[("douyin", "dy_60000001")][1]).days
    assert blogger.follower_count == round(600_000 * 1.0005**days)
    assert not blogger.anomalies.filter(snapshot__source="refresh").exists()
