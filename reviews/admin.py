from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from core import admin_links, charts, numbers
from core.admin import HistoryInline, MoveSelectedMixin, move_action_form
from core.admin_export import ExportMixin
from core.admin_links import RelatedLinksMixin, RelatedLookupsMixin
from ledger.admin import URL_FIELD
from parties.models import name_as_shown
from reviews import selectors, services, tasks
from reviews.choices import Verdict
from reviews.models import Campaign, CampaignStatusChange, Claim, Order, OrderStatusChange, Payment, Review, Target

_money = numbers.money


@admin.register(Target)
class TargetAdmin(ExportMixin, ModelAdmin):
    list_display = ["name", "kind", "parent", "uscc"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["parent", "party"]


class ClaimOfReviewInline(TabularInline):
    """The claims a review makes. Links are added and removed through the claim's ``reviews`` set (journaled)."""

    tab = True
    model = Claim.reviews.through
    verbose_name = _("claim")
    verbose_name_plural = _("claims")
    fields = ["claim", "verdict"]
    readonly_fields = ["verdict"]
    autocomplete_fields = ["claim"]
    extra = 0

    @admin.display(description=_("verdict"))
    def verdict(self, obj: Any) -> str:
        return obj.claim.get_verdict_display() if obj.pk else "—"


@admin.register(Review)
class ReviewAdmin(ExportMixin, RelatedLinksMixin, RelatedLookupsMixin, ModelAdmin):
    formfield_overrides = URL_FIELD
    list_display = [  # short enough for a 1,440 px screen: duration and tier are on the review's page
        "headline",
        "account",
        "published_at",
        "stance",
        "status",
        "suspected_ai",
        "undisclosed_ad",
        "views_display",
    ]
    list_filter = ["stance", "status", "suspected_ai", "undisclosed_ad", "account__platform"]
    search_fields = ["headline", "text", "url", "post_id", "account__handle", "account__platform_uid"]
    autocomplete_fields = ["account", "targets"]
    date_hierarchy = "published_at"
    readonly_fields = ["related_records", "tier", "created_at", "updated_at"]
    inlines = [ClaimOfReviewInline]
    related_lookups = ("account__influencer", "orders", "claims", "cases")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        return (
            selectors.review_list()
            .prefetch_related(None)
            .annotate(tier_label=selectors.tier_code_of_duration(field="label"))
        )

    @admin.display(description=_("duration tier"), ordering="tier_code")
    def tier(self, obj: Review) -> str:
        return getattr(obj, "tier_label", None) or "—"

    @admin.display(description=_("views"), ordering="views")
    def views_display(self, obj: Review) -> str:
        return numbers.number(obj.views)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """With its targets saved: store the review's signature, and look for its campaign after commit."""
        super().save_related(request, form, formsets, change)
        services.review_signature_store(review=form.instance)
        tasks.detect_campaigns.delay_on_commit(review_ids=[form.instance.pk])

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Link and unlink claims through ``Claim.reviews`` so that the journal records them on the claim."""
        if formset.model is not Claim.reviews.through:
            super().save_formset(request, form, formset, change)
            return
        review = form.instance
        for inline_form in formset.forms:
            if not inline_form.has_changed() and inline_form not in formset.deleted_forms:
                continue
            link = inline_form.instance
            if inline_form in formset.deleted_forms:
                if link.pk:
                    link.claim.reviews.remove(review)
                continue
            claim = inline_form.cleaned_data.get("claim")
            if link.pk and link.claim_id != getattr(claim, "pk", None):
                Claim.objects.get(pk=link.claim_id).reviews.remove(review)
            if claim is not None:
                claim.reviews.add(review)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ClaimAdminForm(forms.ModelForm):
    """The claim, plus an optional verdict (recorded by claim_verdict_set on save)."""

    set_verdict = forms.ChoiceField(
        label=_("record verdict"),
        choices=[("", "—"), *[(v, label) for v, label in Verdict.choices if v != Verdict.PENDING]],
        required=False,
    )
    set_verdict_on = forms.DateField(label=_("verdict on"), required=False)
    set_verdict_by = forms.CharField(label=_("verdict by"), required=False, max_length=300)
    set_verdict_url = forms.URLField(label=_("verdict URL"), required=False, max_length=1000, assume_scheme="https")

    class Meta:
        model = Claim
        fields = ["text", "target", "reviews"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("set_verdict"):
            if not data.get("set_verdict_on"):
                self.add_error("set_verdict_on", _("Give the date of the verdict."))
            if not (data.get("set_verdict_by") or "").strip():
                self.add_error("set_verdict_by", _("Say who made the verdict."))
        return data


@admin.register(Claim)
class ClaimAdmin(ExportMixin, RelatedLinksMixin, RelatedLookupsMixin, ModelAdmin):
    form = ClaimAdminForm
    list_display = ["__str__", "target", "verdict", "verdict_on", "verdict_by"]
    list_filter = ["verdict"]
    list_select_related = ["target"]
    search_fields = ["text", "verdict_by"]
    autocomplete_fields = ["target", "reviews"]
    readonly_fields = [
        "related_records",
        "verdict",
        "verdict_on",
        "verdict_by",
        "verdict_url",
        "created_at",
        "updated_at",
    ]
    related_lookups = ("reviews__account__influencer",)
    fieldsets = [
        (None, {"fields": ["text", "target", "reviews", "related_records"]}),
        (
            _("Verdict"),
            {
                "fields": [
                    "verdict",
                    "verdict_on",
                    "verdict_by",
                    "verdict_url",
                    "set_verdict",
                    "set_verdict_on",
                    "set_verdict_by",
                    "set_verdict_url",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Claim, form: ClaimAdminForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        if data.get("set_verdict"):
            services.claim_verdict_set(
                claim=obj,
                verdict=data["set_verdict"],
                verdict_on=data["set_verdict_on"],
                verdict_by=data["set_verdict_by"],
                verdict_url=data.get("set_verdict_url") or "",
            )


class OrderStatusChangeInline(HistoryInline):
    """The status history: written only by order_transition."""

    tab = True
    model = OrderStatusChange


class PaymentForm(forms.ModelForm):
    """A new payment, checked by the rules of payment_record (which then records it)."""

    class Meta:
        model = Payment
        fields = [
            "order", "amount", "currency", "paid_on", "channel", "payer", "payee", "payer_name", "payee_name",
            "reference",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        order = data.get("order")  # the inline's parent, or the order chosen on the payment's own page
        if self.instance.pk is None and order is not None and not self.errors:
            values = {k: data.get(k) for k in ("amount", "paid_on", "channel", "currency")}
            texts = {k: data.get(k) or "" for k in ("payer_name", "payee_name", "reference")}
            for field, message in services.payment_problems(order=order, **values, **texts):
                self.add_error(field, message)
        return data


class PaymentInline(TabularInline):
    """Payments are added (through payment_record) and never edited here."""

    tab = True
    model = Payment
    form = PaymentForm
    fields = ["amount", "currency", "paid_on", "channel", "payer", "payee", "payer_name", "payee_name", "reference"]
    autocomplete_fields = ["payer", "payee"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OverpaidFilter(admin.SimpleListFilter):
    title = _("paid above the agreed price")
    parameter_name = "overpaid"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(total_paid__gt=F("agreed_price"))
        if self.value() == "no":
            return queryset.filter(total_paid__lte=F("agreed_price"))
        return queryset


def _client_names(order: Order, *, masked: bool = False) -> str:
    """The client party and the client as recorded; ``masked``: a person's names as the API shows them."""
    names = (order.client.name if order.client else "", order.client_name)
    if masked:
        names = tuple(name_as_shown(order.client, name) for name in names)
    return " / ".join(x for x in names if x) or "—"


@admin.register(Order)
class OrderAdmin(ExportMixin, MoveSelectedMixin, RelatedLinksMixin, RelatedLookupsMixin, ModelAdmin):
    """Suspected orders with their markup and payments; flagged when paid above the agreed price."""

    workflow = services.ORDER_WORKFLOW
    action_form = move_action_form(services.ORDER_WORKFLOW)
    # Short enough for a 1,440 px screen: deliverable, tier, currency and rate card are on the order's page.
    list_display = [
        "__str__",
        "account",
        "client_display",
        "agreed_price_display",
        "markup_display",
        "total_paid_display",
        "overpaid",
        "status",
        "risk_score",
    ]
    list_filter = ["status", "deliverable", OverpaidFilter, "currency"]
    list_select_related = ["account", "client", "tier"]
    # exports leave the ledger: a person client's names as the API shows them
    export_masked = {
        "__str__": lambda order: order.label(masked=True),
        "client_display": lambda order: _client_names(order, masked=True),
    }
    search_fields = ["client_name", "notes", "account__handle", "account__platform_uid", "client__aliases__name"]
    autocomplete_fields = ["account", "client", "intermediary", "targets", "reviews"]
    date_hierarchy = "ordered_on"
    readonly_fields = [
        "related_records",
        "status",
        "rate_card",
        "markup_display",
        "total_paid_display",
        "risk_score",
        "created_at",
        "updated_at",
    ]
    related_lookups = ("account__influencer", "reviews", "cases")
    fieldsets = [
        (None, {"fields": ["account", "client", "client_name", "intermediary", "targets"]}),
        (_("Related records"), {"fields": ["related_records"]}),
        (_("What and how much"), {"fields": ["deliverable", "tier", "agreed_price", "currency", "ordered_on"]}),
        (_("Figures"), {"fields": ["rate_card", "markup_display", "total_paid_display", "risk_score"]}),
        (_("Content and notes"), {"fields": ["reviews", "notes"]}),
        (_("Status"), {"fields": ["status"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [OrderStatusChangeInline, PaymentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return selectors.order_list().prefetch_related(None).prefetch_related("targets")  # targets: for __str__

    @admin.display(description=_("agreed price"), ordering="agreed_price")
    def agreed_price_display(self, obj: Order) -> str:
        return _money(obj.agreed_price)

    @admin.display(description=_("client"))
    def client_display(self, obj: Order) -> str:
        return _client_names(obj)

    @admin.display(description=_("rate card"), ordering="rate_card_price")
    def rate_card(self, obj: Order) -> str:
        return _money(getattr(obj, "rate_card_price", None))

    @admin.display(description=_("of rate card"))
    def markup_display(self, obj: Order) -> str:
        return numbers.percent(obj.markup)

    @admin.display(description=_("total paid"), ordering="total_paid")
    def total_paid_display(self, obj: Order) -> str:
        return _money(getattr(obj, "total_paid", None))

    @admin.display(description=_("paid above agreed"), boolean=True)
    def overpaid(self, obj: Order) -> bool:
        return obj.overpaid

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Payment:
            super().save_formset(request, form, formset, change)
            return
        created = []
        for inline_form in formset.forms:
            if inline_form.instance.pk is not None or not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            created.append(
                services.payment_record(
                    order=form.instance,
                    amount=data["amount"],
                    currency=data.get("currency"),
                    paid_on=data["paid_on"],
                    channel=data["channel"],
                    payer=data.get("payer"),
                    payee=data.get("payee"),
                    payer_name=data.get("payer_name") or "",
                    payee_name=data.get("payee_name") or "",
                    reference=data.get("reference") or "",
                )
            )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []


@admin.register(Payment)
class PaymentAdmin(ExportMixin, RelatedLinksMixin, RelatedLookupsMixin, ModelAdmin):
    """Payments: recorded through payment_record (here or on the order's page), then read-only."""

    form = PaymentForm
    list_display = [
        "__str__",
        "order",
        "amount_display",
        "currency",
        "paid_on",
        "channel",
        "payer",
        "payee",
        "reference",
    ]
    list_filter = ["channel", "currency"]
    list_select_related = ["order", "order__client", "payer", "payee"]
    # exports leave the ledger: a person's name as the API shows it
    export_masked = {
        "order": lambda payment: payment.order.label(masked=True),
        "payer": lambda payment: payment.payer.shown_name if payment.payer else None,
        "payee": lambda payment: payment.payee.shown_name if payment.payee else None,
    }
    search_fields = ["payer_name", "payee_name", "payer__aliases__name", "payee__aliases__name", "reference"]
    autocomplete_fields = ["order", "payer", "payee"]
    date_hierarchy = "paid_on"

    fields = [
        "order", "amount", "currency", "paid_on", "channel", "payer", "payee", "payer_name", "payee_name", "reference",
    ]  # fmt: skip
    readonly_fields = ["related_records"]
    related_lookups = ("order__account__influencer",)

    def get_fields(self, request: HttpRequest, obj: Payment | None = None) -> list[str]:
        return [*self.fields, "related_records"] if obj is not None else list(self.fields)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).prefetch_related("order__targets")  # for the order's name

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Payment) -> str:
        return _money(obj.amount)

    def has_change_permission(self, request: HttpRequest, obj: Payment | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Payment, form, change: bool) -> None:
        saved = services.payment_record(
            order=obj.order,
            amount=obj.amount,
            currency=obj.currency,
            paid_on=obj.paid_on,
            channel=obj.channel,
            payer=obj.payer,
            payee=obj.payee,
            payer_name=obj.payer_name,
            payee_name=obj.payee_name,
            reference=obj.reference,
        )
        obj.pk, obj.created_at = saved.pk, saved.created_at


# --- campaigns ------------------------------------------------------------------


class CampaignStatusChangeInline(HistoryInline):
    """The status history: written only by campaign_transition."""

    tab = True
    model = CampaignStatusChange


_count = numbers.number


@admin.register(Campaign)
class CampaignAdmin(ExportMixin, MoveSelectedMixin, ModelAdmin):
    """Coordinated campaigns found by detection: read-only but for their status (confirm or dismiss).

    A confirmed campaign is linked to a case from the case's page.
    """

    workflow = services.CAMPAIGN_WORKFLOW
    action_form = move_action_form(services.CAMPAIGN_WORKFLOW)
    list_display = [
        "__str__",
        "targets_display",
        "first_published_at",
        "last_published_at",
        "review_count_display",
        "account_count_display",
        "total_views_display",
        "similarity_display",
        "status",
    ]
    list_filter = ["status"]
    search_fields = ["targets__name", "members__review__headline"]
    date_hierarchy = "first_published_at"
    fieldsets = [
        (
            None,
            {"fields": ["status", "targets_display", "first_published_at", "last_published_at", "similarity_display"]},
        ),
        (
            _("Figures"),
            {
                "fields": [
                    "review_count_display",
                    "account_count_display",
                    "agency_count_display",
                    "total_views_display",
                ]
            },
        ),
        (_("Why one campaign"), {"fields": ["explanation"]}),
        (_("Headline variants"), {"fields": ["variants_table"]}),
        (_("Timeline"), {"fields": ["timeline"]}),
        (_("Members"), {"fields": ["members_table"]}),
        (_("Cases"), {"fields": ["cases_display"]}),
        (_("Record"), {"fields": ["detected_at", "updated_at"]}),
    ]
    readonly_fields = [
        "status",
        "targets_display",
        "first_published_at",
        "last_published_at",
        "similarity_display",
        "review_count_display",
        "account_count_display",
        "agency_count_display",
        "total_views_display",
        "explanation",
        "variants_table",
        "timeline",
        "members_table",
        "cases_display",
        "detected_at",
        "updated_at",
    ]
    inlines = [CampaignStatusChangeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return selectors.campaign_list().prefetch_related("cases")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # campaigns are found by detection

    def has_delete_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        return False  # detection deletes suspected campaigns it no longer finds; decided ones stay

    @admin.display(description=_("targets"))
    def targets_display(self, obj: Campaign) -> str:
        return "、".join(t.name for t in obj.targets.all()) or "—"

    @admin.display(description=_("reviews"), ordering="review_count")
    def review_count_display(self, obj: Campaign) -> str:
        return _count(obj.review_count)

    @admin.display(description=_("accounts"), ordering="account_count")
    def account_count_display(self, obj: Campaign) -> str:
        return _count(obj.account_count)

    @admin.display(description=_("agencies"), ordering="agency_count")
    def agency_count_display(self, obj: Campaign) -> str:
        return _count(obj.agency_count)

    @admin.display(description=_("views"), ordering="total_views")
    def total_views_display(self, obj: Campaign) -> str:
        return _count(obj.total_views)

    @admin.display(description=_("similarity"), ordering="similarity")
    def similarity_display(self, obj: Campaign) -> str:
        return numbers.percent(obj.similarity)

    @admin.display(description=_("explanation"))
    def explanation(self, obj: Campaign) -> SafeString:
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((s,) for s in selectors.campaign_explanation(obj)))
        )

    @admin.display(description=_("headline variants"))
    def variants_table(self, obj: Campaign) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((v["headline"], v["review_count"], _count(v["views"])) for v in selectors.headline_variants(obj)),
        )
        return format_html(
            '<table class="campaign-variants"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("headline"),
            _("reviews"),
            _("views"),
            rows,
        )

    @admin.display(description=_("timeline"))
    def timeline(self, obj: Campaign) -> SafeString:
        """When each account posted (one colour per account) and how many views each review drew."""
        by_account: dict[int, list] = {}
        names: dict[int, str] = {}
        for review in selectors.campaign_reviews(obj):
            by_account.setdefault(review.account_id, []).append((review.published_at, review.views or 0))
            names[review.account_id] = str(review.account)
        return charts.time_chart(
            title=str(_("Views of each member review, by account and publication time")),
            series=[charts.Series(names[pk], points) for pk, points in by_account.items()],
            dots=True,
            from_zero=True,
            empty=str(_("No member reviews.")),
        )

    @admin.display(description=_("members"))
    def members_table(self, obj: Campaign) -> SafeString:
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:reviews_review_change", args=[r.pk]),
                    r.headline,
                    r.account,
                    formats.date_format(timezone.localtime(r.published_at), "DATETIME_FORMAT"),
                    r.account.influencer,
                    _count(r.views),
                )
                for r in selectors.campaign_reviews(obj)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("headline"),
            _("account"),
            _("published at"),
            _("influencer"),
            _("views"),
            rows,
        )

    @admin.display(description=_("cases"))
    def cases_display(self, obj: Campaign) -> SafeString | str:
        cases = list(obj.cases.all())
        if not cases:
            return _("None. A confirmed campaign is linked to a case from the case's page.")
        return format_html_join(
            ", ", '<a href="{}">{}</a>', ((reverse("admin:cases_case_change", args=[c.pk]), c) for c in cases)
        )


