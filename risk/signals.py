"""The named signals of a risk score, computed for a batch of accounts or orders.

Each signal has a value between 0 (nothing found) and 1 (full strength), the
figures that show it and its evidence: API paths of the objects behind it. A
signal's contribution is ``value x weight`` (weights in ``RISK_WEIGHTS``, points);
a score is the sum of the contributions, at most 100 (see docs/risk.md).

Every function takes a batch of ids and reads it in a fixed number of queries;
the follower series checks are pure functions over the daily series.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.db.models import Aggregate, Count, F, FloatField, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from cases.models import LegalAction
from ledger.choices import AnomalyKind, FollowerInterval
from ledger.models import FollowerAnomaly, PlatformAccount
from ledger.selectors import FollowerPoint, follower_series
from pricing.selectors import outliers_q, quote_list
from reviews.choices import CampaignStatus, Verdict
from reviews.models import CampaignMember, Claim, Order, Review
from reviews.selectors import markup_at_least, order_list

EVIDENCE_LIMIT = 20  # paths per signal; the figures hold the full count
BAD_VERDICTS = (Verdict.FALSE, Verdict.MISLEADING)

ACCOUNT_SIGNALS = (
    "follower_anomalies",
    "unexplained_growth",
    "regular_series",
    "quote_outliers",
    "order_markup",
    "false_claims",
    "ai_content",
    "undisclosed_ads",
    "legal_actions",
    "campaign_suspected",
    "campaign_confirmed",
)
ORDER_SIGNALS = (
    "account_risk",
    "order_markup",
    "false_claims",
    "ai_content",
    "undisclosed_ads",
    "legal_actions",
    "campaign_suspected",
    "campaign_confirmed",
)


@dataclass
class Signal:
    """One signal of one account or order."""

    signal: str
    value: float = 0.0
    figures: dict[str, Any] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        weight = float(settings.RISK_WEIGHTS[self.signal])
        return {
            "signal": self.signal,
            "weight": weight,
            "value": round(self.value, 3),
            "contribution": round(weight * self.value, 1),
            "figures": self.figures,
            "evidence": self.evidence[:EVIDENCE_LIMIT],
        }


def score_of(signals: Iterable[Signal]) -> tuple[int, list[dict[str, Any]]]:
    """The score (0-100) and the signals as stored, strongest contribution first."""
    rows = sorted((s.as_dict() for s in signals), key=lambda r: (-r["contribution"], r["signal"]))
    total = sum(r["contribution"] for r in rows)
    return min(100, math.floor(total + 0.5)), rows  # rounded half up


def _path(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


# One legal action, or one campaign, is the whole story: these are at full strength from one.
FULL_AT_ONE = frozenset({"legal_actions", "campaign_suspected", "campaign_confirmed"})


def _count_value(name: str, n: int) -> float:
    return min(1.0, n / (1 if name in FULL_AT_ONE else settings.RISK_COUNT_FULL))


def _counted(name: str, ids: Iterable[int], pairs: Iterable[tuple[int, int]], url_name: str, figure: str) -> dict:
    """A count signal per id from (owner id, object id) pairs."""
    found: dict[int, list[int]] = defaultdict(list)
    for owner, pk in pairs:
        if pk not in found[owner]:
            found[owner].append(pk)
    return {
        i: Signal(
            name, _count_value(name, len(found[i])), {figure: len(found[i])}, [_path(url_name, pk) for pk in found[i]]
        )
        for i in ids
    }


# --- account signals -----------------------------------------------------------------


def follower_anomalies(ids: list[int]) -> dict[int, Signal]:
    """Days with a follower jump or robust-z outlier (drops do not count); a jump that is also an outlier is
    one day. The evidence lists every anomaly."""
    rows = (
        FollowerAnomaly.objects.filter(account_id__in=ids, kind__in=[AnomalyKind.JUMP, AnomalyKind.OUTLIER])
        .order_by("account_id", "-snapshot__captured_at", "id")
        .values_list("account_id", "snapshot_id", "id")
    )
    days: dict[int, set[int]] = defaultdict(set)
    found: dict[int, list[int]] = defaultdict(list)
    for account_id, snapshot_id, pk in rows:
        days[account_id].add(snapshot_id)
        found[account_id].append(pk)
    return {
        i: Signal(
            "follower_anomalies",
            _count_value("follower_anomalies", len(days[i])),
            {"anomaly_days": len(days[i]), "anomalies": len(found[i])},
            [_path("anomaly-detail", pk) for pk in found[i]],
        )
        for i in ids
    }


def quote_outliers(ids: list[int]) -> dict[int, Signal]:
    """Quotes outside their market benchmark's band (``PRICING_OUTLIER_FACTOR``)."""
    pairs = quote_list().filter(outliers_q(), account_id__in=ids).order_by("account_id", "-observed_on")
    return _counted("quote_outliers", ids, pairs.values_list("account_id", "id"), "quote-detail", "outlier_quotes")


