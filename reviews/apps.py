from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews, claims and orders")

    def ready(self) -> None:
        from ledger import journal

        # A review's MinHash signature is derived from the review's journaled content.
        journal.register_app(self, exclude={"reviewsignature"})
