"""The money graph's case nodes (registered in CasesConfig.ready()): a case investigates its subjects.

Only cases the reader may see are nodes; with a case filter, that case only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from cases.models import Case
from cases.selectors import cases_visible_to
from parties.graph import Edge, GraphFilter, node, register_labeller, register_source


def _visible(flt: GraphFilter):
    cases = cases_visible_to(flt.user)
    return cases.filter(pk=flt.case_id) if flt.case_id is not None else cases


def case_edges(frontier: dict[str, set[int]], flt: GraphFilter) -> Iterable[Edge]:
    parties, accounts = frontier.get("party", set()), frontier.get("account", set())
    influencers, cases = frontier.get("influencer", set()), frontier.get("case", set())
    visible = _visible(flt).values("pk")
    links = [
        (Case.accounts.through, "platformaccount_id", "account", accounts),
        (Case.influencers.through, "influencer_id", "influencer", influencers),
    ]
    for through, column, kind, ids in links:
        rows = through.objects.filter(case_id__in=visible).filter(Q(**{f"{column}__in": ids}) | Q(case_id__in=cases))
        for case, pk in rows.values_list("case_id", column):
            yield Edge(node("case", case), node(kind, pk), "investigated")
    agencies = Case.agencies.through.objects.filter(case_id__in=visible, agency__party__isnull=False)
    agencies = agencies.filter(Q(agency__party__in=parties) | Q(case_id__in=cases))
    for case, party in agencies.values_list("case_id", "agency__party"):
        yield Edge(node("case", case), node("party", party), "investigated")
    orders = Case.orders.through.objects.filter(case_id__in=visible)
    orders = orders.filter(Q(order__client_id__in=parties) | Q(order__account_id__in=accounts) | Q(case_id__in=cases))
    for case, order, account, client in orders.values_list(
        "case_id", "order_id", "order__account_id", "order__client_id"
    ):
        yield Edge(node("case", case), node("account", account), "investigated", order=order)
        if client:
            yield Edge(node("case", case), node("party", client), "investigated", order=order)


def _case_labels(ids: set[int], flt: GraphFilter) -> dict[int, tuple[str, dict[str, Any]]]:
    rows = _visible(flt).filter(pk__in=ids).values_list("pk", "reference", "status")
    return {pk: (reference, {"status": status}) for pk, reference, status in rows}


def register() -> None:
    register_source(case_edges)
    register_labeller("case", _case_labels)
