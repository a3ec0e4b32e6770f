import django_filters
from django.utils.translation import gettext_lazy as _

from config.api.filters import IsoDateTimeFilter
from ledger.choices import AccountStatus, AgencyKind, AnomalyKind, InfluencerKind, Platform, SnapshotSource
from ledger.models import Agency, FollowerAnomaly, FollowerSnapshot, Influencer, PlatformAccount


class InitialsFilter(django_filters.CharFilter):
    """Names whose pinyin initials start with the value: ``lk`` finds 老K说车 (an indexed prefix match)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Pinyin initials of the name, or their beginning: lksc or lk finds 老K说车."))
        super().__init__(field_name="search_initials", lookup_expr="startswith", **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, value.strip().lower() if value else value)


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AgencyKind.choices)
    initials = InitialsFilter()

    class Meta:
        model = Agency
        fields = ["kind", "initials"]


class InfluencerFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=InfluencerKind.choices)
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all())
    initials = InitialsFilter()

    class Meta:
        model = Influencer
        fields = ["kind", "agency", "initials"]


class AccountFilter(django_filters.FilterSet):
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    status = django_filters.ChoiceFilter(choices=AccountStatus.choices)
    influencer = django_filters.ModelChoiceFilter(queryset=Influencer.objects.all())
    agency = django_filters.ModelChoiceFilter(
        field_name="influencer__agency", queryset=Agency.objects.all(), label=_("agency")
    )
    min_followers = django_filters.NumberFilter(
        field_name="follower_count", lookup_expr="gte", label=_("at least this many followers")
    )
    max_followers = django_filters.NumberFilter(
        field_name="follower_count", lookup_expr="lte", label=_("at most this many followers")
    )
    initials = InitialsFilter()
    min_risk = django_filters.NumberFilter(
        field_name="risk_score", lookup_expr="gte", label=_("risk score at least (0-100)")
    )

    class Meta:
        model = PlatformAccount
        fields = [
            "platform", "status", "influencer", "agency", "min_followers", "max_followers", "initials", "min_risk",
        ]  # fmt: skip


class SnapshotFilter(django_filters.FilterSet):
    account = django_filters.ModelChoiceFilter(queryset=PlatformAccount.objects.all())
    source = django_filters.ChoiceFilter(choices=SnapshotSource.choices)
    since = IsoDateTimeFilter(field_name="captured_at", lookup_expr="gte", label=_("captured at or after"))
    until = IsoDateTimeFilter(field_name="captured_at", lookup_expr="lte", label=_("captured at or before"))

    class Meta:
        model = FollowerSnapshot
        fields = ["account", "source", "since", "until"]


class AnomalyFilter(django_filters.FilterSet):
    account = django_filters.ModelChoiceFilter(queryset=PlatformAccount.objects.all())
    influencer = django_filters.ModelChoiceFilter(field_name="account__influencer", queryset=Influencer.objects.all())
    platform = django_filters.ChoiceFilter(field_name="account__platform", choices=Platform.choices)
    kind = django_filters.ChoiceFilter(choices=AnomalyKind.choices)
    since = IsoDateTimeFilter(
        field_name="snapshot__captured_at", lookup_expr="gte", label=_("snapshot captured at or after")
    )

    class Meta:
        model = FollowerAnomaly
        fields = ["account", "influencer", "platform", "kind", "since"]
