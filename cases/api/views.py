from __future__ import annotations

import base64
import tempfile

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cases import selectors, services
from cases.api.serializers import (
    AuthoritySerializer,
    CaseNoteSerializer,
    CaseSerializer,
    CaseTransitionSerializer,
    EvidenceSerializer,
    LegalActionSerializer,
)
from cases.filters import AuthorityFilter, CaseFilter, EvidenceFilter, LegalActionFilter
from cases.models import Authority, Evidence
from cases.services import CASE_WORKFLOW
from config.api.mixins import ReloadAfterWriteMixin
from config.api.parsers import FormParser, MultiPartParser
from config.api.permissions import ActionModelPermissions
from config.api.throttles import UploadThrottle, WriteThrottle
from core import journal
from core.api import ERROR_409, transition_action

# Bundles up to this size are built in memory, larger ones in a temporary file.
BUNDLE_SPOOL_BYTES = 16 * 1024 * 1024


class _BinaryRenderer(BaseRenderer):
    """Lets clients ask for the file's type; an error is still answered as JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class ZipRenderer(_BinaryRenderer):
    media_type = "application/zip"
    format = "zip"


class OctetStreamRenderer(_BinaryRenderer):
    media_type = "application/octet-stream"
    format = "bin"


class AuthorityViewSet(viewsets.ModelViewSet):
    """Regulators, police forces and courts. Admins (``change_authority``) manage their members."""

    queryset = Authority.objects.prefetch_related("members")
    serializer_class = AuthoritySerializer
    filterset_class = AuthorityFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name", "kind", "created_at"]
    ordering = ["name", "id"]


@extend_schema_view(
    create=extend_schema(description="Open a case under an authority you are a member of. Its status is `open`."),
)
class CaseViewSet(
    ReloadAfterWriteMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases you may see: as a member of its authority, an assignee, a user it is shared with, or a superuser.

    Status changes only through ``transition``; cases are never deleted through the API.
    """

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    permission_classes = [ActionModelPermissions]
    action_permissions = {
        "transition": {"POST": ["cases.change_case"]},
        "notes": {"GET": ["cases.view_casenote"], "POST": ["cases.add_casenote"]},
        "bundle": {"GET": ["cases.view_case", "cases.view_evidence", "cases.view_legalaction"]},
    }
    search_fields = ["reference", "title", "campaign"]
    ordering_fields = ["id", "reference", "opened_on", "closed_on", "status", "created_at", "updated_at"]
    ordering = ["-opened_on", "-id"]

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    transition = transition_action(
        workflow=CASE_WORKFLOW, request_serializer=CaseTransitionSerializer, response_serializer=CaseSerializer
    )

    @extend_schema(methods=["GET"], responses=CaseNoteSerializer(many=True), filters=False)
    @extend_schema(methods=["POST"], request=CaseNoteSerializer, responses={201: CaseNoteSerializer})
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def notes(self, request: Request, pk: str | None = None) -> Response:
        """The case's notes (GET), or add one (POST)."""
        case = self.get_object()
        if request.method == "GET":
            return Response(CaseNoteSerializer(selectors.case_notes(case=case), many=True).data)
        payload = CaseNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.case_note_add(case=case, text=payload.validated_data["text"], author=request.user)
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 409: ERROR_409},
        filters=False,
        description="A zip with manifest.json, the evidence files, the journal entries about the case's records "
        "with the chain head, SHA256SUMS, README.txt and verify.py. 409 if a stored file no longer matches "
        "its hash.",
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=None,
        pagination_class=None,
        renderer_classes=[JSONRenderer, ZipRenderer],
    )
    def bundle(self, request: Request, pk: str | None = None) -> FileResponse:
        case = self.get_object()
        spool = tempfile.SpooledTemporaryFile(max_size=BUNDLE_SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
        try:
            services.bundle_build(case=case, out=spool, generated_by=journal.current_actor())
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=f"{case.reference}-bundle.zip", content_type="application/zip"
        )


class LegalActionViewSet(viewsets.ModelViewSet):
    """Lawsuits, administrative penalties, criminal referrals, account bans and takedowns.

    An action with a case is visible with its case; one without (a carmaker's
    lawsuit) to everyone with the view permission.
    """

    serializer_class = LegalActionSerializer
    filterset_class = LegalActionFilter
    search_fields = ["plaintiff", "court_or_authority", "defendants_text"]
    ordering_fields = ["id", "filed_on", "hearing_on", "status", "amount", "created_at"]
    ordering = ["-filed_on", "-id"]

    def get_queryset(self):
        return selectors.legal_action_list(user=self.request.user)


@extend_schema_view(
    create=extend_schema(
        description="Upload a captured file (multipart/form-data). The server computes its SHA-256 and size "
        "while storing it; afterwards the evidence cannot be changed or deleted."
    ),
)
class EvidenceViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Evidence of the cases you may see. Recorded once; update and delete answer 405."""

    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [WriteThrottle, UploadThrottle]
    ordering_fields = ["id", "captured_at", "recorded_at", "size"]
    ordering = ["case_id", "captured_at", "id"]

    def get_queryset(self):
        return selectors.evidence_list(user=self.request.user)

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.evidence_record(
            case=data["case"],
            file=data["file"],
            captured_at=data["captured_at"],
            source_url=data.get("source_url", ""),
            description=data.get("description", ""),
            captured_by=self.request.user,
        )

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 409: ERROR_409},
        filters=False,
        description="The file, streamed after checking that its bytes still match the recorded SHA-256 "
        "(sent in the Repr-Digest header). 409 if they do not.",
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=None,
        pagination_class=None,
        renderer_classes=[JSONRenderer, OctetStreamRenderer],
    )
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        evidence: Evidence = self.get_object()
        services.evidence_verify(evidence=evidence)
        response = FileResponse(
            evidence.file.storage.open(evidence.file.name, "rb"),
            as_attachment=True,
            filename=evidence.file_name,
            content_type=evidence.media_type,
        )
        response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(evidence.sha256)).decode()}:"
        return response
