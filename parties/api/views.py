from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.permissions import ActionModelPermissions
from core.api import ERROR_409
from parties import graph, selectors, services
from parties.api.serializers import (
    AliasCreateSerializer,
    DuplicateGroupSerializer,
    GraphQuerySerializer,
    GraphSerializer,
    MergeRequestSerializer,
    PartyMergeSerializer,
    PartySerializer,
)
from parties.filters import PartyFilter
from parties.models import Party


class PartyViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Parties: PR firms, MCNs, carmakers, individuals that order, pay, receive or broker. A person's names are
    masked. Parties found to be one are merged (and split again) by a person, never automatically."""

    serializer_class = PartySerializer
    filterset_class = PartyFilter
    permission_classes = [ActionModelPermissions]
    action_permissions = {
        "merge": {"POST": ["parties.change_party"]},
        "split": {"POST": ["parties.change_party"]},
        "aliases": {"POST": ["parties.add_partyalias"]},
    }
    search_fields = ["name", "uscc", "aliases__name", "^aliases__initials"]
    ordering_fields = ["id", "name", "kind", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return selectors.party_list()

    def perform_create(self, serializer: PartySerializer) -> None:
        data = serializer.validated_data
        party = services.party_create(name=data["name"], kind=data.get("kind", "unknown"), uscc=data.get("uscc", ""))
        for name in ("agency", "influencer", "notes"):
            if name in data:
                setattr(party, name, data[name])
        party.full_clean()
        party.save()
        serializer.instance = self.get_queryset().get(pk=party.pk)

    @extend_schema(
        request=AliasCreateSerializer,
        responses={200: PartySerializer},
        description="Give the party one more name (Chinese full or short name, pinyin, English, as recorded).",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def aliases(self, request: Request, pk: str | None = None) -> Response:
        party = self.get_object()
        payload = AliasCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.alias_add(party=party, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=party.pk)).data)

    @extend_schema(
        request=MergeRequestSerializer,
        responses={200: PartyMergeSerializer, 409: ERROR_409},
        description="Merge the other party into this one: it (and the parties merged into it) then count as this "
        "party everywhere. Journaled; undone by `split`. 409 when either is already merged or their USCCs differ.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def merge(self, request: Request, pk: str | None = None) -> Response:
        return self._command(request, services.party_merge)

    @extend_schema(
        request=MergeRequestSerializer,
        responses={200: PartyMergeSerializer, 409: ERROR_409},
        description="Undo the merge of the other party into this one (journaled). 409 when it is not merged into it.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def split(self, request: Request, pk: str | None = None) -> Response:
        return self._command(request, services.party_split)

    def _command(self, request: Request, service) -> Response:
        """Merge or split: this party, the other one named in the body, and why."""
        party = self.get_object()
        payload = MergeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        merge = service(party=party, other=data["party"], reason=data["reason"], user=request.user)
        return Response(PartyMergeSerializer(merge).data)

    @extend_schema(
        responses={200: DuplicateGroupSerializer(many=True)},
        filters=False,
        description="Likely duplicates: groups of parties with a name of the same normalised key or pinyin. "
        "For a person to merge; nothing is merged automatically.",
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def duplicates(self, request: Request) -> Response:
        groups = selectors.likely_duplicates()
        return Response(DuplicateGroupSerializer([{"parties": g} for g in groups], many=True).data)

    @extend_schema(
        parameters=[GraphQuerySerializer],
        responses={200: GraphSerializer, 400: OpenApiResponse(description=str(_("Bad depth, dates or case.")))},
        filters=False,
        description="The money graph around the party, `depth` steps out (1-4): nodes (party, influencer, account, "
        "target, campaign, case) and edges (ordered, paid, intermediated, managed, targeted, posted, investigated, "
        "same_entity) with amounts and dates. Filters: `date_from`, `date_to`, `case` (its orders only).",
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def graph(self, request: Request, pk: str | None = None) -> Response:
        party: Party = self.get_object()
        query = GraphQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        drawn = graph.party_graph(
            party=party, depth=query.validated_data["depth"], flt=query.graph_filter(request.user)
        )
        return Response(graph.as_data(drawn))
