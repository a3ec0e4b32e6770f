"""Risk scores: the stored result of scoring an account or an order, and its large changes.

The score itself is mirrored on ``PlatformAccount.risk_score`` and
``Order.risk_score`` (filtered and ordered by the API); this app keeps what a
reader needs to check it: every signal with its weight, value, contribution and
evidence, and when it was computed. Derived data, rebuilt at will: not journaled.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ledger.models import PlatformAccount
from reviews.models import Order


class RiskScore(models.Model):
    """The latest risk score of one account or one order, with its signals."""

    account = models.OneToOneField(
        PlatformAccount,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="risk",
    )
    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, null=True, blank=True, related_name="risk"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    signals = models.JSONField(
        _("signals"), default=list, help_text=_("[{signal, weight, value, contribution, figures, evidence}]")
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=False, order__isnull=True) | Q(account__isnull=True, order__isnull=False),
                name="risk_score_of_account_or_order",
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="risk_score_range"),
        ]
        indexes = [models.Index(fields=["-score"], name="risk_score_highest")]

    def __str__(self) -> str:
        return _("Risk score %(score)s of %(subject)s") % {
            "score": self.score,
            "subject": self.account if self.account_id else self.order,
        }


class RiskChange(models.Model):
    """A change of an account's score by ``RISK_EVENT_MIN_CHANGE`` points or more: a ``risk`` history event."""

    account = models.ForeignKey(
        PlatformAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="risk_changes"
    )
    before = models.PositiveSmallIntegerField(_("score before"), null=True, blank=True)
    after = models.PositiveSmallIntegerField(_("score after"))
    changed_at = models.DateTimeField(_("changed at"))
    signals = models.CharField(
        _("signals"), max_length=500, blank=True, help_text=_("The signals that contributed, strongest first.")
    )

    class Meta:
        verbose_name = _("risk score change")
        verbose_name_plural = _("risk score changes")
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(after__lte=100) & (Q(before__isnull=True) | Q(before__lte=100)),
                name="risk_change_range",
            ),
        ]
        indexes = [models.Index(fields=["account", "changed_at"], name="risk_change_account")]

    def __str__(self) -> str:
        return _("Risk score of %(account)s: %(before)s -> %(after)s") % {
            "account": self.account,
            "before": "—" if self.before is None else self.before,
            "after": self.after,
        }


class RiskPending(models.Model):
    """An account whose signals changed and whose recompute is queued: the debounce marker.

    The first change inserts the row and queues one delayed recompute; later
    changes find the row and queue nothing; the recompute deletes the row first.
    """

    account = models.OneToOneField(
        PlatformAccount, verbose_name=_("account"), on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending risk recompute")
        verbose_name_plural = _("pending risk recomputes")

    def __str__(self) -> str:
        return _("Risk recompute pending for account %(id)s") % {"id": self.account_id}