def _markup_signal(rows: list[tuple[int, Decimal, Decimal]]) -> Signal:
    """``rows``: (order id, agreed price, rate-card price) of orders at or above ``RISK_MARKUP_MIN``."""
    if not rows:
        return Signal("order_markup", 0.0, {"orders_over_min": 0, "max_markup": None})
    markups = [(pk, float(agreed / rate)) for pk, agreed, rate in rows]
    highest = max(m for _, m in markups)
    low, full = settings.RISK_MARKUP_MIN, settings.RISK_MARKUP_FULL
    value = min(1.0, max(0.0, (highest - 1) / (full - 1))) if highest >= low else 0.0
    markups.sort(key=lambda pm: -pm[1])
    return Signal(
        "order_markup",
        value,
        {"orders_over_min": len(rows), "max_markup": round(highest, 2), "markup_min": low, "markup_full": full},
        [_path("order-detail", pk) for pk, _ in markups],
    )


def _orders_over_min(queryset) -> list[tuple[int, int, Decimal, Decimal]]:
    minimum = Decimal(str(settings.RISK_MARKUP_MIN))
    return list(markup_at_least(queryset, minimum).values_list("account_id", "id", "agreed_price", "rate_card_price"))


def order_markup(ids: list[int]) -> dict[int, Signal]:
    """Orders whose agreed price is ``RISK_MARKUP_MIN`` times the rate card or more; the highest markup counts."""
    by_account: dict[int, list] = defaultdict(list)
    for account_id, pk, agreed, rate in _orders_over_min(order_list().filter(account_id__in=ids)):
        by_account[account_id].append((pk, agreed, rate))
    return {i: _markup_signal(by_account[i]) for i in ids}


def false_claims(ids: list[int]) -> dict[int, Signal]:
    """Claims made by the account's content and found false or misleading."""
    pairs = (
        Claim.objects.filter(reviews__account_id__in=ids, verdict__in=BAD_VERDICTS)
        .order_by("reviews__account_id", "id")
        .values_list("reviews__account_id", "id")
    )
    return _counted("false_claims", ids, pairs, "claim-detail", "claims")


def _flagged_reviews(name: str, flag: str, ids: list[int]) -> dict[int, Signal]:
    pairs = (
        Review.objects.filter(account_id__in=ids, **{flag: True})
        .order_by("account_id", "-published_at")
        .values_list("account_id", "id")
    )
    return _counted(name, ids, pairs, "review-detail", "reviews")


def ai_content(ids: list[int]) -> dict[int, Signal]:
    """The account's content suspected of being AI-generated."""
    return _flagged_reviews("ai_content", "suspected_ai", ids)


def undisclosed_ads(ids: list[int]) -> dict[int, Signal]:
    """The account's content that is advertising without saying so."""
    return _flagged_reviews("undisclosed_ads", "undisclosed_ad", ids)


def legal_actions(ids: list[int]) -> dict[int, Signal]:
    """Legal actions naming the account, or the influencer behind it, as a defendant."""
    direct = LegalAction.defendant_accounts.through.objects.filter(platformaccount_id__in=ids).values_list(
        "platformaccount_id", "legalaction_id"
    )
    accounts = PlatformAccount.objects.filter(pk__in=ids)
    via_influencer = LegalAction.defendant_influencers.through.objects.filter(
        influencer__accounts__in=accounts
    ).values_list("influencer__accounts__id", "legalaction_id")
    pairs = sorted({*direct, *via_influencer})
    return _counted("legal_actions", ids, pairs, "legalaction-detail", "legal_actions")


def _campaigns(owner: str, ids: list[int]) -> tuple[dict[int, Signal], dict[int, Signal]]:
    """Suspected and confirmed campaigns among the content of ``owner`` (``review__account`` or ``review__orders``)."""
    members = CampaignMember.objects.filter(**{f"{owner}__in": ids}).order_by(owner, "campaign_id")
    found: dict[str, list[tuple[int, int]]] = {CampaignStatus.SUSPECTED: [], CampaignStatus.CONFIRMED: []}
    for who, campaign_id, status in members.values_list(owner, "campaign_id", "campaign__status"):
        if status in found:
            found[status].append((who, campaign_id))
    return (
        _counted("campaign_suspected", ids, found[CampaignStatus.SUSPECTED], "campaign-detail", "campaigns"),
        _counted("campaign_confirmed", ids, found[CampaignStatus.CONFIRMED], "campaign-detail", "campaigns"),
    )


def campaigns(ids: list[int]) -> tuple[dict[int, Signal], dict[int, Signal]]:
    """Campaigns the account's content belongs to: suspected (by detection) and confirmed, weighted apart."""
    return _campaigns("review__account", ids)


