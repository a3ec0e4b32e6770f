"""The admin's internals, for superusers only: users and groups, API tokens, Celery beat's schedules
and django-axes' login records.

Each is registered again with its own admin class, in the admin's theme (django-unfold), and
with every permission limited to superusers: a regulator's index and sidebar list the tools of
an investigation, not the machinery (docs/user-guide/admin.md).
"""

from __future__ import annotations

from typing import Any

import axes.admin  # noqa: F401  (registers axes' models first, so that they can be registered again here)
import django_celery_beat.admin  # noqa: F401
import knox.admin  # noqa: F401
from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

INTERNAL_MODELS = (
    "auth.user",
    "auth.group",
    "knox.authtoken",
    "django_celery_beat.periodictask",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.clockedschedule",
    "django_celery_beat.solarschedule",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
)


class SuperuserOnlyMixin:
    """Listed, opened and changed by superusers only, whatever permissions a group grants."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]


# The user pages in the theme's forms (unfold's documented replacement of Django's).
THEMED = {
    "auth.user": {
        "form": UserChangeForm,
        "add_form": UserCreationForm,
        "change_password_form": AdminPasswordChangeForm,
    },
}


def register_internals(site: admin.AdminSite = admin.site) -> None:
    """Register each internal model again: its app's admin class, the theme, superusers only."""
    for label in INTERNAL_MODELS:
        model = apps.get_model(label)
        original = type(site._registry.pop(model, admin.ModelAdmin(model, site)))
        bases = (
            (SuperuserOnlyMixin, ModelAdmin)
            if original is admin.ModelAdmin
            else (SuperuserOnlyMixin, original, ModelAdmin)
        )
        site.register(model, type(f"Internal{original.__name__}", bases, dict(THEMED.get(label, {}))))
