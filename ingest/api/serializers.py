from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ingest.models import IngestJob


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("Line of the file (the header is line 1; XLSX: the sheet's row)."))
    column = serializers.CharField(help_text=_("The column, or empty for the whole row or file."))
    message = serializers.CharField()


class IngestJobSerializer(serializers.ModelSerializer):
    """An ingest job: its status, progress, counts and (when it failed) its row errors."""

    url = serializers.HyperlinkedIdentityField(view_name="ingest-job-detail")
    errors = RowErrorSerializer(many=True, read_only=True, help_text=_("The first errors, by line."))

    class Meta:
        model = IngestJob
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "phase",
            "file_name",
            "file_format",
            "sha256",
            "update",
            "actor",
            "created_at",
            "started_at",
            "finished_at",
            "rows_read",
            "rows_total",
            "created",
            "updated",
            "unchanged",
            "error_count",
            "errors",
        ]
        read_only_fields = fields


class IngestUploadSerializer(serializers.Serializer):
    """A multipart upload: the file and whether rows with other values replace the ledger's."""

    file = serializers.FileField(help_text=_(".csv, .jsonl or (quotes) .xlsx, optionally gzip-compressed (.gz)."))
    update = serializers.BooleanField(required=False, default=False)
