"""A request id for every request: taken from ``X-Request-ID`` or generated, logged and echoed.

The id is kept in a context variable for the duration of the request, so that every
log line written while serving it carries it (``RequestIdFilter``), and the request
is logged once, when its response is ready, on the ``ledger.request`` logger.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# An incoming id is kept only if it is short and harmless in a log line or a header.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
logger = logging.getLogger("ledger.request")


def current_request_id() -> str:
    """The id of the request being served in this context, or "" outside a request."""
    return request_id_var.get()


class RequestIdMiddleware:
    """Give each request an id, echo it in the response header, log the request once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _ACCEPTABLE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Put the current request id on every log record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True
