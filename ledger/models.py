"""The influencer ledger: agencies, influencers, platform accounts and follower history."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import limits, numbers
from core.identifiers import USCC_PATTERN, reject_resident_id, validate_uscc
from core.models import in_choices
from core.privacy import mask_name
from core.search import CHINESE_COLLATION, pinyin_initials
from ledger.choices import (
    AccountStatus,
    AgencyKind,
    AnomalyKind,
    InfluencerKind,
    Platform,
    RefreshOutcome,
    SnapshotSource,
)


def _local_minute(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _search_initials_field() -> models.CharField:
    return models.CharField(
        _("pinyin initials"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("Derived from the name: search 老K说车 as lksc."),
        db_default="",  # rows written in bulk (ingest) get theirs in the ingest's follow-up
        db_collation="C",  # so that a plain index serves prefix searches (LIKE 'LK%')
    )


def _initials_index(model: str) -> models.Index:
    """For the API's ``initials`` filter: ``search_initials LIKE 'lk%'`` (C collation: a plain index serves it)."""
    return models.Index(fields=["search_initials"], name=f"{model}_initials_prefix")


def _derive_initials(instance: models.Model, source: str, kwargs: dict) -> dict:
    """Set ``search_initials`` from the ``source`` field; the save() keyword arguments to use.

    A derived search key, like a slug, not a rule: kept on save so that every writer (admin,
    API, imports, commands) keeps it without knowing about it.
    """
    instance.search_initials = pinyin_initials(getattr(instance, source))
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and source in update_fields:
        kwargs = {**kwargs, "update_fields": {*update_fields, "search_initials"}}
    return kwargs


class Agency(models.Model):
    """An MCN, PR agency or broker that manages influencers or brokers orders."""

    name = models.CharField(_("name"), max_length=200, db_collation=CHINESE_COLLATION)
    search_initials = _search_initials_field()
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices, default=AgencyKind.MCN)
    uscc = models.CharField(
        _("Unified Social Credit Code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18-character registration code (GB 32100-2015), optional."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("kind", AgencyKind), name="agency_kind_valid"),
            models.CheckConstraint(condition=Q(uscc="") | Q(uscc__regex=USCC_PATTERN), name="agency_uscc_format"),
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="agency_uscc_unique"),
        ]
        indexes = [_initials_index("agency")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **_derive_initials(self, "name", kwargs))


class Influencer(models.Model):
    """A person or organisation behind one or more platform accounts."""

    display_name = models.CharField(_("display name"), max_length=200, db_collation=CHINESE_COLLATION)
    search_initials = _search_initials_field()
    kind = models.CharField(_("kind"), max_length=20, choices=InfluencerKind.choices, default=InfluencerKind.PERSON)
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        validators=[reject_resident_id],
        help_text=_("Personal data for a person: shown masked by the API."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="influencers",
    )
    notes = models.TextField(_("notes"), validators=[reject_resident_id], blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("influencer")
        verbose_name_plural = _("influencers")
        ordering = ["display_name", "id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("kind", InfluencerKind), name="influencer_kind_valid"),
            models.CheckConstraint(condition=~Q(display_name=""), name="influencer_display_name_not_empty"),
        ]
        indexes = [_initials_index("influencer")]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **_derive_initials(self, "display_name", kwargs))

    @property
    def shown_legal_name(self) -> str:
        """The legal name as it leaves the ledger (API, exports): an organisation's as it is, a person's masked."""
        return mask_name(self.legal_name) if self.kind == InfluencerKind.PERSON else self.legal_name


