from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    COMPANY = "company", _("Company")
    BRAND = "brand", _("Brand")
    PRODUCT = "product", _("Product (model)")
    PERSON = "person", _("Person")
    OTHER = "other", _("Other")


class Stance(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class ReviewStatus(models.TextChoices):
    LIVE = "live", _("Live")
    TAKEN_DOWN = "taken_down", _("Taken down")
    DELETED = "deleted", _("Deleted")


class Verdict(models.TextChoices):
    PENDING = "pending", _("Pending")
    FALSE = "false", _("False")
    MISLEADING = "misleading", _("Misleading")
    UNPROVEN = "unproven", _("Unproven")
    ACCURATE = "accurate", _("Accurate")


# schema.org ClaimReview rating of each verdict (1 = worst, 5 = best); pending has none.
VERDICT_RATING: dict[str, int] = {
    Verdict.FALSE: 1,
    Verdict.MISLEADING: 2,
    Verdict.UNPROVEN: 3,
    Verdict.ACCURATE: 5,
}


class OrderStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    UNDER_REVIEW = "under_review", _("Under review")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    REFERRED = "referred", _("Referred")


# The only moves a suspected order can make; anything else is a conflict (HTTP 409).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.REPORTED: frozenset({OrderStatus.UNDER_REVIEW}),
    OrderStatus.UNDER_REVIEW: frozenset({OrderStatus.CONFIRMED, OrderStatus.DISMISSED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.REFERRED}),
    OrderStatus.DISMISSED: frozenset(),
    OrderStatus.REFERRED: frozenset(),
}


class PaymentChannel(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ALIPAY = "alipay", _("Alipay")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class CampaignStatus(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


# A campaign is found by detection as suspected; a regulator confirms or dismisses it, once.
CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    CampaignStatus.SUSPECTED: frozenset({CampaignStatus.CONFIRMED, CampaignStatus.DISMISSED}),
    CampaignStatus.CONFIRMED: frozenset(),
    CampaignStatus.DISMISSED: frozenset(),
}
