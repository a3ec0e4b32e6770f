"""Reviews' events on an influencer's history: content, claim verdicts, orders, their status, payments, campaigns.

See ``core.history`` for the registry and the uniform event columns.
"""

from __future__ import annotations

from django.db.models import BigIntegerField, CharField, DateTimeField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast

from core.history import Row, StartOfDay, choice_label, money
from core.history import gettext as _
from ledger.choices import HistoryKind
from ledger.history import HistoryScope, SummaryContext, account_name, influencer_history
from parties.models import name_as_shown_in_query
from pricing.choices import Deliverable
from reviews.choices import CampaignStatus, OrderStatus, PaymentChannel, ReviewStatus, Stance, Verdict
from reviews.models import Campaign, CampaignMember, Claim, Order, OrderStatusChange, Payment, Review


def _review_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s published “%(headline)s” (%(stance)s, %(status)s)") % {
        "account": account_name(row["ev_account"], ctx),
        "headline": row["ev_label"],
        "stance": choice_label(Stance, row["ev_detail"]).lower(),
        "status": choice_label(ReviewStatus, row["ev_note"]).lower(),
    }


@influencer_history.register(
    HistoryKind.REVIEW,
    object_type="reviews.review",
    permission="reviews.view_review",
    url_name="review-detail",
    summary=_review_summary,
)
def reviews(scope: HistoryScope) -> QuerySet:
    """Content the influencer's accounts published, when it was published."""
    return influencer_history.event_rows(
        Review.objects.filter(account_id__in=scope.account_ids),
        kind=HistoryKind.REVIEW,
        at="published_at",
        account="account_id",
        label="headline",
        detail="stance",
        note="status",
    )


def _claim_summary(row: Row, ctx: SummaryContext) -> str:
    return _("Claim “%(claim)s” found %(verdict)s by %(by)s") % {
        "claim": row["ev_detail"],
        "verdict": choice_label(Verdict, row["ev_label"]).lower(),
        "by": row["ev_note"] or "—",
    }


@influencer_history.register(
    HistoryKind.CLAIM_VERDICT,
    object_type="reviews.claim",
    permission="reviews.view_claim",
    url_name="claim-detail",
    summary=_claim_summary,
)
def claim_verdicts(scope: HistoryScope) -> QuerySet:
    """Verdicts on claims made by the accounts' content, at the start of the verdict's day (once per claim)."""
    made_here = Review.claims.through.objects.filter(claim_id=OuterRef("pk"), review__account_id__in=scope.account_ids)
    first_account = Review.objects.filter(claims=OuterRef("pk"), account_id__in=scope.account_ids).order_by(
        "published_at", "pk"
    )
    return influencer_history.event_rows(
        Claim.objects.filter(Exists(made_here), verdict_on__isnull=False).exclude(verdict=Verdict.PENDING),
        kind=HistoryKind.CLAIM_VERDICT,
        at=StartOfDay("verdict_on"),
        # cast: without accounts the subquery compiles to a bare NULL, which the UNION would take for text
        account=Cast(Subquery(first_account.values("account_id")[:1]), output_field=BigIntegerField()),
        label="verdict",
        detail="text",
        note="verdict_by",
    )


def _order_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s: suspected order for %(what)s at %(price)s from %(client)s (%(status)s)") % {
        "account": account_name(row["ev_account"], ctx),
        "what": choice_label(Deliverable, row["ev_label"]).lower(),
        "price": money(row["ev_amount"], row["ev_currency"]),
        "client": row["ev_detail"] or _("an unnamed client"),
        "status": choice_label(OrderStatus, row["ev_note"]).lower(),
    }


