"""Profile refresh in-process: the service, the due selection, the tasks in eager mode and the command.

Reliability claims (real broker, real workers, killed workers, rate limit across
processes) are tested in tests/integration/test_workers.py.
"""

import random
from datetime import UTC, datetime, timedelta
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ledger import services, tasks
from ledger.models import FollowerSnapshot, PlatformAccount, ProfileRefresh
from ledger.platforms import TransientPlatformError
from ledger.simulator import deterministic_profile
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

SLOT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def fault(sim, uid: str, kind: str, **extra) -> None:
    httpx.post(f"{sim.url}/_control/faults", json={"uid": uid, "fault": kind, **extra}).raise_for_status()


def test_success_writes_one_snapshot_and_updates_the_account(simulator):
    account = AccountFactory(platform="douyin", platform_uid="dy_1")
    record = services.profile_refresh(account_id=account.pk, slot=SLOT)
    expected = deterministic_profile("douyin", "dy_1")["follower_count"]
    account.refresh_from_db()
    snapshot = FollowerSnapshot.objects.get(account=account)
    assert (record.outcome, record.http_status, record.snapshot_id) == ("success", 200, snapshot.pk)
    assert record.latency_ms is not None and record.finished_at >= record.started_at
    assert (snapshot.follower_count, snapshot.source, snapshot.refresh_slot) == (expected, "refresh", SLOT)
    assert account.follower_count == expected
    assert account.last_refreshed_at == snapshot.captured_at


def test_a_refresh_takes_one_request_of_the_platforms_rate_limit(simulator, monkeypatch):
    """GIVEN a platform's rate limit WHEN an account is refreshed THEN it spends one grant: one per request."""
    from core.ratelimit import LocalRateLimiter

    grants = []
    original = LocalRateLimiter.acquire
    monkeypatch.setattr(LocalRateLimiter, "acquire", lambda self, **kw: grants.append(1) or original(self, **kw))
    account = AccountFactory()
    assert services.profile_refresh(account_id=account.pk, slot=SLOT).outcome == "success"
    assert len(grants) == 1


def test_a_duplicate_refresh_in_the_same_slot_leaves_one_snapshot(simulator):
    account = AccountFactory()
    services.profile_refresh(account_id=account.pk, slot=SLOT)
    again = services.profile_refresh(account_id=account.pk, slot=SLOT)
    assert again.outcome == "duplicate"
    assert FollowerSnapshot.objects.filter(account=account).count() == 1
    services.profile_refresh(account_id=account.pk, slot=SLOT + timedelta(hours=1))
    assert FollowerSnapshot.objects.filter(account=account).count() == 2


@pytest.mark.parametrize(
    ("uid", "status"), [("deleted-1", "deleted"), ("banned-1", "banned"), ("suspended-1", "suspended")]
)
def test_gone_accounts_change_status_and_are_not_retried(simulator, uid, status):
    account = AccountFactory(platform_uid=uid)
    record = services.profile_refresh(account_id=account.pk, slot=SLOT, final_attempt=False)  # no raise: no retry
    account.refresh_from_db()
    assert (record.outcome, account.status) == ("account_gone", status)
    assert not FollowerSnapshot.objects.filter(account=account).exists()


def test_transient_errors_raise_for_a_retry_then_fail_on_the_final_attempt(simulator):
    account = AccountFactory(platform_uid="u1")
    fault(simulator, "u1", "503")
    with pytest.raises(TransientPlatformError):
        services.profile_refresh(account_id=account.pk, slot=SLOT, attempt=1, final_attempt=False)
    final = services.profile_refresh(account_id=account.pk, slot=SLOT, attempt=2, final_attempt=True)
    outcomes = list(
        ProfileRefresh.objects.filter(account=account).order_by("attempt").values_list("outcome", "http_status")
    )
    assert outcomes == [("retrying", 503), ("failed", 503)]
    assert final.outcome == "failed"
    assert not FollowerSnapshot.objects.filter(account=account).exists()


