"""Guards in front of every view: requests the application could only answer with a 500 or an HTML page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _


def _json_error(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def _too_large(request: HttpRequest) -> bool:
    """Whether the declared body is over its limit (uploads: EVIDENCE_MAX_BYTES plus the form around it)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return length > settings.EVIDENCE_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestGuardMiddleware:
    """Refuse, with the API's JSON error, what no view can handle.

    - A NUL character in the path or query string: 400 (PostgreSQL cannot compare text with it).
    - An API request whose declared body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE
      (multipart uploads: EVIDENCE_MAX_BYTES plus that much for the form): 413,
      before the body is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return _json_error(_("The address cannot contain NUL (%00) characters."), "nul_character", 400)
        if request.path.startswith("/api/") and _too_large(request):
            return _json_error(_("The request body is too large."), "too_large", 413)
        return self.get_response(request)


class ApiNoStoreMiddleware:
    """``Cache-Control: no-store`` on every API response to an authenticated request.

    They carry case data, personal data and figures that differ by user: no
    browser, proxy or shared cache may keep them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") and (
            "HTTP_AUTHORIZATION" in request.META or getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class AdminScriptPolicyMiddleware:
    """Let the admin's Alpine.js evaluate its directives: ``'unsafe-eval'`` in script-src, under /admin/ only.

    The admin's theme (django-unfold) builds its sidebar, tabs, menus and dialogs with Alpine.js, whose
    ``x-data``/``x-on`` expressions are evaluated with ``new Function``; Alpine's CSP build cannot read
    the theme's expressions. Scripts still come from this site only, with no inline script; the rest of
    the site (the start page, the API and its docs) keeps the strict policy. Listed after django-csp's
    middleware, so that it marks the response before django-csp writes the header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(settings.ADMIN_URL_PREFIX):
            response._csp_update = {"script-src": ["'unsafe-eval'"]}  # type: ignore[attr-defined]
        return response