class PlatformAccount(models.Model):
    """One account on one platform, identified by the platform's own user id.

    ``follower_count`` and ``followers_captured_at`` mirror the newest follower
    snapshot by capture time; only ``snapshot_record`` writes them.
    """

    influencer = models.ForeignKey(
        Influencer, verbose_name=_("influencer"), on_delete=models.PROTECT, related_name="accounts"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=200, db_collation=CHINESE_COLLATION)
    search_initials = _search_initials_field()
    platform_uid = models.CharField(
        _("platform user id"), max_length=100, help_text=_("The platform's own, stable user id.")
    )
    profile_url = models.URLField(_("profile URL"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    follower_count = models.BigIntegerField(
        _("follower count"), null=True, blank=True, editable=False, validators=[limits.validate_count]
    )
    followers_captured_at = models.DateTimeField(
        _("followers captured at"), null=True, blank=True, editable=False, validators=[limits.validate_past]
    )
    last_refreshed_at = models.DateTimeField(
        _("last refreshed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the profile was last fetched successfully from the platform."),
    )
    refresh_interval = models.DurationField(
        _("refresh interval"),
        null=True,
        blank=True,
        help_text=_("Overrides the platform's refresh interval for this account (e.g. 06:00:00)."),
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
        verbose_name = _("platform account")
        verbose_name_plural = _("platform accounts")
        ordering = ["platform", "handle", "id"]
        constraints = [
            models.CheckConstraint(
                condition=limits.count_check("follower_count", nullable=True),
                name="platformaccount_follower_count_range",
            ),
            models.CheckConstraint(
                condition=limits.date_range_check("followers_captured_at", nullable=True),
                name="platformaccount_followers_captured_at_plausible",
            ),
            models.UniqueConstraint(
                fields=["platform", "platform_uid"],
                name="account_platform_uid_unique",
                violation_error_message=_("An account with this platform user id already exists on this platform."),
            ),
            models.CheckConstraint(condition=in_choices("platform", Platform), name="account_platform_valid"),
            models.CheckConstraint(condition=in_choices("status", AccountStatus), name="account_status_valid"),
            models.CheckConstraint(condition=~Q(platform_uid=""), name="account_platform_uid_not_empty"),
            models.CheckConstraint(
                condition=Q(follower_count__isnull=True) | Q(follower_count__gte=0),
                name="account_follower_count_non_negative",
                violation_error_message=_("A follower count cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(follower_count__isnull=True, followers_captured_at__isnull=True)
                | Q(follower_count__isnull=False, followers_captured_at__isnull=False),
                name="account_follower_count_with_time",
            ),
            models.CheckConstraint(
                condition=Q(refresh_interval__isnull=True) | Q(refresh_interval__gt=timedelta(0)),
                name="account_refresh_interval_positive",
            ),
            models.CheckConstraint(condition=Q(risk_score__lte=100), name="account_risk_score_range"),
        ]
        indexes = [
            models.Index(fields=["influencer", "platform"], name="account_influencer_platform"),
            models.Index(fields=["-risk_score", "id"], name="account_risk_score"),
            # The account list filtered by platform and follower counts, largest first: the page is read
            # from the index (no sort) and its count from the index range (measured by make bench-scale).
            models.Index(fields=["platform", "follower_count"], name="account_platform_followers"),
            # The account list's default order (Meta.ordering): a page is read from the index, not
            # sorted out of every account of the platform (measured by make bench-load).
            models.Index(fields=["platform", "handle", "id"], name="account_default_order"),
            _initials_index("account"),
        ]

    def __str__(self) -> str:
        return f"{self.handle} ({self.get_platform_display()})"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **_derive_initials(self, "handle", kwargs))


class FollowerSnapshot(models.Model):
    """The follower count of one account at one instant, with its source. Append-only.

    Partitioned by month of ``captured_at`` in the database (migration 0019, docs/scale.md):
    the database's primary key is ``(id, captured_at)``, Django's is ``id`` (unique through
    the identity sequence). Partitions are created ahead by ``ledger.snapshot_partitions_create``
    and detached for archive by ``manage.py snapshot_partitions detach``.
    """

    account = models.ForeignKey(
        PlatformAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="snapshots",
        db_index=False,  # the unique (account, captured_at) serves every read by account
    )
    captured_at = models.DateTimeField(_("captured at"), validators=[limits.validate_past])
    follower_count = models.BigIntegerField(_("follower count"), validators=[limits.validate_count])
    source = models.CharField(_("source"), max_length=20, choices=SnapshotSource.choices, default=SnapshotSource.MANUAL)
    refresh_slot = models.DateTimeField(
        _("refresh slot"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("For refresh snapshots: the scheduled slot. One snapshot per account and slot."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follower snapshot")
        verbose_name_plural = _("follower snapshots")
        ordering = ["account_id", "-captured_at"]
        constraints = [
            models.CheckConstraint(
                condition=limits.date_range_check("captured_at"), name="followersnapshot_captured_at_plausible"
            ),
            models.CheckConstraint(
                condition=limits.count_check("follower_count"), name="followersnapshot_follower_count_range"
            ),
            models.UniqueConstraint(
                fields=["account", "captured_at"],
                name="snapshot_one_per_account_instant",
                violation_error_message=_("This account already has a snapshot at this instant."),
            ),
            models.CheckConstraint(
                condition=Q(follower_count__gte=0),
                name="snapshot_follower_count_non_negative",
                violation_error_message=_("A follower count cannot be negative."),
            ),
            models.CheckConstraint(condition=in_choices("source", SnapshotSource), name="snapshot_source_valid"),
        ]
        indexes = [
            # Whether a refresh slot is taken (one successful refresh per account and slot is the
            # unique constraint ``refresh_one_success_per_account_slot`` of ProfileRefresh: a unique index
            # here would have to hold captured_at, the partition key, and would then not say it).
            models.Index(
                fields=["account", "refresh_slot"],
                condition=Q(refresh_slot__isnull=False),
                name="snapshot_account_refresh_slot",
            ),
        ]
        # The unique index on (account, captured_at) also serves newest-first reads of
        # one account: PostgreSQL scans the B-tree index backwards, newest partition first.

    def __str__(self) -> str:
        return _("%(account)s on %(when)s: %(count)s followers") % {
            "account": self.account,
            "when": _local_minute(self.captured_at),
            "count": numbers.number(self.follower_count),
        }


class ProfileRefresh(models.Model):
    """One attempt to fetch an account's profile from its platform (an operational log).

    Not journaled: it records the machinery, not the ledger; it is itself
    append-only apart from finishing the attempt it describes.
    """

    account = models.ForeignKey(
        PlatformAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="refreshes"
    )
    slot = models.DateTimeField(_("slot"))
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=RefreshOutcome.choices, default=RefreshOutcome.RUNNING
    )
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    # The database enforces the reference by (snapshot_id, snapshot_captured_at), a composite
    # foreign key of migration 0019 (so db_constraint=False: the constraint is not Django's).
    snapshot = models.ForeignKey(
        FollowerSnapshot,
        verbose_name=_("snapshot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("profile refresh")
        verbose_name_plural = _("profile refreshes")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("outcome", RefreshOutcome), name="refresh_outcome_valid"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=models.F("started_at")),
                name="refresh_finished_after_start",
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="refresh_attempt_positive"),
            # A retried or duplicated refresh of one account in one slot leaves one snapshot: the
            # snapshot and its successful attempt commit together, and a second success is refused.
            models.UniqueConstraint(
                fields=["account", "slot"],
                condition=Q(outcome=RefreshOutcome.SUCCESS),
                name="refresh_one_success_per_account_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-started_at"], name="refresh_account_newest"),
            models.Index(fields=["task_id", "attempt"], name="refresh_task_attempt"),
        ]

    def __str__(self) -> str:
        return _("Refresh of %(account)s at %(when)s: %(outcome)s") % {
            "account": self.account,
            "when": _local_minute(self.started_at),
            "outcome": self.get_outcome_display(),
        }


class FollowerAnomaly(models.Model):
    """An unnatural jump or drop in an account's follower count (e.g. bought followers)."""

    account = models.ForeignKey(
        PlatformAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="anomalies"
    )
    # The database enforces both references by the whole key of a snapshot, composite foreign
    # keys of migration 0019 (so db_constraint=False: the constraints are not Django's).
    snapshot = models.ForeignKey(
        FollowerSnapshot,
        verbose_name=_("snapshot"),
        on_delete=models.PROTECT,
        related_name="anomalies",
        db_constraint=False,
    )
    previous_snapshot = models.ForeignKey(
        FollowerSnapshot,
        verbose_name=_("previous snapshot"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AnomalyKind.choices)
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    change = models.BigIntegerField(_("change"), help_text=_("Followers gained (negative: lost)."))
    change_per_day = models.DecimalField(
        _("relative change per day"), max_digits=22, decimal_places=6, help_text=_("0.12 is +12 % per day.")
    )
    z_score = models.DecimalField(_("robust z-score"), max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("follower anomaly")
        verbose_name_plural = _("follower anomalies")
        ordering = ["-snapshot__captured_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "kind"], name="anomaly_one_per_snapshot_kind"),
            models.CheckConstraint(condition=in_choices("kind", AnomalyKind), name="anomaly_kind_valid"),
        ]
        indexes = [models.Index(fields=["account", "-detected_at"], name="anomaly_account_newest")]

    def __str__(self) -> str:
        return _("%(kind)s on %(account)s: %(change)s") % {
            "kind": self.get_kind_display(),
            "account": self.account,
            "change": numbers.signed(self.change),
        }
