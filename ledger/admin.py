from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from core import admin_links, numbers
from core.admin_export import ExportMixin
from core.admin_links import RelatedLinksMixin
from ledger import charts, selectors, services, tasks
from ledger.models import (
    Agency,
    FollowerAnomaly,
    FollowerSnapshot,
    Influencer,
    PlatformAccount,
    ProfileRefresh,
)


def _when(value) -> str:
    return admin.utils.display_for_value(value, "")


def _table(headers: list, rows: Iterable[tuple], *, empty: str) -> str:
    """A small read-only HTML table for a change page (values are escaped)."""
    rows = list(rows)
    if not rows:
        return empty
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


@admin.register(Agency)
class AgencyAdmin(ExportMixin, ModelAdmin):
    list_display = ["name", "kind", "uscc", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "uscc", "^search_initials"]


# Profile URLs typed without a scheme are taken as https (Django 6's default).
URL_FIELD = {models.URLField: {"assume_scheme": "https"}}


class PlatformAccountInline(TabularInline):
    model = PlatformAccount
    formfield_overrides = URL_FIELD
    fields = ["platform", "handle", "platform_uid", "profile_url", "status", "follower_count", "followers_captured_at"]
    readonly_fields = ["follower_count", "followers_captured_at"]
    extra = 0
    show_change_link = True
    tab = True  # a tab of the page (django-unfold), not a table below the form


@admin.register(Influencer)
class InfluencerAdmin(ExportMixin, RelatedLinksMixin, ModelAdmin):
    list_display = ["display_name", "kind", "agency", "account_count", "total_followers_display", "updated_at"]
    list_filter = ["kind", "agency"]
    list_select_related = ["agency"]
    # ^search_initials: pinyin initials, so that "lksc" finds 老K说车
    search_fields = [
        "display_name",
        "^search_initials",
        "legal_name",
        "accounts__handle",
        "^accounts__search_initials",
        "accounts__platform_uid",
    ]
    autocomplete_fields = ["agency"]
    inlines = [PlatformAccountInline]
    readonly_fields = ["related_records", "follower_chart"]
    # exports carry the legal name as the API shows it: a person's masked
    export_fields = [*list_display, "legal_name"]
    export_masked = {"legal_name": lambda influencer: influencer.shown_legal_name}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Influencer]:
        return selectors.influencer_list().prefetch_related(None)

    @admin.display(description=_("followers"))
    def follower_chart(self, obj: Influencer) -> str:
        if obj.pk is None:
            return "—"
        return charts.follower_chart(
            list(obj.accounts.order_by("platform", "handle", "pk")),
            title=_("Followers of %(name)s's accounts (anomalies ringed in red)") % {"name": obj.display_name},
            empty=_("No snapshots yet."),
        )

    @admin.display(description=_("accounts"), ordering="account_count")
    def account_count(self, obj: Influencer) -> int:
        return obj.account_count

    @admin.display(description=_("total followers"), ordering="total_followers")
    def total_followers_display(self, obj: Influencer) -> str:
        return numbers.followers(obj.total_followers)


