"""Writes to reviews that carry rules. The admin, the API, commands and the demo call these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import limits, numbers
from core.errors import DomainError
from core.identifiers import RESIDENT_ID_REFUSED, contains_resident_id
from core.users import AnyUser
from core.workflow import Workflow, workflow_transition
from parties.models import Party
from reviews import campaigns
from reviews.choices import (
    CAMPAIGN_TRANSITIONS,
    ORDER_TRANSITIONS,
    CampaignStatus,
    OrderStatus,
    PaymentChannel,
    Verdict,
)
from reviews.models import Campaign, CampaignStatusChange, Claim, Order, OrderStatusChange, Payment, Review

_url = URLValidator(schemes=["http", "https"])
MAX_AMOUNT_DIGITS, AMOUNT_DECIMALS = 14, 2


# --- orders ---------------------------------------------------------------------


ORDER_WORKFLOW = Workflow(
    noun=gettext_lazy("order"),
    statuses=OrderStatus,
    moves=ORDER_TRANSITIONS,
    history=OrderStatusChange,
    record_field="order",
)


def order_transition(
    *, order: Order, status: str, reason: str, user: AnyUser | None = None, occurred_at: datetime | None = None
) -> Order:
    """Move a suspected order along ``ORDER_WORKFLOW`` (see core/workflow.py)."""
    return workflow_transition(
        workflow=ORDER_WORKFLOW, record=order, status=status, reason=reason, user=user, occurred_at=occurred_at
    )


# --- payments -------------------------------------------------------------------


def _amount_problem(amount: Decimal | None) -> str | None:
    if amount is None or not amount.is_finite():
        return _("An amount is a number.")
    if amount <= 0:
        return _("A payment amount is more than zero.")
    whole, places = numbers.digits(amount)
    if places > AMOUNT_DECIMALS:
        return _("An amount has at most 2 decimal places.")
    if whole > MAX_AMOUNT_DIGITS - AMOUNT_DECIMALS:
        return _("An amount has at most 12 digits before the decimal point.")
    return None


def payment_problems(
    *,
    order: Order,
    amount: Decimal | None,
    paid_on: date | None,
    channel: str,
    currency: str | None = None,
    payer_name: str = "",
    payee_name: str = "",
    reference: str = "",
) -> list[tuple[str, str]]:
    """Every rule a payment's values break, as ``(field, message)``; empty when the payment is valid."""
    problems: list[tuple[str, str]] = []
    problem = _amount_problem(amount)
    if problem:
        problems.append(("amount", problem))
    if (currency or order.currency) != order.currency:
        problems.append(
            ("currency", _("A payment is in the order's currency (%(currency)s).") % {"currency": order.currency})
        )
    if channel not in PaymentChannel.values:
        problems.append(("channel", _("Unknown channel %r.") % channel))
    if paid_on is None:
        problems.append(("paid_on", _("The date of the payment is required.")))
    elif paid_on > timezone.localdate():
        problems.append(("paid_on", _("A payment cannot be dated in the future.")))
    elif problem := limits.date_problem(paid_on, past=True):
        problems.append(("paid_on", problem))
    for name, value in (("payer_name", payer_name), ("payee_name", payee_name), ("reference", reference)):
        if contains_resident_id(value):
            problems.append((name, str(RESIDENT_ID_REFUSED)))
    return problems


@transaction.atomic
def payment_record(
    *,
    order: Order,
    amount: Decimal,
    paid_on: date,
    channel: str,
    currency: str | None = None,
    payer: Party | None = None,
    payee: Party | None = None,
    payer_name: str = "",
    payee_name: str = "",
    reference: str = "",
) -> Payment:
    """Record one payment for an order, in the order's currency.

    The amount is positive; a payment in another currency than the order's is
    refused (its total would mix currencies). ``payer`` and ``payee`` are parties;
    ``payer_name``, ``payee_name`` (as written in the record) and ``reference`` may
    name people but never hold a resident identity number.
    """
    problems = payment_problems(
        order=order,
        amount=amount,
        paid_on=paid_on,
        channel=channel,
        currency=currency,
        payer_name=payer_name,
        payee_name=payee_name,
        reference=reference,
    )
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    return Payment.objects.create(
        order=order,
        amount=amount,
        currency=currency or order.currency,
        paid_on=paid_on,
        channel=channel,
        payer=payer,
        payee=payee,
        payer_name=payer_name.strip(),
        payee_name=payee_name.strip(),
        reference=reference.strip(),
    )


