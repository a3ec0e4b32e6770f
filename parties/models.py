"""Parties: every organisation or person that orders, pays, receives or brokers, with its names.

A party may stand for an agency (MCN, PR firm) or an influencer of the ledger;
a target (reviews) may name the party it is. Orders (client, intermediary) and
payments (payer, payee) point at parties. Two parties found to be one are merged
by ``parties.services.party_merge``: the merged party keeps its rows and names and
points at the survivor (``merged_into``), so that ``party_split`` can undo it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils.translation import gettext_lazy as _

from core.identifiers import USCC_PATTERN, reject_resident_id, validate_uscc
from core.models import in_choices
from core.privacy import mask_name, masked_name
from core.search import CHINESE_COLLATION, pinyin_initials
from ledger.models import Agency, Influencer
from parties import names
from parties.choices import AliasKind, PartyKind


class Party(models.Model):
    """An organisation or person that orders, pays, receives or brokers (PR firm, MCN, carmaker, individual)."""

    name = models.CharField(_("name"), max_length=300, db_collation=CHINESE_COLLATION, validators=[reject_resident_id])
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices, default=PartyKind.UNKNOWN)
    uscc = models.CharField(
        _("Unified Social Credit Code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18-character registration code (GB 32100-2015): one code, one party."),
    )
    agency = models.OneToOneField(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party",
        help_text=_("The agency (MCN, PR firm, broker) of the ledger that this party is."),
    )
    influencer = models.OneToOneField(
        Influencer,
        verbose_name=_("influencer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party",
        help_text=_("The influencer of the ledger that this party is (e.g. a blogger paid directly)."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_parties",
        help_text=_("Set by a merge, cleared by a split: the party this one was found to be."),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[reject_resident_id])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("kind", PartyKind), name="party_kind_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="party_name_not_empty"),
            models.CheckConstraint(condition=Q(uscc="") | Q(uscc__regex=USCC_PATTERN), name="party_uscc_format"),
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~Q(uscc=""),
                name="party_uscc_unique",
                violation_error_message=_("A party with this Unified Social Credit Code already exists."),
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("id")),
                name="party_not_merged_into_itself",
                violation_error_message=_("A party cannot be merged into itself."),
            ),
        ]
        indexes = [models.Index(fields=["merged_into"], name="party_merged_into")]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The name as the API and the exports show it (``name_as_shown``)."""
        return name_as_shown(self, self.name)


def name_as_shown(party: Party | None, name: str) -> str:
    """``name`` (a party's, or one recorded beside it: a payment's payee as written) as the API and
    the exports show it: masked (first character and **) when the party is a person."""
    return mask_name(name) if party is not None and party.kind == PartyKind.PERSON else name


def name_as_shown_in_query(party: str, name: str) -> Case:
    """:func:`name_as_shown` in the database: the field ``name`` masked when the party at ``party`` is a person."""
    return Case(When(**{f"{party}__kind": PartyKind.PERSON}, then=masked_name(name)), default=F(name))


class PartyAlias(models.Model):
    """One name of a party: Chinese full or short name, pinyin, English, or as written in a record.

    ``key`` and ``pinyin`` are derived search keys (``parties.names``), kept on save
    like a slug; parties whose names share a key are listed as likely duplicates.
    """

    party = models.ForeignKey(Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=300, db_collation=CHINESE_COLLATION, validators=[reject_resident_id])
    kind = models.CharField(_("kind"), max_length=20, choices=AliasKind.choices, default=AliasKind.AS_RECORDED)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the name was found, e.g. payment DEMO-ALI-0914.")
    )
    key = models.CharField(_("match key"), max_length=300, editable=False, db_collation="C")
    pinyin = models.CharField(_("pinyin key"), max_length=1000, editable=False, db_collation="C")
    initials = models.CharField(_("pinyin initials"), max_length=300, editable=False, db_collation="C", default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("party alias")
        verbose_name_plural = _("party aliases")
        ordering = ["party", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("kind", AliasKind), name="party_alias_kind_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="party_alias_name_not_empty"),
            models.UniqueConstraint(
                fields=["party", "name"],
                name="party_alias_unique_per_party",
                violation_error_message=_("This party already has this name."),
            ),
        ]
        indexes = [
            models.Index(fields=["key"], name="party_alias_key"),
            models.Index(fields=["pinyin"], name="party_alias_pinyin"),
            models.Index(fields=["initials"], name="party_alias_initials"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.key = names.match_key(self.name)
        self.pinyin = names.pinyin_key(self.name)
        self.initials = pinyin_initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "key", "pinyin", "initials"}
        super().save(*args, **kwargs)


class PartyMerge(models.Model):
    """One merge of a party into another (who, when, why), and its split when undone.

    ``carried`` lists the parties that had been merged into ``merged`` and moved
    with it to ``survivor``; a split gives them back to ``merged``.
    """

    survivor = models.ForeignKey(
        Party, verbose_name=_("survivor"), on_delete=models.PROTECT, related_name="merges_received"
    )
    merged = models.ForeignKey(Party, verbose_name=_("merged party"), on_delete=models.PROTECT, related_name="merges")
    carried = models.JSONField(_("carried parties"), default=list, blank=True, editable=False)
    reason = models.TextField(_("reason"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    split_reason = models.TextField(_("split reason"), blank=True)
    split_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("split by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    split_at = models.DateTimeField(_("split at"), null=True, blank=True)

    class Meta:
        verbose_name = _("party merge")
        verbose_name_plural = _("party merges")
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(survivor=F("merged")),
                name="party_merge_two_parties",
                violation_error_message=_("A party cannot be merged into itself."),
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="party_merge_reason_not_empty"),
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(split_at__isnull=True),
                name="party_merge_one_open_per_party",
                violation_error_message=_("This party is already merged."),
            ),
            models.CheckConstraint(
                condition=Q(split_at__isnull=True, split_reason="") | Q(split_at__isnull=False) & ~Q(split_reason=""),
                name="party_merge_split_complete",
                violation_error_message=_("A split needs its time and reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.survivor_id}"
