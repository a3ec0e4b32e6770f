from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.privacy import mask_name
from parties.choices import AliasKind, PartyKind
from parties.graph import DEFAULT_DEPTH, EDGE_KINDS, MAX_DEPTH, NODE_KINDS, GraphFilter
from parties.models import Party, PartyAlias, PartyMerge, name_as_shown


class PartyAliasSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text=_("Masked for persons."))

    class Meta:
        model = PartyAlias
        fields = ["id", "name", "kind", "source", "key", "pinyin", "created_at"]
        read_only_fields = fields

    def get_name(self, alias: PartyAlias) -> str:
        return name_as_shown(alias.party, alias.name)

    def to_representation(self, alias: PartyAlias) -> dict[str, Any]:
        data = super().to_representation(alias)
        if alias.party.kind == PartyKind.PERSON:  # the keys spell the name out
            data["key"], data["pinyin"] = "", ""
        return data


@extend_schema_field({"type": "string", "description": "A person's name is masked (first character and **)."})
class MaskedNameField(serializers.CharField):
    def get_attribute(self, instance: Party) -> Any:
        return instance

    def to_representation(self, instance: Party) -> str:
        return instance.shown_name


class PartySerializer(serializers.ModelSerializer):
    name = MaskedNameField(max_length=300, validators=Party._meta.get_field("name").validators)
    aliases = PartyAliasSerializer(many=True, read_only=True)

    class Meta:
        model = Party
        fields = [
            "id",
            "name",
            "kind",
            "uscc",
            "agency",
            "influencer",
            "merged_into",
            "notes",
            "aliases",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["merged_into"]

    def validate_name(self, value: str) -> str:
        """A person's masked name sent back unchanged keeps the stored name."""
        party = self.instance
        if party is not None and party.kind == PartyKind.PERSON and value == mask_name(party.name):
            return party.name
        return value.strip()


class AliasCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300, validators=PartyAlias._meta.get_field("name").validators)
    kind = serializers.ChoiceField(choices=AliasKind.choices, default=AliasKind.AS_RECORDED)
    source = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MergeRequestSerializer(serializers.Serializer):
    party = serializers.PrimaryKeyRelatedField(
        queryset=Party.objects.all(), help_text=_("The other party: merged into this one, or split from it.")
    )
    reason = serializers.CharField(max_length=2000)


class PartyMergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartyMerge
        fields = [
            "id",
            "survivor",
            "merged",
            "carried",
            "reason",
            "merged_by",
            "merged_at",
            "split_reason",
            "split_by",
            "split_at",
        ]
        read_only_fields = fields


class DuplicateGroupSerializer(serializers.Serializer):
    parties = PartySerializer(many=True, read_only=True)


class GraphQuerySerializer(serializers.Serializer):
    depth = serializers.IntegerField(min_value=1, max_value=MAX_DEPTH, default=DEFAULT_DEPTH)
    date_from = serializers.DateField(required=False, help_text=_("Facts dated on or after (YYYY-MM-DD)."))
    date_to = serializers.DateField(required=False, help_text=_("Facts dated on or before (YYYY-MM-DD)."))
    case = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text=_("Only the orders of this case.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("The end of the range is before its start.")]})
        return attrs

    def graph_filter(self, user: Any) -> GraphFilter:
        """The validated query as the graph's filter, for ``user`` (who sees only his cases)."""
        data = self.validated_data
        return GraphFilter(
            date_from=data.get("date_from"), date_to=data.get("date_to"), case_id=data.get("case"), user=user
        )


class GraphNodeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=_('"<kind>:<id>", e.g. "party:3".'))
    kind = serializers.ChoiceField(choices=[(k, k) for k in NODE_KINDS])
    ref = serializers.IntegerField(help_text=_("The id of the party, account, ... in its own endpoint."))
    label = serializers.CharField(help_text=_("A person's name is masked."))


class GraphEdgeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    kind = serializers.ChoiceField(choices=[(k, k) for k in EDGE_KINDS])
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    currency = serializers.CharField(allow_blank=True)
    date = serializers.DateField(allow_null=True)
    order = serializers.IntegerField(allow_null=True)
    payment = serializers.IntegerField(allow_null=True)


class GraphSerializer(serializers.Serializer):
    root = serializers.CharField()
    depth = serializers.IntegerField()
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)
