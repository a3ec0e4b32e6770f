"""Risk in the back office: the signals table on an account's page, and the highest-risk list."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from core import numbers
from core.admin_export import ExportMixin
from ledger.models import PlatformAccount
from reviews.selectors import with_engagement
from risk.models import RiskChange, RiskScore
from risk.selectors import signals_for

SIGNAL_LABELS = {
    "follower_anomalies": _("Follower anomalies"),
    "unexplained_growth": _("Follower growth that engagement does not explain"),
    "regular_series": _("Implausibly regular follower series"),
    "quote_outliers": _("Quote outliers"),
    "order_markup": _("Order markup over the rate card"),
    "false_claims": _("Claims found false or misleading"),
    "ai_content": _("AI-generated content"),
    "undisclosed_ads": _("Undisclosed advertising"),
    "legal_actions": _("Legal actions"),
    "campaign_suspected": _("Member of suspected campaigns"),
    "campaign_confirmed": _("Member of confirmed campaigns"),
    "account_risk": _("The account's risk score"),
}


def _figures(figures: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in figures.items() if v is not None) or "—"


def signals_table(signals: list[dict[str, Any]]) -> str:
    """The stored signals as an HTML table: name, weight, value, contribution, figures, evidence links."""
    headers = [_("signal"), _("weight"), _("value"), _("points"), _("figures"), _("evidence")]
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td style='text-align:right'>{}</td><td style='text-align:right'>{}</td>"
        "<td style='text-align:right'><b>{}</b></td><td>{}</td><td>{}</td></tr>",
        (
            (
                SIGNAL_LABELS.get(s["signal"], s["signal"]),
                s["weight"],
                s["value"],
                s["contribution"],
                _figures(s.get("figures", {})),
                format_html_join(" ", "<a href='{}'>{}</a>", ((url, url) for url in s["evidence"])) or "—",
            )
            for s in signals
        ),
    )
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, rows)


AccountAdminBase = type(admin.site.get_model_admin(PlatformAccount))
admin.site.unregister(PlatformAccount)


@admin.register(PlatformAccount)
class RiskPlatformAccountAdmin(AccountAdminBase):
    """The account page with its risk score, the signals behind it and its engagement figures."""

    readonly_fields = [
        *AccountAdminBase.readonly_fields,
        "risk_score",
        "risk_computed_at",
        "risk_signals",
        "engagement",
    ]
    fieldsets = [
        *AccountAdminBase.fieldsets[:-1],
        (_("Risk"), {"fields": ["risk_score", "risk_computed_at", "risk_signals", "engagement"]}),
        AccountAdminBase.fieldsets[-1],
    ]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._risk = RiskScore.objects.filter(account=obj).first()
            if obj._risk is not None:
                obj._risk_signals = signals_for(signals=obj._risk.signals, user=request.user)
            obj._engagement = with_engagement(PlatformAccount.objects.filter(pk=obj.pk)).first()
        return obj

    @admin.display(description=_("computed at"))
    def risk_computed_at(self, obj: PlatformAccount) -> Any:
        risk = getattr(obj, "_risk", None)
        return risk.computed_at if risk else _("Not computed yet.")

    @admin.display(description=_("signals"))
    def risk_signals(self, obj: PlatformAccount) -> str:
        risk = getattr(obj, "_risk", None)
        return signals_table(obj._risk_signals) if risk else "—"

    @admin.display(description=_("engagement"))
    def engagement(self, obj: PlatformAccount) -> str:
        e = getattr(obj, "_engagement", None)
        if e is None:
            return "—"
        figures = [
            (_("recent reviews with views"), e.engagement_reviews),
            (_("views"), e.engagement_views),
            (_("likes + comments + shares"), e.engagement_interactions),
            (_("engagement rate over views"), _percent(e.engagement_rate_views)),
            (_("engagement rate over followers"), _percent(e.engagement_rate_followers)),
            (_("recent short-video quotes (CNY)"), e.engagement_quotes),
            (_("CPM (CNY per 1,000 views)"), e.cpm),
            (_("CPE (CNY per interaction)"), e.cpe),
        ]
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", ((k, "—" if v is None else v) for k, v in figures)
        )
        return format_html("<table>{}</table>", rows)


def _percent(value: float | None) -> str | None:
    return None if value is None else numbers.percent(value, 2)


@admin.register(RiskScore)
class RiskScoreAdmin(ExportMixin, ModelAdmin):
    """Highest risk first: the list a regulator opens first. Read-only (scores are computed)."""

    list_display = ["subject", "score", "top_signals", "computed_at"]
    list_select_related = ["account", "order", "order__account", "order__client"]
    list_filter = [("account", admin.EmptyFieldListFilter), ("order", admin.EmptyFieldListFilter)]
    search_fields = ["account__handle", "account__platform_uid", "order__account__handle"]
    ordering = ["-score", "id"]
    readonly_fields = ["subject", "score", "computed_at", "signals_table"]
    fields = ["subject", "score", "computed_at", "signals_table"]
    # exports leave the ledger: an order's person client named as the API shows him
    export_masked = {
        "subject": lambda score: str(score.account) if score.account_id else score.order.label(masked=True)
    }

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("order__targets")  # for the order's name

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("account or order"))
    def subject(self, obj: RiskScore) -> str:
        if obj.account_id:
            url = reverse("admin:ledger_platformaccount_change", args=[obj.account_id])
            return format_html("<a href='{}'>{}</a>", url, obj.account)
        url = reverse("admin:reviews_order_change", args=[obj.order_id])
        return format_html("<a href='{}'>{}</a>", url, obj.order)

    @admin.display(description=_("strongest signals"))
    def top_signals(self, obj: RiskScore) -> str:
        top = [s for s in obj.signals if s["contribution"] > 0][:3]
        return ", ".join(f"{SIGNAL_LABELS.get(s['signal'], s['signal'])} ({s['contribution']:g})" for s in top) or "—"

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._shown_signals = signals_for(signals=obj.signals, user=request.user)
        return obj

    @admin.display(description=_("signals"))
    def signals_table(self, obj: RiskScore) -> str:
        return signals_table(getattr(obj, "_shown_signals", []))


@admin.register(RiskChange)
class RiskChangeAdmin(ExportMixin, ModelAdmin):
    """Changes of an account's score by RISK_EVENT_MIN_CHANGE points or more (read-only)."""

    list_display = ["account", "before", "after", "signals", "changed_at"]
    list_select_related = ["account"]
    date_hierarchy = "changed_at"
    search_fields = ["account__handle"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
