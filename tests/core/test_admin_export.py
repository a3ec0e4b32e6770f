"""Bulk out and in from the admin lists: CSV and XLSX exports of the filtered list, and the import link."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core import journal as core_journal
from core.admin_export import ExportMixin
from core.registry import project_apps
from ledger.choices import InfluencerKind
from parties.choices import PartyKind
from parties.services import party_create, party_merge
from risk.services import risk_recompute_orders
from tests.factories import AccountFactory, InfluencerFactory, UserFactory
from tests.reviews.factories import OrderFactory, TargetFactory, person_paid_order

pytestmark = pytest.mark.django_db

CAPTURED = datetime(2025, 9, 1, tzinfo=UTC)
DOMAIN_APPS = {config.label for config in project_apps(core=True)}  # every table of the project, the journal too
DOMAIN_ADMINS = sorted(
    (m._meta.app_label, m._meta.model_name) for m in admin.site._registry if m._meta.app_label in DOMAIN_APPS
)


def rows_of_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads Chinese
    return list(csv.reader(io.StringIO(text[1:])))


def export_url(model: str, fmt: str, app: str = "ledger") -> str:
    return reverse(f"admin:{app}_{model}_export", args=[fmt])


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def accounts(db):
    def account(handle: str, platform: str, followers: int):
        return AccountFactory(
            handle=handle, platform=platform, follower_count=followers, followers_captured_at=CAPTURED
        )

    return [
        account("laok", "douyin", 600_000),
        account("laok_2", "kuaishou", 1_200),
        account('=HYPERLINK("http://evil.invalid")', "douyin", 5),
        account("someone", "douyin", 70),
    ]


@pytest.mark.parametrize(("app_label", "model_name"), DOMAIN_ADMINS)
def test_every_domain_list_exports_to_csv_and_xlsx(admin_client, app_label, model_name):
    assert isinstance(admin.site.get_model_admin(apps.get_model(app_label, model_name)), ExportMixin)
    for fmt in ("csv", "xlsx"):
        response = admin_client.get(export_url(model_name, fmt, app_label))
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_csv_export_keeps_the_lists_filters_search_and_order(admin_client, accounts):
    """GIVEN four accounts, WHEN the list filtered to Douyin and searched for "laok" is exported, THEN the
    file holds the one matching row, with the list's headers and the follower count as a number."""
    page = admin_client.get(
        reverse("admin:ledger_platformaccount_changelist"), {"platform__exact": "douyin", "q": "laok"}
    )
    link = export_url("platformaccount", "csv") + "?platform__exact=douyin&amp;q=laok"
    assert link in page.content.decode()
    response = admin_client.get(export_url("platformaccount", "csv"), {"platform__exact": "douyin", "q": "laok"})
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = rows_of_csv(response)
    assert header[:3] == ["Handle", "Platform", "Platform user id"] and "Followers" in header
    assert [row[0] for row in rows] == ["laok"]
    assert rows[0][1] == "Douyin"  # the choice's label, not its code
    assert rows[0][header.index("Followers")] == "600000"  # the figure, not the formatted 60万 / 600,000
    ordered = rows_of_csv(admin_client.get(export_url("platformaccount", "csv"), {"o": "-7"}))  # by followers
    assert [row[0] for row in ordered[1:]][:2] == ["laok", "laok_2"]


def test_csv_export_is_safe_against_formula_injection(admin_client, accounts):
    _, *rows = rows_of_csv(admin_client.get(export_url("platformaccount", "csv"), {"platform__exact": "douyin"}))
    handles = [row[0] for row in rows]
    assert '\'=HYPERLINK("http://evil.invalid")' in handles
    assert not any(h.startswith(("=", "+", "-", "@")) for h in handles)


