"""The admin side of a workflow (core/workflow.py): the status history inline, the
"move to status" fields of a record's change form and the list's "move selected" action,
all read from the workflow; and the journal's pages (read-only, core/journal.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from core import admin_links, journal
from core.admin_export import ExportMixin
from core.admin_internals import register_internals
from core.errors import DomainError
from core.models import JournalEntry, object_type_name
from core.selectors import journal_list
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


# --- the journal (core/journal.py) --------------------------------------------------


class ObjectTypeFilter(admin.FieldListFilter):
    """The journaled models by name, in the reader's language; no query over the journal to list them."""

    def __init__(
        self,
        field: models.Field[Any, Any],
        request: HttpRequest,
        params: Any,
        model: type[models.Model],
        model_admin: admin.ModelAdmin[Any],
        field_path: str,
    ) -> None:
        self.lookup_kwarg = field_path
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_val = self.used_parameters.get(self.lookup_kwarg)

    def expected_parameters(self) -> list[str | None]:
        return [self.lookup_kwarg]

    def choices(self, changelist: Any) -> Iterator[Any]:
        current = self.lookup_val[-1] if isinstance(self.lookup_val, list) else self.lookup_val
        yield {
            "selected": current is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": _("All"),
        }
        types = sorted(
            (journal.object_type(m), object_type_name(journal.object_type(m))) for m in journal.journaled_models()
        )
        for value, name in sorted(types, key=lambda t: str(t[1])):
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.lookup_kwarg: value}),
                "display": name,
            }


def _recorded_object_link(entry: JournalEntry, request: HttpRequest) -> admin_links.Link | None:
    """The admin page of the object a journal entry records, while it exists and the reader may open it."""
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return None
    try:
        obj = model._default_manager.filter(pk=entry.object_id).first()
    except (ValueError, TypeError):  # an id of another shape than the model's key
        return None
    return admin_links.change(request, obj)


@admin.register(JournalEntry)
class JournalEntryAdmin(ExportMixin, ModelAdmin):  # type: ignore[misc]  # unfold has no type information
    """The journal is read-only everywhere: no add, change or delete, even for superusers."""

    list_display = ["seq", "occurred_at", "actor", "action", "object_type_display", "object_id", "short_hash"]
    list_filter = ["action", ("object_type", ObjectTypeFilter)]
    search_fields = ["=object_id", "actor", "=hash"]
    date_hierarchy = "occurred_at"
    readonly_fields = [
        "seq",
        "occurred_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "recorded_object",
        "changes",
        "prev_hash",
        "hash",
    ]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> JournalEntry | None:
        entry = super().get_object(request, object_id, from_field)
        if entry is not None:
            entry._recorded = _recorded_object_link(entry, request)
        return entry

    @admin.display(description=_("recorded object"))
    def recorded_object(self, obj: JournalEntry) -> str:
        link = getattr(obj, "_recorded", None)
        if link is None:
            return str(_("No longer in the ledger, or not for you to see."))
        return format_html('<a class="text-primary-600 dark:text-primary-500" href="{}">{}</a>', link.url, link.label)

    def get_queryset(self, request: HttpRequest) -> QuerySet[JournalEntry]:
        # entries about a case only for those who may see the case
        return journal_list(user=request.user)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        journal.integrate()  # show the changes committed so far, not only those sequenced
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_type_display(self, obj: JournalEntry) -> str:
        return object_type_name(obj.object_type)

    @admin.display(description=_("hash"))
    def short_hash(self, obj: JournalEntry) -> str:
        return obj.hash[:16] + "…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: JournalEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: JournalEntry | None = None) -> bool:
        return False


# Users, tokens, Celery beat and login records: superusers only, in the admin's theme.
register_internals()
