"""Writes to pricing that carry rules. The admin, the API, commands, the import and tasks call these."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import journal, limits, numbers
from core.errors import DomainError
from ledger.models import PlatformAccount
from pricing import figures
from pricing.choices import Deliverable, PriceKind
from pricing.currencies import CURRENCY_REFUSED, is_currency
from pricing.models import SOURCE_URL_MAX_LENGTH, DurationTier, MarketBenchmark, RateQuote
from pricing.selectors import followers_at_observation

MAX_PRICE_DIGITS, PRICE_DECIMALS = 14, 2
_url = URLValidator(schemes=["http", "https"])
_UNSET: Any = object()


# --- quotes -----------------------------------------------------------------------


def quote_problems(
    *,
    deliverable: str,
    tier: DurationTier | None,
    price: Decimal | None,
    currency: str,
    price_kind: str,
    observed_on: date | None,
    valid_until: date | None = None,
    source_url: str = "",
) -> list[tuple[str, str]]:
    """Every rule a quote's values break, as ``(field, message)``; empty when the quote is valid."""
    problems: list[tuple[str, str]] = []
    if deliverable not in Deliverable.values:
        problems.append(("deliverable", _("Unknown deliverable %r.") % deliverable))
    elif deliverable == Deliverable.SHORT_VIDEO and tier is None:
        problems.append(("tier", _("A short video needs a duration tier.")))
    elif deliverable != Deliverable.SHORT_VIDEO and tier is not None:
        problems.append(("tier", _("Only short videos have a duration tier.")))
    if price is None or not price.is_finite():
        problems.append(("price", _("A price is a number.")))
    elif price < 0:
        problems.append(("price", _("A price cannot be negative.")))
    else:
        whole, places = numbers.digits(price)
        if places > PRICE_DECIMALS:
            problems.append(("price", _("A price has at most 2 decimal places.")))
        elif whole > MAX_PRICE_DIGITS - PRICE_DECIMALS:
            problems.append(("price", _("A price has at most 12 digits before the decimal point.")))
    if not is_currency(currency):
        problems.append(("currency", str(CURRENCY_REFUSED)))
    if price_kind not in PriceKind.values:
        problems.append(("price_kind", _("Unknown price kind %r.") % price_kind))
    if observed_on is None:
        problems.append(("observed_on", _("The date the price was observed is required.")))
    elif problem := limits.date_problem(observed_on, past=True):
        problems.append(("observed_on", problem))
    elif valid_until is not None and valid_until < observed_on:
        problems.append(("valid_until", _("A quote cannot expire before it was observed.")))
    if problem := limits.date_problem(valid_until, past=False):
        problems.append(("valid_until", problem))
    if source_url:
        try:
            _url(source_url)
        except ValidationError:
            problems.append(("source_url", _("Enter a valid http(s) URL.")))
        if len(source_url) > SOURCE_URL_MAX_LENGTH:
            problems.append(("source_url", _("The URL is too long.")))
    return problems


def _raise_first(problems: list[tuple[str, str]]) -> None:
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)


@transaction.atomic
def quote_record(
    *,
    account: PlatformAccount,
    deliverable: str,
    tier: DurationTier | None,
    price: Decimal,
    price_kind: str,
    observed_on: date,
    currency: str = figures.DEFAULT_CURRENCY,
    valid_until: date | None = None,
    source_url: str = "",
    notes: str = "",
) -> RateQuote:
    """Record one observed price. A new observation is always a new quote; history is never overwritten."""
    _raise_first(
        quote_problems(
            deliverable=deliverable,
            tier=tier,
            price=price,
            currency=currency,
            price_kind=price_kind,
            observed_on=observed_on,
            valid_until=valid_until,
            source_url=source_url,
        )
    )
    return RateQuote.objects.create(
        account=account,
        deliverable=deliverable,
        tier=tier,
        price=price,
        currency=currency,
        price_kind=price_kind,
        observed_on=observed_on,
        valid_until=valid_until,
        source_url=source_url,
        notes=notes,
        recorded_by=journal.current_actor(),
    )


AMENDABLE_FIELDS = ("valid_until", "source_url", "notes")


@transaction.atomic
def quote_amend(
    *, quote: RateQuote, valid_until: date | None = _UNSET, source_url: str = _UNSET, notes: str = _UNSET
) -> RateQuote:
    """Correct what was noted about a quote (validity, source, notes); the observation itself never changes."""
    changes = {
        name: value
        for name, value in (("valid_until", valid_until), ("source_url", source_url), ("notes", notes))
        if value is not _UNSET
    }
    new = {name: changes.get(name, getattr(quote, name)) for name in AMENDABLE_FIELDS}
    _raise_first(
        quote_problems(
            deliverable=quote.deliverable,
            tier=quote.tier,
            price=quote.price,
            currency=quote.currency,
            price_kind=quote.price_kind,
            observed_on=quote.observed_on,
            valid_until=new["valid_until"],
            source_url=new["source_url"],
        )
    )
    for name, value in changes.items():
        setattr(quote, name, value)
    if changes:
        quote.save(update_fields=list(changes))
    return quote


