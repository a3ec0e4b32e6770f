"""An export as FollowTheMoney entities (https://followthemoney.tech), built with the ``followthemoney`` library.

The mapping (docs/api/exports.md has an example):

| ledger | FtM |
|---|---|
| influencer | Person or Organization (a person's legal name masked as a weak alias) |
| agency (MCN, PR firm, broker) | Company, with a Representation (agent) of each influencer it manages |
| party named in a record | LegalEntity (Person, Company or Organization when known) |
| platform account | UserAccount (owner: the influencer) |
| review (content) | Article, with a Documentation to its account ("posted") and to what it attacks ("attacks") |
| suspected order | Contract (authority: the client), ContractAward (supplier: the influencer), Representation of the
  client by the intermediary |
| payment | Payment (payer, beneficiary, contract: the order) |
| case | CourtCase, with a CourtCaseParty for each subject, account, order, review and campaign |
| campaign | Event (involved: the influencers), a Documentation to each member review |

Entity ids are ``prl-<kind>-<id>``: stable, so two exports of the same ledger merge.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from exports.selectors import PartyRef, Scope, campaign_of

MEDIA_TYPE = "application/x-ndjson"
PARTY_SCHEMA = {"person": "Person", "company": "Company", "organization": "Organization", "unknown": "LegalEntity"}


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Entities:
    """The entities of one export by id; adding an id twice merges the values."""

    def __init__(self) -> None:
        self.by_id: dict[str, EntityProxy] = {}

    def add(self, schema: str, entity_id: str, **props: Any) -> str:
        entity = model.make_entity(schema)
        entity.id = entity_id
        for prop, values in props.items():
            for value in values if isinstance(values, list | tuple) else [values]:
                if value not in (None, ""):
                    entity.add(prop, str(value))
        if entity_id in self.by_id:
            self.by_id[entity_id].merge(entity)
        else:
            self.by_id[entity_id] = entity
        return entity_id

    def link(self, schema: str, parts: Iterable[Any], **props: Any) -> str:
        return self.add(schema, "prl-" + "-".join(str(p) for p in parts), **props)


def party_entity(out: _Entities, party: PartyRef | None) -> str | None:
    """The entity of a party (see ``exports.selectors.party_of``); its id."""
    if party is None:
        return None
    schema = PARTY_SCHEMA[party.kind]
    props: dict[str, Any] = {"name": party.name, "alias": list(party.aliases), "weakAlias": list(party.weak_aliases)}
    if party.uscc:
        props.update(registrationNumber=party.uscc, jurisdiction="cn")
    if party.role:
        props["classification"] = party.role
    return out.add(schema, f"prl-{party.key}", **props)


def entities(scope: Scope) -> list[dict[str, Any]]:
    """The scope as FollowTheMoney entity dicts (``EntityProxy.to_dict()``), parties first."""
    out = _Entities()
    if scope.kind == "party":
        party_entity(out, scope.party(scope.root))  # first, with every name of the party
    influencer_ids = {pk: _influencer(out, scope, i) for pk, i in scope.influencers.items()}
    target_ids = {pk: party_entity(out, scope.party(t)) for pk, t in scope.targets.items()}
    for account in scope.accounts.values():
        out.add(
            "UserAccount",
            f"prl-account-{account.pk}",
            name=f"{account.handle} ({account.platform})",
            username=account.handle,
            service=account.platform,
            owner=influencer_ids.get(account.influencer_id),
            sourceUrl=account.profile_url,
            description=f"platform user id {account.platform_uid}",
            summary=(
                f"{account.follower_count} followers on {_iso(account.followers_captured_at)}"
                if account.follower_count is not None
                else None
            ),
        )
    for review in scope.reviews.values():
        _review(out, scope, review, target_ids)
    for order in scope.orders.values():
        _order(out, scope, order, influencer_ids, target_ids)
    for payment in scope.payments.values():
        _payment(out, scope, payment, influencer_ids)
    for campaign in scope.campaigns.values():
        _campaign(out, scope, campaign, influencer_ids, target_ids)
    for case in scope.cases.values():
        _case(out, scope, case, influencer_ids)
    return [entity.to_dict() for entity in out.by_id.values()]


def render(scope: Scope) -> bytes:
    """One entity per line (JSON lines), the form FtM tools read (``ftm validate``, ``ftm aggregate``)."""
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entities(scope)).encode()


def _influencer(out: _Entities, scope: Scope, influencer) -> str:
    entity_id = party_entity(out, scope.party(influencer))
    out.add(PARTY_SCHEMA[scope.party(influencer).kind], entity_id, notes=influencer.notes, country="cn")
    agency = scope.agencies.get(influencer.agency_id)
    if agency is not None:
        agency_id = party_entity(out, scope.party(agency))
        out.link(
            "Representation",
            ("manages", agency.pk, influencer.pk),
            agent=agency_id,
            client=entity_id,
            role=agency.kind,
        )
    return entity_id


def _review(out: _Entities, scope: Scope, review, target_ids: dict[int, str | None]) -> None:
    account = scope.accounts.get(review.account_id)
    article = out.add(
        "Article",
        f"prl-review-{review.pk}",
        title=review.headline,
        publishedAt=_iso(review.published_at),
        sourceUrl=review.url,
        bodyText=review.text,
        author=account.handle if account else None,
        keywords=[t.name for t in review.targets.all()],
    )
    if account is not None:
        out.link(
            "Documentation", ("posted", review.pk), document=article, entity=f"prl-account-{account.pk}", role="posted"
        )
    for target in review.targets.all():
        if target_ids.get(target.pk):
            out.link(
                "Documentation",
                ("attacks", review.pk, target.pk),
                document=article,
                entity=target_ids[target.pk],
                role="attacks",
            )


def _order(out: _Entities, scope: Scope, order, influencer_ids, target_ids) -> None:
    client_id = party_entity(out, scope.client(order))
    contract = out.add(
        "Contract",
        f"prl-order-{order.pk}",
        title=f"Order #{order.pk}",
        authority=client_id,
        amount=order.agreed_price,
        currency=order.currency,
        contractDate=_iso(order.ordered_on),
        status=order.status,
        type=order.deliverable,
        description=order.notes,
        notes=scope.recorded(order.client, order.client_name),
    )
    supplier = influencer_ids.get(order.account.influencer_id)
    if supplier:
        out.link(
            "ContractAward",
            ("award", order.pk),
            contract=contract,
            supplier=supplier,
            amount=order.agreed_price,
            currency=order.currency,
            date=_iso(order.ordered_on),
            role="content",
        )
    intermediary_id = party_entity(out, scope.party(order.intermediary) if order.intermediary_id else None)
    if intermediary_id and client_id:
        out.link(
            "Representation",
            ("brokered", order.pk),
            agent=intermediary_id,
            client=client_id,
            role="intermediary",
            description=f"Order #{order.pk}",
        )
    _documents(out, [r.pk for r in order.reviews.all() if r.pk in scope.reviews], contract, "ordered content")
    _targets(out, contract, order.targets.all(), target_ids)


def _payment(out: _Entities, scope: Scope, payment, influencer_ids) -> None:
    order = scope.orders[payment.order_id]
    payer, payee = party_entity(out, scope.payer(payment)), party_entity(out, scope.payee(payment))
    out.add(
        "Payment",
        f"prl-payment-{payment.pk}",
        payer=payer,
        beneficiary=payee,
        amount=payment.amount,
        currency=payment.currency,
        date=_iso(payment.paid_on),
        contract=f"prl-order-{order.pk}",
        transactionNumber=payment.reference,
        programme=payment.channel,
        purpose=f"Order #{order.pk}",
        namesMentioned=[
            scope.recorded(payment.payer, payment.payer_name),
            scope.recorded(payment.payee, payment.payee_name),
        ],
    )


def _campaign(out: _Entities, scope: Scope, campaign, influencer_ids, target_ids) -> None:
    members = [r for r in scope.reviews.values() if campaign_of(r) == campaign.pk]
    involved = sorted(
        {influencer_ids[a.influencer_id] for r in members if (a := scope.accounts.get(r.account_id))} - {None}
    )
    event = out.add(
        "Event",
        f"prl-campaign-{campaign.pk}",
        name=f"Coordinated campaign #{campaign.pk}",
        startDate=_iso(campaign.first_published_at),
        endDate=_iso(campaign.last_published_at),
        summary=f"{campaign.status}; similarity {campaign.similarity}; {len(members)} reviews",
        involved=involved,
        keywords=[t.name for t in campaign.targets.all()],
    )
    _documents(out, [r.pk for r in members], event, "campaign member")
    _targets(out, event, campaign.targets.all(), target_ids)


def _documents(out: _Entities, review_ids: list[int], entity: str, role: str) -> None:
    """A Documentation from each review (an Article) to ``entity`` (an order, a campaign)."""
    for review_id in review_ids:
        out.link(
            "Documentation", ("doc", entity, review_id), document=f"prl-review-{review_id}", entity=entity, role=role
        )


def _targets(out: _Entities, subject: str, targets, target_ids: dict[int, str | None]) -> None:
    """An UnknownLink (role targets) from ``subject`` (an order, a campaign) to each target it attacks."""
    for target in targets:
        if target_ids.get(target.pk):
            key = ("targets", subject, target.pk)
            out.link("UnknownLink", key, subject=subject, object=target_ids[target.pk], role="targets")


def _case(out: _Entities, scope: Scope, case, influencer_ids) -> None:
    entity = out.add(
        "CourtCase",
        f"prl-case-{case.pk}",
        name=case.title,
        caseNumber=case.reference,
        court=case.authority.name,
        fileDate=_iso(case.opened_on),
        closeDate=_iso(case.closed_on),
        status=case.status,
        summary=case.summary,
        program=case.campaign,
    )
    authority = out.add("PublicBody", f"prl-authority-{case.authority_id}", name=case.authority.name, country="cn")
    out.link("CourtCaseParty", ("caseparty", case.pk, "authority"), case=entity, party=authority, role="authority")
    subjects = [
        *(("subject", influencer_ids.get(i.pk)) for i in case.influencers.all()),
        *(("subject", f"prl-agency-{a.pk}") for a in case.agencies.all() if a.pk in scope.agencies),
        *(("account", f"prl-account-{a.pk}") for a in case.accounts.all() if a.pk in scope.accounts),
        *(("order", f"prl-order-{o.pk}") for o in case.orders.all() if o.pk in scope.orders),
        *(("content", f"prl-review-{r.pk}") for r in case.reviews.all() if r.pk in scope.reviews),
        *(("campaign", f"prl-campaign-{c.pk}") for c in case.coordinated_campaigns.all() if c.pk in scope.campaigns),
    ]
    for role, party in subjects:
        if party and party in out.by_id:
            out.link("CourtCaseParty", ("caseparty", case.pk, party), case=entity, party=party, role=role)
