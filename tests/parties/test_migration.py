"""Migration reviews.0012 turns the demo's agencies and free text into parties without losing anything.

GIVEN the demo ledger (seed_demo) taken back to the schema before parties (reviews 0011: the
order names its client agency, client text and intermediary agency; payments name payer and
payee as text), WHEN the migration runs, THEN every agency is one party with its name and USCC,
the order names the parties of its agencies, every payer and payee text is a party's alias, the
texts stay as written, nothing is merged on similar names, and every write is journaled.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from core import journal
from core.models import JournalEntry
from ledger.models import Agency
from parties.models import Party, PartyAlias
from parties.selectors import likely_duplicates
from pricing.models import DurationTier
from reviews import demo
from reviews.models import Order, Payment
from tests.migrating import migrate, migrate_to_latest

BEFORE = [("reviews", "0011_risk_score_default")]
AFTER = [("reviews", "0012_orders_and_payments_name_parties")]
LABEL = "migration:reviews.0012_orders_and_payments_name_parties"


@pytest.mark.django_db(transaction=True)
def test_the_demo_ledger_becomes_parties_without_losing_anything():
    if not DurationTier.objects.exists():  # an earlier transactional test flushed the default tiers
        import_module("pricing.migrations.0002_default_tiers").forwards(django_apps, None)
    call_command("seed_demo", verbosity=0)
    order = demo.demo_order()
    payments = {p.reference: (p.payer_name, p.payee_name) for p in order.payments.all()}
    agencies = {a.pk: (a.name, a.uscc) for a in Agency.objects.all()}
    try:
        migrate(BEFORE)  # back: the order's agencies come back from its parties, the texts never left
        with connection.cursor() as cursor:  # a ledger from before parties has none
            cursor.execute("TRUNCATE parties_partymerge, parties_partyalias, parties_party")
            cursor.execute(
                "SELECT client_agency_id, intermediary_id, client_name FROM reviews_order WHERE id = %s", [order.pk]
            )
            old_order = cursor.fetchone()
            cursor.execute("SELECT reference, payer, payee FROM reviews_payment WHERE order_id = %s", [order.pk])
            old_payments = {ref: (payer, payee) for ref, payer, payee in cursor.fetchall()}
        migrate(AFTER)
    finally:
        migrate_to_latest()
    journal.integrate()
    assert old_payments == payments  # the copy is the demo's data
    assert Party.objects.filter(agency__isnull=False).count() == len(agencies)
    for agency_id, (name, uscc) in agencies.items():
        party = Party.objects.get(agency_id=agency_id)
        assert (party.name, party.uscc, party.kind) == (name, uscc, "company")
        assert PartyAlias.objects.filter(party=party, name=name, kind="full_name").exists()
    order = Order.objects.get(pk=order.pk)
    assert (order.client.agency_id, order.intermediary.agency_id, order.client_name) == old_order
    for payment in Payment.objects.filter(order=order).select_related("payer", "payee"):
        assert (payment.payer_name, payment.payee_name) == payments[payment.reference]
        assert payment.payer.aliases.filter(name=payment.payer_name).exists()
        assert payment.payee.aliases.filter(name=payment.payee_name).exists()
    # "Bluewhale PR (蓝鲸公关)" is the agency's name as written: the same party; the loose payee names
    # ("Lao K on Cars", "Lao K on Cars (bonus)", "Xingchi Media MCN") are parties of their own ...
    assert order.payments.get(reference="DEMO-ALI-0914").payer == order.client
    assert Party.objects.count() == len(agencies) + 3 and not Party.objects.filter(merged_into__isnull=False).exists()
    # ... listed for a person to merge, never merged by the migration
    pairs = {frozenset(p.name for p in group) for group in likely_duplicates()}
    assert frozenset({"Lao K on Cars", "Lao K on Cars (bonus)"}) in pairs
    assert frozenset({"Xingchi Media MCN", "Xingchi Media MCN (星驰传媒)"}) in pairs
    created = JournalEntry.objects.filter(actor=LABEL, object_type="parties.party", action="create")
    assert created.count() == Party.objects.count()
    assert JournalEntry.objects.filter(actor=LABEL, object_type="reviews.payment", action="update").count() == 3
    # the journal's replay of the orders and payments matches their tables under the new field names
    mismatches = [m for m in journal.verify_rows() if m.table in {"reviews_order", "reviews_payment"}]
    assert mismatches == []
