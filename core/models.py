"""Building blocks that the apps' models share (choice checks, the status history of a workflow) and the
journal's tables (core/journal.py, core/heads.py) and the timelines' index (core/history.py)."""

from __future__ import annotations

from typing import cast

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core import numbers


def in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    """The condition of a CHECK constraint that keeps ``field`` within ``choices``."""
    return Q(**{f"{field}__in": choices.values})


class StatusChange(models.Model):
    """One move of a record through its workflow (core/workflow.py): from, to, who, when and why.

    A concrete history adds the foreign key to its record and ``from_status`` /
    ``to_status`` with the record's choices. Written only by ``workflow_transition``.
    """

    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=200, help_text=_("user:NAME, command:NAME or task:NAME"))
    changed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    occurred_at = models.DateTimeField(
        _("decided at"),
        null=True,
        blank=True,
        help_text=_("When the decision was taken, if earlier than it was recorded."),
    )

    class Meta:
        abstract = True
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=F("to_status")), name="%(app_label)s_%(class)s_moves"),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_not_empty"),
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=True) | Q(occurred_at__lte=F("changed_at")),
                name="%(app_label)s_%(class)s_occurred_before_recorded",
            ),
        ]

    def __str__(self) -> str:
        # The concrete history declares the two fields, with its record's choices.
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"  # type: ignore[attr-defined]


def object_type_name(object_type: str) -> str:
    """``ledger.platformaccount`` as the reader's language names it (平台账号 / Platform account)."""
    try:
        return cast(str, capfirst(apps.get_model(object_type)._meta.verbose_name))
    except (LookupError, ValueError):
        return object_type


