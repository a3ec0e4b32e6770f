# ruff: noqa: RUF001 - Chinese text with its own (full-width) punctuation
"""Campaign detection rules: stance, window, minimum accounts, target hierarchy, idempotence, incremental join."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from core import journal
from core.models import JournalEntry
from reviews import campaigns, services
from reviews.choices import CampaignStatus, Stance, TargetKind
from reviews.models import Campaign, CampaignMember, ReviewSignature
from tests.factories import AccountFactory
from tests.reviews.factories import ReviewFactory, TargetFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 9, 16, 12, 0, tzinfo=UTC)
SMEAR = "网友爆料：小米SU7发生碰撞之后四个车门全部无法从车内打开，车主被困在车里，救援人员只能破窗，太危险了，大家买车一定要慎重考虑。"
HEADLINES = [
    "小米SU7碰撞后车门打不开！车主被困",
    "【曝光】小米SU7撞车后车门竟然打不开",
    "小米汽车碰撞后车门打不开，太吓人了",
    "小米SU7车门碰撞后无法打开？",
]
OTHER = "理想汽车的座椅真的很舒服，长途开了一千公里一点都不累，空间也大，家人都很满意，推荐给大家。"


@pytest.fixture
def xiaomi():
    company = TargetFactory(name="小米集团", kind=TargetKind.COMPANY)
    brand = TargetFactory(name="小米汽车", parent=company)
    model = TargetFactory(name="SU7", kind=TargetKind.PRODUCT, parent=brand)
    return company, brand, model


def post(n: int, *, target, hours: float = 0, stance: str = Stance.NEGATIVE, text: str = SMEAR, account=None):
    review = ReviewFactory(
        account=account or AccountFactory(),
        headline=HEADLINES[n % len(HEADLINES)],
        text=text,
        published_at=T0 + timedelta(hours=hours),
        stance=stance,
        targets=[target],
    )
    services.review_signature_store(review=review)
    return review


def detect(**kwargs) -> campaigns.Outcome:
    return services.campaigns_detect(**kwargs)


def test_normalise_folds_full_width_and_drops_punctuation_and_whitespace():
    assert campaigns.normalise("Ｘｉａｏｍｉ　ＳＵ７，车门！ 打不开？") == "xiaomisu7车门打不开"


def test_three_accounts_posting_near_duplicates_form_one_campaign(xiaomi):
    _, brand, _ = xiaomi
    reviews = [post(i, target=brand, hours=i) for i in range(3)]
    post(9, target=brand, hours=1, text=OTHER)  # same target, different content

    outcome = detect()

    assert outcome.created == 1
    campaign = Campaign.objects.get()
    assert set(campaign.members.values_list("review_id", flat=True)) == {r.pk for r in reviews}
    assert campaign.status == CampaignStatus.SUSPECTED
    assert list(campaign.targets.all()) == [brand]
    assert campaign.first_published_at == T0
    assert campaign.last_published_at == T0 + timedelta(hours=2)
    assert 0.5 <= float(campaign.similarity) <= 1


def test_neutral_and_positive_content_is_never_a_campaign(xiaomi):
    _, brand, _ = xiaomi
    for i in range(4):
        post(i, target=brand, stance=Stance.NEUTRAL)
    for i in range(4):
        post(i, target=brand, stance=Stance.POSITIVE)
    post(0, target=brand)
    post(1, target=brand)  # two negative ones: too few accounts

    assert detect().created == 0
    assert not Campaign.objects.exists()


def test_fewer_distinct_accounts_than_the_minimum_is_no_campaign(xiaomi):
    _, brand, _ = xiaomi
    account = AccountFactory()
    for i in range(4):
        post(i, target=brand, hours=i, account=account)
    post(0, target=brand, hours=1)  # 5 reviews, but 2 accounts

    assert detect().created == 0


def test_reviews_outside_the_window_of_the_first_are_left_out(settings, xiaomi):
    settings.CAMPAIGN_WINDOW_HOURS = 72
    _, brand, _ = xiaomi
    inside = [post(i, target=brand, hours=h) for i, h in enumerate((0, 30, 72))]
    late = post(3, target=brand, hours=73)  # within 72 h of the previous review, not of the first

    detect()

    members = set(CampaignMember.objects.values_list("review_id", flat=True))
    assert members == {r.pk for r in inside}
    assert late.pk not in members


def test_a_car_model_counts_for_its_brand_but_not_for_a_rival(xiaomi):
    _company, brand, model = xiaomi
    rival = TargetFactory(name="蔚来")
    a = post(0, target=model)
    b = post(1, target=brand, hours=1)
    c = post(2, target=model, hours=2)
    post(3, target=rival, hours=1)  # same words, another company's tree

    detect()

    campaign = Campaign.objects.get()
    assert set(campaign.members.values_list("review_id", flat=True)) == {a.pk, b.pk, c.pk}
    assert list(campaign.targets.all()) == [brand]  # the most specific target they all share


def test_detection_twice_changes_nothing(xiaomi):
    _, brand, _ = xiaomi
    for i in range(4):
        post(i, target=brand, hours=i)
    detect()
    journal.integrate()
    entries, campaign = JournalEntry.objects.count(), Campaign.objects.get()

    outcome = detect()

    assert (outcome.created, outcome.updated, outcome.deleted, outcome.unchanged) == (0, 0, 0, 1)
    journal.integrate()
    assert JournalEntry.objects.count() == entries
    assert Campaign.objects.get().updated_at == campaign.updated_at


def test_a_new_review_joins_the_existing_campaign(xiaomi):
    _, brand, _ = xiaomi
    first = [post(i, target=brand, hours=i) for i in range(3)]
    detect()
    campaign = Campaign.objects.get()

    late = post(3, target=brand, hours=10)
    outcome = detect(review_ids=[late.pk])

    assert (outcome.created, outcome.updated) == (0, 1)
    assert Campaign.objects.get().pk == campaign.pk
    members = set(campaign.members.values_list("review_id", flat=True))
    assert members == {r.pk for r in [*first, late]}
    assert Campaign.objects.get().last_published_at == T0 + timedelta(hours=10)


def test_incremental_detection_forms_a_new_campaign(xiaomi):
    _, brand, _ = xiaomi
    reviews = [post(i, target=brand, hours=i) for i in range(2)]
    detect(review_ids=[r.pk for r in reviews])
    assert not Campaign.objects.exists()

    third = post(2, target=brand, hours=5)
    detect(review_ids=[third.pk])

    assert set(Campaign.objects.get().members.values_list("review_id", flat=True)) == {
        *(r.pk for r in reviews),
        third.pk,
    }


def test_a_decided_campaign_is_never_changed_by_detection(xiaomi):
    _, brand, _ = xiaomi
    reviews = [post(i, target=brand, hours=i) for i in range(3)]
    detect()
    campaign = Campaign.objects.get()
    services.campaign_transition(campaign=campaign, status=CampaignStatus.CONFIRMED, reason="Verified by MIIT.")
    reviews[0].stance = Stance.NEUTRAL
    reviews[0].save()

    outcome = detect()

    assert (outcome.created, outcome.deleted) == (0, 0)
    assert campaign.members.count() == 3


def test_a_campaign_without_enough_members_left_is_deleted(xiaomi):
    _, brand, _ = xiaomi
    reviews = [post(i, target=brand, hours=i) for i in range(3)]
    detect()
    reviews[0].stance = Stance.POSITIVE  # reclassified: no longer a smear
    reviews[0].save()

    assert detect().deleted == 1
    assert not Campaign.objects.exists()


def test_signatures_are_stored_once_and_recomputed_when_the_text_changes(xiaomi):
    _, brand, _ = xiaomi
    review = post(0, target=brand)
    stored = ReviewSignature.objects.get(review=review)
    assert stored.num_perm == 128 and len(bytes(stored.hashvalues)) == 128 * 4

    assert services.review_signature_store(review=review) is False
    review.text = OTHER
    review.save()
    assert services.review_signature_store(review=review) is True
    assert bytes(ReviewSignature.objects.get(review=review).hashvalues) != bytes(stored.hashvalues)


def test_a_review_belongs_to_one_campaign_at_most(xiaomi):
    _, brand, _ = xiaomi
    for i in range(3):
        post(i, target=brand, hours=i)
    detect()
    member = CampaignMember.objects.first()
    other = Campaign.objects.create(first_published_at=T0, last_published_at=T0, similarity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignMember.objects.create(campaign=other, review_id=member.review_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(first_published_at=T0, last_published_at=T0 - timedelta(hours=1), similarity=1)


def test_the_task_and_the_command_run_the_same_detection(xiaomi):
    from io import StringIO

    from django.core.management import call_command

    from reviews import tasks

    _, brand, _ = xiaomi
    reviews = [post(i, target=brand, hours=i) for i in range(3)]
    ReviewSignature.objects.all().delete()  # written by an ingest that bypassed the review service

    result = tasks.detect_campaigns.apply(kwargs={"review_ids": [reviews[-1].pk]}).get()

    assert (result["signatures"], result["created"]) == (3, 1)
    out = StringIO()
    call_command("detect_campaigns", "--since", "2025-09-01", stdout=out, stderr=StringIO())
    assert "0 campaign(s) created, 0 updated, 0 deleted, 1 unchanged" in out.getvalue()
    out = StringIO()
    call_command("detect_campaigns", "--since", "2025-09-17", stdout=out, stderr=StringIO())
    assert "0 review(s) considered" in out.getvalue()  # published before that day
    assert tasks.detect_campaigns.apply(kwargs={"since": "2025-09-16T00:00:00+00:00"}).get()["unchanged"] == 1


def test_a_review_written_through_the_api_gets_its_signature(as_regulator, xiaomi):
    _, brand, _ = xiaomi
    payload = {
        "account": AccountFactory().pk,
        "url": "https://example.invalid/v/1",
        "headline": HEADLINES[0],
        "text": SMEAR,
        "published_at": "2025-09-16T12:00:00Z",
        "targets": [brand.pk],
    }

    response = as_regulator.post("/api/v1/reviews/", payload)

    assert response.status_code == 201, response.data
    assert response.json()["campaign"] is None
    assert ReviewSignature.objects.filter(review_id=response.json()["id"]).exists()
