"""Risk events on an influencer's history: a score that moved by ``RISK_EVENT_MIN_CHANGE`` points or more.

See ``core.history`` for the registry and the uniform event columns.
"""

from __future__ import annotations

from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.functions import Cast, Coalesce

from core.history import Row
from core.history import gettext as _
from ledger.choices import HistoryKind
from ledger.history import HistoryScope, SummaryContext, account_name, influencer_history
from risk.models import RiskChange


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
    summary=_risk_summary,
)
def risk_changes(scope: HistoryScope) -> QuerySet:
    """Account scores that rose or fell by ``RISK_EVENT_MIN_CHANGE`` points or more; the URL is the account's."""
    return influencer_history.event_rows(
        RiskChange.objects.filter(account_id__in=scope.account_ids),
        kind=HistoryKind.RISK,
        at="changed_at",
        account="account_id",
        detail="signals",
        number=Cast("after", BigIntegerField()),
        delta=Cast(F("after") - Coalesce("before", 0), BigIntegerField()),
    )
