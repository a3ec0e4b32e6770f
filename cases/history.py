"""Cases' events on an influencer's history (see ``ledger.history`` and ``core.history``).

A case belongs to an influencer's history when it names the influencer or one
of its accounts (with the ``account`` filter: when it names that account). Its
events appear only to users who may see the case (``cases_visible_to``, applied
to each row's guard, the case, when the history is read): the case's opening,
its status changes and its legal actions. A legal action belongs to the history
when it names the influencer or one of its accounts as a defendant, or belongs
to one of those cases; one without a case is visible to everyone with the legal
action's view permission.

One row per event and influencer: a case naming two influencers is on both
histories. The pairs are hand-written SQL (a union of the many-to-many link
tables, grouped), the one thing here a queryset cannot say.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from cases import selectors
from cases.choices import CaseStatus, LegalActionKind, LegalActionStatus
from cases.models import Authority, Case, CaseStatusChange, LegalAction
from core.history import RawRows, Row, Subjects, choice_label, money, start_of_day_sql
from core.history import gettext as _
from ledger.choices import HistoryKind
from ledger.history import ACCOUNT, SummaryContext, influencer_history, influencers_of_accounts
from ledger.models import PlatformAccount

CASE, LEGAL_ACTION = "cases.case", "cases.legalaction"
_T = {
    "account": PlatformAccount._meta.db_table,
    "authority": Authority._meta.db_table,
    "case": Case._meta.db_table,
    "case_influencers": Case.influencers.through._meta.db_table,
    "case_accounts": Case.accounts.through._meta.db_table,
    "status_change": CaseStatusChange._meta.db_table,
    "legal_action": LegalAction._meta.db_table,
    "defendant_influencers": LegalAction.defendant_influencers.through._meta.db_table,
    "defendant_accounts": LegalAction.defendant_accounts.through._meta.db_table,
}
# (case_id, influencer_id, account_id): a case names an influencer itself (no account) or one of its accounts.
_CASE_NAMES = """
    SELECT case_id, influencer_id, NULL::bigint AS account_id FROM {case_influencers}
    UNION ALL
    SELECT named.case_id, account.influencer_id, account.id
    FROM {case_accounts} named JOIN {account} account ON account.id = named.platformaccount_id
""".format(**_T)  # noqa: S608 - table names from the models
# (legal action id, influencer_id, account_id): its defendants, and what its case names.
_LEGAL_ACTION_NAMES = """
    SELECT legalaction_id, influencer_id, NULL::bigint FROM {defendant_influencers}
    UNION ALL
    SELECT named.legalaction_id, account.influencer_id, account.id
    FROM {defendant_accounts} named JOIN {account} account ON account.id = named.platformaccount_id
    UNION ALL
    SELECT action.id, case_names.influencer_id, case_names.account_id
    FROM {legal_action} action JOIN ({case_names}) case_names ON case_names.case_id = action.case_id