# --- the follower series ----------------------------------------------------------------


def daily_gains(points: list[FollowerPoint]) -> list[int]:
    """Changes between the last counts of consecutive calendar days (gaps are skipped)."""
    return [
        after.follower_count - before.follower_count
        for before, after in pairwise(points)
        if (after.period_start - before.period_start) <= timedelta(hours=25)  # one day, a DST change included
    ]


def regular_series_signal(points: list[FollowerPoint]) -> Signal:
    """Day-to-day gains too regular for an audience: coefficient of variation below ``RISK_REGULAR_MAX_CV``."""
    gains = daily_gains(points)
    figures: dict[str, Any] = {"days": len(gains), "min_days": settings.RISK_REGULAR_MIN_DAYS}
    if len(gains) < settings.RISK_REGULAR_MIN_DAYS:
        return Signal("regular_series", 0.0, figures)
    mean = statistics.fmean(gains)
    stdev = statistics.pstdev(gains)
    figures |= {"mean_daily_gain": round(mean, 1), "stdev": round(stdev, 1), "max_cv": settings.RISK_REGULAR_MAX_CV}
    if mean < settings.RISK_REGULAR_MIN_MEAN:
        return Signal("regular_series", 0.0, figures)
    cv = stdev / mean
    figures["cv"] = round(cv, 4)
    return Signal("regular_series", 1.0 if cv < settings.RISK_REGULAR_MAX_CV else 0.0, figures)


@dataclass(frozen=True)
class AudienceHalves:
    """Median views and interactions per review in the first and second half of the series window."""

    early_reviews: int
    late_reviews: int
    early_views: float | None
    late_views: float | None
    early_interactions: float | None
    late_interactions: float | None


