"""The API of influencer histories and follower series: parameters, pages, cursors and CSV."""

from __future__ import annotations

import base64
import binascii
import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import StreamingHttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from core import journal
from core.history import Position, Row
from core.spreadsheet import safe_row
from ledger import history
from ledger.choices import FollowerInterval, HistoryKind
from ledger.history import influencer_history
from ledger.models import Influencer

CSV_COLUMNS = ["kind", "occurred_at", "account", "summary", "object_type", "object_id", "url"]
# The header row, in the request's language (the columns keep their order in every language).
CSV_HEADERS = {
    "kind": pgettext_lazy("history CSV column", "kind"),
    "occurred_at": pgettext_lazy("history CSV column", "occurred_at"),
    "account": pgettext_lazy("history CSV column", "account"),
    "summary": pgettext_lazy("history CSV column", "summary"),
    "object_type": pgettext_lazy("history CSV column", "object_type"),
    "object_id": pgettext_lazy("history CSV column", "object_id"),
    "url": pgettext_lazy("history CSV column", "url"),
}
CSV_CHUNK = 1000  # rows per query while the CSV streams


class CSVRenderer(renderers.BaseRenderer):
    """``text/csv`` (UTF-8 with BOM); the history streams its own rows, so this only names the format."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None) -> bytes:
        # Errors (400, 403, 404) reach a CSV client as one line of JSON.
        return json.dumps(data, ensure_ascii=False).encode()


class HistoryQuerySerializer(serializers.Serializer):
    """The history's filters (besides ``cursor`` and ``page_size``)."""

    since = serializers.DateTimeField(required=False, help_text=_("Events at or after this time (ISO 8601)."))
    until = serializers.DateTimeField(required=False, help_text=_("Events at or before this time (ISO 8601)."))
    kinds = serializers.CharField(
        required=False,
        help_text=_("Comma-separated kinds, e.g. quote,case_opened (default: all). Known kinds: %(kinds)s.")
        % {"kinds": ", ".join(HistoryKind.values)},
    )
    account = serializers.IntegerField(
        required=False,
        help_text=_("Only events of this account of the influencer (and cases and legal actions naming it)."),
    )
    interval = serializers.ChoiceField(
        choices=FollowerInterval.choices,
        default=history.DEFAULT_INTERVAL,
        help_text=_("Follower changes: the last count of each day, week or month."),
    )

    def validate_kinds(self, value: str) -> list[str]:
        kinds = [k.strip() for k in value.split(",") if k.strip()]
        unknown = sorted(set(kinds) - set(HistoryKind.values))
        if unknown:
            raise ValidationError(
                _("Unknown kinds: %(unknown)s. Known kinds: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(HistoryKind.values)}
            )
        if not kinds:
            raise ValidationError(_("Name at least one kind."))
        return list(dict.fromkeys(kinds))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "since" in attrs and "until" in attrs and attrs["since"] > attrs["until"]:
            raise ValidationError({"until": _("until is before since.")})
        return attrs


class HistoryEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HistoryKind.choices)
    occurred_at = serializers.DateTimeField()
    account = serializers.IntegerField(allow_null=True, help_text=_("The account the event is about, if one."))
    summary = serializers.CharField()
    object_type = serializers.CharField(help_text=_("app_label.model of the record, e.g. pricing.ratequote"))
    object_id = serializers.IntegerField()
    url = serializers.URLField(help_text=_("The record in the API."))


class HistoryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HistoryEventSerializer(many=True)


class FollowerSeriesQuerySerializer(serializers.Serializer):
    interval = serializers.ChoiceField(choices=FollowerInterval.choices, default=FollowerInterval.DAY)
    since = serializers.DateTimeField(required=False, help_text=_("Snapshots captured at or after this time."))
    until = serializers.DateTimeField(required=False, help_text=_("Snapshots captured at or before this time."))


class FollowerPointSerializer(serializers.Serializer):
    period_start = serializers.DateTimeField(help_text=_("Start of the day, week (Monday) or month, Asia/Shanghai."))
    captured_at = serializers.DateTimeField(help_text=_("When the period's last count was captured."))
    follower_count = serializers.IntegerField(help_text=_("The period's last count."))
    change = serializers.IntegerField(allow_null=True, help_text=_("Since the previous period's last count."))


# --- cursors -----------------------------------------------------------------------


