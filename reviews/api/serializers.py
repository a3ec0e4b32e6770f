from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import TransitionSerializer
from ledger.choices import Platform
from parties.models import name_as_shown
from pricing.choices import Deliverable
from pricing.currencies import validate_currency
from pricing.models import DurationTier
from reviews import selectors
from reviews.choices import Verdict
from reviews.models import Campaign, CampaignStatusChange, Claim, Order, OrderStatusChange, Payment, Review, Target
from reviews.services import CAMPAIGN_WORKFLOW, ORDER_WORKFLOW

CURRENCY = validate_currency


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "name", "kind", "parent", "uscc", "created_at", "updated_at"]
        validators: list = []  # the conditional unique constraints are checked in validate(), naming the field

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        name = attrs.get("name", getattr(self.instance, "name", None))
        parent = attrs.get("parent", getattr(self.instance, "parent", None))
        uscc = attrs.get("uscc", getattr(self.instance, "uscc", ""))
        others = Target.objects.exclude(pk=self.instance.pk) if self.instance else Target.objects.all()
        if (
            parent is not None
            and self.instance is not None
            and selectors.target_is_under(target=parent, ancestor=self.instance)
        ):
            raise serializers.ValidationError(
                {"parent": [_("A target cannot sit under itself or one of its children.")]}
            )
        if others.filter(name=name, parent=parent).exists():
            raise serializers.ValidationError(
                {"name": [_("A target with this name already exists under this parent.")]}
            )
        if uscc and others.filter(uscc=uscc).exists():
            raise serializers.ValidationError({"uscc": [_("A target with this Unified Social Credit Code exists.")]})
        return attrs


class ReviewSerializer(serializers.ModelSerializer):
    """A published piece of content. ``tier`` is the pricing tier containing ``duration_seconds``."""

    platform = serializers.ChoiceField(source="account.platform", choices=Platform.choices, read_only=True)
    influencer = serializers.IntegerField(source="account.influencer_id", read_only=True)
    tier = serializers.CharField(
        source="tier_code",
        read_only=True,
        allow_null=True,
        help_text=_("Code of the duration tier containing duration_seconds (e.g. s21_60); null when none does."),
    )
    claims = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=_("Claims the content makes."))
    campaign = serializers.IntegerField(
        source="campaign_id",
        read_only=True,
        allow_null=True,
        help_text=_("The coordinated campaign the review belongs to (null when none)."),
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "account",
            "platform",
            "influencer",
            "url",
            "post_id",
            "headline",
            "text",
            "published_at",
            "duration_seconds",
            "tier",
            "targets",
            "stance",
            "suspected_ai",
            "undisclosed_ad",
            "views",
            "likes",
            "comments",
            "shares",
            "engagement_captured_at",
            "status",
            "claims",
            "campaign",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "duration_seconds": {"min_value": 1},
            **{name: {"min_value": 0} for name in Review.ENGAGEMENT_FIELDS},
        }
        validators: list = []  # the conditional unique post id is checked in validate(), naming the field

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def value(name: str) -> Any:
            return attrs.get(name, getattr(self.instance, name, None))

        counts = [name for name in Review.ENGAGEMENT_FIELDS if value(name) is not None]
        if counts and value("engagement_captured_at") is None:
            raise serializers.ValidationError(
                {"engagement_captured_at": [_("Engagement counts need the time they were captured.")]}
            )
        post_id, account = value("post_id"), value("account")
        if post_id and account is not None:
            others = Review.objects.exclude(pk=self.instance.pk) if self.instance else Review.objects.all()
            if others.filter(account=account, post_id=post_id).exists():
                raise serializers.ValidationError(
                    {"post_id": [_("This account already has a review with this post id.")]}
                )
        return attrs


