"""Reviews: targets, published content, claims and verdicts, suspected black commercial orders and payments."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core import limits, numbers
from core.identifiers import USCC_PATTERN, reject_resident_id, validate_uscc
from core.models import StatusChange, in_choices
from ledger.models import PlatformAccount
from parties.models import Party, name_as_shown
from pricing import figures
from pricing.choices import Deliverable
from pricing.currencies import CURRENCIES, CURRENCY_REFUSED, validate_currency
from pricing.models import TIER_IFF_SHORT_VIDEO, DurationTier
from reviews.choices import CampaignStatus, OrderStatus, PaymentChannel, ReviewStatus, Stance, TargetKind, Verdict


def markup(agreed_price: Decimal, rate_card_price: Decimal | None) -> Decimal | None:
    """agreed_price / rate_card_price in exact decimals, rounded half up to 2 places; None without a price."""
    if rate_card_price is None or rate_card_price == 0:
        return None
    return figures.cents(agreed_price / rate_card_price)


class Target(models.Model):
    """A company, brand, product (car model), person or other party that content attacks.

    ``parent`` builds the hierarchy: a model under its brand, a brand under its company.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("e.g. the brand a car model belongs to."),
    )
    uscc = models.CharField(
        _("Unified Social Credit Code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18-character registration code (GB 32100-2015) of a company, optional."),
    )
    party = models.OneToOneField(
        Party,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="target",
        help_text=_("The party this target is, when it also orders, pays or is paid (e.g. a carmaker)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("kind", TargetKind), name="target_kind_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="target_name_not_empty"),
            models.CheckConstraint(condition=Q(uscc="") | Q(uscc__regex=USCC_PATTERN), name="target_uscc_format"),
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="target_uscc_unique"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")),
                name="target_not_own_parent",
                violation_error_message=_("A target cannot be its own parent."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="target_top_level_name_unique",
                violation_error_message=_("A top-level target with this name already exists."),
            ),
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="target_name_unique_under_parent",
                violation_error_message=_("This parent already has a target with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A target is never its own ancestor (the hierarchy stays a tree)."""
        super().clean()
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A target cannot sit under itself or one of its children.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Review(models.Model):
    """One piece of published content (a video, post or article) by one platform account.

    Its duration tier is not stored: it is resolved from ``duration_seconds``
    against the pricing tiers when read (``reviews.selectors.review_list``).
    """

    account = models.ForeignKey(
        PlatformAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="reviews"
    )
    url = models.URLField(_("URL"), max_length=1000, unique=True)
    post_id = models.CharField(_("post id"), max_length=200, blank=True, help_text=_("The platform's own id."))
    headline = models.CharField(_("headline"), max_length=500)
    text = models.TextField(_("text"), blank=True, help_text=_("Transcript or body text."))
    published_at = models.DateTimeField(_("published at"), validators=[limits.validate_past])
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), null=True, blank=True, help_text=_("For videos; empty for posts and articles.")
    )
    targets = models.ManyToManyField(Target, verbose_name=_("targets"), blank=True, related_name="reviews")
    stance = models.CharField(_("stance"), max_length=20, choices=Stance.choices, default=Stance.NEGATIVE)
    suspected_ai = models.BooleanField(_("suspected AI-generated"), default=False)
    undisclosed_ad = models.BooleanField(_("undisclosed advertising"), default=False)
    views = models.BigIntegerField(_("views"), null=True, blank=True, validators=[limits.validate_count])
    likes = models.BigIntegerField(_("likes"), null=True, blank=True, validators=[limits.validate_count])
    comments = models.BigIntegerField(_("comments"), null=True, blank=True, validators=[limits.validate_count])
    shares = models.BigIntegerField(_("shares"), null=True, blank=True, validators=[limits.validate_count])
    engagement_captured_at = models.DateTimeField(
        _("engagement captured at"),
        null=True,
        blank=True,
        help_text=_("When views, likes, ... were read."),
        validators=[limits.validate_past],
    )
    status = models.CharField(_("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.LIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    ENGAGEMENT_FIELDS = ("views", "likes", "comments", "shares")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=limits.date_range_check("published_at"), name="review_published_at_plausible"
            ),
            models.CheckConstraint(
                condition=limits.date_range_check("engagement_captured_at", nullable=True),
                name="review_engagement_captured_at_plausible",
            ),
            models.CheckConstraint(condition=limits.count_check("views", nullable=True), name="review_views_range"),
            models.CheckConstraint(condition=limits.count_check("likes", nullable=True), name="review_likes_range"),
            models.CheckConstraint(
                condition=limits.count_check("comments", nullable=True), name="review_comments_range"
            ),
            models.CheckConstraint(condition=limits.count_check("shares", nullable=True), name="review_shares_range"),
            models.CheckConstraint(condition=in_choices("stance", Stance), name="review_stance_valid"),
            models.CheckConstraint(condition=in_choices("status", ReviewStatus), name="review_status_valid"),
            models.CheckConstraint(condition=~Q(headline=""), name="review_headline_not_empty"),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__gte=1),
                name="review_duration_positive",
                violation_error_message=_("A duration is at least 1 second."),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"review_{name}_non_negative",
                    violation_error_message=_("Engagement counts cannot be negative."),
                )
                for name in ("views", "likes", "comments", "shares")
            ),
            models.CheckConstraint(
                condition=Q(engagement_captured_at__isnull=False)
                | Q(views__isnull=True, likes__isnull=True, comments__isnull=True, shares__isnull=True),
                name="review_engagement_with_time",
                violation_error_message=_("Engagement counts need the time they were captured."),
            ),
            models.UniqueConstraint(
                fields=["account", "post_id"],
                condition=~Q(post_id=""),
                name="review_post_id_unique_per_account",
                violation_error_message=_("This account already has a review with this post id."),
            ),
        ]
        indexes = [models.Index(fields=["account", "-published_at"], name="review_account_published")]

    def __str__(self) -> str:
        return self.headline[:80]


