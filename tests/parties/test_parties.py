# ruff: noqa: RUF001 - full-width letters are what the normalisation folds
"""Parties: normalised names, likely duplicates, merge and split (admin-free: services and API), the graph."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import journal
from core.errors import ConflictError
from core.identifiers import uscc_check_character
from core.models import JournalEntry
from ledger.models import Agency, PlatformAccount
from parties import names
from parties.choices import PartyKind
from parties.models import Party, PartyMerge
from parties.selectors import likely_duplicates
from parties.services import alias_add, party_create, party_for_agency
from reviews import demo
from reviews.services import payment_record
from tests.reviews.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("藍鯨公關有限公司", "蓝鲸公关"),  # traditional -> simplified, suffix
        ("ＢＬＵＥＷＨＡＬＥ　ＰＲ", "Bluewhale PR Co., Ltd."),  # full-width, Latin suffix
        ("星驰传媒股份有限公司", "星驰传媒集团"),
        ("Xingchi Media MCN (星驰传媒)", "Xingchi Media MCN"),
    ],
)
def test_writings_of_one_firm_share_a_key(one, other):
    assert names.match_key(one) == names.match_key(other)


def test_pinyin_meets_characters_and_tesco_keeps_its_co():
    assert names.pinyin_key("Lanjing Gongguan") == names.pinyin_key("蓝鲸公关有限公司") == "lanjinggongguan"
    assert names.match_key("Tesco") == "tesco"


def test_likely_duplicates_are_listed_never_merged():
    a = party_create(name="蓝鲸公关有限公司")
    b = party_create(name="藍鯨公關")
    c = party_create(name="Lanjing Gongguan")
    party_create(name="星驰传媒")
    assert [[p.pk for p in group] for group in likely_duplicates()] == [[a.pk, b.pk, c.pk]]
    assert not Party.objects.filter(merged_into__isnull=False).exists()


def test_one_uscc_is_one_party():
    uscc = "91110000710928831" + uscc_check_character("91110000710928831")
    party = party_create(name="蓝鲸公关", uscc=uscc)
    agency = Agency.objects.create(name="Bluewhale PR", kind="pr_agency", uscc=uscc)
    assert party_for_agency(agency=agency) == party  # linked by its USCC, not a second party
    with pytest.raises(ConflictError):
        party_create(name="Blue Whale", uscc=uscc)
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(name="another", uscc=uscc)


def test_merge_and_split_through_the_api_are_journaled_and_reversible(as_regulator):
    survivor, other, carried = party_create(name="蓝鲸公关"), party_create(name="Bluewhale PR"), party_create(name="BW")
    as_regulator.post(f"/api/v1/parties/{other.pk}/merge/", {"party": carried.pk, "reason": "same"}, format="json")
    response = as_regulator.post(
        f"/api/v1/parties/{survivor.pk}/merge/", {"party": other.pk, "reason": "Same USCC in the bank record."}
    )
    assert response.status_code == 200, response.data
    assert response.data["carried"] == [carried.pk]
    assert set(Party.objects.filter(merged_into=survivor).values_list("pk", flat=True)) == {other.pk, carried.pk}
    journal.integrate()
    assert JournalEntry.objects.filter(object_type="parties.partymerge", action="create").count() == 2
    # conflicts: 409, nothing written
    again = as_regulator.post(f"/api/v1/parties/{survivor.pk}/merge/", {"party": other.pk, "reason": "x"})
    assert again.status_code == 409
    into_merged = as_regulator.post(f"/api/v1/parties/{other.pk}/merge/", {"party": survivor.pk, "reason": "x"})
    assert into_merged.status_code == 409
    # bad input: 400 with the field
    assert "reason" in as_regulator.post(f"/api/v1/parties/{survivor.pk}/merge/", {"party": other.pk}).data
    assert "party" in as_regulator.post(f"/api/v1/parties/{survivor.pk}/merge/", {"party": 0, "reason": "x"}).data
    self_merge = as_regulator.post(f"/api/v1/parties/{survivor.pk}/merge/", {"party": survivor.pk, "reason": "x"})
    assert self_merge.status_code == 400 and "party" in self_merge.data
    # split gives the other party back, with what it carried
    response = as_regulator.post(f"/api/v1/parties/{survivor.pk}/split/", {"party": other.pk, "reason": "Two firms."})
    assert response.status_code == 200, response.data
    other.refresh_from_db()
    carried.refresh_from_db()
    assert (other.merged_into_id, carried.merged_into_id) == (None, other.pk)
    assert PartyMerge.objects.get(merged=other).split_reason == "Two firms."
    assert (
        as_regulator.post(f"/api/v1/parties/{survivor.pk}/split/", {"party": other.pk, "reason": "x"}).status_code
        == 409
    )


def test_different_usccs_are_never_merged(as_regulator):
    a = party_create(name="A", uscc="91110000710928831" + uscc_check_character("91110000710928831"))
    b = party_create(name="B", uscc="91440300MA5G8BW31" + uscc_check_character("91440300MA5G8BW31"))
    assert as_regulator.post(f"/api/v1/parties/{a.pk}/merge/", {"party": b.pk, "reason": "x"}).status_code == 409
    assert not PartyMerge.objects.exists()


def test_a_persons_names_are_masked_and_the_list_has_a_fixed_query_count(as_analyst):
    person = party_create(name="王建国", kind="person")
    alias_add(party=person, name="Wang Jianguo", kind="pinyin")
    party_create(name="蓝鲸公关", kind="company")
    as_analyst.get("/api/v1/parties/")  # the user's permissions are read once
    with CaptureQueriesContext(connection) as few:
        data = as_analyst.get("/api/v1/parties/").data
    shown = {p["id"]: p for p in data["results"]}
    assert shown[person.pk]["name"] == "王**"
    assert {a["name"] for a in shown[person.pk]["aliases"]} == {"王**", "W**"}
    for i in range(5):
        alias_add(party=party_create(name=f"Firm {i}"), name=f"Firm {i} Ltd")
    with CaptureQueriesContext(connection) as more:
        assert as_analyst.get("/api/v1/parties/").status_code == 200
    assert len(more) == len(few)


def test_search_by_any_name_pinyin_or_initials(as_analyst):
    party = party_create(name="蓝鲸公关有限公司")
    alias_add(party=party, name="Bluewhale PR", kind="english")
    party_create(name="星驰传媒")
    for term in ("藍鯨公關", "lanjing gongguan", "Bluewhale", "ljgg"):
        ids = [p["id"] for p in as_analyst.get("/api/v1/parties/", {"name": term}).data["results"]]
        assert ids == [party.pk], term


def test_graph_depth_and_filters_are_validated(as_analyst):
    party = party_create(name="蓝鲸公关")
    for params, field in [
        ({"depth": 0}, "depth"),
        ({"depth": 5}, "depth"),
        ({"depth": "x"}, "depth"),
        ({"date_from": "2025-13-01"}, "date_from"),
        ({"date_from": "2025-10-01", "date_to": "2025-09-01"}, "date_to"),
        ({"case": 999999}, "case"),
    ]:
        response = as_analyst.get(f"/api/v1/parties/{party.pk}/graph/", params)
        assert response.status_code == 400 and field in response.data, (params, response.data)


def test_the_graphs_dates_keep_the_facts_dated_within_them(as_analyst):
    """GIVEN an order of September paid in September and in October
    WHEN the graph is asked for October THEN it shows the October payment only (not the order's
    own edges); for September, the order and the September payment, not the October one."""
    firm = party_create(name="Bluewhale PR")
    order = OrderFactory(client=firm, ordered_on=date(2025, 9, 10))
    payment_record(order=order, amount=Decimal("30000.00"), paid_on=date(2025, 9, 14), channel="alipay", payer=firm)
    payment_record(order=order, amount=Decimal("12000.00"), paid_on=date(2025, 10, 2), channel="alipay", payer=firm)

    def edges(**dates):
        graph = as_analyst.get(f"/api/v1/parties/{firm.pk}/graph/", {"depth": 1, **dates}).data
        return sorted((e["kind"], e["amount"]) for e in graph["edges"] if e["kind"] in ("ordered", "paid"))

    price = str(order.agreed_price)
    assert edges(date_from="2025-10-01") == [("paid", "12000.00")]
    assert edges(date_to="2025-09-30") == [("ordered", price), ("paid", "30000.00")]
    assert edges() == [("ordered", price), ("paid", "12000.00"), ("paid", "30000.00")]


def test_the_graph_query_count_does_not_grow_with_the_data(as_analyst):
    client = party_create(name="Bluewhale PR")

    def add_orders(n: int) -> None:
        for _ in range(n):
            order = OrderFactory(client=client)
            payment_record(
                order=order, amount=Decimal("10.00"), paid_on=date(2025, 9, 20), channel="cash", payer=client
            )

    add_orders(1)
    as_analyst.get(f"/api/v1/parties/{client.pk}/graph/")  # the user's permissions are read once
    with CaptureQueriesContext(connection) as few:
        small = as_analyst.get(f"/api/v1/parties/{client.pk}/graph/", {"depth": 3}).data
    add_orders(6)
    with CaptureQueriesContext(connection) as more:
        large = as_analyst.get(f"/api/v1/parties/{client.pk}/graph/", {"depth": 3}).data
    assert len(large["edges"]) > len(small["edges"])
    assert len(more) == len(few) <= 60


def test_the_demo_smear_is_traced_from_the_paying_firm_to_the_bloggers(as_analyst):
    """GIVEN the demo ledger WHEN the graph of the paying firm (Bluewhale PR) is read 4 steps out THEN it shows the
    order to the blogger's account (95,000 CNY), the three payments, the MCN that brokered it, and the smear
    campaign's accounts through their influencers."""
    call_command("seed_demo", verbosity=0)
    firm = Agency.objects.get(name=demo.CLIENT_AGENCY).party
    graph = as_analyst.get(f"/api/v1/parties/{firm.pk}/graph/", {"depth": 4}).data
    edges = {(e["kind"], e["source"], e["target"], e["amount"]) for e in graph["edges"]}
    order = demo.demo_order()
    blogger = f"account:{order.account_id}"
    mcn = f"party:{order.intermediary_id}"
    assert ("ordered", f"party:{firm.pk}", blogger, "95000.00") in edges
    assert ("intermediated", mcn, blogger, "95000.00") in edges
    paid = sorted((e["amount"], e["target"]) for e in graph["edges"] if e["kind"] == "paid")
    lao_k = f"party:{order.account.influencer.party.pk}"
    assert paid == [("10000.00", lao_k), ("30000.00", lao_k), ("65000.00", mcn)]
    campaign = f"campaign:{demo.demo_campaign().pk}"
    posted = {e["source"] for e in graph["edges"] if e["kind"] == "posted" and e["target"] == campaign}
    members = {f"account:{pk}" for pk in demo.demo_campaign().members.values_list("review__account_id", flat=True)}
    assert posted == members and len(members) == 5
    assert {n["kind"] for n in graph["nodes"]} >= {"party", "influencer", "account", "target", "campaign"}
    # a date range before the order leaves the money out
    early = as_analyst.get(f"/api/v1/parties/{firm.pk}/graph/", {"depth": 3, "date_to": "2025-09-01"}).data
    assert not [e for e in early["edges"] if e["kind"] in {"ordered", "paid"}]
    assert PlatformAccount.objects.filter(pk=order.account_id).exists()


def test_party_names_reach_the_journal_only_as_digests(api, regulator):
    """GIVEN a person named as a party, with an alias
    WHEN the journal records them THEN neither the name nor its pinyin is in any entry,
    the digests are there, and the journal and the tables still agree."""
    person = party_create(name="王建国", kind=PartyKind.PERSON)
    alias_add(party=person, name="王建國")
    journal.integrate()
    entries = JournalEntry.objects.filter(object_type__in=["parties.party", "parties.partyalias"])
    text = json.dumps([e.changes for e in entries], ensure_ascii=False)
    assert "王建" not in text and "wang" not in text.lower()
    assert entries.get(object_type="parties.party").changes["name"]["after"] == journal.personal_digest("王建国")
    api.force_authenticate(regulator)
    assert "王建国" not in api.get("/api/v1/journal/", {"object_type": "parties.party"}).content.decode()
    assert [m for m in journal.verify_rows() if m.table.startswith("parties_")] == []
