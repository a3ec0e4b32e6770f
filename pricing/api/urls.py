from django.urls import path
from rest_framework.routers import SimpleRouter

from pricing.api import views

router = SimpleRouter()
router.register("tiers", views.TierViewSet, basename="tier")
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("benchmarks", views.BenchmarkViewSet, basename="benchmark")

# Paths outside the router, included under /api/v1/ by config/urls.py.
urlpatterns = [
    path("accounts/<int:pk>/rate-card/", views.RateCardView.as_view(), name="account-rate-card"),
]
