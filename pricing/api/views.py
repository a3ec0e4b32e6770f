from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from config.api.mixins import ReloadAfterWriteMixin
from ledger.models import PlatformAccount
from pricing import selectors, services
from pricing.api.serializers import (
    BenchmarkSerializer,
    QuoteSerializer,
    RateCardSerializer,
    TierResolveQuerySerializer,
    TierSerializer,
)
from pricing.filters import BenchmarkFilter, QuoteFilter
from pricing.models import DurationTier, RateQuote


class TierViewSet(viewsets.ReadOnlyModelViewSet):
    """Duration tiers: the bands of video length that prices are quoted by."""

    queryset = DurationTier.objects.all()
    serializer_class = TierSerializer
    lookup_field = "code"
    ordering_fields = ["min_seconds", "code"]
    ordering = ["min_seconds"]

    @extend_schema(
        parameters=[OpenApiParameter("seconds", int, required=True, description="A video length in seconds.")],
        responses={
            200: TierSerializer,
            400: OpenApiResponse(description="`seconds` is missing, not a whole number or negative."),
            404: OpenApiResponse(description="No tier contains this length (e.g. 0 s)."),
        },
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def resolve(self, request: Request) -> Response:
        """The tier that contains a video length: 400 for a bad number, 404 when no tier contains it."""
        query = TierResolveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        seconds = query.validated_data["seconds"]
        tier = selectors.tier_for_seconds(seconds)
        if tier is None:
            raise NotFound(_("No duration tier contains %(seconds)d s.") % {"seconds": seconds})
        return Response(TierSerializer(tier).data)


@extend_schema_view(
    create=extend_schema(description="Record an observed price. A new observation is always a new quote."),
    partial_update=extend_schema(
        description="Amend `valid_until`, `source_url` or `notes`. The observation itself cannot change (400)."
    ),
)
class QuoteViewSet(
    ReloadAfterWriteMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Rate quotes with their derived figures. Quotes are never deleted or overwritten (PUT and DELETE: 405)."""

    queryset = RateQuote.objects.all()
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    search_fields = ["account__handle", "account__platform_uid", "account__influencer__display_name", "notes"]
    ordering_fields = ["id", "observed_on", "price", "recorded_at", "valid_until", "followers_at_observation"]
    ordering = ["-observed_on", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # Built per request: the follower bands come from settings.
        return selectors.quote_list()

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.quote_record(
            account=data["account"],
            deliverable=data["deliverable"],
            tier=data.get("tier"),
            price=data["price"],
            currency=data.get("currency", "CNY"),
            price_kind=data["price_kind"],
            observed_on=data["observed_on"],
            valid_until=data.get("valid_until"),
            source_url=data.get("source_url", ""),
            notes=data.get("notes", ""),
        )
        self._reload(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        amend = {k: v for k, v in serializer.validated_data.items() if k in services.AMENDABLE_FIELDS}
        serializer.instance = services.quote_amend(quote=serializer.instance, **amend)
        self._reload(serializer)


class BenchmarkViewSet(viewsets.ReadOnlyModelViewSet):
    """Market benchmarks, recomputed nightly from the quotes of a trailing window (read-only)."""

    queryset = selectors.benchmark_list()
    serializer_class = BenchmarkSerializer
    filterset_class = BenchmarkFilter
    ordering_fields = ["id", "platform", "deliverable", "band_min", "count", "median", "computed_at"]
    ordering = ["platform", "deliverable", "tier__min_seconds", "currency", "band_min"]


class RateCardView(generics.GenericAPIView):
    """The account's rate card: its latest quote per deliverable, tier and price kind."""

    queryset = RateQuote.objects.all()  # permissions: reading it needs view_ratequote
    serializer_class = RateCardSerializer
    pagination_class = None
    filter_backends: list = []

    def get(self, request: Request, pk: int) -> Response:
        account = get_object_or_404(PlatformAccount, pk=pk)
        card = {
            "account": account.pk,
            "platform": account.platform,
            "handle": account.handle,
            "follower_count": account.follower_count,
            "quotes": selectors.rate_card(account=account),
        }
        return Response(self.get_serializer(card).data)
