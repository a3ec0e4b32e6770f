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