@pytest.mark.parametrize("kind", ["malformed", "bad_data"])
def test_malformed_data_is_a_failed_attempt_with_no_snapshot(simulator, kind):
    account = AccountFactory(platform_uid="u1")
    fault(simulator, "u1", kind)
    record = services.profile_refresh(account_id=account.pk, slot=SLOT, final_attempt=False)
    assert record.outcome == "failed" and record.error
    assert not FollowerSnapshot.objects.filter(account=account).exists()


def test_a_reinstated_account_becomes_active_again(simulator):
    account = AccountFactory(platform_uid="u1", status="suspended")
    services.profile_refresh(account_id=account.pk, slot=SLOT)
    account.refresh_from_db()
    assert account.status == "active"


def test_a_poison_delivery_gives_up_after_the_delivery_limit(simulator, settings):
    """GIVEN an attempt whose earlier deliveries never finished (their worker died)
    WHEN it is delivered again THEN those are marked lost, and at the limit it gives up as failed."""
    settings.REFRESH_MAX_DELIVERIES = 2
    account = AccountFactory()
    for _ in range(2):
        ProfileRefresh.objects.create(account=account, slot=SLOT, task_id="t-1", attempt=1, started_at=timezone.now())
    record = services.profile_refresh(account_id=account.pk, slot=SLOT, task_id="t-1")
    assert record.outcome == "failed" and "delivered 3 times" in record.error
    assert list(ProfileRefresh.objects.filter(task_id="t-1").values_list("outcome", flat=True).order_by("id")) == [
        "lost",
        "lost",
        "failed",
    ]
    assert not FollowerSnapshot.objects.filter(account=account).exists()


def test_a_redelivery_below_the_limit_marks_the_lost_attempt_and_refreshes(simulator):
    account = AccountFactory()
    ProfileRefresh.objects.create(account=account, slot=SLOT, task_id="t-2", attempt=1, started_at=timezone.now())
    record = services.profile_refresh(account_id=account.pk, slot=SLOT, task_id="t-2")
    assert record.outcome == "success"
    assert ProfileRefresh.objects.filter(task_id="t-2", outcome="lost").count() == 1


def test_a_vanished_account_is_skipped_quietly(simulator):
    assert services.profile_refresh(account_id=999_999, slot=SLOT) is None


# --- which accounts are due -------------------------------------------------------


def test_accounts_due_follow_account_then_platform_then_default_interval(settings):
    settings.PLATFORM_DEFAULT_REFRESH_HOURS = 24
    settings.PLATFORM_SETTINGS = {"weibo": {"refresh_hours": "6"}}
    now = timezone.now()
    never = AccountFactory(platform="douyin")
    fresh = AccountFactory(platform="douyin")
    stale = AccountFactory(platform="douyin")
    weibo_7h = AccountFactory(platform="weibo")
    custom_2h = AccountFactory(platform="douyin", refresh_interval=timedelta(hours=1))
    deleted = AccountFactory(platform="douyin", status="deleted")
    for account, age in ((fresh, 2), (stale, 25), (weibo_7h, 7), (custom_2h, 2), (deleted, 48)):
        PlatformAccount.objects.filter(pk=account.pk).update(last_refreshed_at=now - timedelta(hours=age))
    due = set(services.accounts_due(now=now).values_list("pk", flat=True))
    assert due == {never.pk, stale.pk, weibo_7h.pk, custom_2h.pk}
    assert set(services.accounts_due(now=now, platform="weibo").values_list("pk", flat=True)) == {weibo_7h.pk}


