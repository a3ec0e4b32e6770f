from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from core import admin_links
from core.admin_links import RelatedLookupsMixin
from ledger import charts, numbers
from ledger.admin import URL_FIELD, InfluencerAdmin, PlatformAccountAdmin
from ledger.models import Influencer, PlatformAccount
from pricing import selectors, services
from pricing.models import DurationTier, MarketBenchmark, RateQuote

OBSERVATION_FIELDS = ["account", "deliverable", "tier", "price", "currency", "price_kind", "observed_on"]


def _money(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


@admin.register(DurationTier)
class DurationTierAdmin(ModelAdmin):
    """Tiers are data: admins may edit them; overlapping ranges are refused (model validation and, on
    PostgreSQL, an exclusion constraint)."""

    list_display = ["code", "label", "min_seconds", "max_seconds", "updated_at"]
    search_fields = ["code", "label"]
    ordering = ["min_seconds"]


@admin.register(RateQuote)
class RateQuoteAdmin(RelatedLookupsMixin, ModelAdmin):
    """Quotes are recorded through ``quote_record`` (files of quotes: the ingest); afterwards only validity,
    source and notes change."""

    formfield_overrides = URL_FIELD
    change_list_template = "admin/pricing/ratequote/change_list.html"  # "Import quotes": the ingest's upload page
    # Short enough for a 1,440 px screen, the figures a reader compares first: price, ratio, outlier.
    list_display = [
        "observed_on",
        "account",
        "deliverable",
        "tier",
        "price_display",
        "market_ratio_display",
        "outlier",
        "price_kind",
        "followers_display",
    ]
    related_lookups = ("account__influencer",)
    list_filter = [
        "deliverable",
        "price_kind",
        "tier",
        "account__platform",
        "currency",
        ("observed_on", admin.DateFieldListFilter),
    ]
    search_fields = [
        "account__handle",
        "account__platform_uid",
        "account__influencer__display_name",
        "notes",
        "source_url",
    ]
    autocomplete_fields = ["account"]
    date_hierarchy = "observed_on"
    fields = [*OBSERVATION_FIELDS, "valid_until", "source_url", "notes", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RateQuote]:
        return selectors.quote_list()

    def get_readonly_fields(self, request: HttpRequest, obj: RateQuote | None = None) -> list[str]:
        if obj is not None:  # the observation itself never changes: a new price is a new quote
            return [*OBSERVATION_FIELDS, *self.readonly_fields]
        return list(self.readonly_fields)

    @admin.display(description=_("platform"), ordering="account__platform")
    def platform(self, obj: RateQuote) -> str:
        return obj.account.get_platform_display()

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, obj: RateQuote) -> str:
        return f"{_money(obj.price)} {obj.currency}"

    @admin.display(description=_("followers then"), ordering="followers_at_observation")
    def followers_display(self, obj: RateQuote) -> str:
        return numbers.followers(obj.followers_at_observation)

    @admin.display(description=_("per 10k followers"))
    def per_10k_display(self, obj: RateQuote) -> str:
        return _money(obj.price_per_10k_followers)

    @admin.display(description=_("x market median"))
    def market_ratio_display(self, obj: RateQuote) -> str:
        return "—" if obj.market_ratio is None else f"{obj.market_ratio}"

    @admin.display(description=_("outlier"), boolean=True)
    def outlier(self, obj: RateQuote) -> bool | None:
        return obj.is_outlier

    def save_model(self, request: HttpRequest, obj: RateQuote, form, change: bool) -> None:
        if change:
            services.quote_amend(
                quote=RateQuote.objects.get(pk=obj.pk),
                valid_until=obj.valid_until,
                source_url=obj.source_url,
                notes=obj.notes,
            )
            return
        saved = services.quote_record(
            account=obj.account,
            deliverable=obj.deliverable,
            tier=obj.tier,
            price=obj.price,
            currency=obj.currency,
            price_kind=obj.price_kind,
            observed_on=obj.observed_on,
            valid_until=obj.valid_until,
            source_url=obj.source_url,
            notes=obj.notes,
        )
        obj.pk, obj.recorded_by, obj.recorded_at = saved.pk, saved.recorded_by, saved.recorded_at


@admin.register(MarketBenchmark)
class MarketBenchmarkAdmin(ModelAdmin):
    """Benchmarks are derived: recomputed by a task or command, never edited."""

    list_display = [  # short enough for a 1,440 px screen: the rest is on the benchmark's page
        "platform",
        "deliverable",
        "tier",
        "band",
        "count",
        "p25",
        "median",
        "p75",
        "as_of",
    ]
    list_filter = ["platform", "deliverable", "tier", "band", "currency"]
    list_select_related = ["tier"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MarketBenchmark | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: MarketBenchmark | None = None) -> bool:
        return False


# --- the account page: its rate card and quote history ----------------------------


