from rest_framework.routers import SimpleRouter

from reviews.api import views

router = SimpleRouter()
router.register("targets", views.TargetViewSet, basename="target")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("orders", views.OrderViewSet, basename="order")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
