"""Parties in the back office: search by any name (or its pinyin), merge likely duplicates, split a merge."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from unfold import widgets as unfold_widgets

from core.admin_export import ExportMixin
from core.errors import DomainError
from parties import graph, selectors, services
from parties.api.serializers import GraphQuerySerializer
from parties.choices import AliasKind
from parties.models import Party, PartyAlias, PartyMerge
from parties.svg import graph_svg


class DuplicateFilter(admin.SimpleListFilter):
    """Parties listed as likely duplicates of another (same name key or pinyin)."""

    title = _("likely duplicates")
    parameter_name = "duplicates"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", _("Yes"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            ids = {p.pk for group in selectors.likely_duplicates() for p in group}
            return queryset.filter(pk__in=ids)
        return queryset


class MergeActionForm(ActionForm):
    """The action bar of the party list: why the selected parties are one."""

    reason = forms.CharField(label=_("reason"), required=False)


class PartyAliasInline(admin.TabularInline):
    model = PartyAlias
    fields = ["name", "kind", "source"]
    extra = 1


@admin.register(Party)
class PartyAdmin(ExportMixin, admin.ModelAdmin):
    """Parties; "likely duplicates" lists candidates, the merge action merges the selected into the first
    (oldest); a merge is undone from the survivor's page (split). The money graph is drawn on the party's page."""

    action_form = MergeActionForm
    actions = ["merge_selected"]
    list_display = ["name", "kind", "uscc", "agency", "influencer", "merged_into", "updated_at"]
    list_filter = [DuplicateFilter, "kind"]
    list_select_related = ["agency", "influencer", "merged_into"]
    # exports leave the ledger: a person's name as the API shows it
    export_masked = {
        "name": lambda party: party.shown_name,
        "merged_into": lambda party: party.merged_into.shown_name if party.merged_into_id else None,
    }
    # any alias as written, normalised (full-width, traditional, suffixes folded), in pinyin or its initials:
    # selectors.party_search (get_search_results)
    search_fields = ["name"]
    autocomplete_fields = ["agency", "influencer"]
    readonly_fields = ["merged_into", "merged_parties", "duplicates", "created_at", "updated_at"]
    inlines = [PartyAliasInline]

    @admin.action(description=_("Merge the selected parties into the oldest of them"), permissions=["change"])
    def merge_selected(self, request: HttpRequest, queryset: QuerySet[Party]) -> None:
        parties = list(queryset.order_by("pk"))
        reason = request.POST.get("reason", "")
        if len(parties) < 2:
            self.message_user(request, _("Select two parties or more."), level=messages.WARNING)
            return
        survivor, done = parties[0], 0
        for other in parties[1:]:
            try:
                services.party_merge(party=survivor, other=other, reason=reason, user=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{other}: {error.message}", level=messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d parties merged into %(party)s.") % {"n": done, "party": survivor})

    @admin.display(description=_("likely duplicates"))
    def duplicates(self, obj: Party) -> str:
        if obj.pk is None:
            return "—"
        others = [p for group in selectors.likely_duplicates(party=obj) for p in group if p.pk != obj.pk]
        rows = [(reverse("admin:parties_party_change", args=[p.pk]), p.pk, p.name) for p in others]
        return format_html_join(", ", '<a href="{}">#{} {}</a>', rows) or "—"

    @admin.display(description=_("merged parties"))
    def merged_parties(self, obj: Party) -> str:
        rows = obj.merged_parties.order_by("pk").values_list("pk", "name")
        return format_html_join(", ", "#{} {}", rows) or "—"

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        """The party's page, with its money graph drawn below the fields (the cases this reader may see)."""
        party = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if party is not None and request.method == "GET":
            # The graph's filters are the API's (depth, date_from, date_to, case), checked by the same serializer.
            query = GraphQuerySerializer(data=request.GET)
            if query.is_valid():
                depth, flt = query.validated_data["depth"], query.graph_filter(request.user)
            else:  # the errors are shown above the default graph
                depth, flt = graph.DEFAULT_DEPTH, graph.GraphFilter(user=request.user)
            extra_context.update(
                money_graph=graph_svg(graph.party_graph(party=party, depth=depth, flt=flt)),
                money_graph_depth=depth,
                money_graph_depths=range(1, graph.MAX_DEPTH + 1),
                money_graph_labels=GRAPH_FILTER_LABELS,
                # the admin theme's own looks for the filters' fields and button
                money_graph_input_class=" ".join(unfold_widgets.BASE_INPUT_CLASSES),
                money_graph_button_class=" ".join(unfold_widgets.BUTTON_CLASSES),
                money_graph_query=request.GET,  # the filters' form shows what was asked
                money_graph_errors=[
                    f"{GRAPH_FILTER_LABELS.get(field, field)}: {' '.join(map(str, errors))}"
                    for field, errors in query.errors.items()
                ],
                money_graph_url=reverse("party-graph", args=[party.pk]),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        return selectors.party_search(queryset, search_term), False

    def save_model(self, request: HttpRequest, obj: Party, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.alias_add(party=obj, name=obj.name, kind=AliasKind.FULL_NAME)  # a party is found by its name


# The labels of the money graph's filters on the party page (templates/admin/parties/party/change_form.html).
GRAPH_FILTER_LABELS = {
    "depth": _("Steps out"),
    "date_from": _("Dated from"),
    "date_to": _("Dated to"),
    "case": _("Only the orders of case (id)"),
}


class SplitActionForm(ActionForm):
    """The action bar of the merge list: why the merge was wrong."""

    reason = forms.CharField(label=_("reason"), required=False)


@admin.register(PartyMerge)
class PartyMergeAdmin(ExportMixin, admin.ModelAdmin):
    """The journal of merges: written by party_merge, closed by party_split (the action below), never edited."""

    action_form = SplitActionForm
    actions = ["split_selected"]
    list_display = ["merged", "survivor", "reason", "merged_by", "merged_at", "split_at", "split_reason"]
    list_select_related = ["merged", "survivor", "merged_by"]
    list_filter = [("split_at", admin.EmptyFieldListFilter)]
    export_masked = {
        "merged": lambda merge: merge.merged.shown_name,
        "survivor": lambda merge: merge.survivor.shown_name,
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PartyMerge | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PartyMerge | None = None) -> bool:
        return False

    def has_split_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("parties.change_party")

    @admin.action(
        description=_("Split the selected merges (the merged party stands alone again)"), permissions=["split"]
    )
    def split_selected(self, request: HttpRequest, queryset: QuerySet[PartyMerge]) -> None:
        reason, done = request.POST.get("reason", ""), 0
        for merge in queryset.filter(split_at__isnull=True).select_related("survivor", "merged").order_by("pk"):
            try:
                services.party_split(party=merge.survivor, other=merge.merged, reason=reason, user=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{merge.merged}: {error.message}", level=messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d merges split.") % {"n": done})
