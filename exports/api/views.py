from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from exports import ftm, stix
from exports.documents import FILE_SUFFIX, FORMATS
from exports.selectors import KINDS, root_for, scope_for


class _ExportRenderer(BaseRenderer):
    """Names an export format for content negotiation; errors are still answered as JSON."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return JSONRenderer().render(data)


class FtMRenderer(_ExportRenderer):
    media_type = ftm.MEDIA_TYPE
    format = "ftm"


class STIXRenderer(_ExportRenderer):
    media_type = stix.MEDIA_TYPE
    format = "stix"


class ExportNegotiation(DefaultContentNegotiation):
    """An unknown ``?format=`` falls back to JSON, so that the view can answer 400 naming the field (not 404)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Exception:  # DRF's 404 for a format no renderer has, 406 for an Accept none matches
            return renderers[0], renderers[0].media_type


STIX_BUNDLE = {
    "type": "object",
    "description": "A STIX 2.1 bundle (custom properties start with x_).",
    "required": ["type", "id", "objects"],
    "properties": {
        "type": {"type": "string", "enum": ["bundle"]},
        "id": {"type": "string"},
        "objects": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    },
}


def _export_schema(kind: str):
    return extend_schema(
        operation_id=f"{kind}_export",
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=list(FORMATS),
                required=True,
                description="ftm: FollowTheMoney entities, one JSON object a line; stix: a STIX 2.1 bundle.",
            )
        ],
        responses={
            (200, ftm.MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="FollowTheMoney entities."),
            (200, stix.MEDIA_TYPE): OpenApiResponse(STIX_BUNDLE, description="A STIX 2.1 bundle."),
            (400, "application/json"): OpenApiResponse(description="No format, or an unknown one (field format)."),
        },
        filters=False,
        description=(
            f"The {kind} and the records around it that you may see, as FollowTheMoney entities or a STIX 2.1 "
            "bundle. A person's legal name is masked as in the API. See the API guide's page on exports."
        ),
    )


class _ExportView(APIView):
    kind = ""
    permission_classes = [IsAuthenticated]  # the kind's view permission is checked in get()
    renderer_classes = [JSONRenderer, FtMRenderer, STIXRenderer]
    content_negotiation_class = ExportNegotiation

    def get(self, request: Request, pk: int) -> HttpResponse:
        if not request.user.has_perm(KINDS[self.kind]):
            raise PermissionDenied
        root = root_for(kind=self.kind, pk=pk, user=request.user)
        if root is None:
            raise NotFound
        fmt = request.accepted_renderer.format
        if fmt not in FORMATS:
            raise ValidationError({"format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS)}]})
        media_type, render = FORMATS[fmt]
        body = render(scope_for(kind=self.kind, root=root, user=request.user, masked=True))
        response = HttpResponse(body, content_type=f"{media_type}; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{self.kind}-{root.pk}.{FILE_SUFFIX[fmt]}"'
        return response


def _export_view(kind: str) -> type[_ExportView]:
    view = type(f"{kind.title()}ExportView", (_ExportView,), {"kind": kind, "__doc__": f"The {kind}'s export."})
    return extend_schema_view(get=_export_schema(kind))(view)


InfluencerExportView = _export_view("influencer")
CaseExportView = _export_view("case")
CampaignExportView = _export_view("campaign")
PartyExportView = _export_view("party")
