"""Links between related records in the admin, both ways, as read-only fields (not more inlines).

A record's page shows a "related records" field: links to the change pages of the records
it points to and to the lists of records that point to it, filtered, with their counts.
Apps register the links they know of from their admin modules, so that an app earlier in
the dependency order (ledger) shows links into later apps (reviews, cases) without
importing them, the way apps register journal and history sources with core::

    @admin_links.provider("ledger.influencer")
    def influencer_orders(influencer, request):
        yield admin_links.changelist("reviews.order", _("orders"), count, account__influencer__id__exact=influencer.pk)

A provider returns (label, url, count or None) triples; a link the user may not open is
left out. ``RelatedLookupsMixin`` lets a list be filtered along the relations those links
follow (the admin allows one-step lookups only, unless they are list filters).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class Link(NamedTuple):
    label: Any
    url: str
    count: int | None = None


Provider = Callable[[Any, HttpRequest], Iterable[Link | None]]
_providers: dict[str, list[Provider]] = defaultdict(list)


def provider(model_label: str) -> Callable[[Provider], Provider]:
    """Register ``func`` as a source of links on the pages of ``model_label`` ("app_label.model")."""

    def register(func: Provider) -> Provider:
        _providers[model_label.lower()].append(func)
        return func

    return register


def _may_open(request: HttpRequest, label: str, obj: Any = None) -> bool:
    model_admin = admin.site._registry.get(apps.get_model(label))
    return bool(model_admin and model_admin.has_view_or_change_permission(request, obj))


def change(request: HttpRequest, obj: Model | None, label: Any = None) -> Link | None:
    """A link to ``obj``'s change page, or None when there is none or the user may not open it."""
    if obj is None or obj.pk is None:
        return None
    opts = obj._meta
    if not _may_open(request, opts.label_lower, obj):
        return None
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None
    return Link(label if label is not None else obj, url)


def changelist(
    request: HttpRequest, model_label: str, label: Any, count: int | None = None, **filters: Any
) -> Link | None:
    """A link to the list of ``model_label``, filtered by ``filters``; None when the user may not open it."""
    if not _may_open(request, model_label):
        return None
    app_label, model_name = model_label.lower().split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return Link(label, f"{url}?{urlencode(filters)}" if filters else url, count)


def links_for(obj: Model, request: HttpRequest) -> list[Link]:
    """Every registered link on ``obj``'s page that the user may open."""
    found: list[Link] = []
    for func in _providers.get(obj._meta.label_lower, []):
        found.extend(link for link in func(obj, request) if link is not None)
    return found


def render(links: Iterable[Link]) -> SafeString | str:
    """Links as one list: "label (count)", or the linked record's name."""
    items = [
        (link.url, link.label if link.count is None else format_html("{} ({})", capfirst(link.label), link.count))
        for link in links
    ]
    if not items:
        return "—"
    return format_html(
        '<ul class="related-links flex flex-col gap-1">{}</ul>',
        format_html_join("", '<li><a class="text-primary-600 dark:text-primary-500" href="{}">{}</a></li>', items),
    )


class RelatedLinksMixin:
    """A ModelAdmin with the read-only field ``related_records``: the links registered for its model.

    The links are found when the page loads its record (they depend on who asks); list
    ``related_records`` in ``readonly_fields`` and in the fieldsets where it should show.
    """

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            obj._related_links = links_for(obj, request)
        return obj

    @admin.display(description=_("related records"))
    def related_records(self, obj: Any) -> SafeString | str:
        return render(getattr(obj, "_related_links", []))


class RelatedLookupsMixin:
    """Allow the list to be filtered along ``related_lookups`` (relation paths the related-record links use)."""

    related_lookups: tuple[str, ...] = ()

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        if any(lookup == path or lookup.startswith(f"{path}__") for path in self.related_lookups):
            return True
        return super().lookup_allowed(lookup, value, request)  # type: ignore[misc]
