"""The parties admin: search by any name, likely duplicates, merge and split actions, the money graph drawn."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from parties.models import Party, PartyMerge
from parties.services import alias_add, party_create
from reviews.services import payment_record
from tests.reviews.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_search_finds_a_party_by_a_traditional_writing_or_pinyin_initials(client, superuser):
    client.force_login(superuser)
    party = party_create(name="蓝鲸公关有限公司")
    alias_add(party=party, name="Bluewhale PR", kind="english")
    party_create(name="星驰传媒")
    url = reverse("admin:parties_party_changelist")
    for term in ("藍鯨公關", "ljgg", "bluewhale"):
        listed = list(client.get(url, {"q": term}).context["cl"].result_list)
        assert listed == [party], term


def test_likely_duplicates_are_listed_and_merged_then_split_with_a_reason(client, superuser):
    client.force_login(superuser)
    first, second = party_create(name="蓝鲸公关有限公司"), party_create(name="藍鯨公關")
    party_create(name="星驰传媒")
    url = reverse("admin:parties_party_changelist")
    assert set(client.get(url, {"duplicates": "yes"}).context["cl"].result_list) == {first, second}
    page = client.get(reverse("admin:parties_party_change", args=[first.pk])).content.decode()
    assert f"#{second.pk} 藍鯨公關" in page
    # without a reason: refused, nothing merged
    client.post(url, {"action": "merge_selected", "_selected_action": [first.pk, second.pk], "reason": ""})
    assert not PartyMerge.objects.exists()
    client.post(url, {"action": "merge_selected", "_selected_action": [first.pk, second.pk], "reason": "Same firm."})
    second.refresh_from_db()
    assert second.merged_into == first
    merge = PartyMerge.objects.get()
    merges = reverse("admin:parties_partymerge_changelist")
    client.post(merges, {"action": "split_selected", "_selected_action": [merge.pk], "reason": "Two firms."})
    second.refresh_from_db()
    merge.refresh_from_db()
    assert second.merged_into is None and merge.split_reason == "Two firms."


def test_the_party_page_draws_its_money_graph(client, superuser):
    client.force_login(superuser)
    firm = party_create(name="Bluewhale PR")
    order = OrderFactory(client=firm)
    payment_record(order=order, amount=Decimal("30000.00"), paid_on=date(2025, 9, 14), channel="alipay", payer=firm)
    page = client.get(reverse("admin:parties_party_change", args=[firm.pk])).content.decode()
    assert "<svg" in page and f'data-node="party:{firm.pk}"' in page
    assert f'data-node="account:{order.account_id}"' in page
    assert 'data-edge="ordered"' in page and 'data-edge="paid"' in page
    assert "95,000.00 CNY" in page
    assert 'data-legend="party"' in page and 'data-legend="account"' in page  # one colour per kind, named


def test_the_money_graph_reads_in_chinese(client, superuser):
    client.force_login(superuser)
    firm = party_create(name="Bluewhale PR")
    order = OrderFactory(client=firm)
    payment_record(order=order, amount=Decimal("30000.00"), paid_on=date(2025, 9, 14), channel="alipay", payer=firm)
    url = reverse("admin:parties_party_change", args=[firm.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "付款 30,000.00 CNY" in page and "下单 95,000.00 CNY" in page
    assert ">相关方</text>" in page  # the legend
    assert "paid 30,000.00" not in page


def test_a_new_party_in_the_admin_is_found_by_its_name(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:parties_party_add"),
        {
            "name": "蓝鲸公关",
            "kind": "company",
            "uscc": "",
            "notes": "",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Party.objects.get().aliases.get().key == "蓝鲸公关"


def test_the_party_page_draws_the_graph_with_the_apis_filters(client, superuser):
    """GIVEN a firm that paid on two days WHEN its page is asked for one step out, or for a range
    of dates, or with a bad filter THEN the graph follows the filters, and a bad one is named
    above the default graph (200, nothing else changes)."""
    client.force_login(superuser)
    firm = party_create(name="Bluewhale PR")
    order = OrderFactory(client=firm)
    payment_record(order=order, amount=Decimal("30000.00"), paid_on=date(2025, 9, 14), channel="alipay", payer=firm)
    payment_record(order=order, amount=Decimal("12000.00"), paid_on=date(2025, 10, 2), channel="alipay", payer=firm)
    url = reverse("admin:parties_party_change", args=[firm.pk])

    default = client.get(url).content.decode()
    assert "30,000.00 CNY" in default and "12,000.00 CNY" in default
    assert f'data-node="influencer:{order.account.influencer_id}"' in default  # two steps out: the account's owner

    near = client.get(url, {"depth": 1}).content.decode()
    assert f'data-node="account:{order.account_id}"' in near
    assert f'data-node="influencer:{order.account.influencer_id}"' not in near
    assert '<option value="1" selected>' in near

    september = client.get(url, {"date_from": "2025-09-01", "date_to": "2025-09-30"}).content.decode()
    assert "30,000.00 CNY" in september and "12,000.00 CNY" not in september
    assert 'value="2025-09-01"' in september

    for bad, named in (
        ({"depth": 9}, "Steps out: "),
        ({"date_from": "2025-10-31", "date_to": "2025-10-01"}, "Dated to: The end of the range is before its start."),
        ({"case": "x"}, "Only the orders of case (id): "),
    ):
        response = client.get(url, bad)
        assert response.status_code == 200
        page = response.content.decode()
        assert f"<li>{named}" in page, bad
        assert "30,000.00 CNY" in page and "12,000.00 CNY" in page  # the default graph is still drawn
