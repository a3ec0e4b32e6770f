"""Reads of cases, with the access rule: who may see which case.

A case is visible to the members of its authority, to the users it is shared
with, to its assignees and to superusers. Everything hanging off a case (notes,
status changes, evidence, legal actions, bundle, journal entries) is visible
exactly when the case is. Every function here returns a lazy queryset or one
expression, so a list costs the same few queries whatever its size.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast

from cases.choices import CaseStatus
from cases.models import Authority, Case, CaseNote, CaseStatusChange, Evidence, LegalAction


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """The cases ``user`` may see (none for an anonymous user)."""
    if user is None or not user.is_authenticated:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    member = Authority.members.through.objects.filter(authority_id=OuterRef("authority_id"), user_id=user.pk)
    shared = Case.shared_with.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    assigned = Case.assignees.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    return Case.objects.filter(Q(Exists(member)) | Q(Exists(shared)) | Q(Exists(assigned)))


def case_is_visible(*, user: Any, case: Case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()


def _visible_case_ids(user: Any) -> QuerySet:
    return cases_visible_to(user).values("pk")


def case_list(*, user: Any) -> QuerySet[Case]:
    """Visible cases with their subjects, people and timeline prefetched."""
    return (
        cases_visible_to(user)
        .select_related("authority")
        .prefetch_related(
            "influencers",
            "accounts",
            "agencies",
            "orders",
            "reviews",
            "assignees",
            "shared_with",
            Prefetch("notes", queryset=CaseNote.objects.order_by("created_at", "id")),
            Prefetch("status_changes", queryset=CaseStatusChange.objects.order_by("changed_at", "id")),
        )
    )


def evidence_list(*, user: Any) -> QuerySet[Evidence]:
    """Evidence of the cases ``user`` may see."""
    return Evidence.objects.filter(case__in=_visible_case_ids(user)).select_related("case")


def legal_action_list(*, user: Any) -> QuerySet[LegalAction]:
    """Legal actions without a case, and those of the cases ``user`` may see."""
    return LegalAction.objects.filter(Q(case__isnull=True) | Q(case__in=_visible_case_ids(user))).prefetch_related(
        "defendant_influencers", "defendant_accounts"
    )


def case_notes(*, case: Case) -> QuerySet[CaseNote]:
    return CaseNote.objects.filter(case=case).order_by("created_at", "id")


def _ids_as_text(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(_id_text=Cast("pk", output_field=CharField())).values("_id_text")


def journal_visible_to(queryset: QuerySet, *, user: Any) -> QuerySet:
    """Journal entries without those about case records ``user`` may not see.

    Entries of other apps pass. Of the ``cases.*`` entries, only those about an
    authority, a visible case, or a note, status change, evidence or legal action
    of a visible case (or a legal action without a case) pass; any other
    ``cases.*`` type, or a record since deleted, is hidden (default deny). One
    SQL query with subqueries, whatever the page size.
    """
    if user is not None and user.is_authenticated and user.is_superuser:
        return queryset
    visible = _visible_case_ids(user)
    return queryset.filter(
        ~Q(object_type__startswith="cases.")
        | Q(object_type="cases.authority")
        | Q(object_type="cases.case", object_id__in=_ids_as_text(Case.objects.filter(pk__in=visible)))
        | Q(object_type="cases.casenote", object_id__in=_ids_as_text(CaseNote.objects.filter(case__in=visible)))
        | Q(
            object_type="cases.casestatuschange",
            object_id__in=_ids_as_text(CaseStatusChange.objects.filter(case__in=visible)),
        )
        | Q(object_type="cases.evidence", object_id__in=_ids_as_text(Evidence.objects.filter(case__in=visible)))
        | Q(
            object_type="cases.legalaction",
            object_id__in=_ids_as_text(LegalAction.objects.filter(Q(case__isnull=True) | Q(case__in=visible))),
        )
    )


def case_status_counts(*, user: Any) -> dict[str, int]:
    """How many of the cases ``user`` may see are in each status (one query; statuses without cases: 0)."""
    counts = dict.fromkeys(CaseStatus.values, 0)
    rows = cases_visible_to(user).order_by().values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts
