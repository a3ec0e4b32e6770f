from rest_framework.routers import SimpleRouter

from core.api import views

router = SimpleRouter()
# Before "journal", whose detail route would otherwise take "heads", "key" and "proofs" for a seq.
router.register("journal/heads", views.JournalHeadViewSet, basename="journal-head")
router.register("journal/key", views.JournalKeyViewSet, basename="journal-key")
router.register("journal/proofs", views.JournalProofViewSet, basename="journal-proof")
router.register("journal", views.JournalViewSet, basename="journal")
