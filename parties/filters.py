import django_filters
from django.utils.translation import gettext_lazy as _

from parties import selectors
from parties.choices import PartyKind
from parties.models import Party


class PartyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PartyKind.choices)
    uscc = django_filters.CharFilter()
    name = django_filters.CharFilter(
        method="filter_name",
        label=_("any name of the party, as written, normalised (full-width, traditional, suffixes) or in pinyin"),
    )
    merged = django_filters.BooleanFilter(
        field_name="merged_into", lookup_expr="isnull", exclude=True, label=_("merged into another party")
    )

    class Meta:
        model = Party
        fields = ["kind", "uscc", "agency", "influencer", "merged_into", "name", "merged"]

    def filter_name(self, queryset, name, value):
        return selectors.party_search(queryset, value)
