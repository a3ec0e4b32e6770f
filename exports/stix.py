"""An export as a STIX 2.1 bundle, built with the ``stix2`` library.

The mapping (docs/api/exports.md has an example):

| ledger | STIX 2.1 |
|---|---|
| the ledger itself | identity (system): ``created_by_ref`` of every object |
| party (agency, client, payer, payee, target) | identity (organization, individual or unknown) |
| influencer | threat-actor (sensationalist, role agent) ``attributed-to`` its identity; accounts in ``x_accounts`` |
| agency managing an influencer | relationship ``manages`` (identity -> threat-actor) |
| suspected order | relationship ``ordered-from`` (client identity -> threat-actor), ``brokered`` (intermediary
  -> threat-actor), ``targets`` (threat-actor -> attacked identity); its figures in ``x_order`` |
| payment | relationship ``paid`` (payer identity -> payee identity): ``x_amount``, ``x_currency``, ... |
| campaign | campaign ``attributed-to`` each threat-actor, ``targets`` each attacked identity; its reviews as
  external references |
| case | report (created by the authority's identity) referring to its subjects |
| the export | report referring to every object (a case export: the case's report) |

STIX has no field for money, platform accounts or content, so those are ``x_`` custom
properties: parse the bundle with ``allow_custom=True``. Ids are UUIDv5 of the
ledger's keys, so that an object keeps its id from one export to the next.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import stix2
from django.utils import timezone

from exports.selectors import PartyRef, Scope, campaign_of

MEDIA_TYPE = "application/stix+json"
NAMESPACE = uuid.UUID("6f1b1f5e-2a55-5c3e-9d8e-7b0c1a4f2d10")  # the Paid Review Ledger's ids
IDENTITY_CLASS = {"person": "individual", "company": "organization", "organization": "organization"}
# One fixed creation time for the ledger's own identity, so that its object never changes.
LEDGER_CREATED = datetime(2025, 1, 1, tzinfo=UTC)


def stix_id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


def _at(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=UTC)


class _Bundle:
    """The objects of one export by id; the first object added under an id wins."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.objects: dict[str, Any] = {}
        self.ledger = stix_id("identity", "ledger")
        self._put(
            stix2.v21.Identity(
                id=self.ledger,
                created=LEDGER_CREATED,
                modified=LEDGER_CREATED,
                name="Paid Review Ledger",
                identity_class="system",
                description="The ledger that exported these objects.",
            )
        )

    def _put(self, obj: Any) -> str:
        self.objects.setdefault(obj.id, obj)
        return obj.id

    def add(self, cls: type, obj_id: str, created: datetime | None = None, **props: Any) -> str:
        if obj_id in self.objects:
            return obj_id
        created = created or self.now
        props = {k: v for k, v in props.items() if v not in (None, "", [], {})}
        props.setdefault("created_by_ref", self.ledger)
        modified = max(created, props.pop("modified", created))
        return self._put(cls(id=obj_id, created=created, modified=modified, allow_custom=True, **props))

    def relate(self, kind: str, source: str | None, target: str | None, key: str, **props: Any) -> str | None:
        if not source or not target:
            return None
        return self.add(
            stix2.v21.Relationship,
            stix_id("relationship", f"{kind}:{key}"),
            relationship_type=kind,
            source_ref=source,
            target_ref=target,
            **props,
        )


def party_identity(out: _Bundle, party: PartyRef | None) -> str | None:
    """The identity of a party (see ``exports.selectors.party_of``); its id."""
    if party is None:
        return None
    return out.add(
        stix2.v21.Identity,
        stix_id("identity", party.key),
        created=LEDGER_CREATED,
        name=party.name,
        identity_class=IDENTITY_CLASS.get(party.kind, "unknown"),
        x_aliases=list(party.aliases),
        x_masked_aliases=list(party.weak_aliases),
        x_uscc=party.uscc,
        x_role=party.role,
    )


