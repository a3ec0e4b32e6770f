from rest_framework.routers import SimpleRouter

from ledger.api import views

router = SimpleRouter()
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("influencers", views.InfluencerViewSet, basename="influencer")
router.register("accounts", views.AccountViewSet, basename="account")
router.register("snapshots", views.SnapshotViewSet, basename="snapshot")
router.register("anomalies", views.AnomalyViewSet, basename="anomaly")
# Before "journal", whose detail route would otherwise take "heads", "key" and "proofs" for a seq.
router.register("journal/heads", views.JournalHeadViewSet, basename="journal-head")
router.register("journal/key", views.JournalKeyViewSet, basename="journal-key")
router.register("journal/proofs", views.JournalProofViewSet, basename="journal-proof")
router.register("journal", views.JournalViewSet, basename="journal")