def _quote_table(quotes: list[RateQuote]) -> str:
    headers = [
        _("observed on"),
        _("deliverable"),
        _("tier"),
        _("price kind"),
        _("price"),
        _("per 10k followers"),
        _("x market median"),
        _("outlier"),
    ]
    body = format_html_join(
        "",
        "<tr><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td>"
        "<td style='text-align:right'>{} {}</td><td style='text-align:right'>{}</td>"
        "<td style='text-align:right'>{}</td><td>{}</td></tr>",
        (
            (
                reverse("admin:pricing_ratequote_change", args=[q.pk]),
                q.observed_on,
                q.get_deliverable_display(),
                q.tier.code if q.tier_id else "—",
                q.get_price_kind_display(),
                _money(q.price),
                q.currency,
                _money(q.price_per_10k_followers),
                "—" if q.market_ratio is None else q.market_ratio,
                {True: _("yes"), False: _("no"), None: "—"}[q.is_outlier],
            )
            for q in quotes
        ),
    )
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def price_chart(accounts: Sequence[PlatformAccount], *, title: str) -> str:
    """The accounts' quotes as dots by deliverable and tier, outliers ringed, follower anomalies as dashed lines."""
    ids = [a.pk for a in accounts]
    zone = timezone.get_current_timezone()
    series: dict[str, list] = {}
    outliers = []
    for quote in selectors.quote_list().filter(account_id__in=ids).order_by("observed_on", "pk"):
        at = datetime.combine(quote.observed_on, time(), tzinfo=zone)
        label = f"{quote.get_deliverable_display()} {quote.tier.code if quote.tier_id else ''} ({quote.currency})"
        series.setdefault(label.replace("  ", " "), []).append((at, quote.price))
        if quote.is_outlier:
            outliers.append(
                charts.Marker(
                    at=at,
                    value=quote.price,
                    label=_("Outlier: %(price)s %(currency)s, %(ratio)s x market")
                    % {"price": _money(quote.price), "currency": quote.currency, "ratio": quote.market_ratio},
                )
            )
    return charts.time_chart(
        title=title,
        series=[charts.Series(label, points) for label, points in series.items()],
        markers=outliers + charts.anomaly_markers(ids, on_line=False),
        dots=True,
        from_zero=True,
        value_format=_money,
        empty=_("No quotes yet."),
    )


admin.site.unregister(PlatformAccount)


@admin.register(PlatformAccount)
class PricedPlatformAccountAdmin(PlatformAccountAdmin):
    """The ledger's account page, with the account's rate card and quote history."""

    readonly_fields = [*PlatformAccountAdmin.readonly_fields, "price_chart", "rate_card", "quote_history"]
    fieldsets = [
        *PlatformAccountAdmin.fieldsets[:-1],
        (_("Pricing"), {"fields": ["price_chart", "rate_card", "quote_history"]}),
        PlatformAccountAdmin.fieldsets[-1],
    ]

    @admin.display(description=_("price chart"))
    def price_chart(self, obj: PlatformAccount) -> str:
        if obj.pk is None:
            return "—"
        return price_chart([obj], title=_("Quoted prices (outliers ringed, follower anomalies dashed)"))

    @admin.display(description=_("rate card"))
    def rate_card(self, obj: PlatformAccount) -> str:
        if obj.pk is None:
            return "—"
        quotes = selectors.rate_card(account=obj)
        return _quote_table(quotes) if quotes else _("No quotes yet.")

    @admin.display(description=_("quote history"))
    def quote_history(self, obj: PlatformAccount) -> str:
        if obj.pk is None:
            return "—"
        quotes = selectors.quotes_recent(account=obj, limit=50)
        if not quotes:
            return _("No quotes yet.")
        link = reverse("admin:pricing_ratequote_changelist") + f"?account__id__exact={obj.pk}"
        return format_html("{}<p><a href='{}'>{}</a></p>", _quote_table(quotes), link, _("All quotes of this account"))


admin.site.unregister(Influencer)


@admin.register(Influencer)
class PricedInfluencerAdmin(InfluencerAdmin):
    """The ledger's influencer page, with a chart of the prices quoted by its accounts."""

    readonly_fields = [*InfluencerAdmin.readonly_fields, "price_chart"]

    @admin.display(description=_("prices"))
    def price_chart(self, obj: Influencer) -> str:
        if obj.pk is None:
            return "—"
        return price_chart(
            list(obj.accounts.all()),
            title=_("Prices quoted by %(name)s's accounts (outliers ringed, follower anomalies dashed)")
            % {"name": obj.display_name},
        )


# --- links between related records (core/admin_links.py) ----------------------------


@admin_links.provider("ledger.influencer")
def _influencer_quotes(influencer: Influencer, request: HttpRequest):
    yield admin_links.changelist(
        request,
        "pricing.ratequote",
        _("rate quotes"),
        RateQuote.objects.filter(account__influencer=influencer).count(),
        account__influencer__id__exact=influencer.pk,
    )


@admin_links.provider("ledger.platformaccount")
def _account_quotes(account: PlatformAccount, request: HttpRequest):
    yield admin_links.changelist(
        request, "pricing.ratequote", _("rate quotes"), account.quotes.count(), account__id__exact=account.pk
    )