class JournalEntry(models.Model):
    """One change in the append-only, hash-chained journal (see core/journal.py).

    ``hash`` is SHA-256 over the canonical encoding of the entry including
    ``prev_hash``; ``seq`` is gap-free. On PostgreSQL the database refuses
    UPDATE, DELETE and TRUNCATE on this table.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")

    seq = models.BigIntegerField(_("sequence number"), primary_key=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    actor = models.CharField(_("actor"), max_length=200, help_text=_("user:NAME, command:NAME or task:NAME"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, help_text=_("app_label.model"))
    object_id = models.CharField(_("object id"), max_length=64)
    changes = models.JSONField(_("changes"), help_text=_("field: {before, after}"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    leaf_hash = models.CharField(
        _("leaf hash"),
        max_length=64,
        help_text=_("SHA-256 of 0x00 and the canonical encoding: the entry's leaf in the Merkle tree"),
    )

    class Meta:
        db_table = "ledger_journalentry"  # the journal's tables keep the names they had in the ledger app
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["seq"]
        constraints = [
            models.CheckConstraint(condition=Q(seq__gte=1), name="journal_seq_positive"),
            models.CheckConstraint(condition=Q(action__in=["create", "update", "delete"]), name="journal_action_valid"),
            models.CheckConstraint(condition=Q(hash__regex=r"^[0-9a-f]{64}$"), name="journal_hash_format"),
            models.CheckConstraint(condition=Q(prev_hash__regex=r"^[0-9a-f]{64}$"), name="journal_prev_hash_format"),
            models.CheckConstraint(condition=Q(leaf_hash__regex=r"^[0-9a-f]{64}$"), name="journal_leaf_hash_format"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="journal_object"),
            models.Index(fields=["actor", "seq"], name="journal_actor"),
            models.Index(fields=["occurred_at"], name="journal_occurred_at"),
        ]

    def __str__(self) -> str:
        return _("Journal entry %(seq)s: %(action)s %(type)s %(id)s") % {
            "seq": self.seq,
            "action": self.get_action_display(),
            "type": object_type_name(self.object_type),
            "id": self.object_id,
        }


class JournalTreeNode(models.Model):
    """A cached hash of a perfect subtree of the journal's Merkle tree (see core/heads.py).

    ``level`` 0 nodes are not stored (they are the entries' leaf hashes). The cache
    only saves work: it can be emptied at any time, and ``verify_journal``
    recomputes every root from the entries without it.
    """

    level = models.PositiveSmallIntegerField(_("level"))
    index = models.BigIntegerField(_("index"))
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        db_table = "ledger_journaltreenode"
        verbose_name = _("journal tree node")
        verbose_name_plural = _("journal tree nodes")
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="journal_tree_node_unique"),
            models.CheckConstraint(condition=Q(level__gte=1, index__gte=0), name="journal_tree_node_position"),
        ]

    def __str__(self) -> str:
        return _("Tree node %(index)s at level %(level)s") % {"index": self.index, "level": self.level}


class SignedTreeHead(models.Model):
    """The journal's size and Merkle root at a moment, signed with the ledger's Ed25519 key.

    Append-only: the database refuses UPDATE, DELETE and TRUNCATE. The signed
    message is documented in docs/journal.md.
    """

    tree_size = models.BigIntegerField(_("tree size"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    timestamp = models.DateTimeField(_("timestamp"))
    signature = models.CharField(_("signature"), max_length=100, help_text=_("Ed25519, base64"))
    key_id = models.CharField(_("key id"), max_length=64, help_text=_("SHA-256 of the raw public key, hex"))

    class Meta:
        db_table = "ledger_signedtreehead"
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["-tree_size", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(tree_size__gte=0), name="tree_head_size_not_negative"),
            models.CheckConstraint(condition=Q(root_hash__regex=r"^[0-9a-f]{64}$"), name="tree_head_root_format"),
        ]
        indexes = [models.Index(fields=["tree_size", "id"], name="tree_head_size")]

    def __str__(self) -> str:
        return _("Signed tree head of %(size)s entries (root %(root)s…)") % {
            "size": numbers.number(self.tree_size),
            "root": self.root_hash[:12],
        }


class JournalQueueItem(models.Model):
    """A change captured by a journaled table's trigger, waiting for the sequencer (see core/journal.py).

    Written only by the capture triggers (and ``journal.append_many``) in the
    writer's transaction; the sequencer turns committed rows into journal
    entries and deletes them. Holds the row before and after as the database
    has it (personal data included) until then: the sequencer digests it.
    """

    occurred_at = models.DateTimeField(_("occurred at"), db_default=Now())
    actor = models.TextField(_("actor"))
    action = models.CharField(_("action"), max_length=10)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.TextField(_("object id"))
    old = models.JSONField(_("row before"), null=True)
    new = models.JSONField(_("row after"), null=True)
    changes = models.JSONField(_("changes"), null=True, help_text=_("given as is, for changes no row stands for"))

    class Meta:
        db_table = "ledger_journalqueue"
        verbose_name = _("queued journal change")
        verbose_name_plural = _("queued journal changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["create", "update", "delete"]), name="journal_queue_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"queued {self.action} {self.object_type}:{self.object_id}"


class TimelineEvent(models.Model):
    """One event of a timeline as its source gives it: the index a timeline is read from (core/history.py).

    Derived data: kept current from the journal's change feed and rebuilt from the
    sources by ``manage.py reindex_history``; never edited by hand and not journaled.
    ``subject`` is whose timeline the row is on (an influencer), ``within`` the subject's
    parts the event concerns (its accounts), ``guard`` the record whose visibility
    governs the row (a case), ``variant`` the reading it belongs to ("" for every
    reading; a follower interval). The other columns are a source's uniform columns.
    """

    # One row per event, subject and reading; no surrogate id (two indexes for millions of rows, not three).
    pk = models.CompositePrimaryKey("timeline", "subject", "variant", "kind", "object_id", verbose_name=_("key"))
    timeline = models.CharField(_("timeline"), max_length=30)
    subject = models.BigIntegerField(_("subject"), help_text=_("whose timeline: an influencer"))
    variant = models.CharField(
        _("reading"), max_length=10, blank=True, default="", help_text=_("empty for every reading; a follower interval")
    )
    kind = models.SmallIntegerField(_("kind"), help_text=_("the kind's rank among the timeline's kinds"))
    object_id = models.BigIntegerField(_("object id"))
    occurred_at = models.DateTimeField(_("occurred at"))
    within = ArrayField(
        models.BigIntegerField(),
        verbose_name=_("parts"),
        default=list,
        help_text=_("the subject's accounts it is about"),
    )
    guard = models.BigIntegerField(_("guard"), null=True, help_text=_("the case whose visibility governs it"))
    account = models.BigIntegerField(_("account"), null=True)
    ref = models.BigIntegerField(_("reference"), null=True)
    # A source's NULLs are kept as given (the summaries and the rebuild check tell NULL from "").
    label = models.TextField(_("label"), null=True)  # noqa: DJ001
    detail = models.TextField(_("detail"), null=True)  # noqa: DJ001
    note = models.TextField(_("note"), null=True)  # noqa: DJ001
    number = models.BigIntegerField(_("number"), null=True)
    delta = models.BigIntegerField(_("change"), null=True)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=6, null=True)
    currency = models.TextField(_("currency"), null=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [
            models.Index(fields=["timeline", "subject", "occurred_at", "kind", "object_id"], name="timeline_keyset"),
        ]

    def __str__(self) -> str:
        return f"{self.timeline} {self.subject}: {self.kind} {self.object_id} at {self.occurred_at:%Y-%m-%d}"
