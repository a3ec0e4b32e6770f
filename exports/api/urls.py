from django.urls import path

from exports.api import views

# Paths outside the router, included under /api/v1/ by config/urls.py.
urlpatterns = [
    path("influencers/<int:pk>/export/", views.InfluencerExportView.as_view(), name="influencer-export"),
    path("cases/<int:pk>/export/", views.CaseExportView.as_view(), name="case-export"),
    path("campaigns/<int:pk>/export/", views.CampaignExportView.as_view(), name="campaign-export"),
    path("parties/<int:pk>/export/", views.PartyExportView.as_view(), name="party-export"),
]
