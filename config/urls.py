from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from config.api.auth import TokenRevokeAllView, TokenRevokeView
from ledger.api.urls import router as ledger_router

# One API root for every app: each app registers its viewsets on a SimpleRouter.
api_router = DefaultRouter()
for app_router in (ledger_router,):
    api_router.registry.extend(app_router.registry)

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/revoke/", TokenRevokeView.as_view(), name="token-revoke"),
    path("api/v1/auth/revoke-all/", TokenRevokeAllView.as_view(), name="token-revoke-all"),
    path("api/v1/", include(api_router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api-auth/", include("rest_framework.urls")),
]

admin.site.site_header = "Paid Review Ledger"
admin.site.site_title = "Paid Review Ledger"
admin.site.index_title = "Back office"
