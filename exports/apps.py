from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Exports of influencers, parties, cases and campaigns as FollowTheMoney entities and STIX 2.1 bundles.

    Above every app it reads (cases, reviews, parties, ledger): no app imports it.
    """

    name = "exports"
    verbose_name = _("Exports")
