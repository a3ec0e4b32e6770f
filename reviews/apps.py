from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews, claims and orders")

    def ready(self) -> None:
        from core import journal
        from ledger import selectors as ledger_selectors
        from reviews import graph, selectors

        # The account detail's engagement figures (reviews and their views), computed by this app.
        ledger_selectors.account_detail_annotations.append(selectors.with_engagement)
        graph.register()  # orders, payments, targets and campaigns in the money graph (parties.graph)
        # A review's MinHash signature is derived from the review's journaled content.
        # Names as written in a record may name people (a payee's own name): digests in the journal.
        journal.register_app(
            self,
            exclude={"reviewsignature"},
            personal={"order": {"client_name"}, "payment": {"payer_name", "payee_name"}},
        )
