from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from ledger.models import PlatformAccount
from reviews.models import Order
from risk.api.serializers import RiskSerializer
from risk.models import RiskScore
from risk.selectors import signals_for


class _RiskView(generics.GenericAPIView):
    queryset = RiskScore.objects.all()  # permissions: reading needs view_riskscore
    serializer_class = RiskSerializer
    pagination_class = None
    filter_backends: list = []
    subject_model: type = PlatformAccount
    subject_field = "account"

    def get(self, request: Request, pk: int) -> Response:
        meta = self.subject_model._meta
        if not request.user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            raise PermissionDenied
        subject = get_object_or_404(self.subject_model, pk=pk)
        stored = RiskScore.objects.filter(**{self.subject_field: subject}).first()
        data = {
            "account": subject.pk if self.subject_field == "account" else subject.account_id,
            "order": subject.pk if self.subject_field == "order" else None,
            "score": stored.score if stored else None,
            "computed_at": stored.computed_at if stored else None,
            "signals": signals_for(signals=stored.signals, user=request.user) if stored else [],
        }
        return Response(self.get_serializer(data).data)


class AccountRiskView(_RiskView):
    """The account's risk score: every signal with its weight, value, contribution, figures and evidence."""

    @extend_schema(responses=RiskSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)


class OrderRiskView(_RiskView):
    """The order's risk score: its markup, its content's signals, its legal actions and its account's score."""

    subject_model = Order
    subject_field = "order"

    @extend_schema(responses=RiskSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)