# --- claims ---------------------------------------------------------------------


@transaction.atomic
def claim_verdict_set(*, claim: Claim, verdict: str, verdict_on: date, verdict_by: str, verdict_url: str = "") -> Claim:
    """Record the verdict on a claim: what it was found to be, when, by whom, and where it is published.

    A verdict may be revised (unproven, later found false); it never goes back
    to pending. The previous verdict stays in the journal.
    """
    if verdict not in Verdict.values or verdict == Verdict.PENDING:
        raise DomainError(_("A verdict is one of false, misleading, unproven or accurate."), field="verdict")
    if verdict_on is None:
        raise DomainError(_("Give the date of the verdict."), field="verdict_on")
    limits.check_past(verdict_on, field="verdict_on")
    if verdict_on > timezone.localdate():
        raise DomainError(_("A verdict cannot be dated in the future."), field="verdict_on")
    verdict_by = (verdict_by or "").strip()
    if not verdict_by:
        raise DomainError(_("Say who made the verdict."), field="verdict_by")
    if verdict_url:
        try:
            _url(verdict_url)
        except ValidationError as exc:
            raise DomainError(_("Enter a valid http(s) URL."), field="verdict_url") from exc
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    locked.verdict, locked.verdict_on, locked.verdict_by, locked.verdict_url = (
        verdict,
        verdict_on,
        verdict_by,
        verdict_url,
    )
    locked.save(update_fields=["verdict", "verdict_on", "verdict_by", "verdict_url", "updated_at"])
    claim.verdict, claim.verdict_on, claim.verdict_by, claim.verdict_url = (
        verdict,
        verdict_on,
        verdict_by,
        verdict_url,
    )
    return locked


# --- campaigns ------------------------------------------------------------------


@transaction.atomic
def review_signature_store(*, review: Review) -> bool:
    """Compute and store the MinHash signature of a review's headline and text, unless it is current.

    Called whenever a review is written (API, admin, demo, imports). Returns True when
    a signature was written.
    """
    return campaigns.signatures_store([review.pk]) > 0


@transaction.atomic
def campaigns_detect(
    *,
    review_ids: Sequence[int] | None = None,
    since: datetime | None = None,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> campaigns.Outcome:
    """Find coordinated campaigns and bring the stored suspected campaigns up to date.

    With ``review_ids``: incremental, around those reviews (they join a campaign or
    form one). With ``since``: every review published since then. Neither: all
    reviews. Confirmed and dismissed campaigns are never changed. Idempotent: a
    second run changes nothing. Runs one at a time (a PostgreSQL advisory lock).
    """
    if review_ids is not None and since is not None:
        raise DomainError(_("Give review ids or a date, not both."), field="since")
    return campaigns.detect(review_ids=review_ids, since=since, progress=progress)


CAMPAIGN_WORKFLOW = Workflow(
    noun=gettext_lazy("campaign"),
    statuses=CampaignStatus,
    moves=CAMPAIGN_TRANSITIONS,
    history=CampaignStatusChange,
    record_field="campaign",
    before_lock=campaigns.lock,  # a running detection may be changing the campaign's members
)


def campaign_transition(
    *, campaign: Campaign, status: str, reason: str, user: AnyUser | None = None, occurred_at: datetime | None = None
) -> Campaign:
    """Confirm or dismiss a suspected campaign along ``CAMPAIGN_WORKFLOW`` (see core/workflow.py)."""
    return workflow_transition(
        workflow=CAMPAIGN_WORKFLOW, record=campaign, status=status, reason=reason, user=user, occurred_at=occurred_at
    )
