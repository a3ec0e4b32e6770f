"""Cases' events on an influencer's history (see ``ledger.history`` and ``core.history``).

A case belongs to an influencer's history when it names the influencer or one
of its accounts (with the ``account`` filter: when it names that account). Its
events appear only to users who may see the case (``cases_visible_to``): the
case's opening, its status changes and its legal actions. A legal action
belongs to the history when it names the influencer or one of its accounts as
a defendant, or belongs to one of those cases; one without a case is visible to
everyone with the legal action's view permission.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from cases import selectors
from cases.choices import CaseStatus, LegalActionKind, LegalActionStatus
from cases.models import Case, CaseStatusChange, LegalAction
from core.history import Row, StartOfDay, choice_label, money
from core.history import gettext as _
from ledger.choices import HistoryKind
from ledger.history import HistoryScope, SummaryContext, influencer_history


def _names_subjects(scope: HistoryScope, *, influencers, accounts) -> Q:
    """Rows whose m2m ``influencers`` / ``accounts`` (through models) name the scope's subjects."""
    named = Exists(accounts.filter(platformaccount_id__in=scope.account_ids))
    if scope.account is None:
        named |= Exists(influencers.filter(influencer_id=scope.influencer_id))
    return Q(named)


def cases_of(scope: HistoryScope) -> QuerySet[Case]:
    """The cases about the scope's influencer (or account) that the scope's user may see."""
    return selectors.cases_visible_to(scope.user).filter(
        _names_subjects(
            scope,
            influencers=Case.influencers.through.objects.filter(case_id=OuterRef("pk")),
            accounts=Case.accounts.through.objects.filter(case_id=OuterRef("pk")),
        )
    )


def _case_opened_summary(row: Row, ctx: SummaryContext) -> str:
    return _("Case %(reference)s opened by %(authority)s: %(title)s") % {
        "reference": row["ev_label"],
        "authority": row["ev_note"],
        "title": row["ev_detail"],
    }


@influencer_history.register(
    HistoryKind.CASE_OPENED,
    object_type="cases.case",
    permission="cases.view_case",
    url_name="case-detail",
    summary=_case_opened_summary,
)
def cases_opened(scope: HistoryScope) -> QuerySet:
    """Visible cases, at the start of the day they were opened."""
    return influencer_history.event_rows(
        cases_of(scope),
        kind=HistoryKind.CASE_OPENED,
        at=StartOfDay("opened_on"),
        label="reference",
        detail="title",
        note="authority__name",
    )


def _case_status_summary(row: Row, ctx: SummaryContext) -> str:
    return _("Case %(reference)s moved from %(before)s to %(after)s") % {
        "reference": row["ev_note"],
        "before": choice_label(CaseStatus, row["ev_detail"]).lower(),
        "after": choice_label(CaseStatus, row["ev_label"]).lower(),
    }


@influencer_history.register(
    HistoryKind.CASE_STATUS,
    object_type="cases.casestatuschange",
    permission="cases.view_casestatuschange",
    url_name="case-detail",
    url_column="ev_ref",
    summary=_case_status_summary,
)
def case_status_changes(scope: HistoryScope) -> QuerySet:
    """Status changes of visible cases; their URL is their case's (the change has no endpoint of its own)."""
    return influencer_history.event_rows(
        CaseStatusChange.objects.filter(case__in=cases_of(scope).values("pk")),
        kind=HistoryKind.CASE_STATUS,
        at="changed_at",
        ref="case_id",
        label="to_status",
        detail="from_status",
        note="case__reference",
    )


def _legal_action_summary(row: Row, ctx: SummaryContext) -> str:
    summary = _("%(kind)s by %(plaintiff)s: %(status)s") % {
        "kind": choice_label(LegalActionKind, row["ev_label"]),
        "plaintiff": row["ev_note"] or _("an unnamed party"),
        "status": choice_label(LegalActionStatus, row["ev_detail"]).lower(),
    }
    if row["ev_amount"] is not None:
        summary += f", {money(row['ev_amount'], 'CNY')}"
    return summary


@influencer_history.register(
    HistoryKind.LEGAL_ACTION,
    object_type="cases.legalaction",
    permission="cases.view_legalaction",
    url_name="legalaction-detail",
    summary=_legal_action_summary,
)
def legal_actions(scope: HistoryScope) -> QuerySet:
    """Legal actions against the influencer or its accounts, or of its cases; at their filing day (else creation)."""
    about = _names_subjects(
        scope,
        influencers=LegalAction.defendant_influencers.through.objects.filter(legalaction_id=OuterRef("pk")),
        accounts=LegalAction.defendant_accounts.through.objects.filter(legalaction_id=OuterRef("pk")),
    ) | Q(case__in=cases_of(scope).values("pk"))
    visible = Q(case__isnull=True) | Q(case__in=selectors.cases_visible_to(scope.user).values("pk"))
    return influencer_history.event_rows(
        LegalAction.objects.filter(visible & about),
        kind=HistoryKind.LEGAL_ACTION,
        at=Coalesce(StartOfDay("filed_on"), "created_at"),
        label="kind",
        detail="status",
        note="plaintiff",
        amount="amount",
    )
