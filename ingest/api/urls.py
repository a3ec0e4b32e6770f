from django.urls import path

from ingest.api.views import IngestJobView, IngestView

urlpatterns = [
    path("ingest/jobs/<int:pk>/", IngestJobView.as_view(), name="ingest-job-detail"),
    path("ingest/<str:kind>/", IngestView.as_view(), name="ingest-upload"),
]
