"""An ingest job: one file of accounts, snapshots, reviews or quotes, ingested all or nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import in_choices


class IngestKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts (with influencers and agencies)")
    SNAPSHOTS = "snapshots", _("Follower snapshots")
    REVIEWS = "reviews", _("Reviews (with targets)")
    QUOTES = "quotes", _("Rate quotes")


class IngestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed: nothing written")


class IngestJob(models.Model):
    """One ingest of one file: who asked, the file's digest, its progress, counts and row errors.

    An operational record of the machinery, not a ledger record: the ingest itself is
    journaled as one batch entry naming this job (``ingest.services.journal_batch``).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=IngestKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=IngestStatus.choices, default=IngestStatus.QUEUED)
    file = models.FileField(_("file"), upload_to="ingest/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=300, blank=True)
    file_format = models.CharField(_("file format"), max_length=10)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    update = models.BooleanField(_("update existing rows"), default=False)
    actor = models.CharField(_("actor"), max_length=200, help_text=_("user:NAME or command:NAME"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=20, blank=True, help_text=_("reading, checking or writing"))
    rows_read = models.BigIntegerField(_("rows read"), default=0)
    rows_total = models.BigIntegerField(_("rows"), default=0)
    created = models.BigIntegerField(_("created"), default=0)
    updated = models.BigIntegerField(_("updated"), default=0)
    unchanged = models.BigIntegerField(_("unchanged (skipped)"), default=0)
    error_count = models.BigIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True, help_text=_("The first errors, by line."))
    account_ids = models.JSONField(_("touched accounts"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("ingest job")
        verbose_name_plural = _("ingest jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("kind", IngestKind), name="ingest_job_kind_valid"),
            models.CheckConstraint(condition=in_choices("status", IngestStatus), name="ingest_job_status_valid"),
        ]

    def __str__(self) -> str:
        return _("Ingest job %(id)s: %(kind)s from %(file)s (%(status)s)") % {
            "id": self.pk,
            "kind": self.get_kind_display(),
            "file": self.file_name,
            "status": self.get_status_display(),
        }
