"""What marks an account's risk score out of date: a change to one of its signals' objects.

Connected from ``RiskConfig.ready``. Like the journal's capture, this listens to
model signals so that every writer (admin, API, commands, tasks) is covered; it
only marks accounts (``risk_mark_pending``), and the recompute runs after commit,
debounced. Bulk writes send no signals: the nightly recompute covers them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from cases.models import Case, LegalAction
from ledger.models import FollowerAnomaly, FollowerSnapshot, PlatformAccount
from pricing.models import RateQuote
from reviews.models import Campaign, Claim, Order, Review
from risk.services import risk_mark_pending


def _mark(account_ids: Iterable[int | None]) -> None:
    risk_mark_pending(account_ids=[i for i in account_ids if i is not None])


def _by_account(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or (update_fields is not None and set(update_fields) <= {"risk_score"}):
        return  # the recompute writing an order's score is not a change of its signals
    _mark([instance.account_id])


def _claim_saved(sender, instance: Claim, raw=False, **kwargs) -> None:
    if not raw and instance.pk:
        _mark(Review.objects.filter(claims=instance).values_list("account_id", flat=True))


def _claim_reviews_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # review.claims changed
        _mark([instance.account_id])
    elif action == "pre_clear":
        _mark(instance.reviews.values_list("account_id", flat=True))
    else:
        _mark(Review.objects.filter(pk__in=pk_set or ()).values_list("account_id", flat=True))


def _legal_action_accounts(action: LegalAction) -> list[int]:
    direct = list(action.defendant_accounts.values_list("pk", flat=True))
    via = PlatformAccount.objects.filter(influencer__legal_actions=action).values_list("pk", flat=True)
    orders = Order.objects.filter(cases__legal_actions=action).values_list("account_id", flat=True)
    return [*direct, *via, *orders]


def _legal_action_saved(sender, instance: LegalAction, raw=False, **kwargs) -> None:
    if not raw and instance.pk:
        _mark(_legal_action_accounts(instance))


def _legal_action_defendants_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # an account's or influencer's legal actions changed
        accounts = [instance.pk] if isinstance(instance, PlatformAccount) else instance.accounts.values_list("pk")
        _mark(a if isinstance(a, int) else a[0] for a in accounts)
    elif action == "pre_clear":
        _mark(_legal_action_accounts(instance))
    elif model is PlatformAccount:
        _mark(pk_set or ())
    else:
        _mark(PlatformAccount.objects.filter(influencer__in=pk_set or ()).values_list("pk", flat=True))


def _order_links_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Order.reviews and Case.orders: the orders' accounts (their order scores read these links)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if isinstance(instance, Order):
        _mark([instance.account_id])
    elif model is Order:
        _mark(Order.objects.filter(pk__in=pk_set or ()).values_list("account_id", flat=True))
    elif isinstance(instance, Case):
        _mark(instance.orders.values_list("account_id", flat=True))
    else:  # a review's orders
        _mark(Order.objects.filter(reviews=instance).values_list("account_id", flat=True))


def _campaign_saved(sender, instance: Campaign, raw=False, **kwargs) -> None:
    """A campaign found, changed or confirmed: its members' accounts, read after commit (detection adds
    the members after saving the campaign, with bulk writes that send no signal)."""
    if raw:
        return
    pk = instance.pk
    transaction.on_commit(
        lambda: _mark(Review.objects.filter(campaign_member__campaign_id=pk).values_list("account_id", flat=True))
    )


def connect() -> None:
    for model in (FollowerAnomaly, FollowerSnapshot, RateQuote, Order, Review):
        post_save.connect(_by_account, sender=model, dispatch_uid=f"risk_mark_{model._meta.label_lower}")
        post_delete.connect(_by_account, sender=model, dispatch_uid=f"risk_unmark_{model._meta.label_lower}")
    post_save.connect(_claim_saved, sender=Claim, dispatch_uid="risk_mark_claim")
    post_save.connect(_campaign_saved, sender=Campaign, dispatch_uid="risk_mark_campaign")
    post_save.connect(_legal_action_saved, sender=LegalAction, dispatch_uid="risk_mark_legal_action")
    m2m_changed.connect(_claim_reviews_changed, sender=Claim.reviews.through, dispatch_uid="risk_claim_reviews")
    for through in (LegalAction.defendant_accounts.through, LegalAction.defendant_influencers.through):
        m2m_changed.connect(
            _legal_action_defendants_changed, sender=through, dispatch_uid=f"risk_{through._meta.label_lower}"
        )
    for through in (Order.reviews.through, Case.orders.through):
        m2m_changed.connect(_order_links_changed, sender=through, dispatch_uid=f"risk_{through._meta.label_lower}")
