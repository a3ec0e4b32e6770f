from __future__ import annotations

from typing import Any

from rest_framework import serializers


class RiskSignalSerializer(serializers.Serializer):
    signal = serializers.CharField(help_text="The signal's name, e.g. `unexplained_growth` (see docs/risk.md).")
    weight = serializers.FloatField(help_text="Points at full strength (RISK_WEIGHT_*).")
    value = serializers.FloatField(help_text="Strength, 0 (nothing found) to 1 (full).")
    contribution = serializers.FloatField(help_text="weight x value: the points this signal adds to the score.")
    figures = serializers.DictField(help_text="The figures that show the signal (counts, growth, CV, markup, ...).")
    evidence = serializers.ListField(
        child=serializers.URLField(), help_text="API URLs of the objects behind the signal (at most 20)."
    )

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            data["evidence"] = [request.build_absolute_uri(path) for path in instance["evidence"]]
        return data


class EngagementSerializer(serializers.Serializer):
    reviews = serializers.IntegerField(source="engagement_reviews", help_text="Recent reviews with views counted.")
    views = serializers.IntegerField(source="engagement_views", allow_null=True)
    interactions = serializers.IntegerField(
        source="engagement_interactions", allow_null=True, help_text="Likes + comments + shares."
    )
    rate_over_views = serializers.FloatField(source="engagement_rate_views", allow_null=True)
    rate_over_followers = serializers.FloatField(
        source="engagement_rate_followers", allow_null=True, help_text="Interactions per review / followers."
    )
    quotes = serializers.IntegerField(source="engagement_quotes", help_text="Recent short-video quotes in CNY.")
    quote_price = serializers.DecimalField(
        source="engagement_quote_price", max_digits=20, decimal_places=2, allow_null=True
    )
    cpm = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, help_text="CNY per 1,000 views.")
    cpe = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, help_text="CNY per interaction.")


class RiskSerializer(serializers.Serializer):
    account = serializers.IntegerField(allow_null=True)
    order = serializers.IntegerField(allow_null=True)
    score = serializers.IntegerField(allow_null=True, help_text="0-100; null until first computed.")
    computed_at = serializers.DateTimeField(allow_null=True)
    signals = RiskSignalSerializer(many=True)
