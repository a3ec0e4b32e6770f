"""Cases: authorities, their investigation files, notes, status history, evidence and legal actions."""

from __future__ import annotations

import posixpath
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cases.choices import AuthorityKind, CaseStatus, LegalActionKind, LegalActionStatus
from core import limits
from core.identifiers import reject_resident_id
from core.models import StatusChange, in_choices
from ledger.models import Agency, Influencer, PlatformAccount
from reviews.choices import CampaignStatus
from reviews.models import Campaign, Order, Review

# Either an issuing body's code, the year and a running number (CAC-2025-0001, MIIT-2025-00012),
# or the official Chinese document number: the issuer's abbreviation in Chinese characters,
# the year in 〔〕 and the number followed by 号 (京网信罚〔2025〕12号, 工信部罚〔2025〕3号).
# The same regular expression in Python and in PostgreSQL (a literal CJK range, no \u escapes).
CASE_REFERENCE_PATTERN = (
    r"^([A-Z][A-Z0-9]{1,9}-(19|20)[0-9]{2}-[0-9]{4,6}|[一-鿿]{2,12}〔(19|20)[0-9]{2}〕[1-9][0-9]{0,5}号)$"
)
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class Authority(models.Model):
    """A regulator, police force, court or other body whose members work on cases."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AuthorityKind.choices)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="authorities"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("kind", AuthorityKind), name="authority_kind_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="authority_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """An authority's investigation file: subjects, linked orders and content, notes, status history, evidence
    and legal actions.

    ``status`` changes only through ``cases.services.case_transition``; who sees a
    case is decided by ``cases.selectors.cases_visible_to``.
    """

    reference = models.CharField(
        _("reference"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                CASE_REFERENCE_PATTERN,
                _(
                    "Use the form CODE-YEAR-NUMBER, e.g. CAC-2025-0001 (capital letters, a 4-6 digit number), "
                    "or the official document number, e.g. 京网信罚〔2025〕12号 (the year in 〔〕)."
                ),
            )
        ],
        help_text=_(
            "CODE-YEAR-NUMBER, e.g. CAC-2025-0001, or the official document number, e.g. 京网信罚〔2025〕12号."
        ),
    )
    title = models.CharField(_("title"), max_length=300)
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN, editable=False
    )
    opened_on = models.DateField(_("opened on"), validators=[limits.validate_past])
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True, editable=False, validators=[limits.validate_past]
    )
    summary = models.TextField(_("summary"), validators=[reject_resident_id], blank=True)
    campaign = models.CharField(
        _("campaign"),
        max_length=300,
        blank=True,
        help_text=_("e.g. the September-December 2025 special rectification action."),
    )
    influencers = models.ManyToManyField(Influencer, verbose_name=_("influencers"), blank=True, related_name="cases")
    accounts = models.ManyToManyField(PlatformAccount, verbose_name=_("accounts"), blank=True, related_name="cases")
    agencies = models.ManyToManyField(Agency, verbose_name=_("agencies"), blank=True, related_name="cases")
    orders = models.ManyToManyField(
        Order, verbose_name=_("suspected orders"), blank=True, related_name="cases", help_text=_("Orders under review.")
    )
    reviews = models.ManyToManyField(
        Review, verbose_name=_("reviews"), blank=True, related_name="cases", help_text=_("Content under review.")
    )
    coordinated_campaigns = models.ManyToManyField(
        Campaign,
        verbose_name=_("coordinated campaigns"),
        blank=True,
        related_name="cases",
        limit_choices_to={"status": CampaignStatus.CONFIRMED},
        help_text=_("Coordinated campaigns under review; only a confirmed campaign can be linked."),
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assignees"), blank=True, related_name="assigned_cases"
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("shared with"), blank=True, related_name="shared_cases"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=limits.date_range_check("opened_on"), name="case_opened_on_plausible"),
            models.CheckConstraint(
                condition=limits.date_range_check("closed_on", nullable=True), name="case_closed_on_plausible"
            ),
            models.CheckConstraint(condition=in_choices("status", CaseStatus), name="case_status_valid"),
            models.CheckConstraint(condition=Q(reference__regex=CASE_REFERENCE_PATTERN), name="case_reference_format"),
            models.CheckConstraint(condition=~Q(title=""), name="case_title_not_empty"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_on_after_opened_on",
                violation_error_message=_("A case cannot close before it opened."),
            ),
            # closed_on is set exactly when the case is closed
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_on__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True)),
                name="case_closed_on_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class CaseNote(models.Model):
    """A dated note on a case's timeline. Notes are only ever added."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(_("text"), validators=[reject_resident_id])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=200, help_text=_("user:NAME, command:NAME or task:NAME"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="case_note_text_not_empty")]

    def __str__(self) -> str:
        return _("Note %(id)s on case %(case)s") % {"case": self.case.reference, "id": self.pk}


