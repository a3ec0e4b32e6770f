"""Reads of reviews that are more than a one-line queryset.

Every list here is a lazy queryset whose figures (tier, rate-card price,
total paid) are subqueries and whose relations are joined or prefetched, so a
page costs the same few queries whatever its size.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf, Round
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ledger.choices import InfluencerKind
from ledger.models import PlatformAccount
from pricing import figures
from pricing.choices import Deliverable
from pricing.models import DurationTier, RateQuote
from reviews.choices import VERDICT_RATING, CampaignStatus, Verdict
from reviews.models import (
    Campaign,
    CampaignMember,
    CampaignStatusChange,
    Claim,
    Order,
    OrderStatusChange,
    Payment,
    Review,
    Target,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


# --- targets --------------------------------------------------------------------


def target_with_descendant_ids(target: Target | int) -> set[int]:
    """The target's id and those of all targets below it (a brand with its models). One query per level."""
    found = {target.pk if isinstance(target, Target) else target}
    level = set(found)
    while level:
        level = set(Target.objects.filter(parent__in=level).exclude(pk__in=found).values_list("pk", flat=True))
        found |= level
    return found


def target_is_under(*, target: Target, ancestor: Target) -> bool:
    """True when ``target`` is ``ancestor`` or sits somewhere below it."""
    return target.pk in target_with_descendant_ids(ancestor)


def target_list() -> QuerySet[Target]:
    return Target.objects.select_related("parent")


# --- reviews and claims ---------------------------------------------------------


def tier_code_of_duration(duration: str = "duration_seconds", *, field: str = "code") -> Subquery:
    """The code (or ``field``) of the pricing tier that contains the duration in field ``duration`` (null when none)."""
    return Subquery(
        DurationTier.objects.filter(min_seconds__lte=OuterRef(duration))
        .filter(Q(max_seconds__isnull=True) | Q(max_seconds__gte=OuterRef(duration)))
        .order_by("min_seconds")
        .values(field)[:1]
    )


def review_list() -> QuerySet[Review]:
    """Reviews with their account, targets and claims, and ``tier_code`` resolved in the database."""
    return (
        Review.objects.select_related("account", "account__influencer")
        .prefetch_related("targets", Prefetch("claims", queryset=Claim.objects.only("id")))
        .annotate(tier_code=tier_code_of_duration(), campaign_id=F("campaign_member__campaign_id"))
    )


def claim_list() -> QuerySet[Claim]:
    return Claim.objects.select_related("target").prefetch_related(
        Prefetch("reviews", queryset=Review.objects.only("id"))
    )


def claim_first_appearance(*, claim: Claim) -> Review | None:
    """The earliest published review that makes the claim (its first appearance), with its author."""
    return (
        Review.objects.filter(claims=claim)
        .select_related("account", "account__influencer")
        .order_by("published_at", "id")
        .first()
    )


def claim_review(*, claim: Claim, first_appearance: Review | None, fallback_url: str) -> dict[str, Any] | None:
    """The schema.org ClaimReview of a claim with a verdict (None while the verdict is pending).

    ``first_appearance`` is the earliest review making the claim (or None);
    ``url`` is the verdict's URL, else ``fallback_url`` (this ClaimReview's own address).
    """
    if claim.verdict == Verdict.PENDING:
        return None
    item: dict[str, Any] = {"@type": "Claim"}
    if first_appearance is not None:
        account = first_appearance.account
        influencer = account.influencer
        item["datePublished"] = timezone.localtime(first_appearance.published_at).date().isoformat()
        item["firstAppearance"] = {
            "@type": "CreativeWork",
            "url": first_appearance.url,
            "headline": first_appearance.headline,
            "datePublished": timezone.localtime(first_appearance.published_at).isoformat(),
        }
        item["author"] = {
            "@type": "Person" if influencer.kind == InfluencerKind.PERSON else "Organization",
            "name": influencer.display_name,  # the public name, never a person's legal name
            "url": account.profile_url or None,
        }
        if item["author"]["url"] is None:
            del item["author"]["url"]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim.text,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": VERDICT_RATING[claim.verdict],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": str(Verdict(claim.verdict).label),
        },
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": claim.verdict_by},
        "datePublished": claim.verdict_on.isoformat(),
        "url": claim.verdict_url or fallback_url,
    }