def bundle(scope: Scope, *, now: datetime | None = None) -> stix2.v21.Bundle:
    """The scope as a STIX 2.1 bundle."""
    out = _Bundle(now or timezone.now())
    if scope.kind == "party":
        party_identity(out, scope.party(scope.root))  # first, with every name of the party
    actors = {pk: _threat_actor(out, scope, i) for pk, i in scope.influencers.items()}
    targets = {pk: party_identity(out, scope.party(t)) for pk, t in scope.targets.items()}
    for order in scope.orders.values():
        _order(out, scope, order, actors, targets)
    for payment in scope.payments.values():
        _payment(out, scope, payment)
    for campaign in scope.campaigns.values():
        _campaign(out, scope, campaign, actors, targets)
    for case in scope.cases.values():
        _case(out, scope, case, actors)
    if scope.kind != "case":
        # a party is named as the export shows it (a person masked); the other roots by their public names
        title = scope.party(scope.root).name if scope.kind == "party" else str(scope.root)
        out.add(
            stix2.v21.Report,
            stix_id("report", f"export:{scope.kind}:{scope.root.pk}:{out.now.isoformat()}"),
            name=f"Paid Review Ledger export: {scope.kind} {title}",
            published=out.now,
            report_types=[{"influencer": "threat-actor", "campaign": "campaign"}.get(scope.kind, "identity")],
            object_refs=sorted(obj_id for obj_id in out.objects if obj_id != out.ledger),
            x_export_of=f"{scope.kind}:{scope.root.pk}",
        )
    return stix2.v21.Bundle(objects=list(out.objects.values()), allow_custom=True)


def render(scope: Scope) -> bytes:
    return bundle(scope).serialize(pretty=False, ensure_ascii=False).encode()


def as_dict(scope: Scope) -> dict[str, Any]:
    return json.loads(render(scope))


def _threat_actor(out: _Bundle, scope: Scope, influencer) -> str:
    identity = party_identity(out, scope.party(influencer))
    accounts = [a for a in scope.accounts.values() if a.influencer_id == influencer.pk]
    actor = out.add(
        stix2.v21.ThreatActor,
        stix_id("threat-actor", f"influencer-{influencer.pk}"),
        created=influencer.created_at,
        modified=influencer.updated_at,
        name=influencer.display_name,
        threat_actor_types=["sensationalist"],
        roles=["agent"],
        aliases=sorted({a.handle for a in accounts}),
        description=influencer.notes,
        x_kind=influencer.kind,
        x_accounts=[
            {
                "platform": a.platform,
                "handle": a.handle,
                "platform_uid": a.platform_uid,
                "profile_url": a.profile_url or None,
                "follower_count": a.follower_count,
                "status": a.status,
            }
            for a in sorted(accounts, key=lambda a: (a.platform, a.handle))
        ],
    )
    out.relate("attributed-to", actor, identity, f"influencer-{influencer.pk}")
    agency = scope.agencies.get(influencer.agency_id)
    if agency is not None:
        out.relate("manages", party_identity(out, scope.party(agency)), actor, f"agency-{agency.pk}:{influencer.pk}")
    return actor


def _order(out: _Bundle, scope: Scope, order, actors, targets) -> None:
    actor = actors.get(order.account.influencer_id)
    details = {
        "id": order.pk,
        "status": order.status,
        "deliverable": order.deliverable,
        "agreed_price": str(order.agreed_price),
        "currency": order.currency,
        "ordered_on": order.ordered_on.isoformat(),
        "client_name": scope.recorded(order.client, order.client_name) or None,
        "account": {"platform": order.account.platform, "handle": order.account.handle},
        "reviews": [r.url for r in order.reviews.all() if r.pk in scope.reviews],
    }
    created = _at(order.ordered_on)
    client = party_identity(out, scope.client(order))
    out.relate("ordered-from", client, actor, f"order-{order.pk}", created=created, x_order=details)
    if order.intermediary_id:
        intermediary = party_identity(out, scope.party(order.intermediary))
        out.relate("brokered", intermediary, actor, f"order-{order.pk}", created=created, x_order=details)
    for target in order.targets.all():
        out.relate("targets", actor, targets.get(target.pk), f"order-{order.pk}:{target.pk}", created=created)


