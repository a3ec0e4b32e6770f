"""Reads of risk scores that depend on who reads them."""

from __future__ import annotations

import copy
from typing import Any

from django.urls import reverse

from cases.selectors import legal_action_list
from risk.models import RiskScore


def signals_for(*, signals: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """The stored signals as ``user`` may see them: legal actions of cases they may not see leave the evidence.

    The score and the contributions stay as computed (a score is one figure for everyone); the
    signal's figures then say how many of its objects are not shown (``not_shown``).
    """
    prefix = reverse("legalaction-list")

    def action_id(url: str) -> int | None:
        return int(url[len(prefix) :].strip("/")) if url.startswith(prefix) else None

    shown = copy.deepcopy(signals)
    for signal in shown:
        ids = {pk for url in signal["evidence"] if (pk := action_id(url)) is not None}
        if not ids:
            continue
        visible: set[int] = set()
        if user.has_perm("cases.view_legalaction"):
            visible = set(legal_action_list(user=user).filter(pk__in=ids).values_list("pk", flat=True))
        kept = [url for url in signal["evidence"] if action_id(url) is None or action_id(url) in visible]
        if len(kept) < len(signal["evidence"]):
            signal["figures"] = {**signal["figures"], "not_shown": len(signal["evidence"]) - len(kept)}
            signal["evidence"] = kept
    return shown


def accounts_highest_risk(*, limit: int = 5) -> list[RiskScore]:
    """The ``limit`` accounts with the highest risk score (above 0), highest first, with their account."""
    return list(
        RiskScore.objects.filter(account__isnull=False, score__gt=0)
        .select_related("account")
        .order_by("-score", "id")[:limit]
    )