class CaseStatusChange(StatusChange):
    """One status transition of a case: from, to, who, when and why."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from status"), max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=CaseStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")
        constraints = [
            *StatusChange.Meta.constraints,
            models.CheckConstraint(condition=in_choices("from_status", CaseStatus), name="case_change_from_valid"),
            models.CheckConstraint(condition=in_choices("to_status", CaseStatus), name="case_change_to_valid"),
        ]


class LegalAction(models.Model):
    """A lawsuit, administrative penalty, criminal referral, account ban or takedown.

    ``case`` is optional: a carmaker's lawsuit needs no regulator's case. Without a
    case, the action is visible to everyone with the model's view permission.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=LegalActionKind.choices)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_actions",
    )
    plaintiff = models.CharField(_("plaintiff"), validators=[reject_resident_id], max_length=300, blank=True)
    court_or_authority = models.CharField(_("court or authority"), max_length=300, blank=True)
    defendant_influencers = models.ManyToManyField(
        Influencer, verbose_name=_("defendant influencers"), blank=True, related_name="legal_actions"
    )
    defendant_accounts = models.ManyToManyField(
        PlatformAccount, verbose_name=_("defendant accounts"), blank=True, related_name="legal_actions"
    )
    defendants_text = models.TextField(
        _("defendants (text)"),
        validators=[reject_resident_id],
        blank=True,
        help_text=_("Defendants not in the ledger."),
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True, validators=[limits.validate_past])
    hearing_on = models.DateField(_("hearing on"), null=True, blank=True, validators=[limits.validate_scheduled])
    status = models.CharField(
        _("status"), max_length=20, choices=LegalActionStatus.choices, default=LegalActionStatus.FILED
    )
    outcome = models.TextField(_("outcome"), validators=[reject_resident_id], blank=True)
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Damages claimed or awarded, or the fine, in CNY."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("legal action")
        verbose_name_plural = _("legal actions")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=limits.date_range_check("filed_on", nullable=True), name="legalaction_filed_on_plausible"
            ),
            models.CheckConstraint(
                condition=limits.date_range_check("hearing_on", nullable=True), name="legalaction_hearing_on_plausible"
            ),
            models.CheckConstraint(condition=in_choices("kind", LegalActionKind), name="legal_action_kind_valid"),
            models.CheckConstraint(condition=in_choices("status", LegalActionStatus), name="legal_action_status_valid"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="legal_action_amount_non_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(hearing_on__isnull=True) | Q(filed_on__isnull=True) | Q(hearing_on__gte=F("filed_on")),
                name="legal_action_hearing_after_filing",
                violation_error_message=_("A hearing cannot come before the filing."),
            ),
        ]

    def __str__(self) -> str:
        if not self.case_id:
            return _("%(kind)s %(id)s") % {"kind": self.get_kind_display(), "id": self.pk}
        return _("%(kind)s %(id)s in case %(case)s") % {
            "kind": self.get_kind_display(),
            "id": self.pk,
            "case": self.case.reference,
        }


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """``evidence/<case id>/<random>/<original name>``: unique, and the original name survives."""
    return posixpath.join("evidence", str(instance.case_id), uuid.uuid4().hex, posixpath.basename(filename))


class Evidence(models.Model):
    """A captured file, fixed by its SHA-256 and size at recording; read-only afterwards.

    Only ``cases.services.evidence_record`` creates evidence: it computes ``sha256``
    and ``size`` while the file streams to storage. On PostgreSQL the database
    refuses to change ``file``, ``sha256``, ``size`` or ``case`` and to delete a row.
    """

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=500)
    captured_at = models.DateTimeField(
        _("captured at"), help_text=_("When the content was captured."), validators=[limits.validate_past]
    )
    source_url = models.URLField(_("source URL"), max_length=2000, blank=True)
    description = models.TextField(_("description"), validators=[reject_resident_id], blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.BigIntegerField(_("size (bytes)"), editable=False)
    media_type = models.CharField(_("media type"), max_length=200, editable=False)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("captured by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["case_id", "captured_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=limits.date_range_check("captured_at"), name="evidence_captured_at_plausible"
            ),
            models.CheckConstraint(condition=Q(sha256__regex=SHA256_PATTERN), name="evidence_sha256_format"),
            models.CheckConstraint(condition=Q(size__gte=0), name="evidence_size_non_negative"),
            models.CheckConstraint(condition=~Q(file=""), name="evidence_file_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{posixpath.basename(self.file.name)} ({self.sha256[:12]}…)"

    @property
    def file_name(self) -> str:
        return posixpath.basename(self.file.name)
