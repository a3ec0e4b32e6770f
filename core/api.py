"""The API side of a workflow (core/workflow.py): the request body of a move and the
``POST .../transition/`` action, described from the workflow's transition table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.workflow import Workflow, workflow_transition

ERROR_409 = OpenApiResponse(description="Conflict: nothing was changed.")


class TransitionSerializer(serializers.Serializer):
    """A move: the status to move to, why, and (for a decision taken earlier) when."""

    workflow: Workflow  # set by each subclass

    status = serializers.ChoiceField(choices=[], help_text=_("The status to move to."))
    reason = serializers.CharField(max_length=4000, help_text=_("Why: recorded in the status history."))
    occurred_at = serializers.DateTimeField(
        required=False,
        help_text=_("When the decision was taken, if earlier than now (ISO 8601 with offset)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = self.workflow.statuses.choices


def transition_action(*, workflow: Workflow, request_serializer: type[TransitionSerializer], response_serializer: Any):
    """The ``transition`` action of a viewset: moves the record through ``workflow_transition``."""

    @extend_schema(
        request=request_serializer,
        responses={200: response_serializer, 409: ERROR_409},
        description=f"Move the {workflow.noun}. Allowed moves: {workflow.describe()}. Records who, when and "
        "why (and when the decision was taken, with occurred_at). Any other move answers 409 and changes nothing.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def transition(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        payload = request_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow_transition(workflow=workflow, record=record, user=request.user, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    return transition
