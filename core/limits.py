"""Plausible ranges of the values the ledger stores, in one place (see docs/security.md).

Every stored date and time lies in ``[EARLIEST_DATE, LATEST_DATE)``: a CHECK
constraint of each table says so (fixed bounds, since a CHECK cannot call
``now()``). A date or time that records something that already happened
(a capture, an observation, a payment, a filing) is also refused when it lies
ahead of the server clock by more than ``CLOCK_SKEW``: the model field's
validator (so the admin and the API serializers) and the services (so imports,
commands and tasks) check that at write time.

Counts (followers, views, ...) are below ``MAX_COUNT``: bigger than any
platform's audience, small enough for every figure derived from them to fit
its column.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

# Market data (platform accounts, quotes, orders, content) does not go back further than this.
EARLIEST_DATE = date(2000, 1, 1)
# Nothing is scheduled this far ahead (a hearing, a quote's expiry): the fixed upper bound of the CHECKs.
LATEST_DATE = date(2100, 1, 1)
EARLIEST_AT = datetime.combine(EARLIEST_DATE, time.min, tzinfo=UTC)
LATEST_AT = datetime.combine(LATEST_DATE, time.min, tzinfo=UTC)
# How far a client's clock may run ahead of the server's for a time of something that already happened.
CLOCK_SKEW = timedelta(minutes=5)
# Follower, view, like, comment and share counts are below this (10^15).
MAX_COUNT = 10**15


def date_range_check(field: str, *, nullable: bool = False) -> Q:
    """The CHECK condition for a date or datetime column: within the fixed plausible range."""
    is_datetime = field.endswith("_at") or field in {"slot", "refresh_slot"}
    low, high = (EARLIEST_AT, LATEST_AT) if is_datetime else (EARLIEST_DATE, LATEST_DATE)
    condition = Q(**{f"{field}__gte": low, f"{field}__lt": high})
    return condition | Q(**{f"{field}__isnull": True}) if nullable else condition


def count_check(field: str, *, nullable: bool = False) -> Q:
    """The CHECK condition for a count column: 0 <= count < MAX_COUNT."""
    condition = Q(**{f"{field}__gte": 0, f"{field}__lt": MAX_COUNT})
    return condition | Q(**{f"{field}__isnull": True}) if nullable else condition


def latest_past_date() -> date:
    """The last date a past event may carry: today in TIME_ZONE, plus one day for clients further east."""
    return timezone.localdate() + timedelta(days=1)


def date_problem(value: Any, *, past: bool) -> str | None:
    """Why ``value`` (a date or an aware datetime) is implausible, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return None  # the caller reports the missing zone
        if value < EARLIEST_AT:
            return str(_("Dates before %(date)s are not accepted.") % {"date": EARLIEST_DATE.isoformat()})
        if past and value > timezone.now() + CLOCK_SKEW:
            return str(_("This time is in the future."))
        if value >= LATEST_AT:
            return str(_("Dates from %(date)s on are not accepted.") % {"date": LATEST_DATE.isoformat()})
        return None
    if value < EARLIEST_DATE:
        return str(_("Dates before %(date)s are not accepted.") % {"date": EARLIEST_DATE.isoformat()})
    if past and value > latest_past_date():
        return str(_("This date is in the future."))
    if value >= LATEST_DATE:
        return str(_("Dates from %(date)s on are not accepted.") % {"date": LATEST_DATE.isoformat()})
    return None


def validate_past(value: Any) -> None:
    """Field validator: a date or time of something that already happened."""
    problem = date_problem(value, past=True)
    if problem:
        raise ValidationError(problem, code="implausible_date")


def validate_scheduled(value: Any) -> None:
    """Field validator: a date that may lie ahead (a hearing, an expiry), within the plausible range."""
    problem = date_problem(value, past=False)
    if problem:
        raise ValidationError(problem, code="implausible_date")


def count_problem(value: Any) -> str | None:
    """Why ``value`` is not a plausible count, or None."""
    if value is None:
        return None
    if value < 0:
        return str(_("A count cannot be negative."))
    if value >= MAX_COUNT:
        return str(_("A count is below 10^15."))
    return None


def validate_count(value: Any) -> None:
    """Field validator: a count within 0 <= count < MAX_COUNT."""
    if problem := count_problem(value):
        raise ValidationError(problem, code="implausible_count")


def check_past(value: Any, *, field: str) -> None:
    """Service check: raise DomainError for a date or time of a past event outside the plausible range."""
    problem = date_problem(value, past=True)
    if problem:
        raise DomainError(problem, field=field)


def check_scheduled(value: Any, *, field: str) -> None:
    """Service check: raise DomainError for a date outside the plausible range."""
    problem = date_problem(value, past=False)
    if problem:
        raise DomainError(problem, field=field)


def check_count(value: Any, *, field: str) -> None:
    if problem := count_problem(value):
        raise DomainError(problem, field=field)
