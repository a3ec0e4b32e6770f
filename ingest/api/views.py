"""``POST /api/v1/ingest/{kind}/`` takes a file and answers 202 with a job; ``GET .../jobs/{id}/`` follows it."""

from __future__ import annotations

import shutil
import tempfile

from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import RetrieveAPIView
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import journal
from core.errors import DomainError
from ingest.api.serializers import IngestJobSerializer, IngestUploadSerializer
from ingest.kinds import KINDS
from ingest.models import IngestJob
from ingest.reading import CONTENT_TYPES, format_of
from ingest.services import ingest_job_create
from ingest.tasks import ingest_run_job

_TRUE = {"1", "true", "yes", "on"}


class RawFileParser(BaseParser):
    """Accepts a raw request body of any type: the view reads it as a stream, never into memory."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


def may_ingest(user, kind: str) -> bool:
    """Only users holding the add permission of the kind's rows may ingest them."""
    return bool(user and user.is_authenticated and kind in KINDS and user.has_perm(KINDS[kind].permission))


class IngestView(APIView):
    """Upload a file of accounts, snapshots, reviews or quotes; it is ingested by a background job."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, RawFileParser]

    @extend_schema(
        operation_id="ingest_create",
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=sorted(KINDS)),
            OpenApiParameter(
                "file_format",
                str,
                description=_("For a raw body: csv, jsonl or xlsx, if its content type does not say."),
            ),
            OpenApiParameter("update", bool, description=_("Replace the values of rows the ledger holds with others.")),
        ],
        request={
            "multipart/form-data": IngestUploadSerializer,
            "text/csv": {"type": "string", "format": "binary"},
            "application/x-ndjson": {"type": "string", "format": "binary"},
            "application/gzip": {"type": "string", "format": "binary"},
        },
        responses={
            202: IngestJobSerializer,
            400: OpenApiResponse(description="No file, or an unknown kind or format."),
            403: OpenApiResponse(description="The user may not add rows of this kind."),
        },
    )
    def post(self, request: Request, kind: str) -> Response:
        if kind not in KINDS:
            raise Http404
        if not may_ingest(request.user, kind):
            raise PermissionDenied(_("Ingesting %(kind)s needs the permission %(perm)s.") % {
                "kind": kind, "perm": KINDS[kind].permission})  # fmt: skip
        update = str(request.query_params.get("update", "")).lower() in _TRUE
        if request.content_type.startswith("multipart/form-data"):
            upload = IngestUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            upload_file = upload.validated_data["file"]
            update = update or upload.validated_data["update"]
            file_name = upload_file.name
            file_format = request.query_params.get("file_format") or format_of(file_name)
            job = self._create(request, kind, file_format, file_name, update, upload_file)
        else:
            media_type = request.content_type.split(";")[0].strip().lower()
            file_name = request.query_params.get("file_name", "") or f"upload.{media_type.rsplit('/', 1)[-1]}"
            file_format = (
                request.query_params.get("file_format") or CONTENT_TYPES.get(media_type) or format_of(file_name)
            )
            with tempfile.TemporaryFile() as spool:
                if request.stream is not None:
                    shutil.copyfileobj(request.stream, spool, 1 << 20)
                if not spool.tell():
                    raise DomainError(
                        _("Send the file as the request body or as the multipart field file."), field="file"
                    )
                spool.seek(0)
                job = self._create(request, kind, file_format, file_name, update, File(spool))
        ingest_run_job.delay_on_commit(job.pk)
        return Response(IngestJobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    def _create(self, request, kind, file_format, file_name, update, upload) -> IngestJob:
        if not file_format:
            raise DomainError(
                _("Say the file's format: a .csv, .jsonl or .xlsx name, a content type, or ?file_format=."),
                field="file",
            )
        with transaction.atomic():
            return ingest_job_create(
                kind=kind,
                file_format=file_format,
                actor=journal.current_actor(),
                file_name=file_name,
                update=update,
                user=request.user,
                upload=upload,
            )


class IngestJobView(RetrieveAPIView):
    """An ingest job: status, progress, counts and row errors. Seen by whoever started it, and by staff."""

    serializer_class = IngestJobSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> IngestJob:
        job = get_object_or_404(IngestJob, pk=self.kwargs["pk"])
        user = self.request.user
        if job.created_by_id != user.pk and not user.has_perm("ingest.view_ingestjob"):
            raise Http404
        return job
