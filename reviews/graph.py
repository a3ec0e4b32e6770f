"""The money graph's edges from orders, payments, targets and campaigns (registered in ReviewsConfig.ready()).

- ordered: client party -> account, per order (agreed price, ordered on)
- intermediated: intermediary party -> account, per order
- paid: payer -> payee, per payment (amount, paid on); a payment without a payee goes to the order's account
- targeted: account -> target, per order; campaign -> target
- posted: account -> campaign (the account's reviews in the campaign; a campaign reached comes whole)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Min, Q

from parties.graph import Edge, GraphFilter, node, register_labeller, register_source
from reviews.models import Campaign, CampaignMember, Order, Payment, Target


def _orders(frontier: dict[str, set[int]], flt: GraphFilter):
    parties, accounts = frontier.get("party", set()), frontier.get("account", set())
    near = Q(client_id__in=parties) | Q(intermediary_id__in=parties) | Q(account_id__in=accounts)
    near |= Q(targets__in=frontier.get("target", set())) | Q(payments__payer_id__in=parties)
    near |= Q(payments__payee_id__in=parties)
    orders = Order.objects.filter(near)
    if flt.case_id is not None:
        orders = orders.filter(cases=flt.case_id)
    # With dates: the orders placed within them, and those paid within them (a payment in
    # October for an order of September is an October fact; the order's own edges are not).
    ordered, paid = Q(), Q()
    if flt.date_from is not None:
        ordered &= Q(ordered_on__gte=flt.date_from)
        paid &= Q(payments__paid_on__gte=flt.date_from)
    if flt.date_to is not None:
        ordered &= Q(ordered_on__lte=flt.date_to)
        paid &= Q(payments__paid_on__lte=flt.date_to)
    if ordered:
        orders = orders.filter(ordered | paid)
    return orders.distinct()


def order_edges(frontier: dict[str, set[int]], flt: GraphFilter) -> Iterable[Edge]:
    orders = _orders(frontier, flt)
    rows = orders.values_list(
        "pk", "account_id", "client_id", "intermediary_id", "agreed_price", "currency", "ordered_on"
    )
    accounts: dict[int, tuple[int, Any]] = {}
    for pk, account, client, intermediary, price, currency, on in rows:
        accounts[pk] = (account, on)
        if not flt.dated(on):
            continue  # reached by a payment within the dates: its payments only
        if client:
            yield Edge(node("party", client), node("account", account), "ordered", price, currency, on, order=pk)
        if intermediary:
            yield Edge(node("party", intermediary), node("account", account), "intermediated", price, currency, on, pk)
    for pk, target in Order.targets.through.objects.filter(order_id__in=accounts).values_list("order_id", "target_id"):
        account, on = accounts[pk]
        if not flt.dated(on):
            continue
        yield Edge(node("account", account), node("target", target), "targeted", on=on, order=pk)
    payments = Payment.objects.filter(order_id__in=accounts).values_list(
        "pk", "order_id", "payer_id", "payee_id", "amount", "currency", "paid_on"
    )
    for pk, order, payer, payee, amount, currency, on in payments:
        if payer is None or not flt.dated(on):
            continue
        to = node("party", payee) if payee else node("account", accounts[order][0])
        yield Edge(node("party", payer), to, "paid", amount, currency, on, order=order, payment=pk)


def campaign_edges(frontier: dict[str, set[int]], flt: GraphFilter) -> Iterable[Edge]:
    if flt.case_id is not None:
        return
    accounts, campaigns = frontier.get("account", set()), frontier.get("campaign", set())
    # a campaign comes whole: every member account, once one member (or the campaign) is reached
    touched = CampaignMember.objects.filter(Q(review__account_id__in=accounts) | Q(campaign_id__in=campaigns))
    members = CampaignMember.objects.filter(campaign_id__in=touched.values("campaign_id"))
    if flt.date_from is not None:
        members = members.filter(review__published_at__date__gte=flt.date_from)
    if flt.date_to is not None:
        members = members.filter(review__published_at__date__lte=flt.date_to)
    posted = members.values("campaign_id", "review__account_id").annotate(first=Min("review__published_at"))
    ids = set()
    for row in posted.order_by():
        ids.add(row["campaign_id"])
        on = row["first"].date()
        yield Edge(node("account", row["review__account_id"]), node("campaign", row["campaign_id"]), "posted", on=on)
    targeted = Campaign.targets.through.objects.filter(campaign_id__in=ids | campaigns)
    for campaign, target in targeted.values_list("campaign_id", "target_id"):
        yield Edge(node("campaign", campaign), node("target", target), "targeted")


def _target_labels(ids: set[int], flt: GraphFilter) -> dict[int, tuple[str, dict[str, Any]]]:
    return {
        pk: (name, {"target_kind": kind})
        for pk, name, kind in Target.objects.filter(pk__in=ids).values_list("pk", "name", "kind")
    }


def _campaign_labels(ids: set[int], flt: GraphFilter) -> dict[int, tuple[str, dict[str, Any]]]:
    rows = Campaign.objects.filter(pk__in=ids).values_list("pk", "status", "first_published_at")
    return {pk: (f"#{pk}", {"status": status, "first_published_at": first.isoformat()}) for pk, status, first in rows}


def register() -> None:
    register_source(order_edges)
    register_source(campaign_edges)
    register_labeller("target", _target_labels)
    register_labeller("campaign", _campaign_labels)
