"""Every model registered in the admin opens its list and add pages for a superuser, and for a regulator
the pages their permissions open (the others answer 403)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core import journal
from core.models import JournalEntry
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

MODEL_ADMINS = {(m._meta.app_label, m._meta.model_name): ma for m, ma in admin.site._registry.items()}


@pytest.mark.parametrize(("app_label", "model_name"), sorted(MODEL_ADMINS))
def test_every_admin_changelist_and_add_page_opens(client, superuser, app_label, model_name):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code == 200
    request = RequestFactory().get("/")
    request.user = superuser
    if MODEL_ADMINS[(app_label, model_name)].has_add_permission(request):
        assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), sorted(MODEL_ADMINS))
def test_every_admin_page_a_regulator_may_open_opens(client, regulator, app_label, model_name):
    regulator.is_staff = True
    regulator.save()
    client.force_login(regulator)
    request = RequestFactory().get("/")
    request.user = regulator
    model_admin = MODEL_ADMINS[(app_label, model_name)]
    may_view = model_admin.has_view_or_change_permission(request)
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == (200 if may_view else 403)
    if may_view and model_admin.has_add_permission(request):
        assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 200


def test_admin_covers_the_ledger():
    ledger = {model for app, model in MODEL_ADMINS if app == "ledger"}
    assert ledger == {
        "agency",
        "influencer",
        "platformaccount",
        "followersnapshot",
        "profilerefresh",
        "followeranomaly",
    }


def test_admin_covers_the_journal():
    assert {model for app, model in MODEL_ADMINS if app == "core"} == {"journalentry"}


def test_the_journals_old_admin_addresses_lead_to_its_pages_in_core(client, superuser):
    """The journal's admin moved from ledger to core: an address kept from before still opens the page."""
    AgencyFactory()
    journal.integrate()
    client.force_login(superuser)
    entry = JournalEntry.objects.order_by("seq").first()
    old = client.get(f"/admin/ledger/journalentry/{entry.pk}/change/", {"_changelist_filters": "action=insert"})
    assert old.status_code == 301
    assert old["Location"] == f"/admin/core/journalentry/{entry.pk}/change/?_changelist_filters=action%3Dinsert"
    assert client.get(old["Location"]).status_code == 200
    assert client.get("/admin/ledger/journalentry/")["Location"] == "/admin/core/journalentry/"
