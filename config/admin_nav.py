"""The admin's sidebar (django-unfold's SIDEBAR setting): the tables grouped as a regulator works.

Each link shows only to users whose model admin lets them see its list, so a group
with nothing to show disappears. The internals (users, tokens, Celery beat, login
lockouts) are in the last group, which only superusers see (core/admin_internals.py).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# (group title, [(model label, Material Symbols icon), ...])
GROUPS: list[tuple[Any, list[tuple[str, str]]]] = [
    (
        _("Cases"),
        [
            ("cases.case", "folder_open"),
            ("cases.legalaction", "gavel"),
            ("cases.evidence", "attach_file"),
            ("cases.authority", "account_balance"),
        ],
    ),
    (
        _("Influencers"),
        [
            ("ledger.influencer", "person"),
            ("ledger.platformaccount", "badge"),
            ("ledger.agency", "apartment"),
            ("risk.riskscore", "warning"),
            ("risk.riskchange", "trending_up"),
            ("ledger.followersnapshot", "groups"),
            ("ledger.followeranomaly", "error"),
            ("ledger.profilerefresh", "sync"),
        ],
    ),
    (
        _("Pricing"),
        [
            ("pricing.ratequote", "sell"),
            ("pricing.marketbenchmark", "query_stats"),
            ("pricing.durationtier", "timer"),
        ],
    ),
    (
        _("Reviews & orders"),
        [
            ("reviews.order", "receipt_long"),
            ("reviews.payment", "payments"),
            ("reviews.review", "movie"),
            ("reviews.claim", "fact_check"),
            ("reviews.campaign", "hub"),
            ("reviews.target", "target"),
            ("parties.party", "corporate_fare"),
            ("parties.partymerge", "merge"),
        ],
    ),
    (_("Ingest"), [("ingest.ingestjob", "upload_file")]),
    (_("Journal"), [("core.journalentry", "history_edu")]),
    (
        _("System (superusers)"),
        [
            ("auth.user", "manage_accounts"),
            ("auth.group", "group_work"),
            ("knox.authtoken", "key"),
            ("django_celery_beat.periodictask", "schedule"),
            ("django_celery_beat.intervalschedule", "timelapse"),
            ("django_celery_beat.crontabschedule", "event_repeat"),
            ("django_celery_beat.clockedschedule", "alarm"),
            ("django_celery_beat.solarschedule", "wb_sunny"),
            ("axes.accessattempt", "login"),
            ("axes.accessfailurelog", "block"),
            ("axes.accesslog", "list_alt"),
        ],
    ),
]


def _may_see(label: str):
    def check(request: HttpRequest) -> bool:
        model = apps.get_model(label)
        model_admin = admin.site._registry.get(model)
        return bool(
            model_admin
            and model_admin.has_module_permission(request)
            and model_admin.has_view_or_change_permission(request)
        )

    return check


def _link(label: str) -> str:
    app_label, model_name = label.split(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_changelist")
    except NoReverseMatch:  # a model its app does not register (e.g. an axes setting)
        return ""


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The sidebar: the dashboard, then one collapsible group per area of work."""
    groups: list[dict[str, Any]] = [
        {"items": [{"title": _("Dashboard"), "icon": "dashboard", "link": reverse("admin:index")}]}
    ]
    for title, models in GROUPS:
        items = [
            {"title": capfirst(apps.get_model(label)._meta.verbose_name_plural), "icon": icon, "link": _link(label)}
            for label, icon in models
            if _link(label) and _may_see(label)(request)
        ]
        if items:
            groups.append({"title": title, "separator": True, "collapsible": False, "items": items})
    return groups


def show_all_applications(request: HttpRequest) -> bool:
    """The "all applications" list of every table: superusers only."""
    return request.user.is_active and request.user.is_superuser
