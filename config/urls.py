from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from config.api.auth import TokenRevokeAllView, TokenRevokeView
from config.ops.health import healthz, readyz
from config.ops.metrics import metrics
from core.registry import app_modules

# One API root for every app: each app's api/urls.py (and core's: the journal) may register its
# viewsets on a SimpleRouter named ``router`` (listed on the root) and give paths outside the router
# as ``urlpatterns``.
api_router = DefaultRouter()
api_paths = []
for module in app_modules("api.urls", core=True):
    if hasattr(module, "router"):
        api_router.registry.extend(module.router.registry)
    api_paths += getattr(module, "urlpatterns", [])


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask every site for /favicon.ico: the ledger's icon, a static file (no 404 in their console)."""
    return HttpResponseRedirect(static("core/favicon.svg"))


urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("favicon.ico", favicon, name="favicon"),
    # The journal's admin pages moved with the journal into core: addresses kept in notes and
    # reports (/admin/ledger/journalentry/42/change/) lead to the same page.
    re_path(
        r"^admin/ledger/journalentry/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/core/journalentry/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the admin's language switcher
    path("api/v1/auth/revoke/", TokenRevokeView.as_view(), name="token-revoke"),
    path("api/v1/auth/revoke-all/", TokenRevokeAllView.as_view(), name="token-revoke-all"),
    path("api/v1/", include(api_router.urls)),
    path("api/v1/", include(api_paths)),  # e.g. /api/v1/accounts/{id}/rate-card/, /api/v1/ingest/{kind}/
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api-auth/", include("rest_framework.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
]

admin.site.site_header = _("Paid Review Ledger")
admin.site.site_title = _("Paid Review Ledger")
admin.site.index_title = _("Back office")