# --- links between related records (core/admin_links.py) ----------------------------


@admin_links.provider("ledger.influencer")
def _influencer_orders_and_content(influencer: Any, request: HttpRequest):
    by_influencer = {"account__influencer__id__exact": influencer.pk}
    yield admin_links.changelist(
        request,
        "reviews.order",
        _("orders"),
        Order.objects.filter(account__influencer=influencer).count(),
        **by_influencer,
    )
    yield admin_links.changelist(
        request,
        "reviews.payment",
        _("payments"),
        Payment.objects.filter(order__account__influencer=influencer).count(),
        order__account__influencer__id__exact=influencer.pk,
    )
    yield admin_links.changelist(
        request,
        "reviews.review",
        _("reviews"),
        Review.objects.filter(account__influencer=influencer).count(),
        **by_influencer,
    )
    yield admin_links.changelist(
        request,
        "reviews.claim",
        _("claims"),
        Claim.objects.filter(reviews__account__influencer=influencer).distinct().count(),
        reviews__account__influencer__id__exact=influencer.pk,
    )


@admin_links.provider("ledger.platformaccount")
def _account_orders_and_content(account: Any, request: HttpRequest):
    yield admin_links.changelist(
        request, "reviews.order", _("orders"), account.orders.count(), account__id__exact=account.pk
    )
    yield admin_links.changelist(
        request, "reviews.review", _("reviews"), account.reviews.count(), account__id__exact=account.pk
    )


