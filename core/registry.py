"""How apps plug into the project: modules found in each of the project's apps, in ``INSTALLED_APPS`` order.

``core`` never lists the apps. An app takes part in a feature by having the
module the feature looks for (``<app>/history.py`` for the history's sources,
``<app>/demo.py`` for the demo data, ``<app>/api/urls.py`` for the API), or by
registering from its ``AppConfig.ready()``. Third-party apps are left out: only
apps that are folders at the top of the project are searched. ``core`` itself takes
part only where asked (its ``api/urls.py``: the journal's API); elsewhere its module of
the feature's name is the feature itself (``core/history.py``), not a part plugged into it.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType

from django.apps import AppConfig, apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule


def project_apps(*, core: bool = False) -> list[AppConfig]:
    """The installed apps of this project that plug into core (core too if ``core``), in ``INSTALLED_APPS`` order."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base and (core or config.name != "core")
    ]


def app_modules(name: str, *, core: bool = False) -> list[ModuleType]:
    """``<app>.<name>`` (e.g. ``history`` or ``api.urls``) of every project app that has it, imported.

    With ``core``, core's own module of that name comes first (``core.api.urls``: the journal's API).
    """
    return [
        import_module(f"{config.name}.{name}")
        for config in project_apps(core=core)
        if module_has_submodule(config.module, name)
    ]