def encode_cursor(position: Position, *, backwards: bool) -> str:
    raw = json.dumps([position.occurred_at.isoformat(), position.kind, position.object_id, int(backwards)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[Position, bool]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        at, kind, object_id, backwards = json.loads(raw)
        occurred_at = datetime.fromisoformat(at)
        if occurred_at.tzinfo is None or kind not in influencer_history.rank or not isinstance(object_id, int):
            raise ValueError
        return Position(occurred_at, kind, object_id), bool(backwards)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise ValidationError({"cursor": [_("Invalid cursor.")]}) from exc


def _position(row: Row) -> Position:
    return influencer_history.position(row)


# --- the timeline ------------------------------------------------------------------

_PATHS: dict[tuple[Any, str, str | None, str], str] = {}


def _list_path(url_name: str) -> str:
    """The path of ``url_name``'s detail view without its id (``/api/v1/quotes/``), reversed once per URLconf."""
    key = (get_urlconf(), get_script_prefix(), get_language(), url_name)
    try:
        return _PATHS[key]
    except KeyError:
        path = _PATHS[key] = reverse(url_name, args=["0"])[:-2]
        return path


@receiver(setting_changed)
def _forget_paths(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _PATHS.clear()


class InfluencerHistory:
    """One request for an influencer's history: its scope, kinds and filters, read from the query string."""

    def __init__(self, request: Request, influencer: Influencer):
        params = HistoryQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        self.influencer, self.account, self.interval = influencer.pk, data.get("account"), data["interval"]
        self.context = history.context_for(influencer_id=influencer.pk, interval=self.interval)
        if self.account is not None and self.account not in self.context.accounts:
            raise ValidationError({"account": [_("Not an account of this influencer.")]})
        journal.catch_up()  # the index holds what was committed before this read (core.history)
        self.kinds = influencer_history.kinds_visible_to(request.user, data.get("kinds"))
        self.since, self.until = data.get("since"), data.get("until")
        self.request = request
        # Times as HistoryEventSerializer.occurred_at writes them, in the zone of the request.
        self._time = serializers.DateTimeField(default_timezone=timezone.get_current_timezone())
        registry = influencer_history.sources()
        self._urls = {kind: request.build_absolute_uri(_list_path(registry[kind].url_name)) for kind in self.kinds}

    def rows(self, *, position: Position | None, backwards: bool, limit: int) -> list[Row]:
        return influencer_history.rows(
            self.influencer,
            user=self.request.user,
            kinds=self.kinds,
            within=self.account,
            variant=self.interval,
            since=self.since,
            until=self.until,
            position=position,
            backwards=backwards,
            limit=limit,
        )

    def event(self, row: Row) -> dict[str, Any]:
        """One event as :class:`HistoryEventSerializer` describes it (built directly: 50 rows a page)."""
        kind = influencer_history.kind_of_rank[row["ev_kind"]]
        source = influencer_history.sources()[kind]
        return {
            "kind": kind,
            "occurred_at": self._time.to_representation(row["ev_at"]),
            "account": row["ev_account"],
            "summary": source.summary(row, self.context),
            "object_type": source.object_type,
            "object_id": row["ev_id"],
            "url": f"{self._urls[kind]}{row[source.url_column]}/",
        }

    # --- a page, with cursors ---

    def page_size(self) -> int:
        value = self.request.query_params.get("page_size")
        if value is None:
            return settings.REST_FRAMEWORK["PAGE_SIZE"]
        try:
            size = int(value)
        except ValueError:
            raise ValidationError({"page_size": [_("A whole number.")]}) from None
        if size < 1:
            raise ValidationError({"page_size": [_("At least 1.")]})
        return min(size, settings.API_MAX_PAGE_SIZE)

    def page(self) -> dict[str, Any]:
        """``next``, ``previous`` and ``results``: one page after (or before) the request's cursor."""
        size = self.page_size()
        cursor = self.request.query_params.get("cursor")
        position, backwards = decode_cursor(cursor) if cursor else (None, False)
        rows = self.rows(position=position, backwards=backwards, limit=size + 1)
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        has_next = more if not backwards else True
        has_previous = more if backwards else position is not None
        url = self.request.build_absolute_uri()
        if not rows:  # past either end: go back from where the cursor pointed
            nxt = None if not backwards else self._link(url, position, backwards=False)
            prev = None if backwards or position is None else self._link(url, position, backwards=True)
        else:
            nxt = self._link(url, _position(rows[-1]), backwards=False) if has_next else None
            prev = self._link(url, _position(rows[0]), backwards=True) if has_previous else None
        return {"next": nxt, "previous": prev, "results": [self.event(r) for r in rows]}

    @staticmethod
    def _link(url: str, position: Position, *, backwards: bool) -> str:
        return replace_query_param(url, "cursor", encode_cursor(position, backwards=backwards))

    # --- the whole timeline, as CSV ---

    def csv_response(self, influencer: Influencer) -> StreamingHttpResponse:
        """The whole filtered timeline (cursor and page size ignored), streamed in chunks of rows."""
        # The body is written after the view returns: in the request's language, held here.
        lines = self._csv_lines(language=translation.get_language())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="influencer-{influencer.pk}-history.csv"'
        return response

    def _csv_lines(self, *, language: str) -> Iterator[str]:
        buffer = _Line()
        writer = csv.writer(buffer)
        with translation.override(language):
            writer.writerow(safe_row([str(CSV_HEADERS[c]) for c in CSV_COLUMNS]))
        yield "\ufeff" + buffer.take()
        position = None
        while True:
            with translation.override(language):
                rows = self.rows(position=position, backwards=False, limit=CSV_CHUNK)
                for row in rows:
                    event = self.event(row)
                    event["account"] = "" if event["account"] is None else event["account"]
                    writer.writerow(safe_row([event[c] for c in CSV_COLUMNS]))
            yield buffer.take()
            if len(rows) < CSV_CHUNK:
                return
            position = _position(rows[-1])


class _Line:
    """A write-only buffer for csv.writer that hands back what was written."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, value: str) -> None:
        self.parts.append(value)

    def take(self) -> str:
        value, self.parts = "".join(self.parts), []
        return value
