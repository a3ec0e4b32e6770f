"""Links between related records in the admin, both ways, and the lists they open, filtered."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from core import journal
from core.models import JournalEntry
from tests.cases.factories import AuthorityFactory, CaseFactory, LegalActionFactory, record_evidence
from tests.factories import AccountFactory, InfluencerFactory
from tests.pricing.factories import QuoteFactory
from tests.reviews.factories import ClaimFactory, OrderFactory, PaymentFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(regulator):
    """GIVEN an influencer with two accounts, an order with a payment and a review making a claim, a quote,
    a case of the regulator's authority on the influencer and the order, with evidence and a lawsuit."""
    influencer = InfluencerFactory(display_name="Lao K")
    account = AccountFactory(influencer=influencer, handle="laok")
    AccountFactory(influencer=influencer, handle="laok_ks")
    review = ReviewFactory(account=account)
    claim = ClaimFactory(reviews=[review])
    order = OrderFactory(account=account)
    order.reviews.add(review)
    payment = PaymentFactory(order=order)
    QuoteFactory(account=account)
    case = CaseFactory(authority=AuthorityFactory(name="CAC", members=[regulator]))
    case.influencers.add(influencer)
    case.orders.add(order)
    action = LegalActionFactory(case=case)
    action.defendant_influencers.add(influencer)
    evidence = record_evidence(case)
    regulator.is_staff = True
    regulator.save()
    return locals()


def links(page: str) -> dict[str, str]:
    """The related-record links of a page: text -> href."""
    block = page.split('<ul class="related-links')[1].split("</ul>")[0]
    return {
        html.unescape(re.sub(r"\s+", " ", text).strip()): html.unescape(href)
        for href, text in re.findall(r'href="([^"]+)">([^<]+)</a>', block)
    }


def test_influencer_page_links_to_everything_about_them(client, regulator, story):
    client.force_login(regulator)
    influencer = story["influencer"]
    page = client.get(reverse("admin:ledger_influencer_change", args=[influencer.pk])).content.decode()
    found = links(page)
    pk = influencer.pk
    assert found["Platform accounts (2)"] == f"/admin/ledger/platformaccount/?influencer__id__exact={pk}"
    assert found["Orders (1)"] == f"/admin/reviews/order/?account__influencer__id__exact={pk}"
    assert found["Payments (1)"] == f"/admin/reviews/payment/?order__account__influencer__id__exact={pk}"
    assert found["Reviews (1)"] == f"/admin/reviews/review/?account__influencer__id__exact={pk}"
    assert found["Claims (1)"] == f"/admin/reviews/claim/?reviews__account__influencer__id__exact={pk}"
    assert found["Cases (1)"] == f"/admin/cases/case/?influencers__id__exact={pk}"
    assert found["Legal actions (1)"] == f"/admin/cases/legalaction/?defendant_influencers__id__exact={pk}"
    assert found["Rate quotes (1)"] == f"/admin/pricing/ratequote/?account__influencer__id__exact={pk}"
    # each list opens, filtered to the influencer's records
    for url, shown in [
        (found["Orders (1)"], str(story["order"])),
        (found["Claims (1)"], str(story["claim"])),
        (found["Payments (1)"], str(story["payment"])),
        (found["Cases (1)"], story["case"].reference),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "0 results" not in response.content.decode() and escape(shown) in response.content.decode(), url


def test_order_page_links_to_its_case_payments_reviews_and_influencer(client, regulator, story):
    client.force_login(regulator)
    order, case = story["order"], story["case"]
    found = links(client.get(reverse("admin:reviews_order_change", args=[order.pk])).content.decode())
    assert found[str(case)] == f"/admin/cases/case/{case.pk}/change/"
    assert found["Lao K"] == f"/admin/ledger/influencer/{story['influencer'].pk}/change/"
    assert found["Payments (1)"] == f"/admin/reviews/payment/?order__id__exact={order.pk}"
    assert found["Reviews (1)"] == f"/admin/reviews/review/?orders__id__exact={order.pk}"
    assert client.get(found["Reviews (1)"]).status_code == 200


def test_case_page_links_to_bundle_evidence_and_legal_actions(client, regulator, story):
    client.force_login(regulator)
    case, evidence = story["case"], story["evidence"]
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    found = links(page)
    download = reverse("evidence-download", args=[evidence.pk])
    assert found["Download the case bundle (zip)"] == reverse("case-bundle", args=[case.pk])
    assert found[f"Download evidence: {evidence.file_name}"] == download
    assert found["Legal actions (1)"] == f"/admin/cases/legalaction/?case__id__exact={case.pk}"
    assert found[str(story["order"])] == f"/admin/reviews/order/{story['order'].pk}/change/"
    # the evidence row's file links to the checked download, never to MEDIA_URL (not served: 404)
    assert "/media/" not in page
    assert f'href="{download}" class="evidence-file-link"' in page
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"captured bytes"
    # and back: the legal action's page links to its case
    action_page = client.get(reverse("admin:cases_legalaction_change", args=[story["action"].pk])).content.decode()
    assert links(action_page)[str(case)] == f"/admin/cases/case/{case.pk}/change/"


def test_case_links_are_left_out_for_a_reader_who_may_not_see_the_case(client, user_in_group, story):
    outsider = user_in_group("regulator")
    outsider.is_staff = True
    outsider.save()
    client.force_login(outsider)
    page = client.get(reverse("admin:reviews_order_change", args=[story["order"].pk])).content.decode()
    assert story["case"].reference not in page
    influencer_page = client.get(reverse("admin:ledger_influencer_change", args=[story["influencer"].pk]))
    assert "Cases (0)" in links(influencer_page.content.decode())


def test_journal_entry_links_to_the_object_it_records(client, superuser, story):
    client.force_login(superuser)
    influencer = story["influencer"]
    journal.integrate()
    entry = JournalEntry.objects.filter(object_type="ledger.influencer", object_id=str(influencer.pk)).first()
    page = client.get(reverse("admin:core_journalentry_change", args=[entry.seq])).content.decode()
    assert f'href="/admin/ledger/influencer/{influencer.pk}/change/">Lao K</a>' in page
