"""Reads of the ledger that are more than a one-line queryset."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Count, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from ledger.models import FollowerSnapshot, Influencer, JournalEntry, PlatformAccount


def influencer_list() -> QuerySet[Influencer]:
    """Influencers with their agency, their accounts and per-influencer totals.

    ``account_count`` and ``total_followers`` are computed in the database, so a
    page of influencers costs the same few queries whatever its size.
    """
    return (
        Influencer.objects.select_related("agency")
        .annotate(
            account_count=Count("accounts", distinct=True),
            total_followers=Coalesce(Sum("accounts__follower_count"), Value(0)),
        )
        .prefetch_related(Prefetch("accounts", queryset=PlatformAccount.objects.order_by("platform", "handle")))
    )


def account_list() -> QuerySet[PlatformAccount]:
    """Platform accounts with their influencer and the influencer's agency."""
    return PlatformAccount.objects.select_related("influencer", "influencer__agency")


def snapshot_list() -> QuerySet[FollowerSnapshot]:
    """Follower snapshots, newest first."""
    return FollowerSnapshot.objects.select_related("account").order_by("-captured_at", "-id")


def snapshots_recent(*, account: PlatformAccount, limit: int = 20) -> list[FollowerSnapshot]:
    """The ``limit`` newest snapshots of one account (served by the unique index)."""
    return list(FollowerSnapshot.objects.filter(account=account).order_by("-captured_at")[:limit])


def journal_list(*, user: Any) -> QuerySet[JournalEntry]:
    """Journal entries ``user`` may read: entries about case records only with access to the case."""
    queryset = JournalEntry.objects.all()
    if apps.is_installed("cases"):
        from cases.selectors import journal_visible_to

        queryset = journal_visible_to(queryset, user=user)
    return queryset
