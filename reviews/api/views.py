from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from config.api.mixins import ReloadAfterWriteMixin
from config.api.permissions import ActionModelPermissions
from core.api import transition_action
from reviews import selectors, services, tasks
from reviews.api.serializers import (
    CampaignSerializer,
    CampaignTransitionSerializer,
    ClaimReviewSerializer,
    ClaimSerializer,
    ClaimVerdictSerializer,
    OrderSerializer,
    OrderTransitionSerializer,
    PaymentSerializer,
    ReviewSerializer,
    TargetSerializer,
)
from reviews.filters import CampaignFilter, ClaimFilter, OrderFilter, PaymentFilter, ReviewFilter, TargetFilter
from reviews.services import CAMPAIGN_WORKFLOW, ORDER_WORKFLOW


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class TargetViewSet(viewsets.ModelViewSet):
    """Companies, brands, car models and people that content attacks; a model sits under its brand."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    search_fields = ["name", "uscc"]
    ordering_fields = ["id", "name", "kind", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return selectors.target_list()


class ReviewViewSet(ReloadAfterWriteMixin, viewsets.ModelViewSet):
    """Published content: who posted what, when, attacking whom, with its engagement."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    search_fields = ["headline", "text"]
    ordering_fields = ["id", "published_at", "views", "likes", "comments", "shares", "duration_seconds", "created_at"]
    ordering = ["-published_at", "-id"]

    def get_queryset(self):
        return selectors.review_list()

    def perform_create(self, serializer: BaseSerializer) -> None:
        super().perform_create(serializer)
        self._find_campaigns(serializer.instance)

    def perform_update(self, serializer: BaseSerializer) -> None:
        super().perform_update(serializer)
        self._find_campaigns(serializer.instance)

    def _find_campaigns(self, review) -> None:
        """Store the review's signature now; look for its campaign once the write is committed."""
        services.review_signature_store(review=review)
        tasks.detect_campaigns.delay_on_commit(review_ids=[review.pk])


class ClaimViewSet(ReloadAfterWriteMixin, viewsets.ModelViewSet):
    """Factual assertions made by content, with their verdicts and a schema.org ClaimReview."""

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    permission_classes = [ActionModelPermissions]
    action_permissions = {"verdict": {"POST": ["reviews.change_claim"]}}
    search_fields = ["text"]
    ordering_fields = ["id", "verdict", "verdict_on", "created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.claim_list()

    @extend_schema(
        request=ClaimVerdictSerializer,
        responses={200: ClaimSerializer},
        description="Record the verdict on the claim (false, misleading, unproven or accurate), its date, who "
        "made it and where it is published. A verdict may be revised; it never returns to pending.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def verdict(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        payload = ClaimVerdictSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.claim_verdict_set(claim=claim, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=claim.pk)).data)

    @extend_schema(
        responses={
            (200, "application/ld+json"): ClaimReviewSerializer,
            404: OpenApiResponse(description="No such claim, or its verdict is still pending."),
        },
        filters=False,
        description="The claim's verdict as schema.org ClaimReview JSON-LD. ratingValue: false 1, misleading 2, "
        "unproven 3, accurate 5 (bestRating 5, worstRating 1). `url` is the verdict's URL, else this address.",
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=None,
        pagination_class=None,
        renderer_classes=[JSONLDRenderer, JSONRenderer],
    )
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        document = selectors.claim_review(
            claim=claim,
            first_appearance=selectors.claim_first_appearance(claim=claim),
            fallback_url=request.build_absolute_uri(reverse("claim-claimreview", args=[claim.pk])),
        )
        if document is None:
            raise NotFound(_("This claim has no verdict yet, so it has no ClaimReview."))
        return Response(document)


@extend_schema_view(
    create=extend_schema(description="Record a suspected order. Its status is `reported`."),
)
class OrderViewSet(ReloadAfterWriteMixin, viewsets.ModelViewSet):
    """Suspected black commercial orders, with their markup over the rate card and the total paid.

    Status changes only through ``transition``.
    """

    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    permission_classes = [ActionModelPermissions]
    action_permissions = {"transition": {"POST": ["reviews.change_order"]}}
    search_fields = ["client_name", "notes", "account__handle", "account__platform_uid", "client__name"]
    ordering_fields = ["id", "ordered_on", "agreed_price", "status", "created_at", "total_paid", "risk_score"]
    ordering = ["-ordered_on", "-id"]

    def get_queryset(self):
        return selectors.order_list()

    transition = transition_action(
        workflow=ORDER_WORKFLOW, request_serializer=OrderTransitionSerializer, response_serializer=OrderSerializer
    )


class PaymentViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Payments for orders. Recorded once, in the order's currency; update and delete answer 405."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    search_fields = ["payer_name", "payee_name", "payer__name", "payee__name", "reference"]
    ordering_fields = ["id", "paid_on", "amount", "created_at"]
    ordering = ["paid_on", "id"]

    def get_queryset(self):
        return selectors.payment_list()

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.payment_record(
            order=data["order"],
            amount=data["amount"],
            currency=data.get("currency"),
            paid_on=data["paid_on"],
            channel=data["channel"],
            payer=data.get("payer"),
            payee=data.get("payee"),
            payer_name=data.get("payer_name", ""),
            payee_name=data.get("payee_name", ""),
            reference=data.get("reference", ""),
        )


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Coordinated campaigns: near-duplicate negative content against one target, posted by several accounts
    in a burst. Found by detection as `suspected`; a regulator confirms or dismisses them with `transition`."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    permission_classes = [ActionModelPermissions]
    action_permissions = {"transition": {"POST": ["reviews.change_campaign"]}}
    ordering_fields = ["id", "first_published_at", "last_published_at", "account_count", "total_views", "status"]
    ordering = ["-first_published_at", "-id"]

    def get_queryset(self):
        return selectors.campaign_list()

    transition = transition_action(
        workflow=CAMPAIGN_WORKFLOW,
        request_serializer=CampaignTransitionSerializer,
        response_serializer=CampaignSerializer,
    )
