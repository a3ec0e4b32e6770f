"""The production URLs plus ``/bench/accounts/``: the account list as a bare Django view.

The view returns the same JSON as the first page of ``GET /api/v1/accounts/`` (the
benchmark checks it), written the way one would without DRF: ``values()`` of the same
rows, dates formatted by hand, ``JsonResponse``. No authentication, serializer, filter
backends or content negotiation, so the ratio of the two throughputs is what the API
layer costs. It exists only in the benchmark's settings (bench/load_settings.py),
never in production URLs.
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.duration import duration_string

from config.urls import urlpatterns as production_urlpatterns
from ledger.models import PlatformAccount

FIELDS = [
    "id",
    "influencer",
    "platform",
    "handle",
    "platform_uid",
    "profile_url",
    "status",
    "follower_count",
    "followers_captured_at",
    "last_refreshed_at",
    "refresh_interval",
    "risk_score",
    "created_at",
    "updated_at",
]
TIMES = ["followers_captured_at", "last_refreshed_at", "created_at", "updated_at"]


def accounts(request: HttpRequest) -> JsonResponse:
    """The first page of the account list, in the API's default order."""
    size = settings.REST_FRAMEWORK["PAGE_SIZE"]
    queryset = PlatformAccount.objects.order_by("platform", "handle", "id")
    count = queryset.count()
    rows = list(queryset.values(*FIELDS)[:size])
    zone = timezone.get_current_timezone()
    for row in rows:
        for name in TIMES:
            if row[name] is not None:
                row[name] = row[name].astimezone(zone).isoformat()
        if row["refresh_interval"] is not None:
            row["refresh_interval"] = duration_string(row["refresh_interval"])
        row["engagement"] = None  # engagement figures are on an account's detail only
    next_page = request.build_absolute_uri("/api/v1/accounts/?page=2") if count > size else None
    return JsonResponse({"count": count, "next": next_page, "previous": None, "results": rows})


urlpatterns = [path("bench/accounts/", accounts), *production_urlpatterns]