class BlankAsNullURLField(serializers.URLField):
    """A read-only URL that may be unset: null, never "" (which is no ``format: uri``)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class ClaimSerializer(serializers.ModelSerializer):
    """A claim. Its verdict is set with ``POST /api/v1/claims/{id}/verdict/``."""

    verdict_url = BlankAsNullURLField(help_text=_("Where the verdict is published; null until there is one."))

    class Meta:
        model = Claim
        fields = [
            "id",
            "text",
            "reviews",
            "target",
            "verdict",
            "verdict_on",
            "verdict_by",
            "verdict_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["verdict", "verdict_on", "verdict_by", "verdict_url"]


class ClaimVerdictSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=Verdict.choices, help_text=_("false, misleading, unproven or accurate (not pending).")
    )
    verdict_on = serializers.DateField(help_text=_("The date of the verdict."))
    verdict_by = serializers.CharField(max_length=300, help_text=_("Who made it: an authority, court or fact-checker."))
    verdict_url = serializers.URLField(max_length=1000, required=False, allow_blank=True, default="")


class RatingSerializer(serializers.Serializer):
    """A schema.org Rating (for the OpenAPI schema of the ClaimReview)."""

    def get_fields(self):
        return {
            "@type": serializers.CharField(default="Rating"),
            "ratingValue": serializers.IntegerField(min_value=1, max_value=5),
            "bestRating": serializers.IntegerField(),
            "worstRating": serializers.IntegerField(),
            "alternateName": serializers.CharField(help_text=_("The verdict in words.")),
        }


class ClaimReviewSerializer(serializers.Serializer):
    """schema.org ClaimReview JSON-LD (describes the response; the view builds the document)."""

    def get_fields(self):
        return {
            "@context": serializers.CharField(default="https://schema.org"),
            "@type": serializers.CharField(default="ClaimReview"),
            "claimReviewed": serializers.CharField(),
            "reviewRating": RatingSerializer(),
            "itemReviewed": serializers.DictField(
                help_text=_("A schema.org Claim with its firstAppearance (the earliest review) and author.")
            ),
            "author": serializers.DictField(help_text=_("The Organization that made the verdict.")),
            "datePublished": serializers.DateField(),
            "url": serializers.URLField(),
        }


class OrderStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderStatusChange
        fields = ["from_status", "to_status", "reason", "changed_by", "actor", "changed_at"]
        read_only_fields = fields


class TierCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any):
        super().__init__(slug_field="code", **kwargs)


class OrderSerializer(serializers.ModelSerializer):
    """A suspected black commercial order with its markup over the rate card and its payments' total.

    ``status`` changes only with ``POST /api/v1/orders/{id}/transition/``. The
    read-only figures need the annotations of ``reviews.selectors.order_list``.
    """

    platform = serializers.ChoiceField(source="account.platform", choices=Platform.choices, read_only=True)
    influencer = serializers.IntegerField(source="account.influencer_id", read_only=True)
    tier = TierCodeField(
        queryset=DurationTier.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("Tier code (e.g. s21_60): required for short videos, refused otherwise."),
    )
    agreed_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(max_length=3, default="CNY", validators=[CURRENCY])
    rate_card_quote = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The quote the markup is computed against: the account's latest quote of the same deliverable, "
            "tier and currency observed on or before ordered_on."
        ),
    )
    rate_card_price = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)
    markup = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("agreed_price / rate_card_price, rounded half up to 2 decimals; null without a rate-card price."),
    )
    total_paid = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text=_("Sum of the order's payments.")
    )
    status_history = OrderStatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "account",
            "platform",
            "influencer",
            "client",
            "client_name",
            "intermediary",
            "targets",
            "deliverable",
            "tier",
            "agreed_price",
            "currency",
            "ordered_on",
            "reviews",
            "notes",
            "status",
            "rate_card_quote",
            "rate_card_price",
            "markup",
            "total_paid",
            "status_history",
            "risk_score",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "risk_score"]
        extra_kwargs = {
            "client_name": {"help_text": _("The client as named in the record; masked when the client is a person.")}
        }

    def to_representation(self, order: Order) -> dict[str, Any]:
        data = super().to_representation(order)
        data["client_name"] = name_as_shown(order.client, data["client_name"])  # a person's, as the party's
        return data

    def validate_client_name(self, value: str) -> str:
        """A person's masked name sent back unchanged keeps the stored name."""
        order = self.instance
        if order is not None and order.client_name and value == name_as_shown(order.client, order.client_name):
            return order.client_name
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def value(name: str) -> Any:
            return attrs.get(name, getattr(self.instance, name, None))

        deliverable, tier = value("deliverable"), value("tier")
        if deliverable == Deliverable.SHORT_VIDEO and tier is None:
            raise serializers.ValidationError({"tier": [_("A short video needs a duration tier.")]})
        if deliverable != Deliverable.SHORT_VIDEO and tier is not None:
            raise serializers.ValidationError({"tier": [_("Only short videos have a duration tier.")]})
        if value("client") is None and not (value("client_name") or "").strip():
            raise serializers.ValidationError(
                {"client_name": [_("Name the client: a party, a name as recorded, or both.")]}
            )
        ordered_on = value("ordered_on")
        if ordered_on is not None and ordered_on > timezone.localdate():
            raise serializers.ValidationError({"ordered_on": [_("An order cannot be dated in the future.")]})
        order = self.instance
        if order is not None and value("currency") != order.currency and order.payments.exists():
            raise serializers.ValidationError(
                {
                    "currency": [
                        _("The order has payments in %(currency)s: its currency cannot change.")
                        % {"currency": order.currency}
                    ]
                }
            )
        return attrs


