import django_filters
from django.utils.translation import gettext_lazy as _

from ledger.choices import Platform
from ledger.models import Influencer, PlatformAccount
from pricing.choices import Deliverable, PriceKind
from pricing.models import DurationTier, MarketBenchmark, RateQuote
from pricing.selectors import outliers_q


class QuoteFilter(django_filters.FilterSet):
    account = django_filters.ModelChoiceFilter(queryset=PlatformAccount.objects.all())
    influencer = django_filters.ModelChoiceFilter(field_name="account__influencer", queryset=Influencer.objects.all())
    platform = django_filters.ChoiceFilter(field_name="account__platform", choices=Platform.choices)
    tier = django_filters.ModelChoiceFilter(
        queryset=DurationTier.objects.all(), to_field_name="code", help_text=_("A tier code, e.g. s21_60.")
    )
    deliverable = django_filters.ChoiceFilter(choices=Deliverable.choices)
    price_kind = django_filters.ChoiceFilter(choices=PriceKind.choices)
    currency = django_filters.CharFilter(help_text=_("ISO 4217 code, e.g. CNY."))
    observed_after = django_filters.DateFilter(
        field_name="observed_on", lookup_expr="gte", label=_("observed on or after")
    )
    observed_before = django_filters.DateFilter(
        field_name="observed_on", lookup_expr="lte", label=_("observed on or before")
    )
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte", label=_("price at least"))
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte", label=_("price at most"))
    is_outlier = django_filters.BooleanFilter(
        method="filter_outlier", label=_("outside [p25 / factor, p75 x factor] of its benchmark")
    )

    class Meta:
        model = RateQuote
        fields = [
            "account",
            "influencer",
            "platform",
            "tier",
            "deliverable",
            "price_kind",
            "currency",
            "observed_after",
            "observed_before",
            "min_price",
            "max_price",
            "is_outlier",
        ]

    def filter_outlier(self, queryset, name, value):
        return queryset.filter(outliers_q(outlier=value))


class BenchmarkFilter(django_filters.FilterSet):
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    deliverable = django_filters.ChoiceFilter(choices=Deliverable.choices)
    tier = django_filters.ModelChoiceFilter(
        queryset=DurationTier.objects.all(), to_field_name="code", help_text=_("A tier code, e.g. s21_60.")
    )
    band = django_filters.CharFilter(help_text=_("A follower band code, e.g. 500k_1m."))
    currency = django_filters.CharFilter(help_text=_("ISO 4217 code, e.g. CNY."))

    class Meta:
        model = MarketBenchmark
        fields = ["platform", "deliverable", "tier", "band", "currency"]