def test_refresh_slot_is_aligned(settings):
    settings.REFRESH_SLOT_MINUTES = 60
    assert services.refresh_slot_for(datetime(2026, 1, 1, 17, 59, 59, tzinfo=UTC)) == datetime(
        2026, 1, 1, 17, tzinfo=UTC
    )
    settings.REFRESH_SLOT_MINUTES = 15
    assert services.refresh_slot_for(datetime(2026, 1, 1, 17, 44, tzinfo=UTC)) == datetime(
        2026, 1, 1, 17, 30, tzinfo=UTC
    )


# --- tasks (eager) ----------------------------------------------------------------


def test_retry_delay_is_full_jitter_capped_and_honours_retry_after(settings):
    settings.REFRESH_RETRY_BACKOFF_SECONDS = 2
    settings.REFRESH_RETRY_BACKOFF_MAX_SECONDS = 20
    random.seed(1)
    delays = [tasks.retry_delay(retries) for retries in range(6) for _ in range(200)]
    assert all(0 <= d <= 20 for d in delays)
    assert max(tasks.retry_delay(0) for _ in range(200)) <= 2
    assert max(tasks.retry_delay(5) for _ in range(500)) > 10  # grows exponentially until the cap
    assert min(tasks.retry_delay(0, retry_after=7) for _ in range(50)) >= 7


def test_refresh_account_task_retries_transient_errors_until_success(simulator):
    account = AccountFactory(platform_uid="u1")
    fault(simulator, "u1", "500", times=2)
    result = tasks.refresh_account.apply(args=[account.pk, SLOT.isoformat()])
    assert result.successful(), result.traceback
    attempts = list(
        ProfileRefresh.objects.filter(account=account).order_by("attempt").values_list("attempt", "outcome")
    )
    assert attempts == [(1, "retrying"), (2, "retrying"), (3, "success")]
    assert FollowerSnapshot.objects.filter(account=account).count() == 1


def test_refresh_account_task_gives_up_after_max_retries(simulator):
    account = AccountFactory(platform_uid="u1")
    fault(simulator, "u1", "500")
    tasks.refresh_account.apply(args=[account.pk, SLOT.isoformat()])
    outcomes = list(
        ProfileRefresh.objects.filter(account=account).order_by("attempt").values_list("outcome", flat=True)
    )
    assert outcomes == ["retrying"] * tasks.refresh_account.max_retries + ["failed"]


def test_refresh_due_accounts_fans_out_to_every_due_account(simulator):
    accounts = AccountFactory.create_batch(5)
    AccountFactory(status="deleted")
    sent = tasks.refresh_due_accounts.apply().get()
    assert sent == 5
    assert FollowerSnapshot.objects.filter(source="refresh").count() == 5
    assert all(a.last_refreshed_at for a in PlatformAccount.objects.filter(pk__in=[a.pk for a in accounts]))
    assert tasks.refresh_due_accounts.apply().get() == 0  # nothing due any more


# --- the command ------------------------------------------------------------------


def test_refresh_profiles_command(simulator):
    accounts = AccountFactory.create_batch(3, platform="douyin")
    AccountFactory(platform="weibo")
    out, err = StringIO(), StringIO()
    call_command("refresh_profiles", "--platform", "douyin", stdout=out, stderr=err)
    assert "3 account(s): 3 success." in out.getvalue()
    assert "3/3" in err.getvalue()  # the progress bar
    call_command("refresh_profiles", "--account", str(accounts[0].pk), stdout=out, stderr=StringIO())
    assert FollowerSnapshot.objects.filter(account=accounts[0]).count() == 1  # same slot: duplicate
    with pytest.raises(CommandError, match="No account"):
        call_command("refresh_profiles", "--account", "424242", stdout=StringIO(), stderr=StringIO())


def test_refresh_profiles_command_fails_when_refreshes_fail(simulator, settings):
    account = AccountFactory(platform_uid="u1")
    fault(simulator, "u1", "malformed")
    with pytest.raises(CommandError, match="1 refresh"):
        call_command("refresh_profiles", "--account", str(account.pk), stdout=StringIO(), stderr=StringIO())
