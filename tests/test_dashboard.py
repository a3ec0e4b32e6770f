"""The admin's landing page: figures that link into the filtered lists, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.services import case_transition
from core.heads import head_sign
from ledger.choices import AnomalyKind
from ledger.models import FollowerAnomaly
from reviews.models import Campaign
from risk.models import RiskScore
from tests.cases.factories import AuthorityFactory, CaseFactory
from tests.factories import AccountFactory, SnapshotFactory

pytestmark = pytest.mark.django_db


def add_ledger_data(n: int) -> None:
    """``n`` cases (the first moved to investigating), accounts with a risk score and a new anomaly each,
    and ``n`` suspected campaigns."""
    at = datetime(2025, 9, 1, tzinfo=UTC)
    for i in range(n):
        case = CaseFactory()
        if i == 0:
            case_transition(case=case, status="investigating", reason="evidence in")
        account = AccountFactory()
        before = SnapshotFactory(account=account, captured_at=at, follower_count=1000)
        after = SnapshotFactory(account=account, captured_at=at + timedelta(days=1), follower_count=90_000)
        FollowerAnomaly.objects.create(
            account=account,
            snapshot=after,
            previous_snapshot=before,
            kind=AnomalyKind.JUMP,
            change=89_000,
            change_per_day=Decimal("89"),
            reason="jump",
        )
        RiskScore.objects.create(account=account, score=10 + i, signals=[], computed_at=timezone.now())
        Campaign.objects.create(first_published_at=at, last_published_at=at, similarity=Decimal("0.9"))


def dashboard(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_dashboard_links_each_figure_to_its_filtered_list(client, superuser):
    add_ledger_data(2)
    head = head_sign()
    client.force_login(superuser)
    page, _ = dashboard(client)
    assert 'href="/admin/cases/case/?status__exact=open"' in page
    assert 'href="/admin/cases/case/?status__exact=investigating"' in page
    assert 'href="/admin/reviews/campaign/?status__exact=suspected"' in page
    assert "/admin/ledger/followeranomaly/?detected_at__gte=" in page
    assert 'href="/admin/risk/riskscore/?account__isempty=0"' in page
    assert f'href="/admin/core/journalentry/?seq__lte={head.tree_size}"' in page
    assert f'href="/admin/core/journalentry/{head.tree_size}/change/"' in page
    highest = RiskScore.objects.order_by("-score").first()
    assert f'href="/admin/ledger/platformaccount/{highest.account_id}/change/"' in page
    # the filtered lists open
    for url in [
        "/admin/cases/case/?status__exact=investigating",
        "/admin/reviews/campaign/?status__exact=suspected",
        "/admin/ledger/followeranomaly/?"
        + page.split('href="/admin/ledger/followeranomaly/?')[1].split('"')[0].replace("&amp;", "&"),
        "/admin/risk/riskscore/?account__isempty=0",
        f"/admin/core/journalentry/?seq__lte={head.tree_size}",
    ]:
        assert client.get(url).status_code == 200, url


def test_dashboard_query_count_does_not_grow_with_the_ledger(client, superuser):
    client.force_login(superuser)
    add_ledger_data(1)
    head_sign()
    _, few = dashboard(client)
    add_ledger_data(8)
    head_sign()
    page, many = dashboard(client)
    assert many == few
    assert many <= 20
    assert page.count("/admin/ledger/platformaccount/") >= 5  # the five highest-risk accounts and anomalies


def test_a_regulator_sees_the_cases_of_their_authority_only(client, regulator):
    regulator.is_staff = True
    regulator.save()
    AuthorityFactory(name="MIIT", members=[regulator])
    CaseFactory(authority=AuthorityFactory(name="CAC"))  # not theirs
    client.force_login(regulator)
    page, _ = dashboard(client)
    assert 'id="dashboard-cases"' in page
    open_row = page.split('href="/admin/cases/case/?status__exact=open">')[1].split("</li>")[0]
    assert '<span class="ml-auto font-semibold">0</span>' in open_row
