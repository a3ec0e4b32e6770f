"""Claims, their verdicts, and the schema.org ClaimReview served for a claim with a verdict."""

from datetime import UTC, date, datetime

import pytest

from ledger.choices import InfluencerKind
from reviews.models import Claim
from reviews.services import claim_verdict_set
from tests.factories import AccountFactory, InfluencerFactory
from tests.reviews.factories import ClaimFactory, ReviewFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    blogger = InfluencerFactory(display_name="Lao K on Cars", kind=InfluencerKind.PERSON, legal_name="王建国")
    account = AccountFactory(influencer=blogger, profile_url="https://example.invalid/douyin/dy_60000001")
    later = ReviewFactory(
        account=AccountFactory(), url="https://example.invalid/v/2", published_at=datetime(2025, 9, 17, 4, tzinfo=UTC)
    )
    first = ReviewFactory(
        account=account,
        url="https://example.invalid/v/1",
        headline="Parked NIO bursts into flames",
        published_at=datetime(2025, 9, 16, 12, 30, tzinfo=UTC),
    )
    return ClaimFactory(
        text="NIO cars catch fire spontaneously.", target=TargetFactory(name="NIO"), reviews=[later, first]
    )


def set_false(claim, url="https://example.invalid/verdicts/nio"):
    claim_verdict_set(
        claim=claim, verdict="false", verdict_on=date(2025, 10, 10), verdict_by="Working group", verdict_url=url
    )


def test_a_pending_claim_has_no_claimreview(as_analyst, claim):
    response = as_analyst.get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert response.status_code == 404
    assert as_analyst.get("/api/v1/claims/999999/claimreview/").status_code == 404


def test_claimreview_field_by_field(as_analyst, claim):
    set_false(claim)
    response = as_analyst.get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    doc = response.json()
    assert set(doc) == {
        "@context",
        "@type",
        "claimReviewed",
        "reviewRating",
        "itemReviewed",
        "author",
        "datePublished",
        "url",
    }
    assert doc["@context"] == "https://schema.org"
    assert doc["@type"] == "ClaimReview"
    assert doc["claimReviewed"] == "NIO cars catch fire spontaneously."
    assert doc["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    assert doc["itemReviewed"] == {
        "@type": "Claim",
        "datePublished": "2025-09-16",
        "firstAppearance": {
            "@type": "CreativeWork",
            "url": "https://example.invalid/v/1",
            "headline": "Parked NIO bursts into flames",
            "datePublished": "2025-09-16T20:30:00+08:00",
        },
        "author": {"@type": "Person", "name": "Lao K on Cars", "url": "https://example.invalid/douyin/dy_60000001"},
    }
    assert "王" not in response.content.decode()  # the legal name of a person never appears
    assert doc["author"] == {"@type": "Organization", "name": "Working group"}
    assert doc["datePublished"] == "2025-10-10"
    assert doc["url"] == "https://example.invalid/verdicts/nio"


@pytest.mark.parametrize(
    ("verdict", "value", "words"),
    [("false", 1, "False"), ("misleading", 2, "Misleading"), ("unproven", 3, "Unproven"), ("accurate", 5, "Accurate")],
)
def test_each_verdict_has_its_rating(as_analyst, claim, verdict, value, words):
    claim_verdict_set(claim=claim, verdict=verdict, verdict_on=date(2025, 10, 10), verdict_by="Court")
    rating = as_analyst.get(f"/api/v1/claims/{claim.pk}/claimreview/").json()["reviewRating"]
    assert (rating["ratingValue"], rating["alternateName"]) == (value, words)


def test_without_a_verdict_url_the_claimreview_points_at_itself(as_analyst, claim):
    set_false(claim, url="")
    doc = as_analyst.get(f"/api/v1/claims/{claim.pk}/claimreview/").json()
    assert doc["url"] == f"http://testserver/api/v1/claims/{claim.pk}/claimreview/"


