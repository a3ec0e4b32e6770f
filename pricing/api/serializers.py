from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ledger.choices import Platform
from pricing.models import DurationTier, MarketBenchmark, RateQuote
from pricing.services import AMENDABLE_FIELDS


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = DurationTier
        fields = ["code", "label", "min_seconds", "max_seconds"]
        read_only_fields = fields


class TierResolveQuerySerializer(serializers.Serializer):
    seconds = serializers.IntegerField(min_value=0, help_text=_("A video length in whole seconds."))


class TierCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any):
        super().__init__(slug_field="code", **kwargs)


class QuoteSerializer(serializers.ModelSerializer):
    """A rate quote and its derived figures.

    ``price_per_10k_followers``, ``market_ratio`` and ``is_outlier`` are read-only
    and need the annotations of ``pricing.selectors.quote_list``.
    """

    tier = TierCodeField(
        queryset=DurationTier.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("Tier code (e.g. s21_60): required for short videos, refused otherwise."),
    )
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    platform = serializers.ChoiceField(source="account.platform", choices=Platform.choices, read_only=True)
    influencer = serializers.IntegerField(source="account.influencer_id", read_only=True)
    followers_at_observation = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("The account's newest follower count captured on or before observed_on (Asia/Shanghai)."),
    )
    follower_band = serializers.CharField(read_only=True, allow_null=True)
    price_per_10k_followers = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("price / followers_at_observation x 10,000; null without a follower count."),
    )
    benchmark_median = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("Median of the quote's market benchmark (platform, deliverable, tier, band, currency)."),
    )
    market_ratio = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("price / benchmark_median; null without a benchmark."),
    )
    is_outlier = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text=_("Outside [p25 / factor, p75 x factor] of its benchmark; null without a benchmark."),
    )

    class Meta:
        model = RateQuote
        fields = [
            "id",
            "account",
            "platform",
            "influencer",
            "deliverable",
            "tier",
            "price",
            "currency",
            "price_kind",
            "observed_on",
            "valid_until",
            "source_url",
            "notes",
            "recorded_by",
            "recorded_at",
            "followers_at_observation",
            "follower_band",
            "price_per_10k_followers",
            "benchmark_median",
            "market_ratio",
            "is_outlier",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]
        extra_kwargs = {"currency": {"default": "CNY"}}
        # The rules across fields (tier only for short videos, ...) are checked by quote_record.
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:  # an amendment: the observation itself never changes
            for name, value in attrs.items():
                if name not in AMENDABLE_FIELDS and value != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: [_("A quote's observation cannot be changed: record a new quote instead.")]}
                    )
        return attrs


class RateCardSerializer(serializers.Serializer):
    """The latest quote of one account per deliverable, tier and price kind."""

    account = serializers.IntegerField(help_text=_("The platform account's id."))
    platform = serializers.ChoiceField(choices=Platform.choices)
    handle = serializers.CharField()
    follower_count = serializers.IntegerField(allow_null=True, help_text=_("The account's latest follower count."))
    quotes = QuoteSerializer(many=True)


class BenchmarkSerializer(serializers.ModelSerializer):
    tier = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = MarketBenchmark
        fields = [
            "id",
            "platform",
            "deliverable",
            "tier",
            "currency",
            "band",
            "band_min",
            "band_max",
            "count",
            "p25",
            "median",
            "p75",
            "median_per_10k_followers",
            "window_days",
            "as_of",
            "computed_at",
        ]
        read_only_fields = fields