def test_xlsx_export_opens_with_openpyxl_with_numbers_and_texts(admin_client, accounts):
    response = admin_client.get(export_url("platformaccount", "xlsx"), {"platform__exact": "douyin"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows())
    names = [c.value for c in header]
    followers = names.index("Followers")
    by_handle = {row[0].value: row for row in rows}
    assert set(by_handle) == {"laok", "someone", '=HYPERLINK("http://evil.invalid")'}
    assert by_handle["laok"][followers].value == 600_000  # a number cell
    evil = by_handle['=HYPERLINK("http://evil.invalid")'][0]
    assert evil.data_type == "s"  # stored as a text, never as a formula


def test_influencer_export_masks_a_persons_legal_name_as_the_api_does(admin_client, api):
    person = InfluencerFactory(display_name="老K说车", kind=InfluencerKind.PERSON, legal_name="王建国")
    InfluencerFactory(display_name="车评社", kind=InfluencerKind.ORGANISATION, legal_name="某某文化传媒有限公司")
    header, *rows = rows_of_csv(admin_client.get(export_url("influencer", "csv")))
    names = {row[0]: row[header.index("Legal name")] for row in rows}
    assert names == {"老K说车": "王**", "车评社": "某某文化传媒有限公司"}
    assert "王建国" not in admin_client.get(export_url("influencer", "xlsx")).content.decode("latin-1")
    api.force_authenticate(UserFactory(is_superuser=True))
    shown = api.get(reverse("influencer-detail", args=[person.pk])).json()["legal_name"]
    assert shown == names["老K说车"]


def test_export_action_exports_the_selected_rows(admin_client, accounts):
    response = admin_client.post(
        reverse("admin:ledger_platformaccount_changelist"),
        {"action": "export_csv", "_selected_action": [accounts[1].pk, accounts[3].pk]},
    )
    _, *rows = rows_of_csv(response)
    assert sorted(row[0] for row in rows) == ["laok_2", "someone"]


def test_export_query_count_does_not_depend_on_the_rows(admin_client):
    """Orders are named by their client and targets: the export reads them in a fixed number of queries."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(reverse("admin:reviews_order_export", args=["csv"]))
        assert response.status_code == 200
        return len(captured)

    target = TargetFactory(name="小米汽车")
    first = OrderFactory(client_name="某公关公司")
    first.targets.add(target)
    few = queries()
    for _ in range(6):
        OrderFactory().targets.add(target)
    assert queries() == few
    _, *rows = rows_of_csv(admin_client.get(reverse("admin:reviews_order_export", args=["csv"])))
    assert len(rows) == 7
    assert f"Order {first.pk}: 某公关公司 -> 小米汽车, 95,000.00 CNY" in [row[0] for row in rows]


def test_exports_need_the_view_permission(client, accounts):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(export_url("platformaccount", "csv")).status_code == 403


def test_lists_of_ingested_rows_link_to_the_ingest_upload(admin_client):
    cases = [
        ("admin:ledger_platformaccount_changelist", "accounts"),
        ("admin:ledger_followersnapshot_changelist", "snapshots"),
        ("admin:reviews_review_changelist", "reviews"),
        ("admin:pricing_ratequote_changelist", "quotes"),
    ]
    upload = reverse("admin:ingest_ingestjob_add")
    for url, kind in cases:
        page = admin_client.get(reverse(url)).content.decode()
        assert f'href="{upload}?kind={kind}" class="import-link">Import from a file<' in page
    assert 'class="import-link"' not in admin_client.get(reverse("admin:reviews_order_changelist")).content.decode()


def test_the_import_link_is_shown_only_to_who_may_ingest(client):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_ratequote"))
    client.force_login(viewer)
    page = client.get(reverse("admin:pricing_ratequote_changelist")).content.decode()
    assert 'class="export-link"' in page and 'class="import-link"' not in page


def test_money_exports_as_a_number(admin_client):
    OrderFactory(agreed_price=Decimal("95000.00"))
    header, row = rows_of_csv(admin_client.get(reverse("admin:reviews_order_export", args=["csv"])))
    assert row[header.index("Agreed price")] == "95000.00"


def test_case_exports_hold_only_the_cases_the_user_may_see(client, user_in_group):
    """GIVEN a case of another authority, WHEN a regulator exports the cases and the journal, THEN neither file
    names it: the export reads the list's own (visibility-filtered) rows."""
    from tests.cases.factories import AuthorityFactory, CaseFactory

    regulator = user_in_group("regulator")
    regulator.is_staff = True
    regulator.save()
    mine = CaseFactory(authority=AuthorityFactory(members=[regulator]))
    hidden = CaseFactory(authority=AuthorityFactory())
    client.force_login(regulator)
    _, *rows = rows_of_csv(client.get(reverse("admin:cases_case_export", args=["csv"])))
    assert [row[0] for row in rows] == [mine.reference]
    core_journal.integrate()
    journal = client.get(reverse("admin:core_journalentry_export", args=["csv"]), {"object_type": "cases.case"})
    ids = [row[header_index(journal, "Object id")] for row in rows_of_csv(journal)[1:]]
    assert str(mine.pk) in ids and str(hidden.pk) not in ids


def header_index(response, name: str) -> int:
    return rows_of_csv(response)[0].index(name)


def test_party_order_and_payment_exports_mask_a_person_as_the_api_does(admin_client):
    """GIVEN a person who ordered and paid another person (parties of kind person, names also as recorded)
    WHEN the admin exports the parties, orders and payments THEN neither full name is in any file;
    a company stays named in full."""
    order, _ = person_paid_order()
    company = party_create(name="蓝鲸公关")
    alias = party_create(name="王建国（微信）", kind=PartyKind.PERSON)
    party_merge(party=order.client, other=alias, reason="One person.")
    risk_recompute_orders(order_ids=[order.pk])
    files = [
        admin_client.get(export_url(model, "csv", app)).content.decode("utf-8")
        for model, app in (
            ("party", "parties"),
            ("order", "reviews"),
            ("payment", "reviews"),
            ("partymerge", "parties"),
            ("riskscore", "risk"),
        )
    ]
    assert "王**" in files[0] and "王**" in files[1] and "李**" in files[2]
    assert "王**" in files[3] and f"Order {order.pk}: 王**" in files[4]
    assert company.name in files[0]
    for text in files:
        assert "王建国" not in text and "李小红" not in text
    assert str(order).startswith(f"Order {order.pk}: 王建国")  # the admin's own pages name him in full
