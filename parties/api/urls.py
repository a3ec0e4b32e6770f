from rest_framework.routers import SimpleRouter

from parties.api import views

router = SimpleRouter()
router.register("parties", views.PartyViewSet, basename="party")

urlpatterns = router.urls
