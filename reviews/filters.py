import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from config.api.filters import IsoDateTimeFilter
from ledger.choices import Platform
from ledger.models import Agency, Influencer, PlatformAccount
from parties.models import Party
from pricing.choices import Deliverable
from pricing.models import DurationTier
from reviews import selectors
from reviews.choices import CampaignStatus, OrderStatus, PaymentChannel, ReviewStatus, Stance, TargetKind, Verdict
from reviews.models import Campaign, Claim, Order, Payment, Review, Target


class TargetTreeFilter(django_filters.ModelChoiceFilter):
    """A target id matching that target and every target below it (a brand matches its models)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Target.objects.all())
        kwargs.setdefault("help_text", _("A target id; also matches the targets below it (a brand's models)."))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ids = selectors.target_with_descendant_ids(value)
        # a subquery of matching pks rather than a join, so a row matching twice is listed once
        matching = qs.model.objects.filter(**{f"{self.field_name}__in": ids}).values("pk")
        return qs.filter(pk__in=matching)


class TargetFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TargetKind.choices)
    parent = django_filters.ModelChoiceFilter(queryset=Target.objects.all())
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label=_("only top-level"))

    class Meta:
        model = Target
        fields = ["kind", "parent", "top_level"]


class ReviewFilter(django_filters.FilterSet):
    account = django_filters.ModelChoiceFilter(queryset=PlatformAccount.objects.all())
    influencer = django_filters.ModelChoiceFilter(field_name="account__influencer", queryset=Influencer.objects.all())
    platform = django_filters.ChoiceFilter(field_name="account__platform", choices=Platform.choices)
    target = TargetTreeFilter(field_name="targets")
    stance = django_filters.ChoiceFilter(choices=Stance.choices)
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    published_after = IsoDateTimeFilter(field_name="published_at", lookup_expr="gte", label=_("published at or after"))
    published_before = IsoDateTimeFilter(
        field_name="published_at", lookup_expr="lte", label=_("published at or before")
    )
    suspected_ai = django_filters.BooleanFilter()
    undisclosed_ad = django_filters.BooleanFilter()
    campaign = django_filters.ModelChoiceFilter(field_name="campaign_member__campaign", queryset=Campaign.objects.all())

    class Meta:
        model = Review
        fields = [
            "account",
            "influencer",
            "platform",
            "target",
            "stance",
            "status",
            "published_after",
            "published_before",
            "suspected_ai",
            "undisclosed_ad",
            "campaign",
        ]


class ClaimFilter(django_filters.FilterSet):
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices)
    target = TargetTreeFilter(field_name="target")
    review = django_filters.ModelChoiceFilter(field_name="reviews", queryset=Review.objects.all())

    class Meta:
        model = Claim
        fields = ["verdict", "target", "review"]


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    account = django_filters.ModelChoiceFilter(queryset=PlatformAccount.objects.all())
    influencer = django_filters.ModelChoiceFilter(field_name="account__influencer", queryset=Influencer.objects.all())
    platform = django_filters.ChoiceFilter(field_name="account__platform", choices=Platform.choices)
    client = django_filters.ModelChoiceFilter(queryset=Party.objects.all())
    intermediary = django_filters.ModelChoiceFilter(queryset=Party.objects.all())
    target = TargetTreeFilter(field_name="targets")
    review = django_filters.ModelChoiceFilter(field_name="reviews", queryset=Review.objects.all())
    deliverable = django_filters.ChoiceFilter(choices=Deliverable.choices)
    tier = django_filters.ModelChoiceFilter(
        queryset=DurationTier.objects.all(), to_field_name="code", help_text=_("A tier code, e.g. s21_60.")
    )
    currency = django_filters.CharFilter(help_text=_("ISO 4217 code, e.g. CNY."))
    ordered_after = django_filters.DateFilter(
        field_name="ordered_on", lookup_expr="gte", label=_("ordered on or after")
    )
    ordered_before = django_filters.DateFilter(
        field_name="ordered_on", lookup_expr="lte", label=_("ordered on or before")
    )
    min_markup = django_filters.NumberFilter(
        method="filter_min_markup",
        label=_("markup at least (orders without a rate-card price never match)"),
    )
    min_risk = django_filters.NumberFilter(
        field_name="risk_score", lookup_expr="gte", label=_("risk score at least (0-100)")
    )

    class Meta:
        model = Order
        fields = [
            "status",
            "account",
            "influencer",
            "platform",
            "client",
            "intermediary",
            "target",
            "review",
            "deliverable",
            "tier",
            "currency",
            "ordered_after",
            "ordered_before",
            "min_markup",
            "min_risk",
        ]

    def filter_min_markup(self, queryset, name, value):
        return queryset if value is None else selectors.markup_at_least(queryset, value)


class PaymentFilter(django_filters.FilterSet):
    order = django_filters.ModelChoiceFilter(queryset=Order.objects.all())
    channel = django_filters.ChoiceFilter(choices=PaymentChannel.choices)
    currency = django_filters.CharFilter(help_text=_("ISO 4217 code, e.g. CNY."))
    paid_after = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte", label=_("paid on or after"))
    paid_before = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte", label=_("paid on or before"))
    min_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("amount at least"))
    payer = django_filters.ModelChoiceFilter(queryset=Party.objects.all())
    payee = django_filters.ModelChoiceFilter(queryset=Party.objects.all())

    class Meta:
        model = Payment
        fields = ["order", "channel", "currency", "paid_after", "paid_before", "min_amount", "payer", "payee"]


@extend_schema_field(OpenApiTypes.INT)
class MemberFilter(django_filters.ModelChoiceFilter):
    """Campaigns with a member review matching ``<field_name>`` (listed once however many match)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(pk__in=Campaign.objects.filter(**{f"members__review__{self.field_name}": value}).values("pk"))


class CampaignFilter(django_filters.FilterSet):
    target = TargetTreeFilter(field_name="targets")
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices)
    min_accounts = django_filters.NumberFilter(
        field_name="account_count", lookup_expr="gte", label=_("at least this many distinct accounts")
    )
    account = MemberFilter(field_name="account", queryset=PlatformAccount.objects.all(), label=_("account"))
    influencer = MemberFilter(
        field_name="account__influencer", queryset=Influencer.objects.all(), label=_("influencer")
    )
    agency = MemberFilter(
        field_name="account__influencer__agency",
        queryset=Agency.objects.all(),
        label=_("agency of a member's influencer"),
    )
    published_after = IsoDateTimeFilter(
        field_name="first_published_at", lookup_expr="gte", label=_("first review published at or after")
    )
    published_before = IsoDateTimeFilter(
        field_name="first_published_at", lookup_expr="lte", label=_("first review published at or before")
    )

    class Meta:
        model = Campaign
        fields = [
            "target",
            "status",
            "min_accounts",
            "account",
            "influencer",
            "agency",
            "published_after",
            "published_before",
        ]
