"""The admin's landing page (django-unfold's DASHBOARD_CALLBACK): where an investigation starts.

Open cases by status, follower anomalies of the last days, the highest-risk accounts, active
coordinated campaigns and the latest signed journal head; each figure links into the list it
counts, filtered. The figures come from the apps' selectors, a fixed number of queries
whatever the size of the ledger (tests/test_dashboard.py). A section shows only to users who
may open its list.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseStatus
from cases.selectors import case_status_counts
from core.heads import latest_head
from ledger.selectors import anomalies_detected_since
from reviews.choices import CampaignStatus
from reviews.selectors import campaign_status_counts
from risk.selectors import accounts_highest_risk

# Follower anomalies detected within this many days count as new.
NEW_ANOMALY_DAYS = 7
LIST_LENGTH = 5


def _may_view(request: HttpRequest, label: str) -> bool:
    model_admin = admin.site._registry.get(apps.get_model(label))
    return bool(model_admin and model_admin.has_view_or_change_permission(request))


def _changelist(label: str, **filters: Any) -> str:
    app_label, model_name = label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _change(label: str, pk: Any) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])


def _cases(request: HttpRequest) -> list[dict[str, Any]]:
    counts = case_status_counts(user=request.user)
    return [
        {"label": status.label, "count": counts[status], "url": _changelist("cases.case", status__exact=status)}
        for status in CaseStatus
    ]


def _anomalies() -> dict[str, Any]:
    since = timezone.now() - timedelta(days=NEW_ANOMALY_DAYS)
    anomalies = anomalies_detected_since(since)
    newest = list(anomalies[:LIST_LENGTH])
    return {
        "days": NEW_ANOMALY_DAYS,
        "count": anomalies.count(),
        "url": _changelist("ledger.followeranomaly", detected_at__gte=since.replace(microsecond=0).isoformat()),
        "rows": [
            {
                "anomaly": a,
                "change": f"{a.change:+,}",
                "url": _change("ledger.followeranomaly", a.pk),
                "account_url": _change("ledger.platformaccount", a.account_id),
            }
            for a in newest
        ],
    }


def _risks() -> dict[str, Any]:
    return {
        "url": _changelist("risk.riskscore", account__isempty="0"),
        "rows": [
            {"score": r, "account_url": _change("ledger.platformaccount", r.account_id)}
            for r in accounts_highest_risk(limit=LIST_LENGTH)
        ],
    }


def _campaigns() -> list[dict[str, Any]]:
    counts = campaign_status_counts()
    return [
        {"label": status.label, "count": counts[status], "url": _changelist("reviews.campaign", status__exact=status)}
        for status in (CampaignStatus.SUSPECTED, CampaignStatus.CONFIRMED)
    ]


def _head() -> dict[str, Any] | None:
    head = latest_head()
    if head is None:
        return None
    return {
        "head": head,
        "entry_url": _change("core.journalentry", head.tree_size) if head.tree_size else None,
        "journal_url": _changelist("core.journalentry", seq__lte=head.tree_size),
    }


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's figures, for the sections the user may open."""
    dashboard: dict[str, Any] = {}
    if _may_view(request, "cases.case"):
        dashboard["cases"] = _cases(request)
    if _may_view(request, "ledger.followeranomaly"):
        dashboard["anomalies"] = _anomalies()
    if _may_view(request, "risk.riskscore"):
        dashboard["risks"] = _risks()
    if _may_view(request, "reviews.campaign"):
        dashboard["campaigns"] = _campaigns()
    if _may_view(request, "core.journalentry"):
        dashboard["journal"] = {"latest": _head(), "url": _changelist("core.journalentry")}
    context["dashboard"] = dashboard
    return context