def test_a_claim_without_reviews_has_a_bare_claim_item(as_analyst):
    claim = ClaimFactory()
    set_false(claim)
    assert as_analyst.get(f"/api/v1/claims/{claim.pk}/claimreview/").json()["itemReviewed"] == {"@type": "Claim"}


def test_an_organisation_is_the_author_as_organization(as_analyst):
    org = InfluencerFactory(display_name="Car Gossip Daily", kind=InfluencerKind.ORGANISATION)
    claim = ClaimFactory(reviews=[ReviewFactory(account=AccountFactory(influencer=org))])
    set_false(claim)
    author = as_analyst.get(f"/api/v1/claims/{claim.pk}/claimreview/").json()["itemReviewed"]["author"]
    assert (author["@type"], author["name"]) == ("Organization", "Car Gossip Daily")


def test_the_verdict_command_records_the_verdict(as_regulator, claim):
    payload = {
        "verdict": "misleading",
        "verdict_on": "2025-10-01",
        "verdict_by": "CAC",
        "verdict_url": "https://example.invalid/v",
    }
    response = as_regulator.post(f"/api/v1/claims/{claim.pk}/verdict/", payload)
    assert response.status_code == 200, response.data
    assert {k: response.data[k] for k in payload} == payload
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_on, claim.verdict_by) == ("misleading", date(2025, 10, 1), "CAC")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"verdict": "pending", "verdict_on": "2025-10-01", "verdict_by": "CAC"}, "verdict"),
        ({"verdict": "fake", "verdict_on": "2025-10-01", "verdict_by": "CAC"}, "verdict"),
        ({"verdict": "false", "verdict_by": "CAC"}, "verdict_on"),
        ({"verdict": "false", "verdict_on": "2999-01-01", "verdict_by": "CAC"}, "verdict_on"),
        ({"verdict": "false", "verdict_on": "2025-10-01", "verdict_by": "  "}, "verdict_by"),
        (
            {"verdict": "false", "verdict_on": "2025-10-01", "verdict_by": "CAC", "verdict_url": "not a url"},
            "verdict_url",
        ),
    ],
)
def test_bad_verdicts_are_400_and_change_nothing(as_regulator, claim, payload, field):
    response = as_regulator.post(f"/api/v1/claims/{claim.pk}/verdict/", payload)
    assert response.status_code == 400 and field in response.data, response.data
    assert Claim.objects.values_list("verdict", "verdict_on", "verdict_by").get(pk=claim.pk) == ("pending", None, "")


def test_verdict_fields_are_not_writable_directly(as_regulator, claim):
    response = as_regulator.patch(
        f"/api/v1/claims/{claim.pk}/", {"verdict": "false", "verdict_by": "me", "text": "New text."}
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.text, claim.verdict, claim.verdict_by) == ("New text.", "pending", "")


def test_the_verdict_needs_the_change_permission(as_analyst, claim):
    payload = {"verdict": "false", "verdict_on": "2025-10-01", "verdict_by": "CAC"}
    assert as_analyst.post(f"/api/v1/claims/{claim.pk}/verdict/", payload).status_code == 403
    assert Claim.objects.get(pk=claim.pk).verdict == "pending"


def test_claims_are_filtered_by_verdict_review_and_target_tree(as_analyst, claim):
    brand = TargetFactory(name="XIAOMI")
    model = TargetFactory(name="XIAOMI SU7", kind="product", parent=brand)
    doors = ClaimFactory(text="Doors cannot be opened after a collision.", target=model)
    set_false(claim)
    ids = lambda **params: {r["id"] for r in as_analyst.get("/api/v1/claims/", params).data["results"]}  # noqa: E731
    assert ids(verdict="false") == {claim.pk}
    assert ids(verdict="pending") == {doors.pk}
    assert ids(target=brand.pk) == {doors.pk}
    assert ids(review=claim.reviews.first().pk) == {claim.pk}
    assert ids(search="Doors") == {doors.pk}