# --- benchmarks -------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkRun:
    """What one recomputation did."""

    as_of: date
    window_days: int
    quotes: int
    created: int
    updated: int
    deleted: int
    unchanged: int


BenchmarkKey = tuple[str, str, int | None, str, str]  # platform, deliverable, tier id, currency, band
_FIGURES = ("band_min", "band_max", "count", "p25", "median", "p75", "median_per_10k_followers", "window_days", "as_of")
QUARTILES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))


def _benchmark_figures(*, as_of: date, window_days: int) -> tuple[dict[BenchmarkKey, dict[str, Any]], int]:
    """Percentiles of the quotes observed in the window, by key; and how many quotes were used."""
    start = as_of - timedelta(days=window_days - 1)
    bands = figures.follower_bands()
    prices: dict[BenchmarkKey, list[Decimal]] = defaultdict(list)
    per_10k: dict[BenchmarkKey, list[Decimal]] = defaultdict(list)
    rows = (
        RateQuote.objects.filter(observed_on__gte=start, observed_on__lte=as_of)
        .exclude(price_kind=PriceKind.ESTIMATE)
        .annotate(followers=followers_at_observation())
        .filter(followers__isnull=False)
        .order_by()
        .values_list("account__platform", "deliverable", "tier_id", "currency", "price", "followers")
    )
    used = 0
    for platform, deliverable, tier_id, currency, price, followers in rows.iterator(chunk_size=2000):
        band = next(b for b in bands if b.contains(followers))
        key: BenchmarkKey = (platform, deliverable, tier_id, currency, band.code)
        prices[key].append(price)
        if followers:
            per_10k[key].append(price * figures.TEN_THOUSAND / Decimal(followers))
        used += 1
    band_by_code = {b.code: b for b in bands}
    out: dict[BenchmarkKey, dict[str, Any]] = {}
    for key, values in prices.items():
        values.sort()
        p25, median, p75 = (figures.percentile(values, q) for q in QUARTILES)
        ratios = sorted(per_10k.get(key, []))
        band = band_by_code[key[4]]
        out[key] = {
            "band_min": band.min_followers,
            "band_max": band.max_followers,
            "count": len(values),
            "p25": p25,
            "median": median,
            "p75": p75,
            "median_per_10k_followers": figures.percentile(ratios, QUARTILES[1]) if ratios else None,
            "window_days": window_days,
            "as_of": as_of,
        }
    return out, used


@transaction.atomic
def benchmarks_recompute(*, as_of: date | None = None, window_days: int | None = None) -> BenchmarkRun:
    """Recompute the market benchmarks from the quotes in the trailing window ending on ``as_of``.

    ``as_of`` defaults to today (Asia/Shanghai) and ``window_days`` to
    ``PRICING_BENCHMARK_WINDOW_DAYS``. Each quote counts in the band of its
    account's followers on its observation day (quotes without a follower count
    then, and estimates, are left out). One row per key: rows whose figures did
    not change are left alone, changed ones updated, new ones created and keys
    without quotes any more deleted, all journaled like any other change.
    """
    as_of = as_of or timezone.localdate(timezone=figures.OBSERVATION_ZONE)
    window_days = window_days or settings.PRICING_BENCHMARK_WINDOW_DAYS
    if window_days < 1:
        raise DomainError(_("The window is at least one day."), field="window_days")
    computed, used = _benchmark_figures(as_of=as_of, window_days=window_days)

    with connection.cursor() as cursor:  # serialises recomputations: the second one sees the first one's rows
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('pricing.market_benchmarks'))")
    existing: dict[BenchmarkKey, MarketBenchmark] = {
        (b.platform, b.deliverable, b.tier_id, b.currency, b.band): b for b in MarketBenchmark.objects.all()
    }
    now = timezone.now()
    to_create: list[MarketBenchmark] = []
    updated, unchanged = 0, 0
    for key, values in computed.items():
        row = existing.get(key)
        if row is None:
            platform, deliverable, tier_id, currency, band = key
            to_create.append(
                MarketBenchmark(
                    platform=platform,
                    deliverable=deliverable,
                    tier_id=tier_id,
                    currency=currency,
                    band=band,
                    computed_at=now,
                    **values,
                )
            )
        elif all(getattr(row, name) == values[name] for name in _FIGURES):
            unchanged += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.computed_at = now
            row.save(update_fields=[*_FIGURES, "computed_at"])
            updated += 1
    MarketBenchmark.objects.bulk_create(to_create)
    stale = [row.pk for key, row in existing.items() if key not in computed]
    if stale:
        MarketBenchmark.objects.filter(pk__in=stale).delete()  # journaled by the table's trigger
    return BenchmarkRun(
        as_of=as_of,
        window_days=window_days,
        quotes=used,
        created=len(to_create),
        updated=updated,
        deleted=len(stale),
        unchanged=unchanged,
    )
