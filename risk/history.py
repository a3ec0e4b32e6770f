"""Risk events on an influencer's history: a score that moved by ``RISK_EVENT_MIN_CHANGE`` points or more.

See ``core.history`` for the registry and the uniform event columns.
"""

from __future__ import annotations

from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.functions import Cast, Coalesce

from core.history import Row, Subjects
from core.history import gettext as _
from ledger.choices import HistoryKind
from ledger.history import (
    ACCOUNT,
    SummaryContext,
    account_name,
    influencer_history,
    influencers_of_accounts,
    of_influencers,
)
from risk.models import RiskChange

RISK_CHANGE = "risk.riskchange"
influencer_history.follow(RISK_CHANGE, "account_id", influencers_of_accounts)


def _risk_summary(row: Row, ctx: SummaryContext) -> str:
    after = row["ev_number"]
    before = after - row["ev_delta"]
    return _("%(account)s: risk score %(before)s → %(after)s (%(signals)s)") % {
        "account": account_name(row["ev_account"], ctx),
        "before": before,
        "after": after,
        "signals": row["ev_detail"] or "—",
    }


@influencer_history.register(
    HistoryKind.RISK,
    object_type="risk.riskchange",
    permission="risk.view_riskscore",
    url_name="account-detail",  # the registry links <list>/<id>/: the account (its risk at .../risk/)
    url_column="ev_account",
    reads={RISK_CHANGE, ACCOUNT},
    summary=_risk_summary,
)
def risk_changes(subjects: Subjects) -> QuerySet:
    """Account scores that rose or fell by ``RISK_EVENT_MIN_CHANGE`` points or more; the URL is the account's."""
    return influencer_history.event_rows(
        of_influencers(RiskChange.objects.all(), "account__influencer_id", subjects),
        kind=HistoryKind.RISK,
        at="changed_at",
        subject="account__influencer_id",
        account="account_id",
        detail="signals",
        number=Cast("after", BigIntegerField()),
        delta=Cast(F("after") - Coalesce("before", 0), BigIntegerField()),
    )
