"""Reads of the journal that are more than a one-line queryset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from core.models import JournalEntry

# Filters of what a user may read of the journal, registered by the apps whose records need them
# (from their AppConfig.ready(): cases hides entries about cases the user may not see).
JournalFilter = Callable[..., QuerySet[JournalEntry]]
journal_filters: list[JournalFilter] = []


def journal_list(*, user: Any) -> QuerySet[JournalEntry]:
    """Journal entries ``user`` may read (each registered filter, e.g. case records only with access to the case)."""
    queryset = JournalEntry.objects.all()
    for visible_to in journal_filters:
        queryset = visible_to(queryset, user=user)
    return queryset
