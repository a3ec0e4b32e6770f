from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from core import journal
from core.models import JournalEntry
from reviews import selectors
from reviews.demo import demo_campaign
from reviews.models import Campaign, Claim, Order, OrderStatusChange, Payment, Review, Target

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Target, Review, Claim, Order, OrderStatusChange, Payment))


def test_demo_tells_the_story_and_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    journal.integrate()
    first, entries = counts(), JournalEntry.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first == (8, 8, 2, 1, 2, 3)
    journal.integrate()
    assert JournalEntry.objects.count() == entries  # a second run changes nothing

    brands = set(Target.objects.filter(kind="brand", parent=None).values_list("name", flat=True))
    assert brands == {"XIAOMI", "XPeng", "NIO", "Deepal"}
    assert Target.objects.get(name="XIAOMI SU7").parent.name == "XIAOMI"

    claims = {c.text: c for c in Claim.objects.all()}
    assert {c.verdict for c in claims.values()} == {"false"}
    fire = claims["NIO cars catch fire spontaneously (and after collisions)."]
    doors = claims["XIAOMI car doors cannot be opened after a collision."]
    assert fire.reviews.count() == 2 and doors.reviews.count() == 1

    order = selectors.order_list().get()
    assert (order.account.platform, order.account.platform_uid) == ("douyin", "dy_60000001")
    assert order.status == "confirmed"
    assert [c.to_status for c in order.status_changes.all()] == ["under_review", "confirmed"]
    assert order.tier.code == "s21_60" and order.agreed_price == Decimal("95000.00")
    assert order.rate_card_price == Decimal("26000")  # his 21-60 s quote of 2025-09-12
    assert order.markup == Decimal("3.65")
    assert order.total_paid == Decimal("105000") and order.overpaid
    assert [r.url for r in order.reviews.all()] == [r.url for r in fire.reviews.filter(account=order.account)]


def test_demo_plants_the_doors_smear_and_detection_finds_it():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    campaign = selectors.campaign_list().get(pk=demo_campaign().pk)
    assert Campaign.objects.count() == 1
    assert [t.name for t in campaign.targets.all()] == ["XIAOMI"]  # car-model reviews count for the brand
    assert (campaign.review_count, campaign.account_count, campaign.status) == (5, 5, "suspected")
    variants = selectors.headline_variants(campaign)
    assert len(variants) == 4
    assert variants[0] == {"headline": "小米SU7撞车后车门打不开！车主被困车内", "review_count": 2, "views": 3_610_000}  # noqa: RUF001
    # the blogger's own English video is a separate piece of content, not a near-duplicate
    assert not Review.objects.filter(url__contains="dy_60000001", campaign_member__isnull=False).exists()
