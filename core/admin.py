"""The admin side of a workflow (core/workflow.py): the status history inline and the
"move to status" fields of a record's change form, both read from the workflow."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from core.admin_internals import register_internals
from core.errors import DomainError
from core.workflow import Workflow, workflow_transition


class HistoryInline(TabularInline):
    """A status history on its record's page: written only by ``workflow_transition``."""

    fields = ["changed_at", "occurred_at", "from_status", "to_status", "reason", "changed_by", "actor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class TransitionForm(forms.ModelForm):
    """A change form with an optional move along ``workflow`` (made by ``workflow_transition`` on save)."""

    workflow: Workflow  # set by each subclass

    transition_to = forms.ChoiceField(label=_("move to status"), required=False)
    transition_reason = forms.CharField(
        label=_("reason for the move"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    transition_occurred_at = forms.SplitDateTimeField(
        label=_("decided at"),
        required=False,
        widget=admin.widgets.AdminSplitDateTime,
        help_text=_("When the decision was taken, if earlier than now."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = getattr(self.instance, self.workflow.status_field)
        field = self.fields["transition_to"]
        field.choices = [("", "—"), *self.workflow.targets(current)]
        field.help_text = self.workflow.describe_lazy()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("transition_to") and not (data.get("transition_reason") or "").strip():
            self.add_error("transition_reason", _("Give the reason for the move."))
        return data


class TransitionAdminMixin:
    """Saves a record, then makes the move chosen in its :class:`TransitionForm`."""

    def save_model(self, request: HttpRequest, obj: Any, form: TransitionForm, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        target = form.cleaned_data.get("transition_to")
        if not target:
            return
        try:
            workflow_transition(
                workflow=form.workflow,
                record=obj,
                status=target,
                reason=form.cleaned_data["transition_reason"],
                occurred_at=form.cleaned_data.get("transition_occurred_at"),
                user=request.user,
            )
        except DomainError as exc:  # e.g. another user moved the record meanwhile
            self.message_user(request, exc.message, level=messages.ERROR)  # type: ignore[attr-defined]


# Users, tokens, Celery beat and login records: superusers only, in the admin's theme.
register_internals()
