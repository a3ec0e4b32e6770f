"""The API's shared parts: the one DRF exception handler that turns domain errors into
responses, and the API side of a workflow (core/workflow.py): the request body of a
move and the ``POST .../transition/`` action, described from the workflow's transition table.

Services raise :class:`~core.errors.DomainError` (400: the input breaks a rule) or
:class:`~core.errors.ConflictError` (409: the input is fine but clashes with the current
state). The handler also maps Django's ``ValidationError`` to 400 and a database
``IntegrityError`` that slipped past validation (a race between two writers) to 409, so a
client never sees a 500 for a rule the database enforces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

# By name: ``serializers`` in this package is core/api/serializers.py once that is imported.
from rest_framework.serializers import CharField, ChoiceField, DateTimeField, Serializer
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import DomainError
from core.workflow import Workflow, workflow_transition

ERROR_409 = OpenApiResponse(description="Conflict: nothing was changed.")


class TransitionSerializer(Serializer):  # type: ignore[type-arg]  # a request body, no instance
    """A move: the status to move to, why, and (for a decision taken earlier) when."""

    workflow: Workflow  # set by each subclass

    status = ChoiceField(choices=[], help_text=_("The status to move to."))
    reason = CharField(max_length=4000, help_text=_("Why: recorded in the status history."))
    occurred_at = DateTimeField(
        required=False,
        help_text=_("When the decision was taken, if earlier than now (ISO 8601 with offset)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ChoiceField, self.fields["status"]).choices = self.workflow.statuses.choices


def transition_action(
    *, workflow: Workflow, request_serializer: type[TransitionSerializer], response_serializer: Any
) -> Callable[..., Response]:
    """The ``transition`` action of a viewset: moves the record through ``workflow_transition``."""

    @extend_schema(
        request=request_serializer,
        responses={200: response_serializer, 409: ERROR_409},
        # Lazy: the moves are named in the language of the request that shows the schema, not of the import.
        description=format_lazy(
            _(
                "Move the {noun}. Allowed moves: {moves}. Records who, when and why (and when the decision was "
                "taken, with occurred_at). Any other move answers 409 and changes nothing."
            ),
            noun=workflow.noun,
            moves=workflow.describe_lazy(),
        ),
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def transition(self: GenericAPIView[Any], request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        payload = request_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow_transition(workflow=workflow, record=record, user=request.user, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    return transition


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
        blocking = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        return Response(
            {
                "detail": gettext("Cannot delete: other records depend on it (%(records)s).")
                % {"records": ", ".join(map(str, blocking))},
                "code": "protected",
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": gettext("The change conflicts with existing data."), "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    return None
