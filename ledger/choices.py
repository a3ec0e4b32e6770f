from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    MCN = "mcn", _("MCN (multi-channel network)")
    PR_AGENCY = "pr_agency", _("PR agency")
    BROKER = "broker", _("Broker")
    OTHER = "other", _("Other")


class InfluencerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    WEIBO = "weibo", _("Weibo")
    BILIBILI = "bilibili", _("Bilibili")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels")
    TOUTIAO = "toutiao", _("Toutiao")
    DONGCHEDI = "dongchedi", _("Dongchedi")
    AUTOHOME = "autohome", _("Autohome")
    YICHE = "yiche", _("Yiche")
    OTHER = "other", _("Other")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    BANNED = "banned", _("Banned")
    DELETED = "deleted", _("Deleted")
    UNKNOWN = "unknown", _("Unknown")


class SnapshotSource(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    REFRESH = "refresh", _("Profile refresh")
    IMPORT = "import", _("Import")


class RefreshOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Success")
    DUPLICATE = "duplicate", _("Already refreshed in this slot")
    ACCOUNT_GONE = "account_gone", _("Account deleted, banned or suspended")
    RETRYING = "retrying", _("Failed, will retry")
    FAILED = "failed", _("Failed")
    LOST = "lost", _("Lost (worker died)")


class AnomalyKind(models.TextChoices):
    JUMP = "jump", _("Jump (day-over-day increase)")
    DROP = "drop", _("Drop (day-over-day decrease)")
    OUTLIER = "outlier", _("Outlier (robust z-score)")


class FollowerInterval(models.TextChoices):
    """How a follower series is aggregated: the last count of each day, week (Monday) or month."""

    DAY = "day", _("Day")
    WEEK = "week", _("Week (from Monday)")
    MONTH = "month", _("Month")


class HistoryKind(models.TextChoices):
    """The kinds of event on an influencer's history (``ledger.history``)."""

    FOLLOWER_CHANGE = "follower_change", _("Follower change")
    ACCOUNT_STATUS = "account_status", _("Account status")
    ANOMALY = "anomaly", _("Follower anomaly")
    QUOTE = "quote", _("Rate quote")
    REVIEW = "review", _("Review")
    CLAIM_VERDICT = "claim_verdict", _("Claim verdict")
    ORDER = "order", _("Suspected order")
    ORDER_STATUS = "order_status", _("Order status")
    PAYMENT = "payment", _("Payment")
    CASE_OPENED = "case_opened", _("Case opened")
    CASE_STATUS = "case_status", _("Case status")
    LEGAL_ACTION = "legal_action", _("Legal action")
    CAMPAIGN = "campaign", _("Campaign")
    RISK = "risk", _("Risk score change")
