"""Regulators see the tools of an investigation; tokens, Celery beat, login records and users are for superusers."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from core.admin_internals import INTERNAL_MODELS

pytestmark = pytest.mark.django_db

INTERNAL_URLS = [reverse(f"admin:{label.replace('.', '_')}_changelist") for label in INTERNAL_MODELS]


@pytest.fixture
def staff_regulator(regulator):
    regulator.is_staff = True
    regulator.save()
    return regulator


def test_the_regulators_index_and_sidebar_list_no_internals(client, staff_regulator):
    client.force_login(staff_regulator)
    page = client.get(reverse("admin:index")).content.decode()
    for url in INTERNAL_URLS:
        assert url not in page, url
    for url in [
        "/admin/cases/case/",
        "/admin/ledger/influencer/",
        "/admin/reviews/order/",
        "/admin/core/journalentry/",
    ]:
        assert url in page, url  # the sidebar's groups
    assert "Celery" not in page and "Knox" not in page and "Axes" not in page


def test_internals_stay_closed_to_a_regulator_even_with_their_permissions(client, staff_regulator):
    """GIVEN a regulator who was granted view permissions on every internal model, THEN still no access."""
    codenames = [f"view_{label.split('.')[1]}" for label in INTERNAL_MODELS]
    staff_regulator.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff_regulator)
    for url in INTERNAL_URLS:
        assert client.get(url).status_code == 403, url


def test_superusers_see_and_open_every_internal(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    for url in INTERNAL_URLS:
        assert url in page, url
        assert client.get(url).status_code == 200, url


def test_internals_keep_their_apps_admin_and_the_theme(superuser):
    from unfold.admin import ModelAdmin as ThemedAdmin

    request = RequestFactory().get("/")
    request.user = superuser
    for label in INTERNAL_MODELS:
        from django.apps import apps

        model_admin = admin.site._registry[apps.get_model(label)]
        assert isinstance(model_admin, ThemedAdmin), label
        assert model_admin.has_module_permission(request), label
