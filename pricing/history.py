"""Pricing's events on an influencer's history: rate quotes (see ``ledger.history`` and ``core.history``)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.history import Row, StartOfDay, choice_label, money
from core.history import gettext as _
from ledger.choices import HistoryKind
from ledger.history import HistoryScope, SummaryContext, account_name, influencer_history
from pricing.choices import Deliverable, PriceKind
from pricing.models import RateQuote


def _quote_summary(row: Row, ctx: SummaryContext) -> str:
    what = choice_label(Deliverable, row["ev_label"])
    if row["ev_detail"]:
        what = f"{what} {row['ev_detail']}"
    return _("%(account)s: quoted %(price)s for %(what)s (%(kind)s)") % {
        "account": account_name(row["ev_account"], ctx),
        "price": money(row["ev_amount"], row["ev_currency"]),
        "what": what.lower(),
        "kind": choice_label(PriceKind, row["ev_note"]).lower(),
    }


@influencer_history.register(
    HistoryKind.QUOTE,
    object_type="pricing.ratequote",
    permission="pricing.view_ratequote",
    url_name="quote-detail",
    summary=_quote_summary,
)
def quotes(scope: HistoryScope) -> QuerySet:
    """Rate quotes, at the start of their observation day (Asia/Shanghai)."""
    return influencer_history.event_rows(
        RateQuote.objects.filter(account_id__in=scope.account_ids),
        kind=HistoryKind.QUOTE,
        at=StartOfDay("observed_on"),
        account="account_id",
        label="deliverable",
        detail="tier__label",
        note="price_kind",
        amount="price",
        currency="currency",
    )
