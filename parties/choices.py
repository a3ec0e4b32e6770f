from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    COMPANY = "company", _("Company")
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Person")
    UNKNOWN = "unknown", _("Unknown")


class AliasKind(models.TextChoices):
    FULL_NAME = "full_name", _("Full name")
    SHORT_NAME = "short_name", _("Short name")
    PINYIN = "pinyin", _("Pinyin")
    ENGLISH = "english", _("English name")
    AS_RECORDED = "as_recorded", _("As written in a record")