""".format(case_names=_CASE_NAMES, **_T)  # noqa: S608


def _pairs(names: str, subjects: Subjects) -> tuple[str, list[object]]:
    """(id, subject, accounts): one row per record and influencer it names, with the accounts it names."""
    where, params = ("", []) if subjects is None else ("WHERE names.influencer_id = ANY(%s)", [list(subjects)])
    sql = (
        "SELECT names.record_id, names.influencer_id AS subject, coalesce(array_agg(DISTINCT names.account_id "  # noqa: S608
        "ORDER BY names.account_id) FILTER (WHERE names.account_id IS NOT NULL), '{}')::bigint[] AS accounts "
        f"FROM ({names}) AS names (record_id, influencer_id, account_id) {where} "
        "GROUP BY names.record_id, names.influencer_id"
    )
    return sql, params


def influencers_of_cases(ids: Iterable[int]) -> list[int]:
    """The influencers the cases name, themselves or by their accounts (a rule's ``subjects``)."""
    ids = list(ids)
    direct = Case.influencers.through.objects.filter(case_id__in=ids).values_list("influencer_id", flat=True)
    by_account = Case.accounts.through.objects.filter(case_id__in=ids).values_list(
        "platformaccount__influencer_id", flat=True
    )
    return [*direct, *by_account]


def influencers_of_defendants(ids: Iterable[int]) -> list[int]:
    """The influencers the legal actions name as defendants, themselves or by their accounts (their case's
    are reached through the ``case_id`` of the rows, before and after)."""
    ids = list(ids)
    direct = LegalAction.defendant_influencers.through.objects.filter(legalaction_id__in=ids).values_list(
        "influencer_id", flat=True
    )
    by_account = LegalAction.defendant_accounts.through.objects.filter(legalaction_id__in=ids).values_list(
        "platformaccount__influencer_id", flat=True
    )
    return [*direct, *by_account]


# How cases' changes reach influencers: whom a case or legal action names, before and after.
influencer_history.follow(CASE, "pk", influencers_of_cases)
influencer_history.follow(CASE, "influencers", lambda ids: ids)
influencer_history.follow(CASE, "accounts", influencers_of_accounts)
influencer_history.follow(
    "cases.authority",
    "pk",
    lambda ids: influencers_of_cases(Case.objects.filter(authority_id__in=ids).values_list("pk", flat=True)),
    fields={"name"},
)
influencer_history.follow("cases.casestatuschange", "case_id", influencers_of_cases)
influencer_history.follow(LEGAL_ACTION, "pk", influencers_of_defendants)
influencer_history.follow(LEGAL_ACTION, "case_id", influencers_of_cases)
influencer_history.follow(LEGAL_ACTION, "defendant_influencers", lambda ids: ids)
influencer_history.follow(LEGAL_ACTION, "defendant_accounts", influencers_of_accounts)
# A case's events are read only by those who may see the case (the rule looked up at each read).
influencer_history.guard_with(lambda user: selectors.cases_visible_to(user))


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
    reads={CASE, "cases.authority", ACCOUNT},
    summary=_case_opened_summary,
)
def cases_opened(subjects: Subjects) -> RawRows:
    """Cases, at the start of the day they were opened."""
    pairs, params = _pairs(_CASE_NAMES, subjects)
    columns = influencer_history.select_list(
        HistoryKind.CASE_OPENED,
        ev_at=start_of_day_sql("c.opened_on"),
        ev_id="c.id",
        ev_label="c.reference::text",
        ev_detail="c.title::text",
        ev_note="authority.name::text",
        ev_subject="pairs.subject",
        ev_within="pairs.accounts",
        ev_guard="c.id",
    )
    sql = (
        f"SELECT {columns} FROM ({pairs}) pairs JOIN {_T['case']} c ON c.id = pairs.record_id "  # noqa: S608
        f"JOIN {_T['authority']} authority ON authority.id = c.authority_id"
    )
    return RawRows(sql, [settings.TIME_ZONE, *params])


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
    reads={"cases.casestatuschange", CASE, ACCOUNT},
    summary=_case_status_summary,
)
def case_status_changes(subjects: Subjects) -> RawRows:
    """Status changes of cases; their URL is their case's (the change has no endpoint of its own)."""
    pairs, params = _pairs(_CASE_NAMES, subjects)
    columns = influencer_history.select_list(
        HistoryKind.CASE_STATUS,
        ev_at="change.changed_at",
        ev_id="change.id",
        ev_ref="c.id",
        ev_label="change.to_status::text",
        ev_detail="change.from_status::text",
        ev_note="c.reference::text",
        ev_subject="pairs.subject",
        ev_within="pairs.accounts",
        ev_guard="c.id",
    )
    sql = (
        f"SELECT {columns} FROM ({pairs}) pairs JOIN {_T['case']} c ON c.id = pairs.record_id "  # noqa: S608
        f"JOIN {_T['status_change']} change ON change.case_id = c.id"
    )
    return RawRows(sql, params)


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
    reads={LEGAL_ACTION, CASE, ACCOUNT},
    summary=_legal_action_summary,
)
def legal_actions(subjects: Subjects) -> RawRows:
    """Legal actions against the influencer or its accounts, or of its cases; at their filing day (else creation)."""
    pairs, params = _pairs(_LEGAL_ACTION_NAMES, subjects)
    columns = influencer_history.select_list(
        HistoryKind.LEGAL_ACTION,
        ev_at=f"coalesce({start_of_day_sql('action.filed_on')}, action.created_at)",
        ev_id="action.id",
        ev_label="action.kind::text",
        ev_detail="action.status::text",
        ev_note="action.plaintiff::text",
        ev_amount="action.amount",
        ev_subject="pairs.subject",
        ev_within="pairs.accounts",
        ev_guard="action.case_id",
    )
    sql = f"SELECT {columns} FROM ({pairs}) pairs JOIN {_T['legal_action']} action ON action.id = pairs.record_id"  # noqa: S608
    return RawRows(sql, [settings.TIME_ZONE, *params])