class Claim(models.Model):
    """A factual assertion made by content, with its verdict once checked.

    The verdict changes only through ``reviews.services.claim_verdict_set``: a
    claim is ``pending`` until a verdict with its date and author is recorded.
    """

    text = models.TextField(_("text"))
    reviews = models.ManyToManyField(Review, verbose_name=_("reviews"), blank=True, related_name="claims")
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=Verdict.choices, default=Verdict.PENDING, editable=False
    )
    verdict_on = models.DateField(
        _("verdict on"), null=True, blank=True, editable=False, validators=[limits.validate_past]
    )
    verdict_by = models.CharField(
        _("verdict by"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("Who checked the claim: an authority, court or fact-checker."),
    )
    verdict_url = models.URLField(_("verdict URL"), max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=limits.date_range_check("verdict_on", nullable=True), name="claim_verdict_on_plausible"
            ),
            models.CheckConstraint(condition=in_choices("verdict", Verdict), name="claim_verdict_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty"),
            # a verdict comes with its date and author; a pending claim has neither
            models.CheckConstraint(
                condition=Q(verdict=Verdict.PENDING, verdict_on__isnull=True, verdict_by="", verdict_url="")
                | (~Q(verdict=Verdict.PENDING) & Q(verdict_on__isnull=False) & ~Q(verdict_by="")),
                name="claim_verdict_complete",
                violation_error_message=_("A verdict needs its date and who made it; a pending claim has neither."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


def _claim_link_str(link: models.Model) -> str:
    """A claim linked to a review reads as the claim (in the review's inline), not "Claim_reviews object (1)"."""
    return str(link.claim)


Claim.reviews.through.__str__ = _claim_link_str  # the auto-created link model has no class body of its own


class Order(models.Model):
    """A suspected black commercial order: who paid which account how much for which content.

    ``status`` changes only through ``reviews.services.order_transition``; the
    markup over the account's rate card and the total paid are computed when
    read (``reviews.selectors.order_list``).
    """

    account = models.ForeignKey(
        PlatformAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="orders"
    )
    client = models.ForeignKey(
        Party,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_placed",
        help_text=_("The party that ordered and paid (often through an intermediary)."),
    )
    client_name = models.CharField(
        _("client name"),
        validators=[reject_resident_id],
        max_length=300,
        blank=True,
        help_text=_("Who paid, as named in the records."),
    )
    intermediary = models.ForeignKey(
        Party,
        verbose_name=_("intermediary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_brokered",
        help_text=_("The party (agency, MCN, broker) that brokered the order, if any."),
    )
    targets = models.ManyToManyField(Target, verbose_name=_("targets"), blank=True, related_name="orders")
    deliverable = models.CharField(_("deliverable"), max_length=20, choices=Deliverable.choices)
    tier = models.ForeignKey(
        DurationTier,
        verbose_name=_("duration tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        help_text=_("Required for short videos, empty otherwise."),
    )
    agreed_price = models.DecimalField(_("agreed price"), max_digits=14, decimal_places=2)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default=figures.DEFAULT_CURRENCY,
        validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. CNY."),
    )
    ordered_on = models.DateField(_("ordered on"), validators=[limits.validate_past])
    reviews = models.ManyToManyField(
        Review, verbose_name=_("reviews"), blank=True, related_name="orders", help_text=_("What the order produced.")
    )
    notes = models.TextField(_("notes"), validators=[reject_resident_id], blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.REPORTED, editable=False
    )
    risk_score = models.PositiveSmallIntegerField(
        _("risk score"),
        default=0,
        db_default=0,  # rows written in bulk (ingest) start at 0 too
        editable=False,
        help_text=_("0-100, from the named signals of the risk app (0 until first computed)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("suspected order")
        verbose_name_plural = _("suspected orders")
        ordering = ["-ordered_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=limits.date_range_check("ordered_on"), name="order_ordered_on_plausible"),
            models.CheckConstraint(condition=in_choices("status", OrderStatus), name="order_status_valid"),
            models.CheckConstraint(condition=in_choices("deliverable", Deliverable), name="order_deliverable_valid"),
            models.CheckConstraint(
                condition=TIER_IFF_SHORT_VIDEO,
                name="order_tier_iff_short_video",
                violation_error_message=_("A short video needs a duration tier; other deliverables have none."),
            ),
            models.CheckConstraint(
                condition=Q(agreed_price__gt=0),
                name="order_agreed_price_positive",
                violation_error_message=_("An agreed price is more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(currency__in=sorted(CURRENCIES)),
                name="order_currency_iso4217",
                violation_error_message=CURRENCY_REFUSED,
            ),
            models.CheckConstraint(
                condition=Q(client__isnull=False) | ~Q(client_name=""),
                name="order_has_client",
                violation_error_message=_("Name the client: a party, a name as recorded, or both."),
            ),
            models.CheckConstraint(condition=Q(risk_score__lte=100), name="order_risk_score_range"),
        ]
        indexes = [
            models.Index(fields=["account", "ordered_on"], name="order_account_ordered"),
            models.Index(fields=["-risk_score", "id"], name="order_risk_score"),
        ]

    def __str__(self) -> str:
        return self.label()

    def label(self, *, masked: bool = False) -> str:
        """``Order 1: 某公关公司 -> 小米汽车, 95,000.00 CNY`` (lists prefetch the targets); ``masked``: a person
        client's name as the API shows it (``parties.models.name_as_shown``), for what leaves the ledger."""
        client = self.client.name if self.client_id else self.client_name
        if masked:
            client = name_as_shown(self.client, client)
        targets = "、".join(t.name for t in self.targets.all()) if self.pk else ""
        return _("Order %(id)s: %(client)s -> %(targets)s, %(price)s %(currency)s") % {
            "id": self.pk,
            "client": client or _("unknown client"),
            "targets": targets or _("no target recorded"),
            "price": numbers.money(self.agreed_price),
            "currency": self.currency,
        }

    # Derived figures: they need the annotations of reviews.selectors.order_list().

    @property
    def markup(self) -> Decimal | None:
        """agreed_price / the rate-card price (2 decimals, half up); None without a rate-card price."""
        return markup(self.agreed_price, getattr(self, "rate_card_price", None))

    @property
    def overpaid(self) -> bool:
        """More was paid than the agreed price."""
        return getattr(self, "total_paid", Decimal(0)) > self.agreed_price


class OrderStatusChange(StatusChange):
    """One status transition of a suspected order: from, to, who, when and why."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from status"), max_length=20, choices=OrderStatus.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=OrderStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")
        constraints = [
            *StatusChange.Meta.constraints,
            models.CheckConstraint(condition=in_choices("from_status", OrderStatus), name="order_change_from_valid"),
            models.CheckConstraint(condition=in_choices("to_status", OrderStatus), name="order_change_to_valid"),
        ]


class Payment(models.Model):
    """One payment made for an order. Recorded by ``reviews.services.payment_record``, in the order's currency.

    ``payer`` and ``payee`` are parties; ``payer_name`` and ``payee_name`` keep the
    names as written in the payment record (they may name people; identity numbers
    are refused there, so none is ever stored or shown).
    """

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default=figures.DEFAULT_CURRENCY,
        validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. CNY."),
    )
    paid_on = models.DateField(_("paid on"), validators=[limits.validate_past])
    channel = models.CharField(_("channel"), max_length=20, choices=PaymentChannel.choices)
    payer = models.ForeignKey(
        Party, verbose_name=_("payer"), on_delete=models.PROTECT, null=True, blank=True, related_name="payments_made"
    )
    payee = models.ForeignKey(
        Party,
        verbose_name=_("payee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments_received",
    )
    payer_name = models.CharField(
        _("payer as recorded"), max_length=300, blank=True, help_text=_("The payer as named in the record.")
    )
    payee_name = models.CharField(
        _("payee as recorded"), max_length=300, blank=True, help_text=_("The payee as named in the record.")
    )
    reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("Transaction number or record reference.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=limits.date_range_check("paid_on"), name="payment_paid_on_plausible"),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_("A payment amount is more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(currency__in=sorted(CURRENCIES)),
                name="payment_currency_iso4217",
                violation_error_message=CURRENCY_REFUSED,
            ),
            models.CheckConstraint(condition=in_choices("channel", PaymentChannel), name="payment_channel_valid"),
        ]

    def __str__(self) -> str:
        return _("%(amount)s %(currency)s on %(paid_on)s (%(channel)s)") % {
            "amount": numbers.money(self.amount),
            "currency": self.currency,
            "paid_on": self.paid_on,
            "channel": self.get_channel_display(),
        }


class ReviewSignature(models.Model):
    """The MinHash signature of a review's headline and text, computed once when the review is written.

    ``digest`` is the SHA-256 of the normalised content the signature was computed
    from, so a signature is recomputed only when the content, ``num_perm`` or
    ``shingle_size`` changes.
    ``hashvalues`` holds ``num_perm`` unsigned 32-bit integers, little-endian.
    """

    review = models.OneToOneField(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, primary_key=True, related_name="signature"
    )
    num_perm = models.PositiveSmallIntegerField(_("permutations"))
    shingle_size = models.PositiveSmallIntegerField(_("shingle size"))
    digest = models.CharField(_("content digest"), max_length=64)
    hashvalues = models.BinaryField(_("MinHash values"))
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("review signature")
        verbose_name_plural = _("review signatures")
        constraints = [
            models.CheckConstraint(condition=Q(num_perm__gte=16), name="signature_num_perm_min"),
            models.CheckConstraint(condition=Q(shingle_size__gte=1), name="signature_shingle_size_positive"),
            models.CheckConstraint(condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="signature_digest_sha256"),
        ]

    def __str__(self) -> str:
        return _("Signature of review %(id)s") % {"id": self.review_id}


class Campaign(models.Model):
    """Near-duplicate negative content against one target, posted by several accounts in a burst.

    Found by ``reviews.campaigns`` as ``suspected``; its members, window and
    similarity are kept by detection while it is suspected. ``status`` changes
    only through ``reviews.services.campaign_transition``; a confirmed or dismissed
    campaign is never changed by detection again.
    """

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CampaignStatus.choices,
        default=CampaignStatus.SUSPECTED,
        editable=False,
    )
    targets = models.ManyToManyField(
        Target,
        verbose_name=_("targets"),
        related_name="campaigns",
        help_text=_("The most specific targets every member attacks (a car model counts for its brand)."),
    )
    first_published_at = models.DateTimeField(_("first published at"), editable=False)
    last_published_at = models.DateTimeField(_("last published at"), editable=False)
    similarity = models.DecimalField(
        _("similarity"),
        max_digits=4,
        decimal_places=3,
        editable=False,
        help_text=_("Mean estimated Jaccard similarity of the members' content, pair by pair (0-1)."),
    )
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-first_published_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("status", CampaignStatus), name="campaign_status_valid"),
            models.CheckConstraint(
                condition=Q(first_published_at__lte=F("last_published_at")),
                name="campaign_window_ordered",
                violation_error_message=_("A campaign's first review is not after its last."),
            ),
            models.CheckConstraint(
                condition=Q(similarity__gte=0, similarity__lte=1),
                name="campaign_similarity_range",
                violation_error_message=_("A similarity is between 0 and 1."),
            ),
        ]
        indexes = [models.Index(fields=["status", "-first_published_at"], name="campaign_status_first")]

    def __str__(self) -> str:
        return _("Campaign #%(id)s") % {"id": self.pk}


class CampaignMember(models.Model):
    """One review in one campaign. A review belongs to at most one campaign."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="members")
    review = models.OneToOneField(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="campaign_member"
    )

    class Meta:
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        ordering = ["campaign", "review"]

    def __str__(self) -> str:
        return _("Review %(review)s in campaign #%(campaign)s") % {
            "review": self.review_id,
            "campaign": self.campaign_id,
        }


class CampaignStatusChange(StatusChange):
    """One status transition of a campaign: from, to, who, when and why."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(_("from status"), max_length=20, choices=CampaignStatus.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=CampaignStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("campaign status change")
        verbose_name_plural = _("campaign status changes")
        constraints = [
            *StatusChange.Meta.constraints,
            models.CheckConstraint(
                condition=in_choices("from_status", CampaignStatus), name="campaign_change_from_valid"
            ),
            models.CheckConstraint(condition=in_choices("to_status", CampaignStatus), name="campaign_change_to_valid"),
        ]
