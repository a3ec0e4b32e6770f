"""Pricing's events on an influencer's history: rate quotes (see ``ledger.history`` and ``core.history``)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.history import Row, StartOfDay, Subjects, choice_label, money
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
from pricing.choices import Deliverable, PriceKind
from pricing.models import RateQuote

influencer_history.follow("pricing.ratequote", "account_id", influencers_of_accounts)
influencer_history.follow(
    "pricing.durationtier",
    "pk",
    lambda ids: RateQuote.objects.filter(tier_id__in=ids).values_list("account__influencer_id", flat=True),
)


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
    reads={"pricing.ratequote", "pricing.durationtier", ACCOUNT},
    summary=_quote_summary,
)
def quotes(subjects: Subjects) -> QuerySet:
    """Rate quotes, at the start of their observation day (Asia/Shanghai)."""
    return influencer_history.event_rows(
        of_influencers(RateQuote.objects.all(), "account__influencer_id", subjects),
        kind=HistoryKind.QUOTE,
        at=StartOfDay("observed_on"),
        subject="account__influencer_id",
        account="account_id",
        label="deliverable",
        detail="tier__label",
        note="price_kind",
        amount="price",
        currency="currency",
    )
