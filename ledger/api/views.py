from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from config.api.mixins import ReloadAfterWriteMixin
from config.api.permissions import ActionModelPermissions, ModelPermissions
from ledger import selectors, services, tasks
from ledger.api.history import (
    CSVRenderer,
    FollowerPointSerializer,
    FollowerSeriesQuerySerializer,
    HistoryPageSerializer,
    HistoryQuerySerializer,
    InfluencerHistory,
)
from ledger.api.serializers import (
    AccountSerializer,
    AgencySerializer,
    AnomalySerializer,
    InfluencerSerializer,
    ProfileRefreshSerializer,
    SnapshotSerializer,
)
from ledger.choices import SnapshotSource
from ledger.filters import (
    AccountFilter,
    AgencyFilter,
    AnomalyFilter,
    InfluencerFilter,
    SnapshotFilter,
)
from ledger.models import Agency, FollowerAnomaly, Influencer, ProfileRefresh


class AgencyViewSet(viewsets.ModelViewSet):
    """MCNs, PR agencies and brokers."""

    queryset = Agency.objects.all()
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    search_fields = ["name", "uscc", "^search_initials"]
    ordering_fields = ["id", "name", "kind", "created_at"]
    ordering = ["name", "id"]


class InfluencerViewSet(ReloadAfterWriteMixin, viewsets.ModelViewSet):
    """Influencers (bloggers), with their accounts. A person's legal name is masked."""

    queryset = selectors.influencer_list()
    serializer_class = InfluencerSerializer
    filterset_class = InfluencerFilter
    search_fields = ["display_name", "^search_initials", "accounts__handle", "accounts__platform_uid"]
    ordering_fields = ["id", "display_name", "created_at", "updated_at", "account_count", "total_followers"]
    ordering = ["display_name", "id"]

    def get_queryset(self):  # search across accounts could repeat rows
        if self.action == "history":  # the history needs the influencer only, not its totals
            return Influencer.objects.all()
        qs = super().get_queryset()
        return qs.distinct() if self.request.query_params.get("search") else qs

    @extend_schema(
        parameters=[
            HistoryQuerySerializer,
            OpenApiParameter("cursor", str, description="The cursor of a `next` or `previous` link."),
            OpenApiParameter("page_size", int, description="Events per page (default 50, at most API_MAX_PAGE_SIZE)."),
        ],
        responses={
            (200, "application/json"): HistoryPageSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="With `?format=csv` (or `Accept: text/csv`): the whole filtered timeline as CSV, "
                "UTF-8 with BOM, header `kind,occurred_at,account,summary,object_type,object_id,url`.",
            ),
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=None,
        ordering_fields=None,
        search_fields=None,
        pagination_class=None,
        renderer_classes=[renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer],
    )
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The influencer's timeline across its accounts, oldest first, with cursor pagination.

        Kinds: follower changes (the last count of each week, or `interval`), account status
        changes, follower anomalies, rate quotes, cases opened, case status changes and legal
        actions; each kind only for users who may view its model, and case events only for
        users who may see the case. `?format=csv` exports the whole filtered timeline.
        """
        influencer = self.get_object()
        timeline = InfluencerHistory(request, influencer)
        if request.accepted_renderer.format == "csv":
            return timeline.csv_response(influencer)
        return Response(timeline.page())  # already in the shape of HistoryPageSerializer


class RefreshQueuedSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    slot = serializers.DateTimeField()


class CanReadFollowerSeries(ModelPermissions):
    """The follower series reads snapshots: it needs ``view_followersnapshot`` besides the account's view."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.has_perm("ledger.view_followersnapshot")


class AccountViewSet(viewsets.ModelViewSet):
    """Platform accounts. Follower figures are read-only: they follow the newest snapshot."""

    queryset = selectors.account_list()
    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    permission_classes = [ActionModelPermissions]
    # Queuing a refresh changes the account, so it needs change (a POST would otherwise need add).
    action_permissions = {"refresh": {"POST": ["ledger.change_platformaccount"]}}
    search_fields = ["handle", "^search_initials", "platform_uid", "influencer__display_name"]
    ordering_fields = [
        "id",
        "handle",
        "platform",
        "follower_count",
        "followers_captured_at",
        "last_refreshed_at",
        "risk_score",
        "created_at",
    ]
    ordering = ["platform", "handle", "id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = selectors.account_detail(queryset)  # engagement, registered by reviews
        return queryset

    @extend_schema(responses=ProfileRefreshSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=None, search_fields=None)
    def refreshes(self, request: Request, pk: str | None = None) -> Response:
        """Every attempt to refresh this account's profile, newest first."""
        account = self.get_object()
        queryset = ProfileRefresh.objects.filter(account=account).order_by("-started_at", "-id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProfileRefreshSerializer(page, many=True).data)

    @extend_schema(
        parameters=[FollowerSeriesQuerySerializer], responses=FollowerPointSerializer(many=True), filters=False
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=None,
        ordering_fields=None,
        search_fields=None,
        pagination_class=None,
        permission_classes=[CanReadFollowerSeries],
    )
    def followers(self, request: Request, pk: str | None = None) -> Response:
        """The account's follower series: the last count of each day, week or month, oldest first.

        Aggregated in the database; `change` is the count minus the previous period's last count.
        """
        account = self.get_object()
        params = FollowerSeriesQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        points = selectors.follower_series(account_ids=[account.pk], **params.validated_data)
        return Response(FollowerPointSerializer(points, many=True).data)

    @extend_schema(request=None, responses={202: RefreshQueuedSerializer})
    @action(detail=True, methods=["post"])
    def refresh(self, request: Request, pk: str | None = None) -> Response:
        """Queue a refresh of this account's profile now (after this request commits)."""
        account = self.get_object()
        slot = services.refresh_slot_for(timezone.now())
        transaction.on_commit(lambda: tasks.refresh_account.delay(account.pk, slot.isoformat()))
        return Response(RefreshQueuedSerializer({"account": account.pk, "slot": slot}).data, status=202)


@extend_schema_view(
    create=extend_schema(
        description="Record a follower snapshot. The account's follower figures follow the newest one."
    )
)
class SnapshotViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Follower snapshots. Append-only: create and read; update and delete are refused (405)."""

    queryset = selectors.snapshot_list()
    serializer_class = SnapshotSerializer
    filterset_class = SnapshotFilter
    ordering_fields = ["captured_at", "follower_count", "id"]
    ordering = ["-captured_at", "-id"]

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.snapshot_record(
            account=data["account"],
            captured_at=data["captured_at"],
            follower_count=data["follower_count"],
            source=data.get("source", SnapshotSource.MANUAL),
        )


class AnomalyViewSet(viewsets.ReadOnlyModelViewSet):
    """Unnatural follower jumps and drops, newest first."""

    queryset = FollowerAnomaly.objects.select_related("account", "snapshot", "previous_snapshot")
    serializer_class = AnomalySerializer
    filterset_class = AnomalyFilter
    ordering_fields = ["detected_at", "change", "id"]
    ordering = ["-detected_at", "-id"]
