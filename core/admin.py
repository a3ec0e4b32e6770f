"""The admin side of a workflow (core/workflow.py): the status history inline, the
"move to status" fields of a record's change form and the list's "move selected" action,
all read from the workflow."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from core.admin_internals import register_internals
from core.errors import DomainError
from core.workflow import Workflow, workflow_transition

HISTORY_COLUMNS = ("changed_at", "occurred_at", "from_status", "to_status", "reason", "changed_by", "actor")


class HistoryInline(TabularInline):  # type: ignore[misc]  # unfold has no type information
    """A status history on its record's page: written only by ``workflow_transition``."""

    fields = HISTORY_COLUMNS
    readonly_fields = HISTORY_COLUMNS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class TransitionForm(forms.ModelForm):  # type: ignore[type-arg]  # for any record with a workflow
    """A change form with an optional move along ``workflow`` (made by ``workflow_transition`` on save)."""

    workflow: Workflow  # set by each subclass

    transition_to = forms.ChoiceField(label=_("move to status"), required=False)
    transition_reason = forms.CharField(
        label=_("reason for the move"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    transition_occurred_at = forms.SplitDateTimeField(
        label=_("decided at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("When the decision was taken, if earlier than now."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = getattr(self.instance, self.workflow.status_field)
        field = cast(forms.ChoiceField, self.fields["transition_to"])
        field.choices = [("", "—"), *self.workflow.targets(current)]
        field.help_text = self.workflow.describe_lazy()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
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


class MoveActionForm(ActionForm):
    """The action bar of a list whose records move along a workflow: the status to move to and why."""

    workflow: Workflow  # set by :func:`move_action_form`

    status = forms.ChoiceField(label=_("to status"), choices=[], required=False)
    reason = forms.CharField(label=_("reason"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", "—"), *self.workflow.statuses.choices]


def move_action_form(workflow: Workflow) -> type[MoveActionForm]:
    """The action bar of the list of ``workflow``'s records."""
    return type(f"{workflow.statuses.__name__}ActionForm", (MoveActionForm,), {"workflow": workflow})


class MoveSelectedMixin:
    """The list's "move selected" action: each selected record through ``workflow_transition``.

    The admin sets ``workflow`` and ``action_form = move_action_form(workflow)``. Records move in
    primary-key order (the lock order); a refused move is reported and the others go on.
    """

    workflow: Workflow
    actions = ["move_selected"]

    @admin.action(
        description=_("Move selected %(verbose_name_plural)s to the chosen status (give a reason)"),
        permissions=["change"],
    )
    def move_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        status = request.POST.get("status", "")
        reason = (request.POST.get("reason") or "").strip()
        if status not in self.workflow.statuses.values or not reason:
            self.message_user(request, _("Choose the status to move to and give a reason."), level=messages.ERROR)  # type: ignore[attr-defined]
            return
        moved, refused = 0, []
        for record in queryset.order_by("pk"):
            try:
                workflow_transition(
                    workflow=self.workflow, record=record, status=status, reason=reason, user=request.user
                )
                moved += 1
            except DomainError as exc:
                refused.append(f"#{record.pk}: {exc.message}")
        if moved:
            self.message_user(  # type: ignore[attr-defined]
                request,
                _("Moved %(n)d %(records)s to %(status)s.")
                % {
                    "n": moved,
                    "records": queryset.model._meta.verbose_name_plural,
                    "status": self.workflow.label(status),
                },
            )
        if refused:
            self.message_user(  # type: ignore[attr-defined]
                request, _("Not moved: %(items)s.") % {"items": "; ".join(refused)}, level=messages.WARNING
            )


# Users, tokens, Celery beat and login records: superusers only, in the admin's theme.
register_internals()