@admin.register(PlatformAccount)
class PlatformAccountAdmin(ExportMixin, RelatedLinksMixin, ModelAdmin):
    formfield_overrides = URL_FIELD
    list_display = [
        "handle",
        "platform",
        "platform_uid",
        "influencer",
        "agency",
        "status",
        "followers_display",
        "followers_captured_at",
        "risk_score",
    ]
    list_filter = ["platform", "status", ("influencer__agency", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["influencer", "influencer__agency"]
    search_fields = ["handle", "^search_initials", "platform_uid", "influencer__display_name"]
    autocomplete_fields = ["influencer"]
    readonly_fields = [
        "related_records",
        "follower_count",
        "followers_captured_at",
        "follower_chart",
        "recent_snapshots",
        "recent_anomalies",
        "last_refreshed_at",
        "recent_refreshes",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["influencer", "platform", "handle", "platform_uid", "profile_url", "status"]}),
        (_("Related records"), {"fields": ["related_records"]}),
        (
            _("Followers"),
            {
                "fields": [
                    "follower_count",
                    "followers_captured_at",
                    "follower_chart",
                    "recent_snapshots",
                    "recent_anomalies",
                ]
            },
        ),
        (_("Profile refresh"), {"fields": ["refresh_interval", "last_refreshed_at", "recent_refreshes"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["queue_refresh"]

    @admin.action(description=_("Refresh the selected accounts' profiles now"), permissions=["change"])
    def queue_refresh(self, request: HttpRequest, queryset: QuerySet[PlatformAccount]) -> None:
        slot = services.refresh_slot_for(timezone.now()).isoformat()
        ids = list(queryset.values_list("pk", flat=True))
        transaction.on_commit(lambda: [tasks.refresh_account.delay(pk, slot) for pk in ids])
        self.message_user(request, _("Refresh queued for %(n)d account(s).") % {"n": len(ids)})

    @admin.display(description=_("follower chart"))
    def follower_chart(self, obj: PlatformAccount) -> str:
        if obj.pk is None:
            return "—"
        return charts.follower_chart(
            [obj], title=_("Followers (anomalies ringed in red)"), empty=_("No snapshots yet.")
        )

    @admin.display(description=_("recent refresh attempts"))
    def recent_refreshes(self, obj: PlatformAccount) -> str:
        if obj.pk is None:
            return "—"
        rows = obj.refreshes.order_by("-started_at", "-id")[:10]
        return _table(
            [_("started"), _("outcome"), _("HTTP"), _("latency (ms)"), _("error")],
            (
                (_when(r.started_at), r.get_outcome_display(), r.http_status or "—", r.latency_ms or "—", r.error[:80])
                for r in rows
            ),
            empty=_("Never refreshed."),
        )

    @admin.display(description=_("follower anomalies"))
    def recent_anomalies(self, obj: PlatformAccount) -> str:
        if obj.pk is None:
            return "—"
        rows = obj.anomalies.select_related("snapshot").order_by("-snapshot__captured_at")[:10]
        return _table(
            [_("captured at"), _("kind"), _("change"), _("reason")],
            ((_when(a.snapshot.captured_at), a.get_kind_display(), numbers.signed(a.change), a.reason) for a in rows),
            empty=_("None detected."),
        )

    @admin.display(description=_("agency"), ordering="influencer__agency__name")
    def agency(self, obj: PlatformAccount) -> str:
        return str(obj.influencer.agency or "—")

    @admin.display(description=_("followers"), ordering="follower_count")
    def followers_display(self, obj: PlatformAccount) -> str:
        return numbers.followers(obj.follower_count)

    @admin.display(description=_("recent snapshots"))
    def recent_snapshots(self, obj: PlatformAccount) -> str:
        if obj.pk is None:
            return "—"
        rows = selectors.snapshots_recent(account=obj, limit=20)
        return _table(
            [_("captured at"), _("followers"), _("source")],
            ((_when(s.captured_at), numbers.number(s.follower_count), s.get_source_display()) for s in rows),
            empty=_("No snapshots yet."),
        )


@admin.register(FollowerSnapshot)
class FollowerSnapshotAdmin(ExportMixin, ModelAdmin):
    """Snapshots are append-only: they can be added (through snapshot_record) and viewed."""

    list_display = ["account", "captured_at", "followers_display", "source", "recorded_at"]
    list_filter = ["source", "account__platform"]
    list_select_related = ["account"]
    search_fields = ["account__handle", "account__platform_uid"]
    autocomplete_fields = ["account"]
    date_hierarchy = "captured_at"
    fields = ["account", "captured_at", "follower_count", "source", "recorded_at"]
    readonly_fields = ["recorded_at"]

    @admin.display(description=_("followers"), ordering="follower_count")
    def followers_display(self, obj: FollowerSnapshot) -> str:
        return numbers.number(obj.follower_count)

    def get_readonly_fields(self, request: HttpRequest, obj: FollowerSnapshot | None = None) -> list[str]:
        if obj is not None:
            return [*self.fields]
        return list(self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: FollowerSnapshot | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: FollowerSnapshot | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FollowerSnapshot, form, change: bool) -> None:
        saved = services.snapshot_record(
            account=obj.account, captured_at=obj.captured_at, follower_count=obj.follower_count, source=obj.source
        )
        obj.pk = saved.pk
        obj.recorded_at = saved.recorded_at


class ReadOnlyAdmin(ExportMixin, ModelAdmin):
    """Records written only by the system: viewable, never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ProfileRefresh)
class ProfileRefreshAdmin(ReadOnlyAdmin):
    list_display = ["account", "started_at", "outcome", "http_status", "latency_ms", "attempt", "short_error"]
    list_filter = ["outcome", "account__platform", "http_status"]
    list_select_related = ["account"]
    search_fields = ["account__handle", "account__platform_uid", "=task_id"]
    date_hierarchy = "started_at"

    @admin.display(description=_("error"))
    def short_error(self, obj: ProfileRefresh) -> str:
        return obj.error[:80]


@admin.register(FollowerAnomaly)
class FollowerAnomalyAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "captured_at", "change_display", "change_per_day_display", "z_score", "reason"]
    list_filter = ["kind", "account__platform"]
    list_select_related = ["account", "snapshot"]
    search_fields = ["account__handle", "account__platform_uid"]
    fields = ["account", "snapshot", "previous_snapshot", "kind", "change_display", "change_per_day_display",
              "z_score", "reason", "detected_at"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("captured at"), ordering="snapshot__captured_at")
    def captured_at(self, obj: FollowerAnomaly):
        return obj.snapshot.captured_at

    @admin.display(description=_("change"), ordering="change")
    def change_display(self, obj: FollowerAnomaly) -> str:
        return numbers.signed(obj.change)

    @admin.display(description=_("change per day"), ordering="change_per_day")
    def change_per_day_display(self, obj: FollowerAnomaly) -> str:
        return numbers.percent(obj.change_per_day, 1, sign=True)


# --- links between related records (core/admin_links.py) ----------------------------


@admin_links.provider("ledger.influencer")
def _influencer_accounts(influencer: Influencer, request: HttpRequest):
    yield admin_links.changelist(
        request,
        "ledger.platformaccount",
        _("platform accounts"),
        influencer.accounts.count(),
        influencer__id__exact=influencer.pk,
    )
    yield admin_links.change(request, influencer.agency)


@admin_links.provider("ledger.platformaccount")
def _account_ledger(account: PlatformAccount, request: HttpRequest):
    yield admin_links.change(request, account.influencer)
    yield admin_links.changelist(
        request,
        "ledger.followersnapshot",
        _("follower snapshots"),
        account.snapshots.count(),
        account__id__exact=account.pk,
    )
    yield admin_links.changelist(
        request,
        "ledger.followeranomaly",
        _("follower anomalies"),
        account.anomalies.count(),
        account__id__exact=account.pk,
    )
