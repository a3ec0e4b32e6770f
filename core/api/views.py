"""The journal's API: its entries and head, signed tree heads, the public key and proofs (docs/journal.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core import heads, journal
from core.api.serializers import (
    ConsistencyProofSerializer,
    ConsistencyQuerySerializer,
    InclusionProofSerializer,
    InclusionQuerySerializer,
    JournalEntrySerializer,
    JournalHeadSerializer,
    PublicKeySerializer,
    SignedTreeHeadSerializer,
)
from core.filters import JournalFilter
from core.models import JournalEntry, SignedTreeHead
from core.selectors import journal_list


class JournalViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]  # generic only in its stubs
    """The append-only, hash-chained journal of every change (read-only)."""

    queryset = JournalEntry.objects.all()
    serializer_class = JournalEntrySerializer
    filterset_class = JournalFilter
    ordering_fields = ["seq"]
    ordering = ["seq"]

    def get_queryset(self) -> QuerySet[JournalEntry]:  # entries about a case only for those who may see the case
        return journal_list(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        journal.integrate()  # a reader sees the changes committed so far, not only those sequenced
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        journal.integrate()
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(responses=JournalHeadSerializer, filters=False)
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def head(self, request: Request) -> Response:
        """The newest entry's ``seq`` and ``hash``: write it down or publish it to prove history later."""
        seq, hash_ = journal.head()
        return Response(JournalHeadSerializer({"seq": seq, "hash": hash_}).data)


# --- the journal as a verifiable log (docs/journal.md) ------------------------------
# Heads, the public key and proofs carry hashes and sizes only, no ledger content:
# any authenticated client (a witness, a court's expert) may read them.


class JournalHeadViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]  # generic only in its stubs
    """Signed tree heads of the journal, newest first."""

    queryset = SignedTreeHead.objects.order_by("-tree_size", "-id")
    serializer_class = SignedTreeHeadSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[type[Any]] = []

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([heads.head_record(h) for h in page or []])

    @extend_schema(responses=SignedTreeHeadSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def latest(self, request: Request) -> Response:
        """The latest signed head; the journal's current state is signed first if it has grown."""
        head = heads.head_latest()
        if head is None:
            raise NotFound(_("No tree head has been signed yet."))
        return Response(heads.head_record(head))


class _SingleObjectSchema(AutoSchema):
    """The schema of a ``list`` route that answers one object, not a list."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class JournalKeyViewSet(viewsets.ViewSet):
    """The public key that signs the journal's tree heads."""

    permission_classes = [IsAuthenticated]
    schema = _SingleObjectSchema()

    @extend_schema(responses=PublicKeySerializer)
    def list(self, request: Request) -> Response:
        return Response(heads.public_key_record())


class JournalProofViewSet(viewsets.ViewSet):
    """Inclusion and consistency proofs of the journal's Merkle tree (RFC 9162 section 2.1)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[InclusionQuerySerializer], responses=InclusionProofSerializer)
    @action(detail=False, methods=["get"])
    def inclusion(self, request: Request) -> Response:
        """The audit path of entry ``seq`` in the tree of the first ``tree_size`` entries."""
        query = InclusionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(heads.inclusion_proof(**query.validated_data))

    @extend_schema(parameters=[ConsistencyQuerySerializer], responses=ConsistencyProofSerializer)
    @action(detail=False, methods=["get"])
    def consistency(self, request: Request) -> Response:
        """The proof that the tree of ``first`` entries is a prefix of the tree of ``second`` entries."""
        query = ConsistencyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(heads.consistency_proof(**query.validated_data))
