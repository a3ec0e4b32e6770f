"""Reads of parties that are more than a one-line queryset: likely duplicates, a party with its merged ones."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce

from parties import names
from parties.models import Party, PartyAlias


def party_list() -> QuerySet[Party]:
    """Parties with what the list shows, in a fixed number of queries."""
    return Party.objects.select_related("agency", "influencer", "merged_into").prefetch_related("aliases")


def party_search(queryset: QuerySet[Party], term: str) -> QuerySet[Party]:
    """Parties with a name containing ``term``, or written the same once normalised (full-width, traditional,
    company suffixes), or spelt the same in pinyin, or whose pinyin initials start with it."""
    term = (term or "").strip()
    if not term:
        return queryset
    hit = Q(aliases__name__icontains=term) | Q(aliases__initials__startswith=term.lower()) | Q(uscc=term.upper())
    key = names.match_key(term)
    if key:
        hit |= Q(aliases__key=key) | Q(aliases__pinyin=names.pinyin_key(term))
    return queryset.filter(pk__in=Party.objects.filter(hit).values("pk"))


def member_ids(party: Party) -> list[int]:
    """The party and the parties merged into it (merges are kept one level deep: see party_merge)."""
    return [party.pk, *Party.objects.filter(merged_into=party).order_by("pk").values_list("pk", flat=True)]


def likely_duplicates(*, party: Party | None = None) -> list[list[Party]]:
    """Groups of parties (not merged) that have a name with the same match key or the same pinyin.

    Names count for the party they were merged into. With ``party``: the groups it is in. For a person to
    decide; nothing here merges.
    """
    aliases = PartyAlias.objects.annotate(owner=Coalesce(F("party__merged_into"), F("party")))
    groups: dict[int, set[int]] = defaultdict(set)
    for column in ("key", "pinyin"):
        shared = (
            aliases.exclude(**{column: ""})
            .values(column)
            .annotate(n=Count("owner", distinct=True))
            .filter(n__gt=1)
            .values(column)
        )
        owners = aliases.filter(**{f"{column}__in": shared}).values_list(column, "owner").order_by()
        by_key: dict[str, set[int]] = defaultdict(set)
        for key, owner in owners:
            by_key[key].add(owner)
        for members in by_key.values():
            for owner in members:
                groups[owner] |= members
    unique = {frozenset(members) for members in groups.values()}
    if party is not None:
        unique = {members for members in unique if party.pk in members}
    parties = Party.objects.in_bulk({pk for members in unique for pk in members})
    return sorted(
        ([parties[pk] for pk in sorted(members)] for members in unique),
        key=lambda group: [p.pk for p in group],
    )
