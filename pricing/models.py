"""Pricing: duration tiers, rate quotes and market benchmarks."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import IntegerRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from core import limits, numbers
from core.models import in_choices
from ledger.choices import Platform
from ledger.models import PlatformAccount
from pricing import figures
from pricing.choices import Deliverable, PriceKind
from pricing.currencies import CURRENCIES, CURRENCY_REFUSED, validate_currency

CURRENCY_PATTERN = r"^[A-Z]{3}$"
CODE_PATTERN = r"^[a-z0-9_]+$"
SOURCE_URL_MAX_LENGTH = 1000


# A tier is required for short videos and refused for every other deliverable.
TIER_IFF_SHORT_VIDEO = Q(deliverable=Deliverable.SHORT_VIDEO, tier__isnull=False) | (
    ~Q(deliverable=Deliverable.SHORT_VIDEO) & Q(tier__isnull=True)
)


class IntRange(Func):
    """PostgreSQL ``int4range(lower, upper, bounds)``; a NULL upper bound is unbounded."""

    function = "int4range"
    output_field = IntegerRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """PostgreSQL's exclusion constraint, whose model validation is left to the model's
    ``clean()`` (it names the clashing row), so ``validate`` does nothing here.
    """

    def validate(self, model, instance, exclude=None, using="default"):
        return None


def deliverable_label(deliverable: str, tier: DurationTier | None) -> str:
    """``short video 21-60 s`` (the tier's label), ``live stream``: what a quote or order is for."""
    name = Deliverable(deliverable).label if deliverable in Deliverable.values else deliverable
    return f"{name} {tier.label}" if tier is not None else str(name)


class DurationTier(models.Model):
    """A band of video length that prices are quoted by (1-20 s, 21-60 s, 61 s and over).

    ``min_seconds`` and ``max_seconds`` are inclusive; ``max_seconds`` is empty for
    the open top tier. Tiers never overlap.
    """

    code = models.CharField(
        _("code"), max_length=30, unique=True, help_text=_("Stable identifier, e.g. s21_60 (a-z, 0-9, _).")
    )
    label = models.CharField(_("label"), max_length=100)
    min_seconds = models.PositiveIntegerField(_("from (seconds)"))
    max_seconds = models.PositiveIntegerField(
        _("to (seconds)"), null=True, blank=True, help_text=_("Inclusive; empty for no upper bound.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("duration tier")
        verbose_name_plural = _("duration tiers")
        ordering = ["min_seconds"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=CODE_PATTERN), name="tier_code_format"),
            models.CheckConstraint(
                condition=Q(min_seconds__gte=1),
                name="tier_min_seconds_positive",
                violation_error_message=_("A tier starts at 1 second or later."),
            ),
            models.CheckConstraint(
                condition=Q(max_seconds__isnull=True) | Q(max_seconds__gte=models.F("min_seconds")),
                name="tier_max_not_below_min",
                violation_error_message=_("A tier cannot end before it starts."),
            ),
            PostgresExclusionConstraint(
                name="tier_ranges_do_not_overlap",
                expressions=[
                    (
                        IntRange("min_seconds", "max_seconds", RangeBoundary(inclusive_upper=True)),
                        RangeOperators.OVERLAPS,
                    )
                ],
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def contains(self, seconds: int) -> bool:
        return seconds >= self.min_seconds and (self.max_seconds is None or seconds <= self.max_seconds)

    def overlapping(self) -> models.QuerySet[DurationTier]:
        """Other tiers whose range shares a second with this one."""
        qs = DurationTier.objects.filter(Q(max_seconds__isnull=True) | Q(max_seconds__gte=self.min_seconds))
        if self.max_seconds is not None:
            qs = qs.filter(min_seconds__lte=self.max_seconds)
        return qs.exclude(pk=self.pk) if self.pk else qs

    def clean(self) -> None:
        """Tiers never overlap (the rule of the PostgreSQL exclusion constraint, on every database)."""
        super().clean()
        if self.min_seconds is None or (self.max_seconds is not None and self.max_seconds < self.min_seconds):
            return  # the field and check-constraint validation report these
        clash = self.overlapping().first()
        if clash is not None:
            raise ValidationError(
                {"min_seconds": _("This range overlaps the tier %(tier)s.") % {"tier": f"{clash.code} ({clash})"}}
            )


class RateQuote(models.Model):
    """A price for one deliverable by one account, observed on a date from a source.

    A new observation is a new row: quote history is never overwritten. The
    derived figures (per-10k followers, market ratio, outlier) are computed on
    reading, by ``pricing.selectors.quote_list``.
    """

    account = models.ForeignKey(
        PlatformAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="quotes"
    )
    deliverable = models.CharField(_("deliverable"), max_length=20, choices=Deliverable.choices)
    tier = models.ForeignKey(
        DurationTier,
        verbose_name=_("duration tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text=_("Required for short videos, empty otherwise."),
    )
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default=figures.DEFAULT_CURRENCY,
        validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. CNY."),
    )
    price_kind = models.CharField(_("price kind"), max_length=30, choices=PriceKind.choices)
    observed_on = models.DateField(_("observed on"), validators=[limits.validate_past])
    valid_until = models.DateField(_("valid until"), null=True, blank=True, validators=[limits.validate_scheduled])
    source_url = models.URLField(_("source URL"), max_length=SOURCE_URL_MAX_LENGTH, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.CharField(
        _("recorded by"), max_length=200, editable=False, help_text=_("user:NAME, command:NAME or task:NAME")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rate quote")
        verbose_name_plural = _("rate quotes")
        ordering = ["-observed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=limits.date_range_check("observed_on"), name="ratequote_observed_on_plausible"
            ),
            models.CheckConstraint(
                condition=limits.date_range_check("valid_until", nullable=True), name="ratequote_valid_until_plausible"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="quote_price_non_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(currency__in=sorted(CURRENCIES)),
                name="quote_currency_iso4217",
                violation_error_message=CURRENCY_REFUSED,
            ),
            models.CheckConstraint(
                condition=TIER_IFF_SHORT_VIDEO,
                name="quote_tier_iff_short_video",
                violation_error_message=_("A short video needs a duration tier; other deliverables have none."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("observed_on")),
                name="quote_valid_until_not_before_observed",
                violation_error_message=_("A quote cannot expire before it was observed."),
            ),
            models.CheckConstraint(condition=in_choices("deliverable", Deliverable), name="quote_deliverable_valid"),
            models.CheckConstraint(condition=in_choices("price_kind", PriceKind), name="quote_price_kind_valid"),
            # One observation is recorded once: the natural key of a quote (bulk ingest matches on it).
            models.UniqueConstraint(
                fields=["account", "tier", "deliverable", "price_kind", "observed_on", "source_url"],
                nulls_distinct=False,
                name="quote_one_per_observation",
                violation_error_message=_(
                    "This observation (account, tier, deliverable, kind, date, source) is already recorded."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "observed_on"], name="quote_account_observed"),
            models.Index(fields=["observed_on"], name="quote_observed_on"),
        ]

    def __str__(self) -> str:
        """``laok (Douyin): short video 21-60 s, 26,000.00 CNY on 2025-09-05``."""
        return _("%(account)s: %(what)s, %(price)s %(currency)s on %(day)s") % {
            "account": self.account,
            "what": deliverable_label(self.deliverable, self.tier if self.tier_id else None),
            "price": numbers.money(self.price),
            "currency": self.currency,
            "day": self.observed_on,
        }

    # Derived figures: they need the annotations of pricing.selectors.quote_list().

    @property
    def price_per_10k_followers(self) -> Decimal | None:
        return figures.per_10k_followers(self.price, self.followers_at_observation)

    @property
    def market_ratio(self) -> Decimal | None:
        return figures.market_ratio(self.price, self.benchmark_median)

    @property
    def is_outlier(self) -> bool | None:
        return figures.is_outlier(self.price, self.benchmark_p25, self.benchmark_p75)


class MarketBenchmark(models.Model):
    """Market prices of one platform x deliverable x tier x follower band x currency.

    Derived from the quotes observed in a trailing window (``window_days``
    ending on ``as_of``) by ``benchmarks_recompute``; one row per key, replaced
    when recomputed.
    """

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    deliverable = models.CharField(_("deliverable"), max_length=20, choices=Deliverable.choices)
    tier = models.ForeignKey(
        DurationTier,
        verbose_name=_("duration tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benchmarks",
    )
    currency = models.CharField(
        _("currency"), max_length=3, default=figures.DEFAULT_CURRENCY, validators=[validate_currency]
    )
    band = models.CharField(_("follower band"), max_length=40, help_text=_("e.g. 500k_1m"))
    band_min = models.BigIntegerField(_("band from (followers)"))
    band_max = models.BigIntegerField(_("band to (followers, exclusive)"), null=True, blank=True)
    count = models.PositiveIntegerField(_("quotes"))
    p25 = models.DecimalField(_("25th percentile"), max_digits=14, decimal_places=2)
    median = models.DecimalField(_("median"), max_digits=14, decimal_places=2)
    p75 = models.DecimalField(_("75th percentile"), max_digits=14, decimal_places=2)
    median_per_10k_followers = models.DecimalField(
        _("median per 10k followers"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    window_days = models.PositiveIntegerField(_("window (days)"))
    as_of = models.DateField(_("as of"), help_text=_("Last day of the window."), validators=[limits.validate_scheduled])
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("market benchmark")
        verbose_name_plural = _("market benchmarks")
        ordering = ["platform", "deliverable", "tier__min_seconds", "currency", "band_min"]
        constraints = [
            models.CheckConstraint(condition=limits.date_range_check("as_of"), name="marketbenchmark_as_of_plausible"),
            models.UniqueConstraint(
                fields=["platform", "deliverable", "tier", "currency", "band"],
                condition=Q(tier__isnull=False),
                name="benchmark_one_per_key_with_tier",
            ),
            models.UniqueConstraint(
                fields=["platform", "deliverable", "currency", "band"],
                condition=Q(tier__isnull=True),
                name="benchmark_one_per_key_without_tier",
            ),
            models.CheckConstraint(condition=TIER_IFF_SHORT_VIDEO, name="benchmark_tier_iff_short_video"),
            models.CheckConstraint(condition=Q(count__gte=1), name="benchmark_count_positive"),
            models.CheckConstraint(
                condition=Q(p25__gte=0) & Q(median__gte=models.F("p25")) & Q(p75__gte=models.F("median")),
                name="benchmark_percentiles_ordered",
            ),
            models.CheckConstraint(
                condition=Q(band_min__gte=0) & (Q(band_max__isnull=True) | Q(band_max__gt=models.F("band_min"))),
                name="benchmark_band_bounds",
            ),
            models.CheckConstraint(condition=Q(currency__in=sorted(CURRENCIES)), name="benchmark_currency_iso4217"),
            models.CheckConstraint(condition=in_choices("platform", Platform), name="benchmark_platform_valid"),
            models.CheckConstraint(
                condition=in_choices("deliverable", Deliverable), name="benchmark_deliverable_valid"
            ),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="benchmark_window_positive"),
        ]

    def __str__(self) -> str:
        """``Douyin, short video 1-20 s, 100,000-500,000 followers (CNY)``."""
        return _("%(platform)s, %(what)s, %(band)s (%(currency)s)") % {
            "platform": self.get_platform_display(),
            "what": deliverable_label(self.deliverable, self.tier if self.tier_id else None),
            "band": self.band_label,
            "currency": self.currency,
        }

    @property
    def band_label(self) -> str:
        """The follower band as a reader says it: ``under 100,000 followers``, ``100,000-500,000 followers``."""
        return figures.band_label(self.band_min, self.band_max)