@admin_links.provider("reviews.order")
def _order_links(order: Order, request: HttpRequest):
    yield admin_links.change(request, order.account)
    yield admin_links.change(request, order.account.influencer)
    yield admin_links.changelist(
        request, "reviews.payment", _("payments"), order.payments.count(), order__id__exact=order.pk
    )
    yield admin_links.changelist(
        request, "reviews.review", _("reviews"), order.reviews.count(), orders__id__exact=order.pk
    )


@admin_links.provider("reviews.review")
def _review_links(review: Review, request: HttpRequest):
    yield admin_links.change(request, review.account)
    yield admin_links.change(request, review.account.influencer)
    yield admin_links.changelist(
        request, "reviews.order", _("orders"), review.orders.count(), reviews__id__exact=review.pk
    )
    yield admin_links.changelist(
        request, "reviews.claim", _("claims"), review.claims.count(), reviews__id__exact=review.pk
    )


@admin_links.provider("reviews.claim")
def _claim_links(claim: Claim, request: HttpRequest):
    yield admin_links.changelist(
        request, "reviews.review", _("reviews"), claim.reviews.count(), claims__id__exact=claim.pk
    )


@admin_links.provider("reviews.payment")
def _payment_links(payment: Payment, request: HttpRequest):
    yield admin_links.change(request, payment.order)
    yield admin_links.change(request, payment.order.account.influencer)
