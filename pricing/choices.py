from django.db import models
from django.utils.translation import gettext_lazy as _


class Deliverable(models.TextChoices):
    SHORT_VIDEO = "short_video", _("Short video")
    LIVE_STREAM = "live_stream", _("Live stream")
    IMAGE_POST = "image_post", _("Image post")
    ARTICLE = "article", _("Article")
    OTHER = "other", _("Other")


class PriceKind(models.TextChoices):
    """Where a price was observed."""

    MARKETPLACE_LISTING = "marketplace_listing", _("Marketplace listing")
    BROKER_QUOTE = "broker_quote", _("Broker quote")
    UNDERCOVER_INQUIRY = "undercover_inquiry", _("Undercover inquiry")
    SEIZED_RECORD = "seized_record", _("Seized record")
    COURT_RECORD = "court_record", _("Court record")
    PRESS_REPORT = "press_report", _("Press report")
    ESTIMATE = "estimate", _("Estimate")