@influencer_history.register(
    HistoryKind.ORDER,
    object_type="reviews.order",
    permission="reviews.view_order",
    url_name="order-detail",
    summary=_order_summary,
)
def orders(scope: HistoryScope) -> QuerySet:
    """Suspected black commercial orders placed with the accounts, at the start of the order's day."""
    return influencer_history.event_rows(
        Order.objects.filter(account_id__in=scope.account_ids),
        kind=HistoryKind.ORDER,
        at=StartOfDay("ordered_on"),
        account="account_id",
        label="deliverable",
        detail=name_as_shown_in_query("client", "client_name"),  # a person's name masked, as the API shows it
        note="status",
        amount="agreed_price",
        currency="currency",
    )


def _order_status_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s: order #%(order)s moved from %(before)s to %(after)s") % {
        "account": account_name(row["ev_account"], ctx),
        "order": row["ev_ref"],
        "before": choice_label(OrderStatus, row["ev_detail"]).lower(),
        "after": choice_label(OrderStatus, row["ev_label"]).lower(),
    }


@influencer_history.register(
    HistoryKind.ORDER_STATUS,
    object_type="reviews.orderstatuschange",
    permission="reviews.view_orderstatuschange",
    url_name="order-detail",
    url_column="ev_ref",
    summary=_order_status_summary,
)
def order_status_changes(scope: HistoryScope) -> QuerySet:
    """Status changes of the accounts' orders; their URL is their order's."""
    return influencer_history.event_rows(
        OrderStatusChange.objects.filter(order__account_id__in=scope.account_ids),
        kind=HistoryKind.ORDER_STATUS,
        at="changed_at",
        account="order__account_id",
        ref="order_id",
        label="to_status",
        detail="from_status",
    )


def _payment_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s: payment of %(amount)s by %(channel)s for order #%(order)s") % {
        "account": account_name(row["ev_account"], ctx),
        "amount": money(row["ev_amount"], row["ev_currency"]),
        "channel": choice_label(PaymentChannel, row["ev_label"]).lower(),
        "order": row["ev_ref"],
    }


@influencer_history.register(
    HistoryKind.PAYMENT,
    object_type="reviews.payment",
    permission="reviews.view_payment",
    url_name="payment-detail",
    summary=_payment_summary,
)
def payments(scope: HistoryScope) -> QuerySet:
    """Payments for the accounts' orders, at the start of the day they were paid."""
    return influencer_history.event_rows(
        Payment.objects.filter(order__account_id__in=scope.account_ids),
        kind=HistoryKind.PAYMENT,
        at=StartOfDay("paid_on"),
        account="order__account_id",
        ref="order_id",
        label="channel",
        amount="amount",
        currency="currency",
    )


def _campaign_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s took part in campaign #%(campaign)s with “%(headline)s” (%(status)s)") % {
        "account": account_name(row["ev_account"], ctx),
        "campaign": row["ev_id"],
        "headline": row["ev_detail"],
        "status": choice_label(CampaignStatus, row["ev_label"]).lower(),
    }


@influencer_history.register(
    HistoryKind.CAMPAIGN,
    object_type="reviews.campaign",
    permission="reviews.view_campaign",
    url_name="campaign-detail",
    summary=_campaign_summary,
)
def campaigns(scope: HistoryScope) -> QuerySet:
    """Coordinated campaigns the accounts took part in, once per campaign, when their first member review
    was published (with its headline)."""
    mine = CampaignMember.objects.filter(campaign=OuterRef("pk"), review__account_id__in=scope.account_ids).order_by(
        "review__published_at", "review_id"
    )
    return influencer_history.event_rows(
        Campaign.objects.filter(Exists(mine)),
        kind=HistoryKind.CAMPAIGN,
        # casts: without accounts a subquery compiles to a bare NULL, which the UNION would take for text
        at=Cast(Subquery(mine.values("review__published_at")[:1]), output_field=DateTimeField()),
        account=Cast(Subquery(mine.values("review__account_id")[:1]), output_field=BigIntegerField()),
        label="status",
        detail=Cast(Subquery(mine.values("review__headline")[:1]), output_field=CharField()),
    )
