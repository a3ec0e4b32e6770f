"""Helpers for data migrations that give the default groups their model permissions.

Permissions are normally created after all migrations have run; ``grant``
creates the ones of one app first, so a migration can assign them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions

GROUPS = ("regulator", "analyst", "api_client")


def grant(apps: Apps, app_label: str, models: Iterable[str], actions_by_group: Mapping[str, Iterable[str]]) -> None:
    """Give each group the listed actions (view, add, change, delete) on the app's models."""
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # type: ignore[assignment]  # historical app configs have none; create_permissions needs one
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    models = list(models)
    for group_name, actions in actions_by_group.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = [f"{action}_{model}" for action in actions for model in models]
        perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        found = perms.count()
        if found != len(codenames):
            raise RuntimeError(f"expected {len(codenames)} permissions for {group_name}, found {found}")
        group.permissions.add(*perms)


def revoke(apps: Apps, app_label: str, models: Iterable[str], groups: Iterable[str]) -> None:
    """Remove every permission on the app's models from the groups."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=list(models))
    for group in Group.objects.filter(name__in=list(groups)):
        group.permissions.remove(*perms)
