from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from cases import selectors, services
from cases.models import Authority, Case, CaseNote, CaseStatusChange, Evidence, LegalAction
from config.api.errors import DomainError
from core import admin_links
from core.admin import HistoryInline, TransitionAdminMixin, TransitionForm
from core.admin_links import RelatedLinksMixin, RelatedLookupsMixin
from ledger.admin import URL_FIELD


class CaseVisibilityMixin:
    """The access rule of cases in the admin: hidden cases are not listed and do not open.

    ``case_lookup`` is the path from the admin's model to its case ("" for a case itself).
    """

    case_lookup = "case"

    def _visible(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        visible = selectors.cases_visible_to(request.user).values("pk")
        if not self.case_lookup:
            return queryset.filter(pk__in=visible)
        return queryset.filter(**{f"{self.case_lookup}__in": visible})

    def _case_of(self, obj: Any) -> Case | None:
        return obj if not self.case_lookup else getattr(obj, self.case_lookup)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self._visible(request, super().get_queryset(request))

    def _may_see(self, request: HttpRequest, obj: Any) -> bool:
        case = None if obj is None else self._case_of(obj)
        return case is None or selectors.case_is_visible(user=request.user, case=case)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._may_see(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_see(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_see(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = selectors.cases_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Authority)
class AuthorityAdmin(ModelAdmin):
    list_display = ["name", "kind", "member_count"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authority]:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj: Authority) -> int:
        return obj.member_count


def _download_url(evidence: Evidence) -> str | None:
    """The permission-checked download of the evidence's file (which also checks its SHA-256)."""
    return None if evidence.pk is None else reverse("evidence-download", args=[evidence.pk])


def _short_sha256(evidence: Evidence) -> str:
    """The first 16 hex digits, the whole digest on hover (and in the evidence's own page and the bundle)."""
    if not evidence.sha256:
        return "—"
    return format_html('<span title="{}">{}…</span>', evidence.sha256, evidence.sha256[:16])


def _download_link(evidence: Evidence) -> str:
    if evidence.pk is None:
        return "—"
    return format_html('<a href="{}">{}</a>', _download_url(evidence), evidence.file_name)


class CaseStatusChangeInline(HistoryInline):
    """The status history: written only by case_transition."""

    model = CaseStatusChange
    tab = True


class CaseNoteInline(TabularInline):
    """Notes are added (through case_note_add), never edited or removed."""

    model = CaseNote
    fields = ["created_at", "text", "author", "actor"]
    readonly_fields = ["created_at", "author", "actor"]
    extra = 0
    can_delete = False
    tab = True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(TabularInline):
    """Evidence is added (through evidence_record) and then read-only, with its hash shown."""

    model = Evidence
    formfield_overrides = URL_FIELD
    fields = ["file", "download", "captured_at", "source_url", "description", "short_sha256", "size", "recorded_at"]
    readonly_fields = ["download", "short_sha256", "size", "recorded_at"]
    extra = 0
    can_delete = False
    tab = True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("download"))
    def download(self, obj: Evidence) -> str:
        return _download_link(obj)

    @admin.display(description=_("SHA-256"))
    def short_sha256(self, obj: Evidence) -> str:
        return _short_sha256(obj)

    def file_download_url(self, obj: Evidence, field_name: str) -> str | None:
        """The read-only file field links to the checked download, never to MEDIA_URL (which is not served)."""
        return _download_url(obj)


class LegalActionInline(TabularInline):
    model = LegalAction
    fields = ["kind", "plaintiff", "court_or_authority", "filed_on", "hearing_on", "status", "amount"]
    extra = 0
    show_change_link = True
    can_delete = False
    tab = True


class CaseAdminForm(TransitionForm):
    """The case's fields, plus an optional move along the case workflow (made on save)."""

    workflow = services.CASE_WORKFLOW

    class Meta:
        model = Case
        fields = [
            "reference",
            "title",
            "authority",
            "opened_on",
            "campaign",
            "summary",
            "influencers",
            "accounts",
            "agencies",
            "orders",
            "reviews",
            "assignees",
            "shared_with",
        ]

    # Set by CaseAdmin.get_form: the user the form is for (the rules depend on who changes what).
    user: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        changes = {name: data[name] for name in ("authority", "assignees", "shared_with", "opened_on") if name in data}
        _add_service_error(
            self,
            services.case_check_changes,
            case=self.instance if self.instance.pk else None,
            user=self.user,
            changes=changes,
        )
        return data


def _add_service_error(form: forms.ModelForm, rule: Any, **kwargs: Any) -> None:
    """Run a service's rule check; its DomainError becomes the form's error on the field."""
    try:
        rule(**kwargs)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class _UserFormMixin:
    """Hand the requesting user to the form, for the service rules its clean() calls."""

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        form = super().get_form(request, obj, **kwargs)  # type: ignore[misc]
        return type(form.__name__, (form,), {"user": request.user})


@admin.register(Case)
class CaseAdmin(
    TransitionAdminMixin, _UserFormMixin, CaseVisibilityMixin, RelatedLinksMixin, RelatedLookupsMixin, ModelAdmin
):
    """Cases the user may see, with their timeline, evidence and legal actions."""

    case_lookup = ""
    form = CaseAdminForm
    list_display = ["reference", "title", "authority", "status", "opened_on", "closed_on"]
    list_filter = ["status", "authority"]
    list_select_related = ["authority"]
    search_fields = ["reference", "title", "campaign"]
    autocomplete_fields = [
        "influencers",
        "accounts",
        "agencies",
        "orders",
        "reviews",
        "coordinated_campaigns",
        "assignees",
        "shared_with",
    ]
    readonly_fields = ["status", "closed_on", "related_records", "created_at", "updated_at"]
    related_lookups = ("influencers", "accounts", "orders", "reviews")
    fieldsets = [
        (None, {"fields": ["reference", "title", "authority", "opened_on", "campaign", "summary"]}),
        (_("Bundle, evidence and related records"), {"fields": ["related_records"]}),
        (
            _("Status"),
            {"fields": ["status", "closed_on", "transition_to", "transition_reason", "transition_occurred_at"]},
        ),
        (_("Subjects"), {"fields": ["influencers", "accounts", "agencies"]}),
        (_("Orders and content"), {"fields": ["orders", "reviews", "coordinated_campaigns"]}),
        (_("Access"), {"fields": ["assignees", "shared_with"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [CaseStatusChangeInline, CaseNoteInline, EvidenceInline, LegalActionInline]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "authority" and not request.user.is_superuser:
            kwargs["queryset"] = Authority.objects.filter(members=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model not in (CaseNote, Evidence):
            super().save_formset(request, form, formset, change)
            return
        created = []
        for inline_form in formset.forms:
            if inline_form.instance.pk is not None or not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            if formset.model is CaseNote:
                created.append(services.case_note_add(case=form.instance, text=data["text"], author=request.user))
            else:
                created.append(
                    services.evidence_record(
                        case=form.instance,
                        file=data["file"],
                        captured_at=data["captured_at"],
                        source_url=data.get("source_url", ""),
                        description=data.get("description", ""),
                        captured_by=request.user,
                    )
                )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []


@admin.register(Evidence)
class EvidenceAdmin(CaseVisibilityMixin, RelatedLookupsMixin, ModelAdmin):
    """Evidence of visible cases. Recorded through evidence_record, then read-only; never deleted."""

    formfield_overrides = URL_FIELD
    list_display = ["file_name", "case", "short_sha256", "size", "media_type", "captured_at", "captured_by"]
    list_filter = ["media_type"]
    list_select_related = ["case", "captured_by"]
    search_fields = ["=sha256", "case__reference", "description", "source_url"]
    date_hierarchy = "captured_at"
    fields = [
        "case",
        "file",
        "download",
        "captured_at",
        "source_url",
        "description",
        "sha256",
        "size",
        "media_type",
        "captured_by",
        "recorded_at",
    ]
    readonly_fields = ["download", "sha256", "size", "media_type", "captured_by", "recorded_at"]

    @admin.display(description=_("download"))
    def download(self, obj: Evidence) -> str:
        return _download_link(obj)

    @admin.display(description=_("SHA-256"), ordering="sha256")
    def short_sha256(self, obj: Evidence) -> str:
        return _short_sha256(obj)

    def file_download_url(self, obj: Evidence, field_name: str) -> str | None:
        return _download_url(obj)

    def get_fields(self, request: HttpRequest, obj: Evidence | None = None) -> list[str]:
        if obj is None:
            return ["case", "file", "captured_at", "source_url", "description"]
        return [f for f in self.fields if f != "file"]

    def has_change_permission(self, request: HttpRequest, obj: Evidence | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Evidence | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Evidence, form, change: bool) -> None:
        saved = services.evidence_record(
            case=obj.case,
            file=form.cleaned_data["file"],
            captured_at=obj.captured_at,
            source_url=obj.source_url,
            description=obj.description,
            captured_by=request.user,
        )
        obj.pk, obj.file, obj.sha256, obj.size = saved.pk, saved.file, saved.sha256, saved.size
        obj.media_type, obj.recorded_at, obj.captured_by = saved.media_type, saved.recorded_at, saved.captured_by


class LegalActionAdminForm(forms.ModelForm):
    """A legal action; moving it between cases follows ``services.legal_action_check_case``."""

    user: Any = None

    class Meta:
        model = LegalAction
        fields = [
            "kind",
            "case",
            "plaintiff",
            "court_or_authority",
            "defendant_influencers",
            "defendant_accounts",
            "defendants_text",
            "filed_on",
            "hearing_on",
            "status",
            "outcome",
            "amount",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "case" in data:
            _add_service_error(
                self,
                services.legal_action_check_case,
                action=self.instance if self.instance.pk else None,
                case=data["case"],
                user=self.user,
            )
        return data


@admin.register(LegalAction)
class LegalActionAdmin(_UserFormMixin, CaseVisibilityMixin, RelatedLinksMixin, RelatedLookupsMixin, ModelAdmin):
    """Legal actions without a case, and those of the cases the user may see."""

    form = LegalActionAdminForm

    list_display = ["__str__", "kind", "case", "plaintiff", "court_or_authority", "status", "filed_on", "amount"]
    list_filter = ["kind", "status"]
    list_select_related = ["case"]
    search_fields = ["plaintiff", "court_or_authority", "defendants_text", "case__reference"]
    autocomplete_fields = ["defendant_influencers", "defendant_accounts"]
    readonly_fields = ["related_records"]
    related_lookups = ("defendant_influencers", "defendant_accounts")

    def _visible(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        visible = selectors.legal_action_list(user=request.user).values("pk")
        return queryset.filter(pk__in=visible)


# --- links between related records (core/admin_links.py) ----------------------------


def _visible_cases(request: HttpRequest) -> QuerySet[Case]:
    return selectors.cases_visible_to(request.user)


def _visible_actions(request: HttpRequest) -> QuerySet[LegalAction]:
    return selectors.legal_action_list(user=request.user)


@admin_links.provider("ledger.influencer")
def _influencer_cases(influencer: Any, request: HttpRequest):
    cases = _visible_cases(request).filter(influencers=influencer).count()
    yield admin_links.changelist(request, "cases.case", _("cases"), cases, influencers__id__exact=influencer.pk)
    actions = _visible_actions(request).filter(defendant_influencers=influencer).count()
    yield admin_links.changelist(
        request, "cases.legalaction", _("legal actions"), actions, defendant_influencers__id__exact=influencer.pk
    )


@admin_links.provider("ledger.platformaccount")
def _account_cases(account: Any, request: HttpRequest):
    cases = _visible_cases(request).filter(accounts=account).count()
    yield admin_links.changelist(request, "cases.case", _("cases"), cases, accounts__id__exact=account.pk)
    actions = _visible_actions(request).filter(defendant_accounts=account).count()
    yield admin_links.changelist(
        request, "cases.legalaction", _("legal actions"), actions, defendant_accounts__id__exact=account.pk
    )


@admin_links.provider("reviews.order")
def _order_cases(order: Any, request: HttpRequest):
    for case in _visible_cases(request).filter(orders=order).order_by("pk"):
        yield admin_links.change(request, case)


@admin_links.provider("reviews.review")
def _review_cases(review: Any, request: HttpRequest):
    for case in _visible_cases(request).filter(reviews=review).order_by("pk"):
        yield admin_links.change(request, case)


@admin_links.provider("cases.case")
def _case_links(case: Case, request: HttpRequest):
    if request.user.has_perms(["cases.view_case", "cases.view_evidence", "cases.view_legalaction"]):
        yield admin_links.Link(_("Download the case bundle (zip)"), reverse("case-bundle", args=[case.pk]))
    for evidence in case.evidence.order_by("pk"):
        yield admin_links.Link(
            _("Download evidence: %(name)s") % {"name": evidence.file_name}, _download_url(evidence) or ""
        )
    yield admin_links.changelist(
        request, "cases.legalaction", _("legal actions"), case.legal_actions.count(), case__id__exact=case.pk
    )
    yield admin_links.changelist(
        request, "cases.evidence", _("evidence"), case.evidence.count(), case__id__exact=case.pk
    )
    for influencer in case.influencers.order_by("pk"):
        yield admin_links.change(request, influencer)
    for order in case.orders.select_related("account").order_by("pk"):
        yield admin_links.change(request, order)


@admin_links.provider("cases.legalaction")
def _legal_action_links(action: LegalAction, request: HttpRequest):
    yield admin_links.change(request, action.case)
    for influencer in action.defendant_influencers.order_by("pk"):
        yield admin_links.change(request, influencer)
    for account in action.defendant_accounts.order_by("pk"):
        yield admin_links.change(request, account)
