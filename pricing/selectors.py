"""Reads of pricing that are more than a one-line queryset."""

from __future__ import annotations

from django.conf import settings
from django.db.models import BigIntegerField, Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate

from ledger.models import FollowerSnapshot, PlatformAccount
from pricing import figures
from pricing.models import DurationTier, MarketBenchmark, RateQuote


def followers_at_observation() -> Subquery:
    """The follower count of the quote's account on its ``observed_on``, as a subquery.

    That is the newest snapshot captured on or before the end of that day in
    Asia/Shanghai (served by the snapshots' (account, captured_at) index).
    """
    return Subquery(
        FollowerSnapshot.objects.filter(account=OuterRef("account"))
        .annotate(captured_on=TruncDate("captured_at", tzinfo=figures.OBSERVATION_ZONE))
        .filter(captured_on__lte=OuterRef("observed_on"))
        .order_by("-captured_at")
        .values("follower_count")[:1],
        output_field=BigIntegerField(),
    )


def follower_band_case(followers: str) -> Case:
    """The code of the follower band (``figures.follower_bands``) of the count in ``followers``."""
    bands = figures.follower_bands()
    whens = [When(**{f"{followers}__lt": band.max_followers}, then=Value(band.code)) for band in bands[:-1]]
    whens.append(When(**{f"{followers}__isnull": False}, then=Value(bands[-1].code)))
    return Case(*whens, default=None, output_field=CharField())


def _benchmark_of_quote() -> QuerySet[MarketBenchmark]:
    # Deliverables match, so the tier is either equal or (not a short video) empty on both sides.
    return MarketBenchmark.objects.filter(
        Q(tier=OuterRef("tier")) | Q(tier__isnull=True),
        platform=OuterRef("account__platform"),
        deliverable=OuterRef("deliverable"),
        currency=OuterRef("currency"),
        band=OuterRef("follower_band"),
    )


def quote_list() -> QuerySet[RateQuote]:
    """Quotes with everything their derived figures need, computed in the database.

    Annotates ``followers_at_observation``, ``follower_band`` and the matching
    benchmark's ``benchmark_p25``, ``benchmark_median`` and ``benchmark_p75``
    as subqueries, so a page of quotes costs the same queries whatever its size.
    """
    bench = _benchmark_of_quote()
    return (
        RateQuote.objects.select_related("account", "account__influencer", "tier")
        .annotate(followers_at_observation=followers_at_observation())
        .annotate(follower_band=follower_band_case("followers_at_observation"))
        .annotate(
            benchmark_p25=Subquery(bench.values("p25")[:1]),
            benchmark_median=Subquery(bench.values("median")[:1]),
            benchmark_p75=Subquery(bench.values("p75")[:1]),
        )
    )


def outliers_q(*, outlier: bool = True) -> Q:
    """Quotes outside [p25 / factor, p75 x factor] of their benchmark (needs ``quote_list``'s annotations)."""
    factor = settings.PRICING_OUTLIER_FACTOR
    # price x factor < p25 rather than price < p25 / factor: exact decimals, no division
    below = Q(benchmark_p25__gt=F("price") * factor)
    outside = below | Q(price__gt=F("benchmark_p75") * factor)
    has_benchmark = Q(benchmark_p25__isnull=False, benchmark_p75__isnull=False)
    return has_benchmark & outside if outlier else has_benchmark & ~outside


def rate_card(*, account: PlatformAccount) -> list[RateQuote]:
    """The account's latest quote per deliverable, tier and price kind (newest observation, then newest record)."""
    quotes = (
        quote_list()
        .filter(account=account)
        .order_by("deliverable", "tier__min_seconds", "price_kind", "-observed_on", "-recorded_at", "-id")
    )
    card: dict[tuple, RateQuote] = {}
    for quote in quotes:
        card.setdefault((quote.deliverable, quote.tier_id, quote.price_kind), quote)
    return list(card.values())


def quotes_recent(*, account: PlatformAccount, limit: int = 50) -> list[RateQuote]:
    """The ``limit`` most recently observed quotes of one account, with their figures."""
    return list(quote_list().filter(account=account).order_by("-observed_on", "-id")[:limit])


def tier_for_seconds(seconds: int) -> DurationTier | None:
    """The tier that contains a video length in seconds, if any."""
    return (
        DurationTier.objects.filter(min_seconds__lte=seconds)
        .filter(Q(max_seconds__isnull=True) | Q(max_seconds__gte=seconds))
        .first()
    )


def benchmark_list() -> QuerySet[MarketBenchmark]:
    return MarketBenchmark.objects.select_related("tier")