# --- orders and payments --------------------------------------------------------


def rate_card_quotes() -> QuerySet[RateQuote]:
    """For an order (``OuterRef``): the account's quotes of the same deliverable, tier and currency
    observed on or before the order date, latest first (newest observation, then newest record)."""
    return RateQuote.objects.filter(
        Q(tier=OuterRef("tier")) | Q(tier__isnull=True),  # deliverables match: both tiers equal or both empty
        account=OuterRef("account"),
        deliverable=OuterRef("deliverable"),
        currency=OuterRef("currency"),
        observed_on__lte=OuterRef("ordered_on"),
    ).order_by("-observed_on", "-recorded_at", "-id")


def total_paid() -> Coalesce:
    """The sum of the order's payments (0 without any), as a subquery."""
    paid = (
        Payment.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(total=Sum("amount"))
    ).values("total")
    return Coalesce(Subquery(paid, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY)


def order_list() -> QuerySet[Order]:
    """Orders with everything the API and admin show, in a fixed number of queries.

    Annotates ``rate_card_quote`` and ``rate_card_price`` (the quote the markup
    is computed against) and ``total_paid``; ``Order.markup`` divides in Decimal.
    """
    quotes = rate_card_quotes()
    return (
        Order.objects.select_related("account", "account__influencer", "client", "intermediary", "tier")
        .prefetch_related(
            "targets",
            Prefetch("reviews", queryset=Review.objects.only("id")),
            Prefetch("status_changes", queryset=OrderStatusChange.objects.order_by("changed_at", "id")),
        )
        .annotate(
            rate_card_quote=Subquery(quotes.values("pk")[:1]),
            rate_card_price=Subquery(quotes.values("price")[:1], output_field=MONEY),
            total_paid=total_paid(),
        )
    )


def markup_at_least(queryset: QuerySet[Order], minimum: Decimal) -> QuerySet[Order]:
    """Orders of ``order_list`` whose markup, as shown (2 decimals, half up), is at least ``minimum``.

    The shown markup is >= m exactly when agreed / rate >= (m rounded up to the
    cent) - 0.005. Compared without division, on whole cents scaled to integers,
    so the filter agrees with the figure on every database. Orders without a
    rate-card price have no markup and never match.
    """
    at_least = (minimum * 100).to_integral_value(rounding=ROUND_CEILING) * 10 - 5  # thousandths
    return (
        queryset.filter(rate_card_price__gt=0)
        .alias(
            _agreed_scaled=Round(F("agreed_price") * 100) * 1000,
            _rate_scaled=Round(F("rate_card_price") * 100) * Value(int(at_least)),
        )
        .filter(_agreed_scaled__gte=F("_rate_scaled"))
    )


def payment_list() -> QuerySet[Payment]:
    return Payment.objects.select_related("order", "payer", "payee")  # payer and payee: whether to mask their names


# --- engagement per account -----------------------------------------------------


def _recent_reviews() -> QuerySet[Review]:
    """For an account (``OuterRef(OuterRef("pk"))``): its ``RISK_RECENT_REVIEWS`` newest reviews with views."""
    return (
        Review.objects.filter(account=OuterRef(OuterRef("pk")), views__isnull=False)
        .order_by("-published_at", "-id")
        .values("pk")[: settings.RISK_RECENT_REVIEWS]
    )


def _over_recent(expression: Any, output_field: Any) -> Subquery:
    # SUM/COUNT as plain functions: one aggregate row over the recent reviews, no GROUP BY.
    rows = Review.objects.filter(pk__in=_recent_reviews()).order_by().annotate(x=expression).values("x")
    return Subquery(rows, output_field=output_field)


def _recent_quote_price() -> Subquery:
    """The mean price of the account's ``RISK_RECENT_QUOTES`` newest short-video quotes in the default currency."""
    recent = (
        RateQuote.objects.filter(
            account=OuterRef(OuterRef("pk")), deliverable=Deliverable.SHORT_VIDEO, currency=figures.DEFAULT_CURRENCY
        )
        .order_by("-observed_on", "-id")
        .values("pk")[: settings.RISK_RECENT_QUOTES]
    )
    rows = RateQuote.objects.filter(pk__in=recent).order_by().annotate(x=Func(F("price"), function="AVG"))
    return Subquery(rows.values("x"), output_field=DecimalField(max_digits=20, decimal_places=6))


def _recent_quote_count() -> Subquery:
    recent = (
        RateQuote.objects.filter(
            account=OuterRef(OuterRef("pk")), deliverable=Deliverable.SHORT_VIDEO, currency=figures.DEFAULT_CURRENCY
        )
        .order_by("-observed_on", "-id")
        .values("pk")[: settings.RISK_RECENT_QUOTES]
    )
    rows = RateQuote.objects.filter(pk__in=recent).order_by().annotate(x=Func(F("pk"), function="COUNT"))
    return Subquery(rows.values("x"), output_field=IntegerField())


def with_engagement(accounts: QuerySet[PlatformAccount]) -> QuerySet[PlatformAccount]:
    """Accounts with their engagement figures, computed in the database (subqueries: constant query count).

    Over the account's ``RISK_RECENT_REVIEWS`` newest reviews with views:
    ``engagement_reviews`` (how many), ``engagement_views``, ``engagement_interactions``
    (likes + comments + shares, a missing count as 0), ``engagement_rate_views``
    (interactions / views), ``engagement_rate_followers`` (interactions per review /
    current followers). From its ``RISK_RECENT_QUOTES`` newest short-video quotes in
    CNY: ``engagement_quotes``, ``engagement_quote_price`` (mean), ``cpm`` (price per
    1,000 views per review) and ``cpe`` (price per interaction per review).
    """
    interactions = Coalesce(F("likes"), 0) + Coalesce(F("comments"), 0) + Coalesce(F("shares"), 0)
    big = BigIntegerField()
    real = FloatField()
    money = DecimalField(max_digits=20, decimal_places=2)
    exact = DecimalField(max_digits=24, decimal_places=6)
    # cost per review (the quote) x reviews / views or interactions: exact decimals
    price_x_reviews = ExpressionWrapper(
        F("engagement_quote_price") * Cast("engagement_reviews", exact), output_field=exact
    )
    views = NullIf(Cast("engagement_views", exact), Value(Decimal(0)))
    interacted = NullIf(Cast("engagement_interactions", exact), Value(Decimal(0)))
    return accounts.annotate(
        engagement_reviews=Coalesce(_over_recent(Func(F("pk"), function="COUNT"), IntegerField()), 0),
        engagement_views=_over_recent(Func(F("views"), function="SUM"), big),
        engagement_interactions=_over_recent(Func(interactions, function="SUM"), big),
        engagement_quotes=Coalesce(_recent_quote_count(), 0),
        engagement_quote_price=_recent_quote_price(),
    ).annotate(
        engagement_rate_views=Cast("engagement_interactions", real) / NullIf(Cast("engagement_views", real), 0.0),
        engagement_rate_followers=Cast("engagement_interactions", real)
        / NullIf(Cast("engagement_reviews", real) * Cast("follower_count", real), 0.0),
        cpm=Round(ExpressionWrapper(price_x_reviews * 1000 / views, output_field=exact), 2, output_field=money),
        cpe=Round(ExpressionWrapper(price_x_reviews / interacted, output_field=exact), 2, output_field=money),
    )


# --- campaigns ------------------------------------------------------------------


def _member_figure(aggregate, output_field) -> Subquery:
    """An aggregate over a campaign's members (``OuterRef``), as a subquery: no join multiplies the rows."""
    rows = (
        CampaignMember.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(figure=aggregate)
        .values("figure")
    )
    return Subquery(rows, output_field=output_field)


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns with their targets, members (review, account, influencer) and status history prefetched,
    and ``review_count``, ``account_count``, ``agency_count`` and ``total_views`` annotated."""
    members = CampaignMember.objects.select_related("review__account__influencer").order_by(
        "review__published_at", "review_id"
    )
    return Campaign.objects.prefetch_related(
        "targets",
        Prefetch("members", queryset=members),
        Prefetch("status_changes", queryset=CampaignStatusChange.objects.order_by("changed_at", "id")),
    ).annotate(
        review_count=Coalesce(_member_figure(Count("pk"), IntegerField()), 0),
        account_count=Coalesce(_member_figure(Count("review__account", distinct=True), IntegerField()), 0),
        agency_count=Coalesce(
            _member_figure(Count("review__account__influencer__agency", distinct=True), IntegerField()), 0
        ),
        total_views=Coalesce(_member_figure(Sum("review__views"), BigIntegerField()), Value(0)),
    )


def campaign_reviews(campaign: Campaign) -> list[Review]:
    """The member reviews, by time (from the prefetch of ``campaign_list``)."""
    return [member.review for member in campaign.members.all()]


def headline_variants(campaign: Campaign) -> list[dict[str, Any]]:
    """``{headline, review_count, views}`` per distinct headline, most viewed first (then most posted)."""
    variants: dict[str, dict[str, Any]] = {}
    for review in campaign_reviews(campaign):
        variant = variants.setdefault(review.headline, {"headline": review.headline, "review_count": 0, "views": 0})
        variant["review_count"] += 1
        variant["views"] += review.views or 0
    return sorted(variants.values(), key=lambda v: (-v["views"], -v["review_count"], v["headline"]))


def campaign_explanation(campaign: Campaign) -> list[str]:
    """Plain sentences saying why these reviews are one campaign (needs ``campaign_list``'s annotations)."""
    targets = "、".join(t.name for t in campaign.targets.all()) or "—"
    first = formats.date_format(timezone.localtime(campaign.first_published_at), "DATETIME_FORMAT")
    last = formats.date_format(timezone.localtime(campaign.last_published_at), "DATETIME_FORMAT")
    hours = (campaign.last_published_at - campaign.first_published_at).total_seconds() / 3600
    sentences = [
        ngettext(
            "%(reviews)d negative review by %(accounts)d distinct accounts attacks %(targets)s.",
            "%(reviews)d negative reviews by %(accounts)d distinct accounts attack %(targets)s.",
            campaign.review_count,
        )
        % {"reviews": campaign.review_count, "accounts": campaign.account_count, "targets": targets},
        _(
            "All were published between %(first)s and %(last)s (%(hours).1f hours), within %(window)d hours "
            "of the first one."
        )
        % {"first": first, "last": last, "hours": hours, "window": settings.CAMPAIGN_WINDOW_HOURS},
        _(
            "Their headlines and texts are near-duplicates: the mean estimated similarity of their "
            "%(size)d-character shingles is %(similarity).2f; the threshold is %(threshold).2f."
        )
        % {
            "size": settings.CAMPAIGN_SHINGLE_SIZE,
            "similarity": campaign.similarity,
            "threshold": settings.CAMPAIGN_SIMILARITY,
        },
    ]
    if campaign.agency_count:
        sentences.append(
            ngettext(
                "The accounts belong to influencers of %(count)d agency.",
                "The accounts belong to influencers of %(count)d agencies.",
                campaign.agency_count,
            )
            % {"count": campaign.agency_count}
        )
    variants = headline_variants(campaign)
    if len(variants) > 1:
        sentences.append(
            _(
                "The content ran under %(count)d headline variants; "
                "the most viewed, “%(headline)s”, drew %(views)s views."
            )
            % {"count": len(variants), "headline": variants[0]["headline"], "views": f"{variants[0]['views']:,}"}
        )
    return sentences


def campaign_status_counts() -> dict[str, int]:
    """How many campaigns are in each status (one query; statuses without campaigns: 0)."""
    counts = dict.fromkeys(CampaignStatus.values, 0)
    counts.update(dict(Campaign.objects.order_by().values_list("status").annotate(n=Count("pk"))))
    return counts
