from rest_framework.routers import SimpleRouter

from ledger.api import views

router = SimpleRouter()
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("influencers", views.InfluencerViewSet, basename="influencer")
router.register("accounts", views.AccountViewSet, basename="account")
router.register("snapshots", views.SnapshotViewSet, basename="snapshot")
router.register("anomalies", views.AnomalyViewSet, basename="anomaly")
