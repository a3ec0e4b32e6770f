"""API throttles, per user: every token of one user draws on the same budget (rates in settings)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import UserRateThrottle


class WriteThrottle(UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) per user: API_WRITE_RATE. Reads are not throttled."""

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class UploadThrottle(WriteThrottle):
    """Evidence uploads per user: API_UPLOAD_RATE, on top of the write throttle."""

    scope = "upload"
