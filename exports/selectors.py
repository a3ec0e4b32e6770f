"""What an export holds: the records around an influencer, a party, a case or a campaign that the reader may see.

An export is built in two steps. ``scope_for`` collects the records (a ``Scope``),
each kind only for a reader who may view its model, cases only where the reader
may see the case, as the API does. The format modules (``exports.ftm``,
``exports.stix``) then turn the scope into FollowTheMoney entities or a STIX 2.1
bundle. Who ordered, paid, was paid, brokered or was attacked is turned into a
neutral ``PartyRef`` by one function, ``party_of``, which both formats use.

Every scope follows the money one step: the payments received by the parties of
its influencers (for a campaign or a party, also of the agencies that manage
them), with their orders. So the export of a campaign shows who paid the
bloggers (or their MCN) behind it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Prefetch, Q

from cases.models import Case
from cases.selectors import cases_visible_to
from core.privacy import mask_name
from ledger.choices import InfluencerKind
from ledger.models import Agency, Influencer, PlatformAccount
from parties.choices import PartyKind
from parties.models import Party, name_as_shown
from parties.selectors import member_ids
from reviews.choices import TargetKind
from reviews.models import Campaign, Order, Payment, Review, Target

# The kinds of record an export starts from, with the permission that shows it.
KINDS: dict[str, str] = {
    "influencer": "ledger.view_influencer",
    "case": "cases.view_case",
    "campaign": "reviews.view_campaign",
    "party": "parties.view_party",
}
_PARTY_KIND = {PartyKind.COMPANY: "company", PartyKind.ORGANISATION: "organization", PartyKind.PERSON: "person"}


@dataclass(frozen=True)
class PartyRef:
    """Who orders, pays, is paid, brokers or is attacked, as both formats need it.

    ``key`` identifies the party across one export (the same agency named by an order
    and by a case is one entity). ``kind`` is person, company, organization or unknown.
    """

    key: str
    name: str
    kind: str
    uscc: str = ""
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()  # masked names: shown, never matched on
    role: str = ""  # mcn, pr_agency, broker, brand, ... where the domain says


def party_of(obj: Party | Agency | Influencer | Target | str | None, *, masked: bool) -> PartyRef | None:
    """The one mapping from a domain object (or a name as recorded) to the party of an export.

    A party merged into another is that other. A party that is an agency or an influencer of
    the ledger is that agency or influencer (one entity, whichever record names it), with the
    party's other names as aliases. A person's legal name is masked (first character and
    ``**``) when ``masked``, as the API shows it; an organisation's is not personal data.
    A car model stands for its brand.
    """
    if isinstance(obj, Party):
        if obj.merged_into_id is not None:
            obj = obj.merged_into
        names = sorted({a.name for a in obj.aliases.all()} - {obj.name})
        if obj.agency_id is not None or obj.influencer_id is not None:
            base = party_of(obj.agency or obj.influencer, masked=masked)
            legal = obj.influencer.legal_name.strip() if obj.influencer_id is not None else ""
            hidden = {legal} if legal and base.kind == "person" and masked else set()
            extra = tuple(n for n in [obj.name, *names] if n != base.name and n not in hidden)
            return PartyRef(
                key=base.key,
                name=base.name,
                kind=base.kind,
                uscc=base.uscc or obj.uscc,
                aliases=tuple(dict.fromkeys((*base.aliases, *extra))),
                weak_aliases=base.weak_aliases,
                role=base.role,
            )
        if masked and obj.kind == PartyKind.PERSON:  # as the API shows a person: the names spell him out
            shown = obj.shown_name
            return PartyRef(key=f"party-{obj.pk}", name=shown, kind="person", weak_aliases=(shown,))
        return PartyRef(
            key=f"party-{obj.pk}",
            name=obj.name,
            kind=_PARTY_KIND.get(obj.kind, "unknown"),
            uscc=obj.uscc,
            aliases=tuple(names),
        )
    if isinstance(obj, Agency):
        return PartyRef(key=f"agency-{obj.pk}", name=obj.name, kind="company", uscc=obj.uscc, role=obj.kind)
    if isinstance(obj, Influencer):
        person = obj.kind == InfluencerKind.PERSON
        legal = obj.legal_name.strip()
        aliases, weak = (legal,) if legal else (), ()
        if person and legal and masked:
            aliases, weak = (), (mask_name(legal),)
        return PartyRef(
            key=f"influencer-{obj.pk}",
            name=obj.display_name,
            kind="person" if person else "organization",
            aliases=aliases,
            weak_aliases=weak,
            role="influencer",
        )
    if isinstance(obj, Target):
        while obj.kind == TargetKind.PRODUCT and obj.parent_id is not None:
            obj = obj.parent
        kind = {TargetKind.COMPANY: "company", TargetKind.PERSON: "person"}.get(obj.kind, "organization")
        return PartyRef(key=f"target-{obj.pk}", name=obj.name, kind=kind, uscc=obj.uscc, role=obj.kind)
    name = (obj or "").strip()
    if not name:
        return None
    # A name as written in a record: one party per distinct spelling (resolving names is the parties' work).
    return PartyRef(key=f"name-{_slug(name)}", name=name, kind="unknown")


def _slug(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16]


@dataclass
class Scope:
    """The records of one export, by primary key; ``root`` is the record it starts from."""

    kind: str
    root: Model
    masked: bool
    influencers: dict[int, Influencer] = field(default_factory=dict)
    agencies: dict[int, Agency] = field(default_factory=dict)
    accounts: dict[int, PlatformAccount] = field(default_factory=dict)
    reviews: dict[int, Review] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    payments: dict[int, Payment] = field(default_factory=dict)
    targets: dict[int, Target] = field(default_factory=dict)
    cases: dict[int, Case] = field(default_factory=dict)
    campaigns: dict[int, Campaign] = field(default_factory=dict)

    def party(self, obj: Any) -> PartyRef | None:
        return party_of(obj, masked=self.masked)

    def client(self, order: Order) -> PartyRef | None:
        """Who ordered: the client party, else the name as recorded."""
        return self.party(order.client) or self.party(order.client_name)

    def payer(self, payment: Payment) -> PartyRef | None:
        """Who paid: the payer party, else the name as recorded, else (a payment is for an order) the client."""
        return self.party(payment.payer) or self.party(payment.payer_name) or self.client(payment.order)

    def recorded(self, party: Party | None, name: str) -> str:
        """A name as written beside a party (a payment's payee as recorded): masked as the party is."""
        return name_as_shown(party, name) if self.masked else name

    def payee(self, payment: Payment) -> PartyRef | None:
        """Who was paid: the payee party, else the name as recorded, else the influencer of the order's account."""
        return (
            self.party(payment.payee) or self.party(payment.payee_name) or self.party(payment.order.account.influencer)
        )


class _Reader:
    """The reader's permissions; ``None`` (a management command) may see everything."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def may(self, perm: str) -> bool:
        return self.user is None or self.user.has_perm(perm)

    def cases(self):
        return Case.objects.all() if self.user is None else cases_visible_to(self.user)


def root_for(*, kind: str, pk: int, user: Any) -> Model | None:
    """The record an export starts from, or None when it does not exist or the reader may not see it."""
    reader = _Reader(user)
    if kind == "case":
        return reader.cases().select_related("authority").filter(pk=pk).first()
    model = {"influencer": Influencer, "campaign": Campaign, "party": Party}[kind]
    return model.objects.filter(pk=pk).first()


def scope_for(*, kind: str, root: Model, user: Any, masked: bool) -> Scope:
    """Collect the records around ``root`` that ``user`` may see (everything for ``user=None``)."""
    reader = _Reader(user)
    scope = Scope(kind=kind, root=root, masked=masked)
    if kind == "influencer":
        _add_influencers(scope, reader, Influencer.objects.filter(pk=root.pk))
        _add_account_content(scope, reader)
        if reader.may("cases.view_case"):
            visible = reader.cases().filter(Q(influencers=root) | Q(accounts__influencer=root)).distinct()
            _add_cases(scope, visible)
    elif kind == "case":
        _add_cases(scope, [root])
        _add_influencers(scope, reader, root.influencers.all())
        if reader.may("ledger.view_platformaccount"):
            _add_accounts(scope, root.accounts.select_related("influencer__agency"), reader)
        if reader.may("ledger.view_agency"):
            scope.agencies.update({a.pk: a for a in root.agencies.all()})
        if reader.may("reviews.view_order"):
            _add_orders(scope, reader, root.orders.all())
        if reader.may("reviews.view_review"):
            _add_reviews(scope, reader, root.reviews.all())
        if reader.may("reviews.view_campaign"):
            _add_campaigns(scope, reader, root.coordinated_campaigns.all())
    elif kind == "campaign":
        _add_campaigns(scope, reader, [root])
        if reader.may("reviews.view_order"):
            _add_orders(scope, reader, Order.objects.filter(reviews__campaign_member__campaign=root).distinct())
        if reader.may("cases.view_case"):
            _add_cases(scope, reader.cases().filter(coordinated_campaigns=root))
    elif kind == "party":
        root = root.merged_into or root  # a merged party is the one it was merged into
        members = member_ids(root)
        if root.agency_id is not None:
            _add_influencers(scope, reader, Influencer.objects.filter(agency=root.agency_id))
            if reader.may("ledger.view_agency"):
                scope.agencies[root.agency_id] = root.agency
        if root.influencer_id is not None:
            _add_influencers(scope, reader, Influencer.objects.filter(pk=root.influencer_id))
        if reader.may("reviews.view_order"):
            money = Q(client__in=members) | Q(intermediary__in=members)
            if reader.may("reviews.view_payment"):
                money |= Q(payments__payer__in=members) | Q(payments__payee__in=members)
            _add_orders(scope, reader, Order.objects.filter(money).distinct())
        # The money one step further: the bloggers of the agencies (MCNs) this party paid.
        if reader.may("reviews.view_payment"):
            paid = Q(payments_received__payer__in=members, payments_received__order__in=list(scope.orders))
            paid_agencies = Party.objects.filter(paid, agency__isnull=False).values("agency")
            _add_influencers(scope, reader, Influencer.objects.filter(agency__in=paid_agencies))
        if reader.may("reviews.view_campaign"):
            posted = Q(members__review__orders__in=list(scope.orders))
            posted |= Q(members__review__account__influencer__in=list(scope.influencers))
            _add_campaigns(scope, reader, Campaign.objects.filter(posted).distinct())
        if reader.may("cases.view_case"):
            named = Q(orders__in=list(scope.orders))
            if root.agency_id is not None:
                named |= Q(agencies=root.agency_id)
            if root.influencer_id is not None:
                named |= Q(influencers=root.influencer_id)
            _add_cases(scope, reader.cases().filter(named).distinct())
    _add_money_received(scope, reader, agencies=kind in ("campaign", "party"))
    return scope


def _add_money_received(scope: Scope, reader: _Reader, *, agencies: bool) -> None:
    """The orders of the payments received by the parties of the scope's influencers (and, with ``agencies``,
    of the agencies that manage them: for a campaign, who paid the MCNs behind its bloggers)."""
    if not (reader.may("reviews.view_order") and reader.may("reviews.view_payment")):
        return
    people = Q(influencer__in=list(scope.influencers))
    if agencies:
        people |= Q(agency__in=list(scope.agencies))
    payees = Party.objects.filter(people).values("pk")
    received = Payment.objects.filter(Q(payee__in=payees) | Q(payee__merged_into__in=payees)).values("order")
    _add_orders(scope, reader, Order.objects.filter(pk__in=received))


def _add_influencers(scope: Scope, reader: _Reader, influencers) -> None:
    if not reader.may("ledger.view_influencer"):
        return
    for influencer in influencers.select_related("agency"):
        scope.influencers[influencer.pk] = influencer
        if influencer.agency is not None and reader.may("ledger.view_agency"):
            scope.agencies[influencer.agency_id] = influencer.agency
    if reader.may("ledger.view_platformaccount"):
        _add_accounts(
            scope, PlatformAccount.objects.filter(influencer__in=list(scope.influencers)).select_related("influencer")
        )


def _add_accounts(scope: Scope, accounts, reader: _Reader | None = None) -> None:
    """Accounts, with their influencers (loaded together) when ``reader`` is given and may view them."""
    if reader is not None and not reader.may("ledger.view_platformaccount"):
        return
    missing = set()
    for account in accounts:
        scope.accounts[account.pk] = account
        if account.influencer_id not in scope.influencers:
            missing.add(account.influencer_id)
    if reader is not None and missing:
        _add_influencers(scope, reader, Influencer.objects.filter(pk__in=missing))


def _add_account_content(scope: Scope, reader: _Reader) -> None:
    """The reviews posted by, and the orders placed with, the scope's accounts."""
    accounts = list(scope.accounts)
    if reader.may("reviews.view_review"):
        _add_reviews(scope, reader, Review.objects.filter(account__in=accounts))
    if reader.may("reviews.view_order"):
        _add_orders(scope, reader, Order.objects.filter(account__in=accounts))
    if reader.may("reviews.view_campaign"):
        _add_campaigns(scope, reader, Campaign.objects.filter(members__review__account__in=accounts).distinct())


