"""Building blocks that the apps' models share: choice checks and the status history of a workflow."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    """The condition of a CHECK constraint that keeps ``field`` within ``choices``."""
    return Q(**{f"{field}__in": choices.values})


class StatusChange(models.Model):
    """One move of a record through its workflow (core/workflow.py): from, to, who, when and why.

    A concrete history adds the foreign key to its record and ``from_status`` /
    ``to_status`` with the record's choices. Written only by ``workflow_transition``.
    """

    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=200, help_text=_("user:NAME, command:NAME or task:NAME"))
    changed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    occurred_at = models.DateTimeField(
        _("decided at"),
        null=True,
        blank=True,
        help_text=_("When the decision was taken, if earlier than it was recorded."),
    )

    class Meta:
        abstract = True
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=F("to_status")), name="%(app_label)s_%(class)s_moves"),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_not_empty"),
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=True) | Q(occurred_at__lte=F("changed_at")),
                name="%(app_label)s_%(class)s_occurred_before_recorded",
            ),
        ]

    def __str__(self) -> str:
        # The concrete history declares the two fields, with its record's choices.
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"  # type: ignore[attr-defined]
