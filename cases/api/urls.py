from rest_framework.routers import SimpleRouter

from cases.api import views

router = SimpleRouter()
router.register("authorities", views.AuthorityViewSet, basename="authority")
router.register("cases", views.CaseViewSet, basename="case")
router.register("legal-actions", views.LegalActionViewSet, basename="legalaction")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
