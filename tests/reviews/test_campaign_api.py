"""Campaigns through the API: fields, filters, permissions, transitions (409) and the list query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.choices import HistoryKind
from reviews import services
from reviews.choices import CampaignStatus, TargetKind
from reviews.models import Campaign, CampaignStatusChange
from tests.factories import AccountFactory, AgencyFactory, InfluencerFactory
from tests.reviews.factories import ReviewFactory, TargetFactory
from tests.reviews.test_campaign_detection import HEADLINES, SMEAR

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 9, 16, 4, 0, tzinfo=UTC)


def plant(target, *, agencies=(), start=T0, accounts=None, views=(900, 100, 50, 10), text=SMEAR) -> Campaign:
    """Four reviews by different accounts (headline variants 0, 1, 0, 2) and a detection run; the new campaign."""
    before = set(Campaign.objects.values_list("pk", flat=True))
    for n, variant in enumerate((0, 1, 0, 2)):
        if accounts:
            account = accounts[n]
        else:
            agency = agencies[n % len(agencies)] if agencies else None
            account = AccountFactory(influencer=InfluencerFactory(agency=agency))
        review = ReviewFactory(
            account=account,
            headline=HEADLINES[variant],
            text=text,
            published_at=start + timedelta(hours=n),
            views=views[n],
            engagement_captured_at=start + timedelta(days=2),
            targets=[target],
        )
        services.review_signature_store(review=review)
    services.campaigns_detect()
    return Campaign.objects.exclude(pk__in=before).get()


@pytest.fixture
def brand():
    company = TargetFactory(name="小米集团", kind=TargetKind.COMPANY)
    return TargetFactory(name="小米汽车", parent=company)


def test_a_campaign_shows_every_field(as_analyst, brand):
    mcn_a, mcn_b = AgencyFactory(), AgencyFactory()
    campaign = plant(brand, agencies=(mcn_a, mcn_b))

    data = as_analyst.get(f"/api/v1/campaigns/{campaign.pk}/").json()

    members = list(campaign.members.order_by("review__published_at").values_list("review_id", "review__account_id"))
    assert data["targets"] == [brand.pk]
    assert data["reviews"] == [r for r, _ in members]
    assert data["accounts"] == [a for _, a in members]
    assert (data["review_count"], data["account_count"], data["agency_count"]) == (4, 4, 2)
    assert data["total_views"] == 1060
    assert data["first_published_at"] == "2025-09-16T12:00:00+08:00"
    assert data["last_published_at"] == "2025-09-16T15:00:00+08:00"
    assert data["status"] == "suspected"
    assert 0.5 <= data["similarity"] <= 1
    assert data["headline_variants"] == [
        {"headline": HEADLINES[0], "review_count": 2, "views": 950},
        {"headline": HEADLINES[1], "review_count": 1, "views": 100},
        {"headline": HEADLINES[2], "review_count": 1, "views": 10},
    ]
    assert len(data["explanation"]) == 5
    assert data["explanation"][0] == "4 negative reviews by 4 distinct accounts attack 小米汽车."
    assert "2 agencies" in data["explanation"][3]
    assert HEADLINES[0] in data["explanation"][4]


def test_reviews_show_their_campaign(as_analyst, brand):
    campaign = plant(brand)
    loner = ReviewFactory(targets=[brand])

    rows = {r["id"]: r["campaign"] for r in as_analyst.get("/api/v1/reviews/?page_size=50").json()["results"]}

    assert rows[loner.pk] is None
    assert {pk for pk, c in rows.items() if c == campaign.pk} == set(
        campaign.members.values_list("review_id", flat=True)
    )
    only = as_analyst.get(f"/api/v1/reviews/?campaign={campaign.pk}").json()
    assert only["count"] == 4


def test_campaign_filters_match_what_they_name(as_analyst, brand):
    rival = TargetFactory(name="蔚来")
    mcn = AgencyFactory()
    xiaomi = plant(brand, agencies=(mcn,))
    nio = plant(rival, start=T0 + timedelta(days=10))
    services.campaign_transition(campaign=nio, status=CampaignStatus.DISMISSED, reason="An outlet's own test.")
    member = xiaomi.members.select_related("review__account__influencer").first().review

    def ids(query: str) -> set[int]:
        response = as_analyst.get(f"/api/v1/campaigns/?{query}")
        assert response.status_code == 200, response.data
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"target={brand.parent_id}") == {xiaomi.pk}  # the company matches its brand's campaign
    assert ids(f"target={rival.pk}") == {nio.pk}
    assert ids("status=dismissed") == {nio.pk}
    assert ids("status=suspected") == {xiaomi.pk}
    assert ids("min_accounts=4") == {xiaomi.pk, nio.pk}
    assert ids("min_accounts=5") == set()
    assert ids(f"account={member.account_id}") == {xiaomi.pk}
    assert ids(f"influencer={member.account.influencer_id}") == {xiaomi.pk}
    assert ids(f"agency={mcn.pk}") == {xiaomi.pk}
    assert ids("published_after=2025-09-20T00:00:00Z") == {nio.pk}
    assert ids("published_before=2025-09-20T00:00:00Z") == {xiaomi.pk}
    assert as_analyst.get("/api/v1/campaigns/?status=hostile").status_code == 400


def test_regulators_confirm_or_dismiss_once_with_a_reason(as_regulator, brand):
    campaign = plant(brand)
    url = f"/api/v1/campaigns/{campaign.pk}/transition/"

    assert as_regulator.post(url, {"status": "confirmed"}).status_code == 400
    assert as_regulator.post(url, {"status": "confirmed", "reason": "  "}).status_code == 400
    response = as_regulator.post(url, {"status": "confirmed", "reason": "The carmaker's crash test disproves it."})
    assert response.status_code == 200, response.data
    assert response.json()["status"] == "confirmed"
    assert response.json()["status_history"][0]["to_status"] == "confirmed"

    again = as_regulator.post(url, {"status": "dismissed", "reason": "Changed my mind."})
    assert again.status_code == 409
    assert Campaign.objects.get().status == CampaignStatus.CONFIRMED
    assert CampaignStatusChange.objects.count() == 1
    assert as_regulator.post(url, {"status": "suspected", "reason": "Back."}).status_code == 409


def test_analysts_read_but_cannot_move_and_outsiders_cannot_read(api, analyst, outsider, brand):
    campaign = plant(brand)
    api.force_authenticate(analyst)
    assert api.get("/api/v1/campaigns/").status_code == 200
    response = api.post(f"/api/v1/campaigns/{campaign.pk}/transition/", {"status": "confirmed", "reason": "x"})
    assert response.status_code == 403
    assert api.post("/api/v1/campaigns/", {}).status_code == 403
    api.force_authenticate(outsider)
    assert api.get("/api/v1/campaigns/").status_code == 403
    assert Campaign.objects.get().status == CampaignStatus.SUSPECTED


def test_the_list_query_count_does_not_depend_on_page_size(as_analyst):
    for n in range(6):
        plant(TargetFactory(name=f"Brand {n}"), agencies=(AgencyFactory(),), start=T0 + timedelta(days=5 * n))
    as_analyst.get("/api/v1/campaigns/")  # warm up: loads the user's permissions once

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_analyst.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert queries("/api/v1/campaigns/?page_size=1") == queries("/api/v1/campaigns/?page_size=50")


def test_a_campaign_is_an_event_on_each_member_influencers_history(as_analyst, brand):
    campaign = plant(brand)
    member = campaign.members.select_related("review__account").first().review

    response = as_analyst.get(f"/api/v1/influencers/{member.account.influencer_id}/history/?kind=campaign")

    assert response.status_code == 200, response.data
    events = [e for e in response.json()["results"] if e["kind"] == HistoryKind.CAMPAIGN]
    assert [e["object_id"] for e in events] == [campaign.pk]
