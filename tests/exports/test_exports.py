"""Exports as FollowTheMoney entities and STIX 2.1 bundles: valid by the libraries, visible data only, names masked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from exports.stix import stix_id
from ledger.models import Influencer
from parties.models import Party
from parties.services import alias_add, party_create, party_for_agency, party_for_influencer
from reviews.demo import demo_campaign, demo_order
from reviews.models import Campaign, CampaignMember
from reviews.services import payment_record
from tests.cases.factories import AuthorityFactory, CaseFactory
from tests.exports.checks import ftm_entities, ftm_paths, names, reachable, stix_objects, stix_paths
from tests.factories import AccountFactory, AgencyFactory, UserFactory
from tests.reviews.factories import OrderFactory, ReviewFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """An influencer (a person, 王建国) with an account, a review in a campaign, an order with a payment, and a case."""
    agency = AgencyFactory(name="Bluewhale PR")
    account = AccountFactory(influencer__display_name="Lao K", influencer__legal_name="王建国")
    brand = TargetFactory(name="NIO")
    model = TargetFactory(name="NIO ES6", kind="product", parent=brand)
    review = ReviewFactory(account=account, targets=[model])
    t0 = datetime(2025, 9, 16, tzinfo=UTC)
    campaign = Campaign.objects.create(
        first_published_at=t0, last_published_at=t0 + timedelta(hours=5), similarity=Decimal("0.9")
    )
    campaign.targets.set([brand])
    CampaignMember.objects.create(campaign=campaign, review=review)
    order = OrderFactory(account=account, client=party_for_agency(agency=agency), client_name="")
    order.reviews.set([review])
    order.targets.set([brand])
    payer = party_create(name="蓝鲸公关 (as recorded)", kind="company")
    payment_record(order=order, amount=Decimal("30000.00"), paid_on=date(2025, 9, 15), channel="alipay", payer=payer)
    owner = UserFactory()
    owner.groups.add(Group.objects.get(name="regulator"))
    case = CaseFactory(authority=AuthorityFactory(members=[owner]))
    case.influencers.set([account.influencer])
    case.orders.set([order])
    case.reviews.set([review])
    Campaign.objects.filter(pk=campaign.pk).update(status="confirmed")  # only a confirmed campaign is linked
    case.coordinated_campaigns.set([campaign])
    return {
        "influencer": account.influencer,
        "case": case,
        "campaign": campaign,
        "order": order,
        "owner": owner,
        "party": payer,
    }


def _user(group: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group))
    return user


def _get(api, user, kind: str, pk: int, fmt: str | None):
    api.force_authenticate(user)
    url = f"/api/v1/{'parties' if kind == 'party' else kind + 's'}/{pk}/export/" + (f"?format={fmt}" if fmt else "")
    return api.get(url)


@pytest.mark.parametrize("kind", ["influencer", "case", "campaign", "party"])
def test_every_export_is_valid_ftm_and_stix(api, world, kind):
    owner = world["owner"]
    owner.user_permissions.add(Permission.objects.get(codename="view_party"))
    response = _get(api, owner, kind, world[kind].pk, "ftm")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    entities = ftm_entities(response.content)
    assert {"Person", "Article", "Contract", "Payment", "CourtCase", "Event", "UserAccount"} <= {
        e.schema.name for e in entities.values()
    }
    response = _get(api, owner, kind, world[kind].pk, "stix")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/stix+json; charset=utf-8"
    objects = stix_objects(response.content)
    assert {"identity", "threat-actor", "campaign", "report", "relationship"} <= {o["type"] for o in objects.values()}


def test_a_persons_legal_name_is_masked_as_in_the_api(api, world):
    """GIVEN an influencer whose legal name is 王建国 WHEN a regulator exports it THEN only 王** appears."""
    for fmt in ("ftm", "stix"):
        body = _get(api, world["owner"], "influencer", world["influencer"].pk, fmt).content.decode()
        assert "王建国" not in body
        assert "王**" in body
    entities = ftm_entities(_get(api, world["owner"], "influencer", world["influencer"].pk, "ftm").content)
    person = entities[f"prl-influencer-{world['influencer'].pk}"]
    assert (person.get("weakAlias"), person.get("alias")) == (["王**"], [])


def test_the_money_and_the_content_are_linked(api, world):
    order, influencer = world["order"], world["influencer"]
    entities = ftm_entities(_get(api, world["owner"], "case", world["case"].pk, "ftm").content)
    contract = entities[f"prl-order-{order.pk}"]
    assert contract.get("authority") == [f"prl-agency-{order.client.agency_id}"]  # the party is the agency
    assert contract.get("amount") == ["95000.00"]
    [payment] = [e for e in entities.values() if e.schema.name == "Payment"]
    assert payment.get("contract") == [contract.id]
    assert (payment.get("amount"), payment.get("currency"), payment.get("date")) == (
        ["30000.00"],
        ["CNY"],
        ["2025-09-15"],
    )
    # no payee recorded: the payment is for the order, so to its influencer
    assert payment.get("beneficiary") == [f"prl-influencer-{influencer.pk}"]
    assert payment.get("payer") == [f"prl-party-{world['party'].pk}"]
    assert names(entities, "Company") == {
        "Bluewhale PR",
        "蓝鲸公关 (as recorded)",
        order.account.influencer.agency.name,
    }
    # the car model stands for its brand
    assert names(entities, "Organization") == {"NIO"}

    objects = stix_objects(_get(api, world["owner"], "case", world["case"].pk, "stix").content)
    [paid] = [o for o in objects.values() if o.get("relationship_type") == "paid"]
    assert (paid["x_amount"], paid["x_currency"], paid["x_order_id"]) == ("30000.00", "CNY", order.pk)
    assert objects[paid["target_ref"]]["name"] == "Lao K"
    [report] = [o for o in objects.values() if o["type"] == "report"]
    assert report["name"].startswith(world["case"].reference)
    assert set(report["object_refs"]) >= {paid["id"]}


def test_an_analyst_gets_no_case_in_an_influencers_export(api, world):
    """Analysts may not view cases: the influencer's export leaves the case out (a regulator of its authority
    gets it)."""
    analyst = _user("analyst")
    entities = ftm_entities(_get(api, analyst, "influencer", world["influencer"].pk, "ftm").content)
    assert "CourtCase" not in {e.schema.name for e in entities.values()}
    objects = stix_objects(_get(api, analyst, "influencer", world["influencer"].pk, "stix").content)
    assert [o["name"] for o in objects.values() if o["type"] == "report"] == [
        f"Paid Review Ledger export: influencer {world['influencer']}"
    ]
    other_regulator = _user("regulator")
    assert _get(api, other_regulator, "case", world["case"].pk, "ftm").status_code == 404
    entities = ftm_entities(_get(api, other_regulator, "campaign", world["campaign"].pk, "ftm").content)
    assert "CourtCase" not in {e.schema.name for e in entities.values()}


@pytest.mark.parametrize("query", ["", "?format=xml", "?format=json"])
def test_no_or_an_unknown_format_is_a_400_naming_the_field(api, world, query):
    api.force_authenticate(world["owner"])
    response = api.get(f"/api/v1/influencers/{world['influencer'].pk}/export/{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["format"]


def test_refusals_come_before_the_format_check(api, world):
    pk = world["influencer"].pk
    assert api.get(f"/api/v1/influencers/{pk}/export/?format=xml").status_code == 401
    api.force_authenticate(UserFactory())
    assert api.get(f"/api/v1/influencers/{pk}/export/?format=xml").status_code == 403
    api.force_authenticate(world["owner"])
    assert api.get("/api/v1/influencers/999999/export/?format=ftm").status_code == 404
    assert api.get("/api/v1/campaigns/999999/export/?format=stix").status_code == 404


def test_the_command_writes_a_file_and_may_unmask(world, tmp_path):
    target = tmp_path / "case.ftm.json"
    call_command(
        "export_entities", "case", str(world["case"].pk), "--format", "ftm", "-o", str(target), stderr=StringIO()
    )
    entities = ftm_entities(target.read_bytes())
    assert f"prl-case-{world['case'].pk}" in entities
    out = StringIO()
    call_command(
        "export_entities", "influencer", str(world["influencer"].pk), "--format", "stix", "--unmasked", stdout=out
    )
    objects = stix_objects(out.getvalue().encode())
    [identity] = [o for o in objects.values() if o.get("name") == "Lao K" and o["type"] == "identity"]
    assert identity["x_aliases"] == ["王建国"]
    with pytest.raises(CommandError, match="No campaign with id 999999"):
        call_command("export_entities", "campaign", "999999", "--format", "ftm")


def test_stix_ids_are_stable_from_one_export_to_the_next(api, world):
    first = stix_objects(_get(api, world["owner"], "campaign", world["campaign"].pk, "stix").content)
    second = stix_objects(_get(api, world["owner"], "campaign", world["campaign"].pk, "stix").content)
    assert {i for i in first if not i.startswith("report--")} == {i for i in second if not i.startswith("report--")}
    assert json.loads(
        _get(api, world["owner"], "campaign", world["campaign"].pk, "ftm").content.decode().splitlines()[0]
    )["id"].startswith("prl-")


def test_the_demo_money_is_traced_from_the_paying_firm_to_the_bloggers_in_both_formats(api):
    """GIVEN the demo ledger: Bluewhale PR ordered the NIO smear from Lao K through Xingchi MCN and paid both;
    Xingchi's bloggers Speed Sister and Mechanic Liu posted the XIAOMI doors smear campaign.
    WHEN a regulator exports the paying firm, the case and the campaign, as FtM and as STIX
    THEN each export leads from Bluewhale through its payments to the bloggers, and to the campaign."""
    call_command("seed_demo", stdout=StringIO())
    regulator = _user("regulator")
    case = Case.objects.get(reference="CAC-2025-0001")
    case.authority.members.add(regulator)
    bluewhale = Party.objects.get(agency__name="Bluewhale PR (蓝鲸公关)")
    order, campaign = demo_order(), demo_campaign()
    bloggers = {
        i.display_name: i.pk
        for i in Influencer.objects.filter(
            display_name__in=["Lao K on Cars (老K说车)", "Speed Sister (飙车小妹)", "Mechanic Liu (修车老刘)"]
        )
    }
    payments = {str(p.amount) for p in order.payments.all()}
    assert payments == {"30000.00", "65000.00", "10000.00"}
    for kind, pk, reach in [
        ("party", bluewhale.pk, set(bloggers)),
        ("campaign", campaign.pk, set(bloggers)),
        ("case", case.pk, {"Lao K on Cars (老K说车)"}),
    ]:
        entities = ftm_entities(_get(api, regulator, kind, pk, "ftm").content)
        firm = f"prl-agency-{bluewhale.agency_id}"
        found = {e.get("amount")[0] for e in entities.values() if e.schema.name == "Payment" and firm in e.get("payer")}
        assert found == payments, kind
        reached = reachable(ftm_paths(entities), firm)
        assert {f"prl-influencer-{bloggers[n]}" for n in reach} <= reached, kind
        if kind != "case":
            assert f"prl-campaign-{campaign.pk}" in reached, kind

        objects = stix_objects(_get(api, regulator, kind, pk, "stix").content)
        firm_id = stix_id("identity", f"agency-{bluewhale.agency_id}")
        paid = [o for o in objects.values() if o.get("relationship_type") == "paid" and o["source_ref"] == firm_id]
        assert {o["x_amount"] for o in paid} == payments, kind
        reached = reachable(stix_paths(objects), firm_id)
        assert {stix_id("threat-actor", f"influencer-{bloggers[n]}") for n in reach} <= reached, kind
        if kind != "case":
            assert stix_id("campaign", f"campaign-{campaign.pk}") in reached, kind


def _campaign_of(n: int) -> Campaign:
    t0 = datetime(2025, 9, 16, tzinfo=UTC)
    campaign = Campaign.objects.create(first_published_at=t0, last_published_at=t0, similarity=Decimal("0.9"))
    brand = TargetFactory()
    campaign.targets.set([brand])
    for _ in range(n):
        review = ReviewFactory(targets=[brand])
        CampaignMember.objects.create(campaign=campaign, review=review)
        order = OrderFactory(account=review.account, client=party_create(name=f"Client of {review.pk}"))
        order.reviews.set([review])
        payment_record(order=order, amount=Decimal("10.00"), paid_on=date(2025, 9, 15), channel="cash")
    return campaign


@pytest.mark.parametrize("fmt", ["ftm", "stix"])
def test_the_query_count_of_an_export_does_not_grow_with_its_size(api, fmt):
    """A campaign of 2 members and one of 6 (each with its own blogger, agency, order and payment) take
    the same number of queries."""
    regulator = _user("regulator")
    small, large = _campaign_of(2), _campaign_of(6)
    _get(api, regulator, "campaign", small.pk, fmt)  # the user's permissions are read (and cached) once
    counts = []
    for campaign in (small, large):
        with CaptureQueriesContext(connection) as queries:
            body = _get(api, regulator, "campaign", campaign.pk, fmt).content
        counts.append(len(queries))
        (ftm_entities if fmt == "ftm" else stix_objects)(body)
    assert counts[0] == counts[1], counts


def test_a_party_that_is_a_person_does_not_leak_the_legal_name_through_its_aliases(api, world):
    """GIVEN the blogger's party has his legal name among its aliases (as written in a bank record)
    WHEN it is exported THEN the legal name is masked there too, and his other names are kept."""
    party = party_for_influencer(influencer=world["influencer"])
    alias_add(party=party, name="王建国", source="bank record")
    alias_add(party=party, name="Lao K on Cars", source="payment")
    for fmt in ("ftm", "stix"):
        body = _get(api, world["owner"], "party", party.pk, fmt).content.decode()
        assert "王建国" not in body
        assert "王**" in body
    entities = ftm_entities(_get(api, world["owner"], "party", party.pk, "ftm").content)
    assert entities[f"prl-influencer-{world['influencer'].pk}"].get("alias") == ["Lao K on Cars"]
