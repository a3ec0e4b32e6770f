"""Every model registered in the admin opens its list and add pages for a superuser."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

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


def test_admin_covers_the_ledger():
    ledger = {model for app, model in MODEL_ADMINS if app == "ledger"}
    assert ledger == {
        "agency",
        "influencer",
        "platformaccount",
        "followersnapshot",
        "journalentry",
        "profilerefresh",
        "followeranomaly",
    }
