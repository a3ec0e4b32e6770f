"""Profile refresh with a real broker (Redis) and real worker processes.

GIVEN/WHEN/THEN in each test's docstring. The simulator runs in the test process
on loopback; the workers are `celery worker` processes on the test database.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from django.db import transaction

from ledger.models import FollowerSnapshot, PlatformAccount, ProfileRefresh
from tests.factories import AccountFactory
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

TERMINAL = {"success", "duplicate", "failed", "account_gone"}


def make_accounts(n: int, **kwargs) -> list[PlatformAccount]:
    with transaction.atomic():
        return [AccountFactory(**kwargs) for _ in range(n)]


def refreshed(ids: list[int]) -> int:
    return FollowerSnapshot.objects.filter(account_id__in=ids, source="refresh").values("account_id").distinct().count()


def fault(sim, uid: str, kind: str, **extra) -> None:
    httpx.post(f"{sim.url}/_control/faults", json={"uid": uid, "fault": kind, **extra}).raise_for_status()


def test_a_batch_is_refreshed_end_to_end(start_worker, producer):
    """GIVEN 30 due accounts and one worker WHEN beat's task is sent through Redis
    THEN every account gets exactly one refresh snapshot and a successful attempt."""
    ids = [a.pk for a in make_accounts(30)]
    worker = start_worker(concurrency=4)
    producer.send_task("ledger.refresh_due_accounts")
    wait_for(lambda: refreshed(ids) == 30, timeout=60, what="30 refreshed accounts", workers=[worker])
    assert FollowerSnapshot.objects.filter(account_id__in=ids).count() == 30
    assert ProfileRefresh.objects.filter(account_id__in=ids, outcome="success").count() == 30
    assert not PlatformAccount.objects.filter(pk__in=ids, last_refreshed_at__isnull=True).exists()


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(start_worker, producer, simulator):
    """GIVEN 120 accounts being refreshed (150 ms per profile) WHEN the worker is SIGKILLed mid-batch
    and a new worker starts THEN every account ends with exactly one snapshot and no attempt is left running."""
    simulator.state.latency_ms = 150
    ids = [a.pk for a in make_accounts(120)]
    first = start_worker(pool="prefork", concurrency=4)
    producer.send_task("ledger.refresh_due_accounts")
    wait_for(lambda: refreshed(ids) >= 25, timeout=60, what="25 refreshed accounts", workers=[first])
    first.kill()
    done_at_kill = refreshed(ids)
    assert done_at_kill < 120
    second = start_worker(pool="prefork", concurrency=4)
    wait_for(lambda: refreshed(ids) == 120, timeout=120, what="all 120 accounts", workers=[first, second])
    wait_for(
        lambda: not ProfileRefresh.objects.filter(account_id__in=ids, outcome="running").exists(),
        timeout=30,
        what="no attempt left running",
        workers=[second],
    )
    per_account = Counter(FollowerSnapshot.objects.filter(account_id__in=ids).values_list("account_id", flat=True))
    assert set(per_account) == set(ids)
    assert set(per_account.values()) == {1}


def test_each_fault_kind_gives_its_outcome(start_worker, producer, simulator):
    """GIVEN accounts whose platform answers with each fault kind WHEN a worker refreshes them
    THEN transient faults are retried (Retry-After honoured), gone accounts change status, bad data fails."""
    simulator.state.timeout_seconds = 3  # the workers' read timeout is 1 s
    uids = ["ok", "deleted-1", "banned-1", "suspended-1", "e500", "e503x2", "r429", "slow", "bad", "neg"]
    with transaction.atomic():
        accounts = {uid: AccountFactory(platform_uid=uid) for uid in uids}
    fault(simulator, "e500", "500")
    fault(simulator, "e503x2", "503", times=2)
    fault(simulator, "r429", "429", times=1, retry_after_seconds=2)
    fault(simulator, "slow", "timeout", times=1)
    fault(simulator, "bad", "malformed")
    fault(simulator, "neg", "bad_data")
    worker = start_worker(concurrency=8)
    producer.send_task("ledger.refresh_due_accounts")

    def final_outcomes() -> dict[str, str]:
        out = {}
        for uid, account in accounts.items():
            last = ProfileRefresh.objects.filter(account=account).order_by("-attempt", "-id").first()
            if last and last.outcome in TERMINAL:
                out[uid] = last.outcome
        return out

    wait_for(lambda: len(final_outcomes()) == len(uids), timeout=90, what="every account settled", workers=[worker])
    assert final_outcomes() == {
        "ok": "success",
        "deleted-1": "account_gone",
        "banned-1": "account_gone",
        "suspended-1": "account_gone",
        "e500": "failed",
        "e503x2": "success",
        "r429": "success",
        "slow": "success",
        "bad": "failed",
        "neg": "failed",
    }

    def attempts(uid: str) -> list[tuple[int, str, int | None]]:
        rows = ProfileRefresh.objects.filter(account=accounts[uid]).order_by("attempt")
        return list(rows.values_list("attempt", "outcome", "http_status"))

    assert attempts("e500") == [(1, "retrying", 500), (2, "retrying", 500), (3, "failed", 500)]
    assert attempts("e503x2") == [(1, "retrying", 503), (2, "retrying", 503), (3, "success", 200)]
    assert attempts("slow")[0][:2] == (1, "retrying") and attempts("slow")[1][:2] == (2, "success")
    assert attempts("bad") == [(1, "failed", 200)]
    first_429, second_429 = ProfileRefresh.objects.filter(account=accounts["r429"]).order_by("attempt")
    assert second_429.started_at - first_429.finished_at >= timedelta(seconds=1.9)
    statuses = dict(
        PlatformAccount.objects.filter(pk__in=[a.pk for a in accounts.values()]).values_list("platform_uid", "status")
    )
    assert (statuses["deleted-1"], statuses["banned-1"], statuses["suspended-1"]) == ("deleted", "banned", "suspended")
    for uid in ("e500", "bad", "neg", "deleted-1"):
        assert not FollowerSnapshot.objects.filter(account=accounts[uid]).exists()


def test_a_poison_task_stops_after_a_bounded_number_of_deliveries(start_worker, producer, simulator):
    """GIVEN a refresh that kills its worker every time (SIGKILL while it hangs on the platform)
    WHEN it is redelivered THEN after REFRESH_MAX_DELIVERIES deliveries it is recorded as failed, not retried forever."""
    simulator.state.timeout_seconds = 60
    (account,) = make_accounts(1, platform_uid="hang")
    fault(simulator, "hang", "timeout")
    env = {"REFRESH_MAX_DELIVERIES": "2", "PLATFORM_READ_TIMEOUT": "120"}
    producer.send_task("ledger.refresh_account", args=[account.pk, "2026-11-28T09:00:00+00:00"])
    workers = []
    for delivery in (1, 2):
        workers.append(start_worker(pool="prefork", concurrency=1, **env))
        wait_for(
            lambda n=delivery: ProfileRefresh.objects.filter(account=account).count() >= n,
            timeout=60,
            what=f"delivery {delivery}",
            workers=workers,
        )
        workers[-1].kill()
    workers.append(start_worker(pool="prefork", concurrency=1, **env))
    wait_for(
        lambda: ProfileRefresh.objects.filter(account=account, outcome="failed").exists(),
        timeout=60,
        what="the poison task given up",
        workers=workers,
    )
    outcomes = list(ProfileRefresh.objects.filter(account=account).order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["lost", "lost", "failed"]
    assert "delivered 3 times" in ProfileRefresh.objects.get(account=account, outcome="failed").error
    time.sleep(2)
    assert ProfileRefresh.objects.filter(account=account).count() == 3  # and nothing after


def test_two_workers_never_exceed_the_platform_rate_limit(start_worker, producer, simulator):
    """GIVEN a platform limited to 5 requests per second and two worker processes with 4 threads each
    WHEN 30 accounts are refreshed THEN the simulator never sees more than 5 requests in any second."""
    ids = [a.pk for a in make_accounts(30, platform="kuaishou")]
    # Tasks wait for the limit for several seconds here: keep the visibility timeout longer than any task.
    env = {"PLATFORM_KUAISHOU_RPS": "5", "CELERY_VISIBILITY_TIMEOUT": "120"}
    workers = [start_worker(concurrency=4, **env) for _ in range(2)]
    started = time.monotonic()
    producer.send_task("ledger.refresh_due_accounts")
    wait_for(lambda: refreshed(ids) == 30, timeout=90, what="30 refreshed accounts", workers=workers)
    elapsed = time.monotonic() - started
    stats = httpx.get(f"{simulator.url}/_control/stats").json()["by_platform"]["kuaishou"]
    assert stats["count"] == 30
    assert stats["max_per_second"] <= 5
    assert stats["max_per_second"] >= 4  # the limit, not the workers, set the pace
    assert elapsed >= 5  # 30 requests at 5 per second take at least 5 s