def _add_reviews(scope: Scope, reader: _Reader, reviews) -> None:
    rows = list(reviews.select_related("account__influencer", "campaign_member").prefetch_related("targets__parent"))
    scope.reviews.update({review.pk: review for review in rows})
    _add_accounts(scope, [review.account for review in rows], reader)
    if reader.may("reviews.view_target"):
        scope.targets.update({t.pk: t for review in rows for t in review.targets.all()})


def _add_orders(scope: Scope, reader: _Reader, orders) -> None:
    party = ("agency", "influencer", "merged_into__agency", "merged_into__influencer")
    payments = Payment.objects.select_related(
        *(f"{role}__{path}" for role in ("payer", "payee") for path in party)
    ).prefetch_related("payer__aliases", "payee__aliases", "payer__merged_into__aliases", "payee__merged_into__aliases")
    rows = orders.select_related(
        "account__influencer", *(f"{role}__{path}" for role in ("client", "intermediary") for path in party)
    ).prefetch_related(
        "targets__parent",
        "reviews",
        Prefetch("payments", queryset=payments),
        "client__aliases",
        "intermediary__aliases",
        "client__merged_into__aliases",
        "intermediary__merged_into__aliases",
    )
    rows = list(rows)
    scope.orders.update({order.pk: order for order in rows})
    _add_accounts(scope, [order.account for order in rows], reader)
    if reader.may("reviews.view_target"):
        scope.targets.update({t.pk: t for order in rows for t in order.targets.all()})
    if reader.may("reviews.view_payment"):
        scope.payments.update({p.pk: p for order in rows for p in order.payments.all()})
    ordered = {r.pk for order in rows for r in order.reviews.all()} - set(scope.reviews)
    if ordered and reader.may("reviews.view_review"):
        _add_reviews(scope, reader, Review.objects.filter(pk__in=ordered))


def _add_campaigns(scope: Scope, reader: _Reader, campaigns) -> None:
    for campaign in campaigns:
        scope.campaigns[campaign.pk] = campaign
        if reader.may("reviews.view_target"):
            scope.targets.update({t.pk: t for t in campaign.targets.select_related("parent")})
        if reader.may("reviews.view_review"):
            _add_reviews(scope, reader, Review.objects.filter(campaign_member__campaign=campaign))


def _add_cases(scope: Scope, cases) -> None:
    scope.cases.update({case.pk: case for case in cases})


def campaign_of(review: Review) -> int | None:
    """The campaign a review belongs to (None when none)."""
    member = getattr(review, "campaign_member", None)
    return member.campaign_id if member is not None else None
