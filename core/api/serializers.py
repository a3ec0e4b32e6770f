"""The journal's API serializers: entries, the head, signed tree heads, the public key and proofs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.journal import PERSONAL_DIGEST_PREFIX, PERSONAL_FIELDS
from core.models import JournalEntry
from core.privacy import mask_name


def _masked(value: Any) -> Any:
    """Personal data in a journal entry: digests are shown as they are, any plain value masked."""
    if isinstance(value, str) and value and not value.startswith(PERSONAL_DIGEST_PREFIX):
        return mask_name(value)
    return value


class JournalEntrySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A journal entry. Personal data in ``changes`` is a keyed digest (see core/journal.py)."""

    changes = serializers.SerializerMethodField()

    class Meta:
        model = JournalEntry
        fields = [
            "seq",
            "occurred_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "changes",
            "prev_hash",
            "hash",
            "leaf_hash",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "object", "properties": {"before": {}, "after": {}}},
            "description": "Changed fields with their values before and after (personal data as a keyed digest).",
        }
    )
    def get_changes(self, entry: JournalEntry) -> dict[str, Any]:
        changes: dict[str, Any] = entry.changes
        personal = PERSONAL_FIELDS.get(entry.object_type, frozenset())
        if not personal:
            return changes
        return {
            name: {k: _masked(v) if name in personal else v for k, v in change.items()}
            for name, change in changes.items()
        }


class JournalHeadSerializer(serializers.Serializer):  # type: ignore[type-arg]  # no instance
    seq = serializers.IntegerField(help_text=_("Sequence number of the newest entry (0 when empty)."))
    hash = serializers.CharField(help_text=_("Its hash: publish it to prove later that history was not rewritten."))


class SignedTreeHeadSerializer(serializers.Serializer):  # type: ignore[type-arg]  # no instance
    """A signed tree head, exactly as signed (see docs/journal.md)."""

    tree_size = serializers.IntegerField(help_text=_("Number of journal entries the head covers."))
    root_hash = serializers.CharField(help_text=_("Merkle root of those entries (RFC 9162), hex."))
    timestamp = serializers.CharField(help_text=_("When the head was signed: ISO 8601 in UTC, as signed."))
    signature = serializers.CharField(help_text=_("Ed25519 signature of the head's message, base64."))
    key_id = serializers.CharField(help_text=_("SHA-256 of the raw public key, hex."))


class PublicKeySerializer(serializers.Serializer):  # type: ignore[type-arg]  # no instance
    key_id = serializers.CharField(help_text=_("SHA-256 of the raw public key, hex."))
    algorithm = serializers.CharField(help_text=_("Always ed25519."))
    public_key = serializers.CharField(help_text=_("The raw 32-byte public key, base64."))


class InclusionQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]  # no instance
    seq = serializers.IntegerField(min_value=1)
    tree_size = serializers.IntegerField(min_value=1)


class InclusionProofSerializer(serializers.Serializer):  # type: ignore[type-arg]  # no instance
    seq = serializers.IntegerField()
    leaf_index = serializers.IntegerField(help_text=_("0-based: seq - 1."))
    tree_size = serializers.IntegerField()
    leaf_hash = serializers.CharField(help_text=_("SHA-256 of 0x00 and the entry's canonical encoding, hex."))
    audit_path = serializers.ListField(child=serializers.CharField(), help_text=_("Hex hashes, from the leaf up."))
    root_hash = serializers.CharField()


class ConsistencyQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]  # no instance
    first = serializers.IntegerField(min_value=1)
    second = serializers.IntegerField(min_value=1)


class ConsistencyProofSerializer(serializers.Serializer):  # type: ignore[type-arg]  # no instance
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    first_root = serializers.CharField()
    second_root = serializers.CharField()
    proof = serializers.ListField(child=serializers.CharField(), help_text=_("Hex hashes (RFC 9162 2.1.4)."))
