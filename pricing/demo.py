"""Demo pricing data, added by ``manage.py seed_demo`` (idempotent).

The investigated blogger's three press-reported quotes (18,000 / 26,000 /
38,000 CNY on 2025-09-12, at 600,000 followers), marketplace listings of other
demo accounts, and an invented "market panel" of Douyin and Kuaishou creators
across every follower band, so that the benchmarks mean something. One seized
record shows a black order priced far above the market. Every name is invented.
Quotes are matched on account, deliverable, tier, price kind and date; panel
accounts on platform and user id.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext

from ledger.choices import InfluencerKind, Platform, SnapshotSource
from ledger.models import Influencer, PlatformAccount
from ledger.services import snapshot_record
from pricing.choices import Deliverable, PriceKind
from pricing.models import DurationTier, RateQuote
from pricing.services import benchmarks_recompute, quote_record

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORTED_ON = date(2025, 9, 12)
AS_OF = date(2025, 9, 30)
PRESS_URL = "https://example.invalid/press/2025-09-12-black-pr-rate-card"

# platform, user id, tier code, price, price kind, observed on
NAMED_QUOTES = [
    # the investigated blogger's rate card, as reported
    (Platform.DOUYIN, "dy_60000001", "s1_20", "18000", PriceKind.PRESS_REPORT, REPORTED_ON),
    (Platform.DOUYIN, "dy_60000001", "s21_60", "26000", PriceKind.PRESS_REPORT, REPORTED_ON),
    (Platform.DOUYIN, "dy_60000001", "s61_plus", "38000", PriceKind.PRESS_REPORT, REPORTED_ON),
    # marketplace listings of other demo accounts
    (Platform.DOUYIN, "dy_60000002", "s1_20", "52000", PriceKind.MARKETPLACE_LISTING, REPORTED_ON),
    (Platform.DOUYIN, "dy_60000002", "s21_60", "68000", PriceKind.MARKETPLACE_LISTING, REPORTED_ON),
    (Platform.DOUYIN, "dy_60000003", "s1_20", "3500", PriceKind.MARKETPLACE_LISTING, REPORTED_ON),
    (Platform.DOUYIN, "dy_60000005", "s21_60", "260000", PriceKind.MARKETPLACE_LISTING, REPORTED_ON),
    (Platform.KUAISHOU, "ks_3000217", "s21_60", "5200", PriceKind.BROKER_QUOTE, REPORTED_ON),
    (Platform.KUAISHOU, "ks_3000999", "s21_60", "88000", PriceKind.MARKETPLACE_LISTING, REPORTED_ON),
    # a black order found in seized records: far above the market for its band
    (Platform.DOUYIN, "dy_60000004", "s61_plus", "420000", PriceKind.SEIZED_RECORD, date(2025, 9, 20)),
]
# platform, user id, deliverable, price, price kind: quotes for other deliverables (no tier)
UNTIERED_QUOTES = [
    (Platform.DOUYIN, "dy_60000001", Deliverable.LIVE_STREAM, "45000", PriceKind.BROKER_QUOTE),
    (Platform.WEIBO, "wb_5561239", Deliverable.IMAGE_POST, "1200", PriceKind.BROKER_QUOTE),
    (Platform.XIAOHONGSHU, "xhs_77ab90", Deliverable.IMAGE_POST, "9800", PriceKind.MARKETPLACE_LISTING),
    (Platform.TOUTIAO, "tt_77120", Deliverable.ARTICLE, "6000", PriceKind.MARKETPLACE_LISTING),
]

# The market panel: follower counts per platform, spread over the default bands.
PANEL = {
    Platform.DOUYIN: [
        *(32_000, 48_000, 61_000, 77_000, 93_000),
        *(150_000, 210_000, 290_000, 370_000, 460_000),
        *(530_000, 640_000, 710_000, 820_000, 940_000),
        *(1_200_000, 1_900_000, 2_600_000, 3_300_000, 4_500_000),
        *(5_400_000, 7_100_000, 9_800_000),
    ],
    Platform.KUAISHOU: [40_000, 85_000, 180_000, 260_000, 420_000, 550_000, 860_000, 1_500_000, 3_900_000],
}
PANEL_PREFIX = {Platform.DOUYIN: "dy", Platform.KUAISHOU: "ks"}
# Price of a tier relative to 1-20 s, after the blogger's 18,000 / 26,000 / 38,000.
TIER_FACTOR = {"s1_20": Decimal("1"), "s21_60": Decimal("1.45"), "s61_plus": Decimal("2.1")}
PANEL_SNAPSHOT_AT = datetime.combine(date(2025, 1, 1), time(12, 0), tzinfo=SHANGHAI)


def _account(platform: str, uid: str) -> PlatformAccount:
    return PlatformAccount.objects.get(platform=platform, platform_uid=uid)


def _ensure_quote(*, account: PlatformAccount, deliverable: str, tier: DurationTier | None, price: Decimal,
                  price_kind: str, observed_on: date, source_url: str = "", notes: str = "") -> bool:  # fmt: skip
    exists = RateQuote.objects.filter(
        account=account, deliverable=deliverable, tier=tier, price_kind=price_kind, observed_on=observed_on
    ).exists()
    if not exists:
        quote_record(
            account=account,
            deliverable=deliverable,
            tier=tier,
            price=price,
            price_kind=price_kind,
            observed_on=observed_on,
            source_url=source_url,
            notes=notes,
        )
    return not exists


def _panel_account(platform: str, n: int, followers: int) -> PlatformAccount:
    prefix = PANEL_PREFIX[platform]
    influencer, _ = Influencer.objects.get_or_create(
        display_name=f"Market panel creator {prefix.upper()}-{n:02d} (demo)",
        defaults={"kind": InfluencerKind.PERSON, "notes": "Invented account of the demo's market panel."},
    )
    account, _ = PlatformAccount.objects.get_or_create(
        platform=platform,
        platform_uid=f"{prefix}_panel_{n:02d}",
        defaults={
            "influencer": influencer,
            "handle": f"{prefix}_car_creator_{n:02d}",
            "profile_url": f"https://example.invalid/{platform}/{prefix}_panel_{n:02d}",
        },
    )
    if not account.snapshots.filter(captured_at=PANEL_SNAPSHOT_AT).exists():
        snapshot_record(
            account=account, captured_at=PANEL_SNAPSHOT_AT, follower_count=followers, source=SnapshotSource.IMPORT
        )
    return account


def seed(*, command) -> None:
    """Add the demo quotes and recompute the benchmarks as of 2025-09-30."""
    tiers = {tier.code: tier for tier in DurationTier.objects.all()}
    created = 0
    with transaction.atomic():
        for platform, uid, tier_code, price, kind, observed_on in NAMED_QUOTES:
            created += _ensure_quote(
                account=_account(platform, uid),
                deliverable=Deliverable.SHORT_VIDEO,
                tier=tiers[tier_code],
                price=Decimal(price),
                price_kind=kind,
                observed_on=observed_on,
                source_url=PRESS_URL if kind == PriceKind.PRESS_REPORT else "",
            )
        for platform, uid, deliverable, price, kind in UNTIERED_QUOTES:
            created += _ensure_quote(
                account=_account(platform, uid),
                deliverable=deliverable,
                tier=None,
                price=Decimal(price),
                price_kind=kind,
                observed_on=REPORTED_ON,
            )
        for platform, counts in PANEL.items():
            for n, followers in enumerate(counts, start=1):
                account = _panel_account(platform, n, followers)
                rng = random.Random(f"{platform}-{n}")  # stable per account
                per_10k = Decimal(rng.randrange(250, 650))  # CNY per 10k followers for 1-20 s
                observed_on = date(2025, 3, 1) + timedelta(days=rng.randrange(190))
                for code, factor in TIER_FACTOR.items():
                    price = (Decimal(followers) / 10_000 * per_10k * factor).quantize(Decimal("100"))
                    created += _ensure_quote(
                        account=account,
                        deliverable=Deliverable.SHORT_VIDEO,
                        tier=tiers[code],
                        price=price,
                        price_kind=PriceKind.MARKETPLACE_LISTING,
                        observed_on=observed_on,
                    )
    command.stdout.write(
        gettext("  pricing: %(created)d new quote(s), %(total)d in all")
        % {"created": created, "total": RateQuote.objects.count()}
    )
    run = benchmarks_recompute(as_of=AS_OF)
    command.stdout.write(
        gettext(
            "  pricing: benchmarks as of %(as_of)s from %(quotes)d quotes: %(created)d created, "
            "%(updated)d updated, %(deleted)d deleted, %(unchanged)d unchanged"
        )
        % {
            "as_of": run.as_of,
            "quotes": run.quotes,
            "created": run.created,
            "updated": run.updated,
            "deleted": run.deleted,
            "unchanged": run.unchanged,
        }
    )
