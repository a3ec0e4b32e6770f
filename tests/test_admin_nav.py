"""The sidebar reaches every table a person works with in the admin."""

from __future__ import annotations

from django.contrib import admin

from config.admin_nav import GROUPS

# Internals: superusers only (their own sidebar group and the "all applications" list).
# Proxies stand for pages of the tables they proxy.
NOT_IN_SIDEBAR_APPS = {"auth", "knox", "django_celery_beat", "axes"}


def test_every_registered_domain_table_is_in_the_sidebar():
    listed = {label for _title, models in GROUPS for label, _icon in models}
    registered = {
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.app_label not in NOT_IN_SIDEBAR_APPS and not model._meta.proxy
    }
    assert registered - listed == set()
