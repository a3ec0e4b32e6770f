"""The reviews admin: claims linked on a review's page are journaled on the claim; pages open."""

import pytest
from django.urls import reverse

from core import journal
from core.models import JournalEntry
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_a_claim_linked_on_the_review_page_is_journaled_on_the_claim(client, superuser):
    review = ReviewFactory()
    claim = ClaimFactory()
    client.force_login(superuser)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 200
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data = {
        "account": review.account_id,
        "url": review.url,
        "post_id": "",
        "headline": review.headline,
        "text": review.text,
        "published_at_0": "2025-09-16",
        "published_at_1": "20:00:00",
        "duration_seconds": "30",
        "stance": "negative",
        "status": "live",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-claim": claim.pk,
        f"{prefix}-0-review": review.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert list(claim.reviews.all()) == [review]
    journal.integrate()
    entry = JournalEntry.objects.filter(object_type="reviews.claim", object_id=str(claim.pk)).order_by("seq").last()
    assert entry.changes == {"reviews": {"before": [], "after": [review.pk]}}


def test_order_change_page_shows_the_markup_and_history(client, superuser):
    order = OrderFactory()
    client.force_login(superuser)
    page = client.get(reverse("admin:reviews_order_change", args=[order.pk]))
    assert page.status_code == 200
    assert [type(i.opts).__name__ for i in page.context["inline_admin_formsets"]] == [
        "OrderStatusChangeInline",
        "PaymentInline",
    ]
