"""Domain errors and the one DRF exception handler that turns them into responses.

Services raise :class:`DomainError` (400: the input breaks a rule) or
:class:`ConflictError` (409: the input is fine but clashes with the current
state). The handler also maps Django's ``ValidationError`` to 400 and a
database ``IntegrityError`` that slipped past validation (a race between two
writers) to 409, so a client never sees a 500 for a rule the database enforces.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import ConflictError, DomainError, TooLargeError

__all__ = ["ConflictError", "DomainError", "TooLargeError", "exception_handler"]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain, validation and integrity errors to 400/409, rolling the request's transaction back.

    Requests run in one transaction (ATOMIC_REQUESTS); a handled error must still
    undo whatever the request wrote before it, so that bad input writes nothing.
    """
    response = _handle(exc)
    if response is not None:
        set_rollback()
        return response
    return drf_exception_handler(exc, context)


def _handle(exc: Exception) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large.", "code": "too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DomainError):
        return Response(exc.as_data(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        blocking = sorted({obj._meta.verbose_name for obj in exc.protected_objects})
        return Response(
            {
                "detail": _("Cannot delete: other records depend on it (%(records)s).")
                % {"records": ", ".join(map(str, blocking))},
                "code": "protected",
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("The change conflicts with existing data."), "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    return None