def _payment(out: _Bundle, scope: Scope, payment) -> None:
    order = scope.orders[payment.order_id]
    payer, payee = party_identity(out, scope.payer(payment)), party_identity(out, scope.payee(payment))
    out.relate(
        "paid",
        payer,
        payee,
        f"payment-{payment.pk}",
        created=_at(payment.paid_on),
        description=f"Payment for order #{order.pk}",
        x_amount=str(payment.amount),
        x_currency=payment.currency,
        x_paid_on=payment.paid_on.isoformat(),
        x_channel=payment.channel,
        x_reference=payment.reference,
        x_payer_name=scope.recorded(payment.payer, payment.payer_name),
        x_payee_name=scope.recorded(payment.payee, payment.payee_name),
        x_order_id=order.pk,
    )


def _campaign(out: _Bundle, scope: Scope, campaign, actors, targets) -> None:
    members = sorted((r for r in scope.reviews.values() if campaign_of(r) == campaign.pk), key=lambda r: r.pk)
    obj = out.add(
        stix2.v21.Campaign,
        stix_id("campaign", f"campaign-{campaign.pk}"),
        created=campaign.detected_at,
        modified=campaign.updated_at,
        name=f"Coordinated campaign #{campaign.pk}",
        description=f"Near-duplicate negative content by {len({r.account_id for r in members})} accounts.",
        first_seen=campaign.first_published_at,
        last_seen=campaign.last_published_at,
        objective="Damage the reputation of the targets with near-duplicate negative content.",
        external_references=[
            {"source_name": r.account.platform, "url": r.url, "description": r.headline} for r in members
        ],
        x_status=campaign.status,
        x_similarity=str(campaign.similarity),
    )
    for account_influencer in sorted({r.account.influencer_id for r in members}):
        out.relate("attributed-to", obj, actors.get(account_influencer), f"campaign-{campaign.pk}:{account_influencer}")
    for target in campaign.targets.all():
        out.relate("targets", obj, targets.get(target.pk), f"campaign-{campaign.pk}:{target.pk}")


def _case(out: _Bundle, scope: Scope, case, actors) -> str:
    authority = out.add(
        stix2.v21.Identity,
        stix_id("identity", f"authority-{case.authority_id}"),
        created=LEDGER_CREATED,
        name=case.authority.name,
        identity_class="organization",
        sectors=["government"],
    )
    refs = [
        *(actors.get(i.pk) for i in case.influencers.all()),
        *(stix_id("identity", f"agency-{a.pk}") for a in case.agencies.all() if a.pk in scope.agencies),
        *(stix_id("relationship", f"ordered-from:order-{o.pk}") for o in case.orders.all() if o.pk in scope.orders),
        *(stix_id("campaign", f"campaign-{c.pk}") for c in case.coordinated_campaigns.all() if c.pk in scope.campaigns),
    ]
    if case.pk == scope.root.pk and scope.kind == "case":
        refs = list(out.objects)  # the case's report refers to everything exported with it
    refs = sorted({r for r in refs if r and r in out.objects} - {out.ledger}) or [authority]
    return out.add(
        stix2.v21.Report,
        stix_id("report", f"case-{case.pk}"),
        created=case.created_at,
        modified=case.updated_at,
        created_by_ref=authority,
        name=f"{case.reference}: {case.title}",
        description=case.summary,
        published=_at(case.opened_on),
        report_types=["threat-report"],
        object_refs=refs,
        external_references=[{"source_name": "paid-review-ledger", "external_id": case.reference}],
        x_status=case.status,
        x_authority=case.authority.name,
        x_closed_on=case.closed_on.isoformat() if case.closed_on else None,
        x_reviews=[r.url for r in case.reviews.all() if r.pk in scope.reviews],
    )
