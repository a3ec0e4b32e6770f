"""Parties in the back office: search by any name (or its pinyin), merge likely duplicates, split a merge."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from parties.models import Party, PartyAlias, PartyMerge


class PartyAliasInline(admin.TabularInline):
    model = PartyAlias
    fields = ["name", "kind", "source"]
    extra = 1


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "agency", "influencer", "merged_into", "updated_at"]
    list_filter = ["kind"]
    list_select_related = ["agency", "influencer", "merged_into"]
    # any alias, its match key (full-width, traditional, suffixes folded), its pinyin or pinyin initials
    search_fields = ["name", "uscc", "aliases__name", "aliases__key", "^aliases__pinyin", "^aliases__initials"]
    autocomplete_fields = ["agency", "influencer"]
    readonly_fields = ["merged_into", "created_at", "updated_at"]
    inlines = [PartyAliasInline]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(PartyMerge)
class PartyMergeAdmin(admin.ModelAdmin):
    list_display = ["merged", "survivor", "merged_by", "merged_at", "split_at"]
    list_select_related = ["merged", "survivor", "merged_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PartyMerge | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PartyMerge | None = None) -> bool:
        return False
