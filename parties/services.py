"""Writes to parties with their rules: one party per USCC, names as aliases, merge and split.

The admin, the API, the demo and commands call these; nothing merges parties on
its own (``selectors.likely_duplicates`` only lists candidates for a person).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, DomainError
from core.identifiers import is_valid_uscc
from ledger.models import Agency, Influencer
from parties.choices import AliasKind, PartyKind
from parties.models import Party, PartyAlias, PartyMerge

_INFLUENCER_KIND = {"person": PartyKind.PERSON, "organisation": PartyKind.ORGANISATION}


def alias_add(*, party: Party, name: str, kind: str = AliasKind.AS_RECORDED, source: str = "") -> PartyAlias:
    """Give a party one more name (nothing happens when it already has it)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if kind not in AliasKind.values:
        raise DomainError(_("Unknown kind of name %r.") % kind, field="kind")
    alias = PartyAlias.objects.filter(party=party, name=name).first()
    if alias is None:
        alias = PartyAlias.objects.create(party=party, name=name, kind=kind, source=source[:300])
    return alias


@transaction.atomic
def party_create(
    *, name: str, kind: str = PartyKind.UNKNOWN, uscc: str = "", alias_kind: str = AliasKind.FULL_NAME, source: str = ""
) -> Party:
    """A new party with its name as its first alias. A USCC already held by a party is a conflict (409)."""
    name, uscc = (name or "").strip(), (uscc or "").strip().upper()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if kind not in PartyKind.values:
        raise DomainError(_("Unknown kind %r.") % kind, field="kind")
    if uscc and not is_valid_uscc(uscc):
        raise DomainError(_("This is not a valid Unified Social Credit Code."), field="uscc")
    if uscc and Party.objects.filter(uscc=uscc).exists():
        raise ConflictError(_("A party with this Unified Social Credit Code already exists."), field="uscc")
    party = Party.objects.create(name=name, kind=kind, uscc=uscc)
    alias_add(party=party, name=name, kind=alias_kind, source=source)
    return party


@transaction.atomic
def party_for_agency(*, agency: Agency) -> Party:
    """The party an agency is: the one linked to it, else the one with its USCC (then linked), else a new one."""
    party = Party.objects.filter(agency=agency).first()
    if party is None and agency.uscc:
        party = Party.objects.filter(uscc=agency.uscc, agency__isnull=True).first()
        if party is not None:
            party.agency = agency
            party.save(update_fields=["agency", "updated_at"])
    if party is None:
        party = Party.objects.create(name=agency.name, kind=PartyKind.COMPANY, uscc=agency.uscc, agency=agency)
    alias_add(party=party, name=agency.name, kind=AliasKind.FULL_NAME, source=f"agency {agency.pk}")
    return party


@transaction.atomic
def party_for_influencer(*, influencer: Influencer) -> Party:
    """The party an influencer is (when paid directly): the one linked to it, else a new one."""
    party = Party.objects.filter(influencer=influencer).first()
    if party is None:
        kind = _INFLUENCER_KIND.get(influencer.kind, PartyKind.UNKNOWN)
        party = Party.objects.create(name=influencer.display_name, kind=kind, influencer=influencer)
    alias_add(party=party, name=influencer.display_name, kind=AliasKind.FULL_NAME, source=f"influencer {influencer.pk}")
    return party


def _locked(*parties: Party) -> dict[int, Party]:
    """The parties' rows locked in primary-key order (the project's one lock order)."""
    ids = sorted({p.pk for p in parties})
    return {p.pk: p for p in Party.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why."), field=field)
    return reason


@transaction.atomic
def party_merge(*, party: Party, other: Party, reason: str, user: AbstractBaseUser | None = None) -> PartyMerge:
    """Record that ``other`` is the same entity as ``party``: ``other`` (and any party merged into it) now
    points at ``party``. Orders, payments, names and links stay where they are; reads follow the merge.
    Undone by :func:`party_split`.
    """
    reason = _reason(reason)
    if party.pk == other.pk:
        raise DomainError(_("A party cannot be merged into itself."), field="party")
    rows = _locked(party, other)
    survivor, merged = rows[party.pk], rows[other.pk]
    if survivor.merged_into_id is not None:
        raise ConflictError(
            _("This party was merged into party %(id)s: merge into that one.") % {"id": survivor.merged_into_id}
        )
    if merged.merged_into_id is not None:
        raise ConflictError(
            _("The other party is already merged into party %(id)s.") % {"id": merged.merged_into_id}, field="party"
        )
    if survivor.uscc and merged.uscc and survivor.uscc != merged.uscc:
        raise ConflictError(
            _("The two parties have different Unified Social Credit Codes: they are two registered entities."),
            field="party",
        )
    carried = list(Party.objects.select_for_update().filter(merged_into=merged).order_by("pk"))
    for row in carried:
        row.merged_into = survivor
        row.save(update_fields=["merged_into", "updated_at"])
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    return PartyMerge.objects.create(
        survivor=survivor, merged=merged, carried=[p.pk for p in carried], reason=reason, merged_by=_user(user)
    )


@transaction.atomic
def party_split(*, party: Party, other: Party, reason: str, user: AbstractBaseUser | None = None) -> PartyMerge:
    """Undo the merge of ``other`` into ``party``: ``other`` stands alone again, with the parties it carried."""
    reason = _reason(reason)
    rows = _locked(party, other)
    survivor, merged = rows[party.pk], rows[other.pk]
    merge = (
        PartyMerge.objects.select_for_update()
        .filter(survivor=survivor, merged=merged, split_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    if merge is None or merged.merged_into_id != survivor.pk:
        raise ConflictError(_("The other party is not merged into this one."), field="party")
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    for row in Party.objects.select_for_update().filter(pk__in=merge.carried, merged_into=survivor).order_by("pk"):
        row.merged_into = merged
        row.save(update_fields=["merged_into", "updated_at"])
    merge.split_at, merge.split_by, merge.split_reason = timezone.now(), _user(user), reason
    merge.save(update_fields=["split_at", "split_by", "split_reason"])
    return merge


def _user(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None
