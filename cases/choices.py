from django.db import models
from django.utils.translation import gettext_lazy as _


class AuthorityKind(models.TextChoices):
    REGULATOR = "regulator", _("Regulator")
    POLICE = "police", _("Police")
    COURT = "court", _("Court")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    CLOSED = "closed", _("Closed")
    REFERRED = "referred", _("Referred")


# The only moves a case can make; anything else is a conflict (HTTP 409).
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.INVESTIGATING}),
    CaseStatus.INVESTIGATING: frozenset({CaseStatus.CLOSED, CaseStatus.REFERRED}),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.REFERRED: frozenset(),
}


class LegalActionKind(models.TextChoices):
    LAWSUIT = "lawsuit", _("Lawsuit")
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("Administrative penalty")
    CRIMINAL_REFERRAL = "criminal_referral", _("Criminal referral")
    ACCOUNT_BAN = "account_ban", _("Account ban")
    TAKEDOWN = "takedown", _("Takedown")


class LegalActionStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    AWAITING_HEARING = "awaiting_hearing", _("Awaiting hearing")
    HEARD = "heard", _("Heard")
    JUDGED = "judged", _("Judged")
    SETTLED = "settled", _("Settled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
