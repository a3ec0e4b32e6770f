"""The campaign admin: the list, the page with members, variants and timeline, the status action, case links."""

import pytest
from django.urls import reverse

from reviews.choices import CampaignStatus
from reviews.models import Campaign
from tests.reviews.factories import TargetFactory
from tests.reviews.test_campaign_api import plant
from tests.reviews.test_campaign_detection import HEADLINES

pytestmark = pytest.mark.django_db


def test_the_list_and_the_page_show_members_variants_and_timeline(client, superuser):
    campaign = plant(TargetFactory(name="小米汽车"))
    client.force_login(superuser)

    listing = client.get(reverse("admin:reviews_campaign_changelist")).content.decode()
    assert "小米汽车" in listing and "1,060" in listing

    page = client.get(reverse("admin:reviews_campaign_change", args=[campaign.pk])).content.decode()
    assert page.count('class="point"') == 4  # one dot per member review on the timeline
    assert 'data-value="900"' in page
    assert page.index(HEADLINES[0]) < page.index(HEADLINES[1]) < page.index(HEADLINES[2])  # most viewed first
    for member in campaign.members.all():
        assert reverse("admin:reviews_review_change", args=[member.review_id]) in page


def test_the_action_confirms_through_the_service_and_refuses_a_second_move(client, superuser):
    campaign = plant(TargetFactory())
    client.force_login(superuser)
    url = reverse("admin:reviews_campaign_changelist")
    data = {"action": "move_selected", "_selected_action": [campaign.pk], "status": "confirmed", "reason": "Checked."}

    client.post(url, data)
    assert Campaign.objects.get().status == CampaignStatus.CONFIRMED
    assert campaign.status_changes.get().changed_by == superuser

    client.post(url, {**data, "status": "dismissed"})
    assert Campaign.objects.get().status == CampaignStatus.CONFIRMED


def test_only_a_confirmed_campaign_can_be_linked_to_a_case(client, superuser):
    suspected = plant(TargetFactory())
    confirmed = plant(TargetFactory())
    Campaign.objects.filter(pk=confirmed.pk).update(status=CampaignStatus.CONFIRMED)
    client.force_login(superuser)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": "case", "field_name": "coordinated_campaigns", "term": ""},
    )

    assert response.status_code == 200
    assert [int(r["id"]) for r in response.json()["results"]] == [confirmed.pk]
    assert suspected.pk != confirmed.pk
