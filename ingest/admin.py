"""The ingest in the back office: upload a file, follow its job, read its row errors."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin

from core import journal
from core.admin_export import ExportMixin
from core.errors import DomainError
from ingest.api.views import may_ingest
from ingest.kinds import KINDS
from ingest.models import IngestJob, IngestKind
from ingest.reading import format_of
from ingest.services import ingest_job_create
from ingest.tasks import ingest_run_job


class IngestUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=IngestKind.choices)
    file = forms.FileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy(
            ".csv or .jsonl (quotes also .xlsx), optionally gzip-compressed (.gz). See docs/ingest.md."
        ),
    )
    update = forms.BooleanField(
        label=gettext_lazy("update existing rows"),
        required=False,
        help_text=gettext_lazy(
            "Rows the ledger holds with other values are replaced instead of reported as conflicts."
        ),
    )


def import_link(kind: str, request: HttpRequest) -> tuple[str, str] | None:
    """The upload page for ``kind``, for a user who may ingest it (the list pages of accounts, quotes, ...)."""
    if not may_ingest(request.user, kind):
        return None
    return _("Import from a file"), f"{reverse('admin:ingest_ingestjob_add')}?kind={kind}"


@admin.register(IngestJob)
class IngestJobAdmin(ExportMixin, ModelAdmin):
    """Jobs are created by uploading a file and run by a background task; they are never edited."""

    list_display = ["id", "kind", "file_name", "status", "rows_read", "created", "updated", "error_count",
                    "created_at"]  # fmt: skip
    list_filter = ["kind", "status"]
    search_fields = ["file_name", "sha256", "actor"]
    readonly_fields = [f.name for f in IngestJob._meta.fields if f.name != "errors"] + ["row_errors"]
    exclude = ["errors"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return any(may_ingest(request.user, kind) for kind in KINDS)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.created_by_id == request.user.pk:
            return True
        return super().has_view_permission(request, obj) or self.has_add_permission(request)

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.has_perm("ingest.view_ingestjob"):
            return queryset
        return queryset.filter(created_by=request.user)

    @admin.display(description=gettext_lazy("row errors"))
    def row_errors(self, obj: IngestJob) -> str:
        from django.utils.html import format_html, format_html_join

        if not obj.errors:
            return "-"
        items = format_html_join(
            "", "<li>{}</li>", ((f"{_('line')} {e['line']}, {e['column'] or '-'}: {e['message']}",) for e in obj.errors)
        )
        more = ""
        if obj.error_count > len(obj.errors):
            more = _("(and %d more)") % (obj.error_count - len(obj.errors))
        return format_html('<ul class="errorlist" id="ingest-errors">{}</ul>{}', items, more)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """The add page is the upload form: a job is created by uploading its file."""
        return self.upload_view(request)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a file: a job is queued and its page shows the progress and, if any, the row errors."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IngestUploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
        if request.method == "POST" and form.is_valid():
            kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
            if not may_ingest(request.user, kind):
                form.add_error("kind", _("You may not add rows of this kind."))
            else:
                try:
                    with transaction.atomic():
                        job = ingest_job_create(
                            kind=kind,
                            file_format=format_of(upload.name),
                            actor=journal.current_actor(),
                            file_name=upload.name,
                            update=form.cleaned_data["update"],
                            user=request.user,
                            upload=upload,
                        )
                        ingest_run_job.delay_on_commit(job.pk)
                except DomainError as exc:
                    form.add_error("file", exc.message)
                else:
                    messages.info(request, _("The file was queued for ingest as job %(id)s.") % {"id": job.pk})
                    return redirect(reverse("admin:ingest_ingestjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Ingest a file"),
            "form": form,
        }
        return TemplateResponse(request, "admin/ingest/ingestjob/upload.html", context)
