"""Filter types shared by every app's FilterSets."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, handed to the database in UTC.

    Python accepts UTC offsets up to +-23:59, PostgreSQL only up to +-15:59: a value
    such as ``2025-09-12T00:00:00+23:00`` is valid ISO 8601 and must not reach the
    database with its offset (a 500). In UTC it is the same instant, with no offset.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or timezone.is_naive(value):
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError(_("This time is out of range."), code="overflow") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """django-filter's ISO 8601 filter, with the time handed to the database in UTC."""

    field_class = UtcIsoDateTimeField