def _growth(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before <= 0:
        return None
    return after / before - 1


def unexplained_growth_signal(points: list[FollowerPoint], audience: AudienceHalves | None) -> Signal:
    """Followers grew steadily by ``RISK_GROWTH_MIN`` or more while views and engagement per review did not."""
    figures: dict[str, Any] = {"growth_min": settings.RISK_GROWTH_MIN}
    if len(points) < 2 or points[0].follower_count <= 0:
        return Signal("unexplained_growth", 0.0, figures)
    growth = points[-1].follower_count / points[0].follower_count - 1
    gains = daily_gains(points)
    steady = sum(1 for g in gains if g > 0) / len(gains) if gains else 0.0
    figures |= {
        "from": points[0].follower_count,
        "to": points[-1].follower_count,
        "days": (points[-1].period_start - points[0].period_start).days,
        "follower_growth": round(growth, 4),
        "positive_days_share": round(steady, 3),
    }
    if audience is not None:
        views_growth = _growth(audience.early_views, audience.late_views)
        interactions_growth = _growth(audience.early_interactions, audience.late_interactions)
        figures |= {
            "reviews_first_half": audience.early_reviews,
            "reviews_second_half": audience.late_reviews,
            "views_per_review_growth": None if views_growth is None else round(views_growth, 4),
            "interactions_per_review_growth": None if interactions_growth is None else round(interactions_growth, 4),
        }
    enough = (
        audience is not None
        and min(audience.early_reviews, audience.late_reviews) >= settings.RISK_GROWTH_MIN_REVIEWS
        and views_growth is not None
    )
    if not enough or growth < settings.RISK_GROWTH_MIN or steady < settings.RISK_GROWTH_STEADY_SHARE:
        return Signal("unexplained_growth", 0.0, figures)
    audience_growth = max(g for g in (views_growth, interactions_growth) if g is not None)
    if audience_growth >= growth * settings.RISK_GROWTH_EXPLAINED_SHARE:
        return Signal("unexplained_growth", 0.0, figures)
    unexplained = growth - max(audience_growth, 0.0)
    figures["unexplained_growth"] = round(unexplained, 4)
    # graded: half strength at the minimum growth, full from twice that
    return Signal("unexplained_growth", min(1.0, unexplained / (2 * settings.RISK_GROWTH_MIN)), figures)


class Median(Aggregate):
    """The median (PostgreSQL ``percentile_cont(0.5)``): views per review are heavy-tailed, one viral video
    would move a mean."""

    function = "percentile_cont"
    name = "Median"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _audience_halves(ids: list[int]) -> dict[int, AudienceHalves]:
    """Per account: reviews with views in the two halves of the window ending at its newest snapshot."""
    days = settings.RISK_SERIES_DAYS
    end = F("account__followers_captured_at")
    start, mid = end - timedelta(days=days), end - timedelta(days=days / 2)
    interactions = Coalesce(F("likes"), 0) + Coalesce(F("comments"), 0) + Coalesce(F("shares"), 0)
    early, late = Q(published_at__lt=mid), Q(published_at__gte=mid)
    rows = (
        Review.objects.filter(account_id__in=ids, views__isnull=False, published_at__gte=start, published_at__lte=end)
        .order_by()
        .values("account_id")
        .annotate(
            early_reviews=Count("id", filter=early),
            late_reviews=Count("id", filter=late),
            early_views=Median("views", filter=early),
            late_views=Median("views", filter=late),
            early_interactions=Median(interactions, filter=early),
            late_interactions=Median(interactions, filter=late),
        )
    )
    return {
        r["account_id"]: AudienceHalves(
            r["early_reviews"],
            r["late_reviews"],
            *(None if r[k] is None else float(r[k]) for k in ("early_views", "late_views")),
            *(None if r[k] is None else float(r[k]) for k in ("early_interactions", "late_interactions")),
        )
        for r in rows
    }


def series_signals(ids: list[int]) -> tuple[dict[int, Signal], dict[int, Signal]]:
    """``unexplained_growth`` and ``regular_series`` of each account, from its daily series (one query)."""
    by_account: dict[int, list[FollowerPoint]] = defaultdict(list)
    for point in follower_series(account_ids=ids, interval=FollowerInterval.DAY):
        by_account[point.account_id].append(point)
    audience = _audience_halves(ids)
    growth, regular = {}, {}
    for account_id in ids:
        points = by_account[account_id]
        if points:
            since = points[-1].period_start - timedelta(days=settings.RISK_SERIES_DAYS)
            points = [p for p in points if p.period_start >= since]
        evidence = [f"{reverse('snapshot-list')}?account={account_id}"]
        if points:
            evidence[0] += f"&since={_iso(points[0].captured_at)}"
        growth[account_id] = unexplained_growth_signal(points, audience.get(account_id))
        regular[account_id] = regular_series_signal(points)
        for signal in (growth[account_id], regular[account_id]):
            if signal.value > 0:
                signal.evidence = evidence
    return growth, regular


def _iso(at: datetime | date) -> str:
    return at.isoformat().replace("+", "%2B")


def account_signals(ids: list[int]) -> dict[int, list[Signal]]:
    """Every account signal of each account in ``ids``."""
    growth, regular = series_signals(ids)
    suspected, confirmed = campaigns(ids)
    computed = [
        follower_anomalies(ids),
        growth,
        regular,
        quote_outliers(ids),
        order_markup(ids),
        false_claims(ids),
        ai_content(ids),
        undisclosed_ads(ids),
        legal_actions(ids),
        suspected,
        confirmed,
    ]
    return {i: [signals[i] for signals in computed] for i in ids}


# --- order signals ------------------------------------------------------------------------


def order_signals(ids: list[int]) -> dict[int, list[Signal]]:
    """Every order signal of each order in ``ids``: its markup, its content, its legal actions, its account."""
    orders = dict(Order.objects.filter(pk__in=ids).values_list("pk", "account_id"))
    account_scores = dict(PlatformAccount.objects.filter(pk__in=set(orders.values())).values_list("pk", "risk_score"))
    markups: dict[int, list] = defaultdict(list)
    for _account, pk, agreed, rate in _orders_over_min(order_list().filter(pk__in=ids)):
        markups[pk].append((pk, agreed, rate))
    claims = (
        Claim.objects.filter(reviews__orders__in=ids, verdict__in=BAD_VERDICTS)
        .order_by("reviews__orders", "id")
        .values_list("reviews__orders", "id")
    )
    ai = Review.objects.filter(orders__in=ids, suspected_ai=True).order_by("orders", "id").values_list("orders", "id")
    ads = (
        Review.objects.filter(orders__in=ids, undisclosed_ad=True).order_by("orders", "id").values_list("orders", "id")
    )
    actions = (
        LegalAction.objects.filter(case__orders__in=ids)
        .order_by("case__orders", "id")
        .values_list("case__orders", "id")
    )
    counted = [
        _counted("false_claims", ids, claims, "claim-detail", "claims"),
        _counted("ai_content", ids, ai, "review-detail", "reviews"),
        _counted("undisclosed_ads", ids, ads, "review-detail", "reviews"),
        _counted("legal_actions", ids, actions, "legalaction-detail", "legal_actions"),
        *_campaigns("review__orders", ids),
    ]
    result = {}
    for pk in ids:
        account_id = orders.get(pk)
        account_score = account_scores.get(account_id)
        account = Signal(
            "account_risk",
            (account_score or 0) / 100,
            {"account_score": account_score},
            [_path("account-detail", account_id)] if account_id and account_score else [],
        )
        result[pk] = [account, _markup_signal(markups[pk]), *(signals[pk] for signals in counted)]
    return result
