"""The journal's API filters (django-filter FilterSets)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from config.api.filters import IsoDateTimeFilter
from core.models import JournalEntry


class JournalFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter has no type information
    object_type = django_filters.CharFilter(help_text=_("app_label.model, e.g. ledger.platformaccount"))
    object_id = django_filters.CharFilter()
    actor = django_filters.CharFilter(help_text=_("user:NAME, command:NAME or task:NAME"))
    action = django_filters.ChoiceFilter(choices=JournalEntry.Action.choices)
    since = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte")

    class Meta:
        model = JournalEntry
        fields = ["object_type", "object_id", "actor", "action", "since", "until"]
