from django.urls import path

from risk.api import views

# Paths outside the router, included under /api/v1/ by config/urls.py.
urlpatterns = [
    path("accounts/<int:pk>/risk/", views.AccountRiskView.as_view(), name="account-risk"),
    path("orders/<int:pk>/risk/", views.OrderRiskView.as_view(), name="order-risk"),
]
