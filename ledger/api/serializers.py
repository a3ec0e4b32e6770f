from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.privacy import mask_name
from ledger.models import (
    Agency,
    FollowerAnomaly,
    FollowerSnapshot,
    Influencer,
    PlatformAccount,
    ProfileRefresh,
)


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "uscc", "created_at", "updated_at"]


class AccountSummarySerializer(serializers.ModelSerializer):
    """An account as listed on its influencer."""

    class Meta:
        model = PlatformAccount
        fields = ["id", "platform", "handle", "platform_uid", "status", "follower_count", "followers_captured_at"]
        read_only_fields = fields


@extend_schema_field({"type": "string", "description": "A person's legal name is masked (first character and **)."})
class MaskedLegalNameField(serializers.CharField):
    """Shows an organisation's legal name, masks a person's; accepts the full name on write."""

    def get_attribute(self, instance: Influencer) -> Any:
        return instance

    def to_representation(self, instance: Influencer) -> str:
        return instance.shown_legal_name


class InfluencerSerializer(serializers.ModelSerializer):
    legal_name = MaskedLegalNameField(
        max_length=200,
        required=False,
        allow_blank=True,
        validators=Influencer._meta.get_field("legal_name").validators,
        help_text=_("Masked for persons."),
    )
    accounts = AccountSummarySerializer(many=True, read_only=True)
    account_count = serializers.IntegerField(read_only=True)
    total_followers = serializers.IntegerField(read_only=True)

    class Meta:
        model = Influencer
        fields = [
            "id",
            "display_name",
            "kind",
            "legal_name",
            "agency",
            "notes",
            "accounts",
            "account_count",
            "total_followers",
            "created_at",
            "updated_at",
        ]

    def validate_legal_name(self, value: str) -> str:
        """A person's masked name sent back unchanged (a read, edited elsewhere, then saved) keeps the stored name."""
        influencer = self.instance
        if influencer is not None and influencer.legal_name and value == mask_name(influencer.legal_name):
            return influencer.legal_name
        return value


class AccountEngagementSerializer(serializers.Serializer):
    """Engagement figures over the account's recent reviews and quotes (``reviews.selectors.with_engagement``)."""

    reviews = serializers.IntegerField(source="engagement_reviews", help_text=_("Recent reviews with views counted."))
    views = serializers.IntegerField(source="engagement_views", allow_null=True)
    interactions = serializers.IntegerField(
        source="engagement_interactions", allow_null=True, help_text=_("Likes + comments + shares.")
    )
    rate_over_views = serializers.FloatField(source="engagement_rate_views", allow_null=True)
    rate_over_followers = serializers.FloatField(
        source="engagement_rate_followers", allow_null=True, help_text=_("Interactions per review / followers.")
    )
    quotes = serializers.IntegerField(source="engagement_quotes", help_text=_("Recent short-video quotes in CNY."))
    quote_price = serializers.DecimalField(
        source="engagement_quote_price", max_digits=20, decimal_places=2, allow_null=True
    )
    cpm = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text=_("CNY per 1,000 views.")
    )
    cpe = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text=_("CNY per interaction.")
    )


class AccountSerializer(serializers.ModelSerializer):
    engagement = serializers.SerializerMethodField(
        help_text=_("Engagement figures, on an account's detail (null in lists and on writes).")
    )

    @extend_schema_field(AccountEngagementSerializer(allow_null=True))
    def get_engagement(self, account: PlatformAccount) -> dict[str, Any] | None:
        if not hasattr(account, "engagement_reviews"):
            return None
        return AccountEngagementSerializer(account).data

    class Meta:
        model = PlatformAccount
        fields = [
            "id",
            "influencer",
            "platform",
            "handle",
            "platform_uid",
            "profile_url",
            "status",
            "follower_count",
            "followers_captured_at",
            "last_refreshed_at",
            "refresh_interval",
            "risk_score",
            "engagement",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["follower_count", "followers_captured_at", "last_refreshed_at", "risk_score"]
        # Uniqueness of (platform, platform_uid) is checked in validate() so that
        # the error names the platform_uid field; the database constraint backs it.
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        platform = attrs.get("platform", getattr(self.instance, "platform", None))
        platform_uid = attrs.get("platform_uid", getattr(self.instance, "platform_uid", None))
        clash = PlatformAccount.objects.filter(platform=platform, platform_uid=platform_uid)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"platform_uid": [_("An account with this platform user id already exists on this platform.")]}
            )
        return attrs


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowerSnapshot
        fields = ["id", "account", "captured_at", "follower_count", "source", "recorded_at"]
        read_only_fields = ["recorded_at"]
        extra_kwargs = {"follower_count": {"min_value": 0}}
        # One snapshot per account and instant is checked by snapshot_record.
        validators: list = []


class ProfileRefreshSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProfileRefresh
        fields = [
            "id",
            "account",
            "slot",
            "attempt",
            "started_at",
            "finished_at",
            "outcome",
            "http_status",
            "error",
            "latency_ms",
            "snapshot",
        ]
        read_only_fields = fields


class AnomalySerializer(serializers.ModelSerializer):
    captured_at = serializers.DateTimeField(source="snapshot.captured_at", read_only=True)
    follower_count = serializers.IntegerField(source="snapshot.follower_count", read_only=True)
    previous_follower_count = serializers.IntegerField(source="previous_snapshot.follower_count", read_only=True)
    influencer = serializers.IntegerField(source="account.influencer_id", read_only=True)
    platform = serializers.CharField(source="account.platform", read_only=True)

    class Meta:
        model = FollowerAnomaly
        fields = [
            "id",
            "account",
            "influencer",
            "platform",
            "kind",
            "snapshot",
            "captured_at",
            "follower_count",
            "previous_snapshot",
            "previous_follower_count",
            "change",
            "change_per_day",
            "z_score",
            "reason",
            "detected_at",
        ]
        read_only_fields = fields
