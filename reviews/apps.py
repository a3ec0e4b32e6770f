from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews, claims and orders")

    def ready(self) -> None:
        from reviews import graph

        graph.register()  # orders, payments, targets and campaigns in the money graph (parties.graph)
