"""The refresh backlog behind the lag gauge: how many accounts are due, and since when the oldest."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import journal
from core.models import JournalEntry
from ledger.models import PlatformAccount
from ledger.selectors import journal_size, refresh_backlog
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_nothing_due_means_no_lag(settings):
    account = AccountFactory()
    PlatformAccount.objects.filter(pk=account.pk).update(last_refreshed_at=timezone.now())
    backlog = refresh_backlog(now=timezone.now())
    assert (backlog.due, backlog.lag) == (0, timedelta(0))


def test_lag_is_the_longest_wait_by_account_platform_or_creation(settings):
    """GIVEN accounts due by the default, a platform's and their own interval, one never refreshed
    WHEN the backlog is read THEN it counts the due ones and the lag is the longest wait."""
    settings.PLATFORM_DEFAULT_REFRESH_HOURS = 24
    settings.PLATFORM_SETTINGS = {"weibo": {"refresh_hours": "6"}}
    now = timezone.now()
    default_3h = AccountFactory(platform="douyin")  # refreshed 27 h ago: due for 3 h
    weibo_4h = AccountFactory(platform="weibo")  # refreshed 10 h ago, every 6 h: due for 4 h
    own_5h = AccountFactory(platform="douyin", refresh_interval=timedelta(hours=1))  # 6 h ago: due for 5 h
    fresh = AccountFactory(platform="douyin")
    for account, age in ((default_3h, 27), (weibo_4h, 10), (own_5h, 6), (fresh, 1)):
        PlatformAccount.objects.filter(pk=account.pk).update(last_refreshed_at=now - timedelta(hours=age))
    backlog = refresh_backlog(now=now)
    assert (backlog.due, backlog.lag) == (3, timedelta(hours=5))

    never = AccountFactory(platform="douyin")  # never refreshed: due since it was created
    PlatformAccount.objects.filter(pk=never.pk).update(created_at=now - timedelta(hours=9))
    assert refresh_backlog(now=now) == type(backlog)(due=4, lag=timedelta(hours=9))


def test_journal_size_is_its_entry_count():
    AccountFactory.create_batch(3)
    journal.integrate()
    assert journal_size() == JournalEntry.objects.count() > 0
