"""Orders and payments name parties; the agencies and free text of the records become parties.

Lossless: every agency becomes a party (its name an alias, its USCC kept); an
order's client agency and intermediary become its client and intermediary party;
a client named only in text, and every payer and payee, become a party found by
the exact text (an agency's name, an influencer's display name, or a text seen
before), else a new party with the text as its alias. The texts stay as written
(``Order.client_name``, ``Payment.payer_name`` / ``payee_name``). Nothing is merged
on similar names: parties.selectors.likely_duplicates lists them for a person.
Every write is journaled under the actor ``migration:reviews.0012``.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

LABEL = "migration:reviews.0012_orders_and_payments_name_parties"


def parties_from_records(apps, schema_editor):
    from core import journal
    from core.search import pinyin_initials
    from parties import names

    Agency = apps.get_model("ledger", "Agency")
    Influencer = apps.get_model("ledger", "Influencer")
    Party = apps.get_model("parties", "Party")
    PartyAlias = apps.get_model("parties", "PartyAlias")
    Order = apps.get_model("reviews", "Order")
    Payment = apps.get_model("reviews", "Payment")

    by_text: dict[str, object] = {}

    def alias(party, name: str, kind: str, source: str) -> None:
        if not PartyAlias.objects.filter(party=party, name=name).exists():
            PartyAlias.objects.create(
                party=party,
                name=name,
                kind=kind,
                source=source,
                key=names.match_key(name),
                pinyin=names.pinyin_key(name),
                initials=pinyin_initials(name),
            )

    def of_agency(agency_id):
        if agency_id is None:
            return None
        party = Party.objects.filter(agency_id=agency_id).first()
        if party is None:
            agency = Agency.objects.get(pk=agency_id)
            party = Party.objects.create(name=agency.name, kind="company", uscc=agency.uscc, agency=agency)
            alias(party, agency.name, "full_name", f"agency {agency.pk}")
            by_text.setdefault(agency.name.strip(), party)
        return party

    def of_text(text: str, source: str):
        text = (text or "").strip()
        if not text:
            return None
        party = by_text.get(text)
        if party is None:
            influencer = Influencer.objects.filter(display_name=text, party__isnull=True).order_by("pk").first()
            kind = {"person": "person", "organisation": "organisation"}.get(getattr(influencer, "kind", ""), "unknown")
            party = Party.objects.create(name=text, kind=kind, influencer=influencer)
            by_text[text] = party
        alias(party, text, "as_recorded", source)
        return party

    with journal.acting_as(LABEL):
        for agency_id in Agency.objects.order_by("pk").values_list("pk", flat=True):
            of_agency(agency_id)
        # The journal's capture triggers record each order's and payment's update. The order's
        # intermediary changes meaning below (the agency column gives way to the party column, renamed
        # ``intermediary``): one entry under the final name keeps the journal's replay equal to the table.
        for order in Order.objects.order_by("pk"):
            client = of_agency(order.client_agency_id) or of_text(order.client_name, f"order {order.pk}: client")
            intermediary = of_agency(order.intermediary_id)
            Order.objects.filter(pk=order.pk).update(client=client, intermediary_party=intermediary)
            journal.append(
                action="update",
                object_type="reviews.order",
                object_id=order.pk,
                changes={"intermediary": {"before": order.intermediary_id, "after": getattr(intermediary, "pk", None)}},
            )
        for payment in Payment.objects.order_by("pk"):
            payer = of_text(payment.payer_name, f"payment {payment.pk}: payer")
            payee = of_text(payment.payee_name, f"payment {payment.pk}: payee")
            Payment.objects.filter(pk=payment.pk).update(payer=payer, payee=payee)
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the new keys now: columns change next
    made = Party.objects.count()
    if made:
        print(f"\n  reviews.0012: {made} parties from agencies, orders and payments (journaled).")


def records_from_parties(apps, schema_editor):
    """Back: an order's client and intermediary agencies from its parties (the texts never left)."""
    from core import journal

    Order = apps.get_model("reviews", "Order")
    with journal.acting_as(LABEL):
        for order in Order.objects.select_related("client", "intermediary_party").order_by("pk"):
            order.client_agency_id = getattr(order.client, "agency_id", None)
            order.intermediary_id = getattr(order.intermediary_party, "agency_id", None)
            if order.client_agency_id is None and not order.client_name and order.client is not None:
                order.client_name = order.client.name
            order.save(update_fields=["client_agency", "intermediary", "client_name"])
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def party_fk(verbose_name: str, related_name: str, help_text: str = "") -> models.ForeignKey:
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="parties.party",
        verbose_name=verbose_name,
        help_text=help_text,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
        ("reviews", "0011_risk_score_default"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="order", name="order_has_client"),
        migrations.AddField(
            model_name="order",
            name="client",
            field=party_fk(
                "client", "orders_placed_by", "The party that ordered and paid (often through an intermediary)."
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="intermediary_party",
            field=party_fk("intermediary", "orders_brokered_by"),
        ),
        migrations.RenameField(model_name="payment", old_name="payer", new_name="payer_name"),
        migrations.RenameField(model_name="payment", old_name="payee", new_name="payee_name"),
        migrations.AlterField(
            model_name="payment",
            name="payer_name",
            field=models.CharField(
                blank=True,
                help_text="The payer as named in the record.",
                max_length=300,
                verbose_name="payer as recorded",
            ),
        ),
        migrations.AlterField(
            model_name="payment",
            name="payee_name",
            field=models.CharField(
                blank=True,
                help_text="The payee as named in the record.",
                max_length=300,
                verbose_name="payee as recorded",
            ),
        ),
        migrations.AddField(model_name="payment", name="payer", field=party_fk("payer", "payments_made")),
        migrations.AddField(model_name="payment", name="payee", field=party_fk("payee", "payments_received")),
        migrations.AddField(
            model_name="target",
            name="party",
            field=models.OneToOneField(
                blank=True,
                help_text="The party this target is, when it also orders, pays or is paid (e.g. a carmaker).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="target",
                to="parties.party",
                verbose_name="party",
            ),
        ),
        migrations.RunPython(parties_from_records, records_from_parties),
        migrations.RemoveField(model_name="order", name="client_agency"),
        migrations.RemoveField(model_name="order", name="intermediary"),
        migrations.RenameField(model_name="order", old_name="intermediary_party", new_name="intermediary"),
        migrations.AlterField(
            model_name="order",
            name="client",
            field=party_fk(
                "client", "orders_placed", "The party that ordered and paid (often through an intermediary)."
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="intermediary",
            field=party_fk(
                "intermediary", "orders_brokered", "The party (agency, MCN, broker) that brokered the order, if any."
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=Q(client__isnull=False) | ~Q(client_name=""),
                name="order_has_client",
                violation_error_message="Name the client: a party, a name as recorded, or both.",
            ),
        ),
    ]
