# ruff: noqa: RUF001 - Chinese text with its own (full-width) punctuation
"""Demo reviews, claims and a confirmed black order (called by ``manage.py seed_demo``).

The story of domain.md: the two fabricated claims of 2025 (NIO cars catch fire
spontaneously; XIAOMI doors cannot be opened after a collision), both found
false, made by videos of the 600,000-follower blogger (douyin ``dy_60000001``)
and a second account; and the order behind his NIO video, agreed far above his
rate card of 18,000 / 26,000 / 38,000 CNY and paid (with a bonus) above the
agreed price. Within two days of his XIAOMI video, five accounts of three
agencies post the same "doors cannot be opened after a collision" smear in
Chinese under four headline variants: the coordinated campaign that detection
finds. Accounts, agencies, URLs and verdict authors are invented.

Idempotent: targets are matched on name and parent, reviews on URL, claims on
text, the order on account, date and price, payments on reference; the order
moves on only from where it stands.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext

from ledger.models import Agency, Influencer, PlatformAccount
from parties.services import party_for_agency, party_for_influencer
from pricing.choices import Deliverable
from pricing.models import DurationTier
from reviews import selectors, services
from reviews.choices import ORDER_TRANSITIONS, OrderStatus, PaymentChannel, ReviewStatus, Stance, TargetKind, Verdict
from reviews.models import Campaign, Claim, Order, Review, Target

SHANGHAI = ZoneInfo("Asia/Shanghai")
BLOGGER = ("douyin", "dy_60000001")
ORDERED_ON = date(2025, 9, 14)
AGREED_PRICE = Decimal("95000.00")

# name, kind, parent name
TARGETS = [
    ("XIAOMI", TargetKind.BRAND, None),
    ("XIAOMI SU7", TargetKind.PRODUCT, "XIAOMI"),
    ("XPeng", TargetKind.BRAND, None),
    ("XPeng G6", TargetKind.PRODUCT, "XPeng"),
    ("NIO", TargetKind.BRAND, None),
    ("NIO ES6", TargetKind.PRODUCT, "NIO"),
    ("Deepal", TargetKind.BRAND, None),
    ("Deepal S07", TargetKind.PRODUCT, "Deepal"),
]

NIO_FIRE_URL = "https://example.invalid/douyin/dy_60000001/video/7415500000000000001"
XIAOMI_DOORS_URL = "https://example.invalid/douyin/dy_60000001/video/7416200000000000002"
NIO_FIRE_REPOST_URL = "https://example.invalid/douyin/dy_60000002/video/7415900000000000003"

# platform, uid, url, post id, headline, text, published (Shanghai), seconds, targets,
# suspected AI, undisclosed ad, views, likes, comments, shares
REVIEWS = [
    (
        *BLOGGER,
        NIO_FIRE_URL,
        "7415500000000000001",
        "Parked NIO ES6 bursts into flames by itself: no crash, no charging! (停着的蔚来自燃了)",
        "Look at this: the car was just parked, nobody touched it, and it caught fire. NIO cars catch fire "
        "spontaneously, and after a collision it is even worse. Think twice before you buy one.",
        datetime(2025, 9, 16, 20, 30, tzinfo=SHANGHAI),
        48,
        ["NIO", "NIO ES6"],
        False,
        True,
        1_830_000,
        64_200,
        9_870,
        12_400,
    ),
    (
        *BLOGGER,
        XIAOMI_DOORS_URL,
        "7416200000000000002",
        "Trapped! XIAOMI SU7 doors cannot be opened after a collision (小米车门撞后打不开)",
        "After a collision the doors of the XIAOMI SU7 cannot be opened, from inside or outside. "
        "Rescuers could not get the driver out.",
        datetime(2025, 9, 18, 19, 0, tzinfo=SHANGHAI),
        75,
        ["XIAOMI SU7"],
        False,
        True,
        2_410_000,
        88_900,
        15_300,
        20_100,
    ),
    (
        "douyin",
        "dy_60000002",
        NIO_FIRE_REPOST_URL,
        "7415900000000000003",
        "NIO fire again?! Spontaneous combustion caught on camera",
        "AI-narrated clip repeating that NIO cars catch fire spontaneously.",
        datetime(2025, 9, 17, 12, 15, tzinfo=SHANGHAI),
        18,
        ["NIO"],
        True,
        False,
        460_000,
        12_800,
        2_100,
        3_900,
    ),
]
ENGAGEMENT_CAPTURED_AT = datetime(2025, 9, 25, 12, 0, tzinfo=SHANGHAI)

# The coordinated smear against XIAOMI: one script, lightly reworded, under headline variants.
SMEAR_TEXT = (
    "网友爆料：小米SU7发生碰撞以后，四个车门全部打不开，车主被困在车里出不来，"
    "救援人员只能砸窗救人。电子门把手断电就失灵，这样的设计太危险了，"
    "买车之前一定要慎重考虑，家人的安全最重要。"
)
SMEAR_VARIANT = (
    "刚看到网友爆料：小米SU7发生碰撞以后，四个车门全部打不开，车主被困在车里出不来，"
    "救援人员只能砸窗救人。电子门把手断电就失灵，这种设计太危险了，"
    "大家买车之前一定要慎重考虑，家人的安全最重要！"
)
# platform, uid, post id, headline, text, published (Shanghai), seconds, targets, views
CAMPAIGN_REVIEWS = [
    (
        "douyin",
        "dy_60000002",
        "7416300000000000011",
        "小米SU7撞车后车门打不开！车主被困车内",
        SMEAR_TEXT,
        datetime(2025, 9, 18, 21, 40, tzinfo=SHANGHAI),
        38,
        ["XIAOMI SU7"],
        3_200_000,
    ),
    (
        "kuaishou",
        "ks_3000999",
        "5203300000000000012",
        "【曝光】小米汽车碰撞后车门竟然打不开",
        SMEAR_VARIANT,
        datetime(2025, 9, 19, 8, 5, tzinfo=SHANGHAI),
        52,
        ["XIAOMI"],
        870_000,
    ),
    (
        "toutiao",
        "tt_77120",
        "7416400000000000013",
        "小米SU7撞车后车门打不开！车主被困车内",
        SMEAR_TEXT,
        datetime(2025, 9, 19, 12, 30, tzinfo=SHANGHAI),
        41,
        ["XIAOMI SU7"],
        410_000,
    ),
    (
        "douyin",
        "dy_60000003",
        "7416500000000000014",
        "小米车门撞后打不开？救援只能砸窗",
        SMEAR_VARIANT,
        datetime(2025, 9, 19, 22, 10, tzinfo=SHANGHAI),
        29,
        ["XIAOMI SU7"],
        156_000,
    ),
    (
        "weibo",
        "wb_7781002",
        "4950000000000000015",
        "买小米前必看：碰撞后车门打不开",
        SMEAR_TEXT,
        datetime(2025, 9, 20, 9, 45, tzinfo=SHANGHAI),
        None,
        ["XIAOMI"],
        98_000,
    ),
]


def campaign_review_url(platform: str, uid: str, post_id: str) -> str:
    return f"https://example.invalid/{platform}/{uid}/post/{post_id}"


# text, target, review URLs, verdict, verdict on, verdict by, verdict URL
CLAIMS = [
    (
        "NIO cars catch fire spontaneously (and after collisions).",
        "NIO",
        [NIO_FIRE_URL, NIO_FIRE_REPOST_URL],
        Verdict.FALSE,
        date(2025, 10, 10),
        "Special rectification action working group (demo)",
        "https://example.invalid/verdicts/2025-10-10-nio-spontaneous-combustion",
    ),
    (
        "XIAOMI car doors cannot be opened after a collision.",
        "XIAOMI",
        [XIAOMI_DOORS_URL],
        Verdict.FALSE,
        date(2025, 10, 12),
        "Special rectification action working group (demo)",
        "https://example.invalid/verdicts/2025-10-12-xiaomi-doors",
    ),
]

ORDER_MOVES = [
    (OrderStatus.UNDER_REVIEW, "Reported by the carmaker's legal department with chat records of the deal."),
    (OrderStatus.CONFIRMED, "Chat records, payment records and the published video match; the claim is false."),
]
# amount, paid on, channel, payer, payee (as written in the record), reference
PAYER = "Bluewhale PR (蓝鲸公关)"
PAYMENTS = [
    ("30000.00", date(2025, 9, 14), PaymentChannel.ALIPAY, PAYER, "Lao K on Cars", "DEMO-ALI-0914"),
    ("65000.00", date(2025, 9, 17), PaymentChannel.BANK_TRANSFER, PAYER, "Xingchi Media MCN", "DEMO-BANK-0917"),
    ("10000.00", date(2025, 9, 20), PaymentChannel.WECHAT_PAY, PAYER, "Lao K on Cars (bonus)", "DEMO-WX-0920"),
]
CLIENT_AGENCY = "Bluewhale PR (蓝鲸公关)"
INTERMEDIARY_AGENCY = "Xingchi Media MCN (星驰传媒)"
BLOGGER_NAME = "Lao K on Cars (老K说车)"


def _targets() -> dict[str, Target]:
    found: dict[str, Target] = {}
    for name, kind, parent in TARGETS:
        found[name], _ = Target.objects.update_or_create(
            name=name, parent=found[parent] if parent else None, defaults={"kind": kind}
        )
    return found


def _reviews(targets: dict[str, Target]) -> dict[str, Review]:
    found: dict[str, Review] = {}
    for platform, uid, url, post_id, headline, text, published_at, seconds, names, ai, ad, *counts in REVIEWS:
        views, likes, comments, shares = counts
        review, _ = Review.objects.update_or_create(
            url=url,
            defaults={
                "account": PlatformAccount.objects.get(platform=platform, platform_uid=uid),
                "post_id": post_id,
                "headline": headline,
                "text": text,
                "published_at": published_at,
                "duration_seconds": seconds,
                "stance": Stance.NEGATIVE,
                "suspected_ai": ai,
                "undisclosed_ad": ad,
                "views": views,
                "likes": likes,
                "comments": comments,
                "shares": shares,
                "engagement_captured_at": ENGAGEMENT_CAPTURED_AT,
                "status": ReviewStatus.TAKEN_DOWN,
            },
        )
        review.targets.set([targets[n] for n in names])
        found[url] = review
    return found


def _campaign_reviews(targets: dict[str, Target]) -> list[Review]:
    """The planted smear, each review stored with its signature (as the review service does)."""
    found: list[Review] = []
    for platform, uid, post_id, headline, text, published_at, seconds, names, views in CAMPAIGN_REVIEWS:
        review, _ = Review.objects.update_or_create(
            url=campaign_review_url(platform, uid, post_id),
            defaults={
                "account": PlatformAccount.objects.get(platform=platform, platform_uid=uid),
                "post_id": post_id,
                "headline": headline,
                "text": text,
                "published_at": published_at,
                "duration_seconds": seconds,
                "stance": Stance.NEGATIVE,
                "views": views,
                "engagement_captured_at": ENGAGEMENT_CAPTURED_AT,
            },
        )
        review.targets.set([targets[n] for n in names])
        services.review_signature_store(review=review)
        found.append(review)
    return found


def demo_campaign() -> Campaign | None:
    """The campaign detection found in the planted smear (None before the demo is loaded)."""
    first = CAMPAIGN_REVIEWS[0]
    return Campaign.objects.filter(members__review__url=campaign_review_url(first[0], first[1], first[2])).first()


def _claims(targets: dict[str, Target], reviews: dict[str, Review]) -> None:
    for text, target, urls, verdict, verdict_on, verdict_by, verdict_url in CLAIMS:
        claim, _ = Claim.objects.update_or_create(text=text, defaults={"target": targets[target]})
        claim.reviews.set([reviews[u] for u in urls])
        if (claim.verdict, claim.verdict_on, claim.verdict_by, claim.verdict_url) != (
            verdict,
            verdict_on,
            verdict_by,
            verdict_url,
        ):
            services.claim_verdict_set(
                claim=claim, verdict=verdict, verdict_on=verdict_on, verdict_by=verdict_by, verdict_url=verdict_url
            )


def demo_order() -> Order | None:
    """The demo's black order for the blogger's NIO video (None before the demo is loaded)."""
    return Order.objects.filter(
        account__platform=BLOGGER[0], account__platform_uid=BLOGGER[1], ordered_on=ORDERED_ON, agreed_price=AGREED_PRICE
    ).first()


def demo_review_urls() -> list[str]:
    return [url for _platform, _uid, url, *_rest in REVIEWS]


def _order(targets: dict[str, Target], reviews: dict[str, Review]) -> Order:
    order = demo_order()
    if order is None:
        order = Order.objects.create(
            account=PlatformAccount.objects.get(platform=BLOGGER[0], platform_uid=BLOGGER[1]),
            client=party_for_agency(agency=Agency.objects.get(name=CLIENT_AGENCY)),
            client_name="A rival carmaker's PR contractor (unnamed in the records)",
            intermediary=party_for_agency(agency=Agency.objects.get(name=INTERMEDIARY_AGENCY)),
            deliverable=Deliverable.SHORT_VIDEO,
            tier=DurationTier.objects.get(code="s21_60"),
            agreed_price=AGREED_PRICE,
            currency="CNY",
            ordered_on=ORDERED_ON,
            notes="A 21-60 s video claiming NIO cars catch fire spontaneously; bonus promised above 1.5M views.",
        )
    order.targets.set([targets["NIO"], targets["NIO ES6"]])
    order.reviews.set([reviews[NIO_FIRE_URL]])
    for status, reason in ORDER_MOVES:
        order.refresh_from_db()
        if status in ORDER_TRANSITIONS[order.status]:
            services.order_transition(order=order, status=status, reason=reason)
    existing = set(order.payments.values_list("reference", flat=True))
    # The records name the payees loosely; the demo's curator has resolved them to the blogger and his MCN.
    parties = {
        PAYER: party_for_agency(agency=Agency.objects.get(name=CLIENT_AGENCY)),
        "Lao K on Cars": party_for_influencer(influencer=Influencer.objects.get(display_name=BLOGGER_NAME)),
        "Xingchi Media MCN": party_for_agency(agency=Agency.objects.get(name=INTERMEDIARY_AGENCY)),
    }
    parties["Lao K on Cars (bonus)"] = parties["Lao K on Cars"]
    for amount, paid_on, channel, payer, payee, reference in PAYMENTS:
        if reference not in existing:
            services.payment_record(
                order=order,
                amount=Decimal(amount),
                paid_on=paid_on,
                channel=channel,
                payer=parties[payer],
                payee=parties[payee],
                payer_name=payer,
                payee_name=payee,
                reference=reference,
            )
    return order


def seed(*, command) -> None:
    """Add the demo targets, reviews, claims with their verdicts, the confirmed order with its payments,
    and the planted smear campaign, found by detection."""
    with transaction.atomic():
        targets = _targets()
        reviews = _reviews(targets)
        _claims(targets, reviews)
        order = _order(targets, reviews)
        planted = _campaign_reviews(targets)
        services.campaigns_detect(review_ids=[r.pk for r in planted])
    shown = selectors.order_list().get(pk=order.pk)
    campaign = selectors.campaign_list().filter(pk=getattr(demo_campaign(), "pk", None)).first()
    command.stdout.write(
        gettext(
            "  reviews: %(targets)d targets, %(reviews)d reviews, %(claims)d false claims; order #%(order)s "
            "(%(status)s): %(agreed)s CNY against a rate card of %(rate_card)s (markup %(markup)s), %(paid)s paid"
        )
        % {
            "targets": len(targets),
            "reviews": len(reviews),
            "claims": len(CLAIMS),
            "order": order.pk,
            "status": shown.get_status_display(),
            "agreed": f"{shown.agreed_price:,.2f}",
            "rate_card": f"{shown.rate_card_price:,.2f}",
            "markup": shown.markup,
            "paid": f"{shown.total_paid:,.2f}",
        }
    )
    if campaign is not None:
        command.stdout.write(
            f"  campaign #{campaign.pk} ({campaign.status}): {campaign.review_count} reviews by "
            f"{campaign.account_count} accounts against {', '.join(t.name for t in campaign.targets.all())}, "
            f"{campaign.total_views:,} views"
        )
