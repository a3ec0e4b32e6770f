import django_filters
from django.utils.translation import gettext_lazy as _

from cases import selectors
from cases.choices import AuthorityKind, CaseStatus, LegalActionKind, LegalActionStatus
from cases.models import Authority, Case, Evidence, LegalAction
from config.api.filters import IsoDateTimeFilter
from ledger.models import Agency, Influencer, PlatformAccount


def visible_cases(request):
    """Filter choices limited to visible cases: filtering by a hidden case is "not a valid choice"."""
    return selectors.cases_visible_to(getattr(request, "user", None))


class AuthorityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AuthorityKind.choices)

    class Meta:
        model = Authority
        fields = ["kind"]


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    authority = django_filters.ModelChoiceFilter(queryset=Authority.objects.all())
    influencer = django_filters.ModelChoiceFilter(
        field_name="influencers", queryset=Influencer.objects.all(), label=_("influencer")
    )
    account = django_filters.ModelChoiceFilter(
        field_name="accounts", queryset=PlatformAccount.objects.all(), label=_("account")
    )
    agency = django_filters.ModelChoiceFilter(field_name="agencies", queryset=Agency.objects.all(), label=_("agency"))
    opened_since = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte", label=_("opened on or after"))
    opened_until = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte", label=_("opened on or before"))

    class Meta:
        model = Case
        fields = ["status", "authority", "influencer", "account", "agency", "opened_since", "opened_until"]


class LegalActionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=LegalActionKind.choices)
    status = django_filters.ChoiceFilter(choices=LegalActionStatus.choices)
    case = django_filters.ModelChoiceFilter(queryset=visible_cases)
    without_case = django_filters.BooleanFilter(
        field_name="case", lookup_expr="isnull", label=_("only actions without a case (e.g. carmakers' lawsuits)")
    )
    influencer = django_filters.ModelChoiceFilter(
        field_name="defendant_influencers", queryset=Influencer.objects.all(), label=_("defendant influencer")
    )
    account = django_filters.ModelChoiceFilter(
        field_name="defendant_accounts", queryset=PlatformAccount.objects.all(), label=_("defendant account")
    )
    filed_since = django_filters.DateFilter(field_name="filed_on", lookup_expr="gte", label=_("filed on or after"))
    filed_until = django_filters.DateFilter(field_name="filed_on", lookup_expr="lte", label=_("filed on or before"))

    class Meta:
        model = LegalAction
        fields = ["kind", "status", "case", "without_case", "influencer", "account", "filed_since", "filed_until"]


class EvidenceFilter(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(queryset=visible_cases)
    media_type = django_filters.CharFilter()
    sha256 = django_filters.CharFilter()
    since = IsoDateTimeFilter(field_name="captured_at", lookup_expr="gte", label=_("captured at or after"))
    until = IsoDateTimeFilter(field_name="captured_at", lookup_expr="lte", label=_("captured at or before"))

    class Meta:
        model = Evidence
        fields = ["case", "media_type", "sha256", "since", "until"]
