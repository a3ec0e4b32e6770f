"""Reviews' events on an influencer's history: content, claim verdicts, orders, their status, payments, campaigns.

See ``core.history`` for the registry and the uniform event columns.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, QuerySet, Subquery

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
from parties.models import name_as_shown_in_query
from pricing.choices import Deliverable
from reviews.choices import CampaignStatus, OrderStatus, PaymentChannel, ReviewStatus, Stance, Verdict
from reviews.models import CampaignMember, Claim, Order, OrderStatusChange, Payment, Review

ClaimReview = Claim.reviews.through
REVIEW, CLAIM, ORDER, CAMPAIGN, MEMBER = (
    "reviews.review",
    "reviews.claim",
    "reviews.order",
    "reviews.campaign",
    "reviews.campaignmember",
)


def influencers_of_reviews(ids: Iterable[int]) -> QuerySet:
    return Review.objects.filter(pk__in=ids).values_list("account__influencer_id", flat=True)


def influencers_of_orders(ids: Iterable[int]) -> QuerySet:
    return Order.objects.filter(pk__in=ids).values_list("account__influencer_id", flat=True)


# How reviews' changes reach influencers: through the account of the review or order they belong to.
influencer_history.follow(REVIEW, "account_id", influencers_of_accounts)
influencer_history.follow(
    CLAIM,
    "pk",
    lambda ids: ClaimReview.objects.filter(claim_id__in=ids).values_list("review__account__influencer_id", flat=True),
)
influencer_history.follow(CLAIM, "reviews", influencers_of_reviews)  # reviews linked or unlinked
influencer_history.follow(ORDER, "account_id", influencers_of_accounts)
influencer_history.follow("reviews.orderstatuschange", "order_id", influencers_of_orders)
influencer_history.follow("reviews.payment", "order_id", influencers_of_orders)
influencer_history.follow(
    CAMPAIGN,
    "pk",
    lambda ids: CampaignMember.objects.filter(campaign_id__in=ids).values_list(
        "review__account__influencer_id", flat=True
    ),
)
influencer_history.follow(MEMBER, "review_id", influencers_of_reviews)
influencer_history.follow(
    "parties.party",  # a client who becomes a person is shown masked
    "pk",
    lambda ids: Order.objects.filter(client_id__in=ids).values_list("account__influencer_id", flat=True),
    fields={"kind"},
)


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
    reads={REVIEW, ACCOUNT},
    summary=_review_summary,
)
def reviews(subjects: Subjects) -> QuerySet:
    """Content the influencer's accounts published, when it was published."""
    return influencer_history.event_rows(
        of_influencers(Review.objects.all(), "account__influencer_id", subjects),
        kind=HistoryKind.REVIEW,
        at="published_at",
        subject="account__influencer_id",
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
    reads={CLAIM, REVIEW, ACCOUNT},
    summary=_claim_summary,
)
def claim_verdicts(subjects: Subjects) -> QuerySet:
    """Verdicts on claims made by the accounts' content, at the start of the verdict's day (once per claim and
    influencer: its account is the one of the influencer's earliest review making the claim)."""
    links = ClaimReview.objects.filter(
        claim_id=OuterRef("claim_id"), review__account__influencer_id=OuterRef("subject")
    )
    first = links.order_by("review__published_at", "review_id").values("pk")[:1]
    firsts = (
        of_influencers(ClaimReview.objects.all(), "review__account__influencer_id", subjects)
        .filter(claim__verdict_on__isnull=False)
        .exclude(claim__verdict=Verdict.PENDING)
        .annotate(subject=F("review__account__influencer_id"))
        .filter(pk=Subquery(first))
    )
    return influencer_history.event_rows(
        firsts,
        kind=HistoryKind.CLAIM_VERDICT,
        at=StartOfDay("claim__verdict_on"),
        object_id="claim_id",
        subject="subject",
        within=ArraySubquery(links.order_by("review__account_id").values("review__account_id").distinct()),
        account="review__account_id",
        label="claim__verdict",
        detail="claim__text",
        note="claim__verdict_by",
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
    reads={ORDER, "parties.party", ACCOUNT},
    summary=_order_summary,
)
def orders(subjects: Subjects) -> QuerySet:
    """Suspected black commercial orders placed with the accounts, at the start of the order's day."""
    return influencer_history.event_rows(
        of_influencers(Order.objects.all(), "account__influencer_id", subjects),
        kind=HistoryKind.ORDER,
        at=StartOfDay("ordered_on"),
        subject="account__influencer_id",
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
    reads={"reviews.orderstatuschange", ORDER, ACCOUNT},
    summary=_order_status_summary,
)
def order_status_changes(subjects: Subjects) -> QuerySet:
    """Status changes of the accounts' orders; their URL is their order's."""
    return influencer_history.event_rows(
        of_influencers(OrderStatusChange.objects.all(), "order__account__influencer_id", subjects),
        kind=HistoryKind.ORDER_STATUS,
        at="changed_at",
        subject="order__account__influencer_id",
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
    reads={"reviews.payment", ORDER, ACCOUNT},
    summary=_payment_summary,
)
def payments(subjects: Subjects) -> QuerySet:
    """Payments for the accounts' orders, at the start of the day they were paid."""
    return influencer_history.event_rows(
        of_influencers(Payment.objects.all(), "order__account__influencer_id", subjects),
        kind=HistoryKind.PAYMENT,
        at=StartOfDay("paid_on"),
        subject="order__account__influencer_id",
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
    reads={CAMPAIGN, MEMBER, REVIEW, ACCOUNT},
    summary=_campaign_summary,
)
def campaigns(subjects: Subjects) -> QuerySet:
    """Coordinated campaigns the accounts took part in, once per campaign and influencer, when the influencer's
    first member review was published (with its headline)."""
    members = CampaignMember.objects.filter(
        campaign_id=OuterRef("campaign_id"), review__account__influencer_id=OuterRef("subject")
    )
    first = members.order_by("review__published_at", "review_id").values("pk")[:1]
    firsts = (
        of_influencers(CampaignMember.objects.all(), "review__account__influencer_id", subjects)
        .annotate(subject=F("review__account__influencer_id"))
        .filter(pk=Subquery(first))
    )
    return influencer_history.event_rows(
        firsts,
        kind=HistoryKind.CAMPAIGN,
        at="review__published_at",
        object_id="campaign_id",
        subject="subject",
        within=ArraySubquery(members.order_by("review__account_id").values("review__account_id").distinct()),
        account="review__account_id",
        label="campaign__status",
        detail="review__headline",
    )