class OrderTransitionSerializer(TransitionSerializer):
    workflow = ORDER_WORKFLOW


class PaymentSerializer(serializers.ModelSerializer):
    """A payment for an order, in the order's currency. Recorded once: update and delete answer 405."""

    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(
        max_length=3, required=False, validators=[CURRENCY], help_text=_("The order's currency (the default).")
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "order",
            "amount",
            "currency",
            "paid_on",
            "channel",
            "payer",
            "payee",
            "payer_name",
            "payee_name",
            "reference",
            "created_at",
        ]
        extra_kwargs = {
            "payer_name": {"help_text": _("The payer as named in the record; masked when the payer is a person.")},
            "payee_name": {"help_text": _("The payee as named in the record; masked when the payee is a person.")},
        }

    def to_representation(self, payment: Payment) -> dict[str, Any]:
        data = super().to_representation(payment)
        # A name recorded beside a person's party is that person's name: masked as the party's is.
        data["payer_name"] = name_as_shown(payment.payer, data["payer_name"])
        data["payee_name"] = name_as_shown(payment.payee, data["payee_name"])
        return data


class HeadlineVariantSerializer(serializers.Serializer):
    headline = serializers.CharField()
    review_count = serializers.IntegerField()
    views = serializers.IntegerField(help_text=_("Views of the reviews under this headline (unknown counts as 0)."))


class CampaignStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignStatusChange
        fields = ["from_status", "to_status", "reason", "changed_by", "actor", "changed_at"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    """A coordinated campaign. Needs the annotations and prefetches of ``reviews.selectors.campaign_list``."""

    review_count = serializers.IntegerField(read_only=True)
    account_count = serializers.IntegerField(read_only=True, help_text=_("Distinct accounts among the members."))
    agency_count = serializers.IntegerField(
        read_only=True, help_text=_("Distinct agencies (MCNs) of the members' influencers.")
    )
    reviews = serializers.SerializerMethodField(help_text=_("Ids of the member reviews, by publication time."))
    accounts = serializers.SerializerMethodField(help_text=_("Ids of the members' accounts, in order of first post."))
    similarity = serializers.FloatField(
        read_only=True, help_text=_("Mean estimated Jaccard similarity of the members' content, pair by pair (0-1).")
    )
    total_views = serializers.IntegerField(read_only=True)
    headline_variants = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField(help_text=_("Why these reviews are one campaign, in sentences."))
    status_history = CampaignStatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "targets",
            "first_published_at",
            "last_published_at",
            "review_count",
            "account_count",
            "agency_count",
            "reviews",
            "accounts",
            "similarity",
            "total_views",
            "headline_variants",
            "status",
            "explanation",
            "status_history",
            "detected_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_reviews(self, campaign: Campaign) -> list[int]:
        return [review.pk for review in selectors.campaign_reviews(campaign)]

    def get_accounts(self, campaign: Campaign) -> list[int]:
        return list(dict.fromkeys(review.account_id for review in selectors.campaign_reviews(campaign)))

    @extend_schema_field(HeadlineVariantSerializer(many=True))
    def get_headline_variants(self, campaign: Campaign) -> list[dict[str, Any]]:
        return selectors.headline_variants(campaign)

    def get_explanation(self, campaign: Campaign) -> list[str]:
        return selectors.campaign_explanation(campaign)


class CampaignTransitionSerializer(TransitionSerializer):
    workflow = CAMPAIGN_WORKFLOW
