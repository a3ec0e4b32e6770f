from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import selectors, services
from cases.choices import CaseStatus
from cases.models import Authority, Case, CaseNote, Evidence, LegalAction
from cases.services import CASE_WORKFLOW
from core.api import TransitionSerializer
from core.errors import DomainError
from reviews.models import Order, Review

User = get_user_model()


def _check(rule: Callable[..., None], **kwargs: Any) -> None:
    """Run a service's rule check, its DomainError becoming the serializer's ValidationError on the field."""
    try:
        rule(**kwargs)
    except DomainError as exc:
        raise serializers.ValidationError(exc.as_data()) from exc


class VisibleCaseField(serializers.PrimaryKeyRelatedField):
    """A case id, accepted only when the requesting user may see the case.

    A hidden case answers exactly like a missing one ("does not exist").
    """

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.cases_visible_to(getattr(request, "user", None))


class UserIdsField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return User.objects.all()


class ViewableIdsField(serializers.PrimaryKeyRelatedField):
    """Ids of records of another app, accepted only from a user who may view that model.

    Without the ``view`` permission every id answers "does not exist", like a missing record.
    """

    def __init__(self, *, model: type, **kwargs: Any):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        meta = self.model._meta
        if user is None or not user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            return self.model.objects.none()
        return self.model.objects.all()


class AuthorityField(serializers.PrimaryKeyRelatedField):
    """An authority; a user who is not a superuser may only file cases under an authority they belong to."""

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_superuser:
            return Authority.objects.all()
        if user is None or not user.is_authenticated:
            return Authority.objects.none()
        mine = Q(members=user)
        case = getattr(self.parent, "instance", None)
        if isinstance(case, Case):  # an update may name the case's own authority (validate() guards changes)
            mine |= Q(pk=case.authority_id)
        return Authority.objects.filter(mine).distinct()


class AuthoritySerializer(serializers.ModelSerializer):
    members = UserIdsField(many=True, required=False, help_text=_("User ids of the members."))

    class Meta:
        model = Authority
        fields = ["id", "name", "kind", "members", "created_at", "updated_at"]


class TimelineItemSerializer(serializers.Serializer):
    """One entry of a case's timeline: a note or a status change."""

    kind = serializers.ChoiceField(choices=[("note", _("note")), ("status_change", _("status change"))])
    at = serializers.DateTimeField()
    by = serializers.IntegerField(allow_null=True, help_text=_("User id, or null for a command or task."))
    actor = serializers.CharField()
    text = serializers.CharField(required=False, help_text=_("The note (notes only)."))
    from_status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    to_status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    reason = serializers.CharField(required=False, help_text=_("Why (status changes only)."))


class CaseSerializer(serializers.ModelSerializer):
    authority = AuthorityField(help_text=_("An authority you are a member of."))
    assignees = UserIdsField(many=True, required=False)
    shared_with = UserIdsField(many=True, required=False)
    orders = ViewableIdsField(
        model=Order, many=True, required=False, help_text=_("Ids of the suspected orders the case looks into.")
    )
    reviews = ViewableIdsField(
        model=Review, many=True, required=False, help_text=_("Ids of the content (reviews) the case looks into.")
    )
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "title",
            "authority",
            "status",
            "opened_on",
            "closed_on",
            "summary",
            "campaign",
            "influencers",
            "accounts",
            "agencies",
            "orders",
            "reviews",
            "assignees",
            "shared_with",
            "timeline",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "closed_on"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        request = self.context.get("request")
        _check(services.case_check_changes, case=self.instance, user=getattr(request, "user", None), changes=attrs)
        return attrs

    @extend_schema_field(TimelineItemSerializer(many=True))
    def get_timeline(self, case: Case) -> list[dict[str, Any]]:
        items = [
            {"kind": "note", "at": n.created_at, "by": n.author_id, "actor": n.actor, "text": n.text}
            for n in case.notes.all()
        ] + [
            {
                "kind": "status_change",
                "at": c.changed_at,
                "by": c.changed_by_id,
                "actor": c.actor,
                "from_status": c.from_status,
                "to_status": c.to_status,
                "reason": c.reason,
            }
            for c in case.status_changes.all()
        ]
        items.sort(key=lambda item: item["at"])
        return TimelineItemSerializer(items, many=True).data


class CaseTransitionSerializer(TransitionSerializer):
    workflow = CASE_WORKFLOW


class CaseNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNote
        fields = ["id", "text", "author", "actor", "created_at"]
        read_only_fields = ["author", "actor", "created_at"]


class LegalActionSerializer(serializers.ModelSerializer):
    case = VisibleCaseField(
        allow_null=True, required=False, help_text=_("Optional: a carmaker's lawsuit needs no regulator's case.")
    )

    class Meta:
        model = LegalAction
        fields = [
            "id",
            "kind",
            "case",
            "plaintiff",
            "court_or_authority",
            "defendant_influencers",
            "defendant_accounts",
            "defendants_text",
            "filed_on",
            "hearing_on",
            "status",
            "outcome",
            "amount",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"amount": {"min_value": 0, "help_text": _("CNY, never negative.")}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "case" in attrs or self.instance is None:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            _check(services.legal_action_check_case, action=self.instance, case=attrs.get("case"), user=user)
        filed_on = attrs.get("filed_on", getattr(self.instance, "filed_on", None))
        hearing_on = attrs.get("hearing_on", getattr(self.instance, "hearing_on", None))
        if filed_on and hearing_on and hearing_on < filed_on:
            raise serializers.ValidationError({"hearing_on": [_("A hearing cannot come before the filing.")]})
        return attrs


class EvidenceSerializer(serializers.ModelSerializer):
    case = VisibleCaseField()
    file = serializers.FileField(write_only=True, help_text=_("The captured file (multipart upload)."))
    file_name = serializers.CharField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "case",
            "file",
            "file_name",
            "download_url",
            "captured_at",
            "source_url",
            "description",
            "sha256",
            "size",
            "media_type",
            "captured_by",
            "recorded_at",
        ]
        read_only_fields = ["sha256", "size", "media_type", "captured_by", "recorded_at"]

    def get_download_url(self, evidence: Evidence) -> str:
        path = reverse("evidence-download", args=[evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
