"""Chinese formats: Django's, with thousands separators grouped by three as Chinese official documents write them."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
