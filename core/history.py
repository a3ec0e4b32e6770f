"""Timelines: events of several kinds, each kind from one registered *source*, read as one list.

A :class:`Timeline` is a registry of sources and the index they fill. A source is a
function of the subjects to index (influencers; ``None``: all) that returns a
queryset whose rows are events in the uniform columns of :data:`COLUMNS` plus the
index's own (:data:`INDEX_COLUMNS`), built with :meth:`Timeline.event_rows`, or
:class:`RawRows` for what a queryset cannot say. The sources are the definition of
the timeline; what is read is their rows kept in one table,
:class:`core.models.TimelineEvent`:

- **kept current from the journal's change feed**: the sequencer hands each batch
  of captured changes to :func:`_index_changes`; each journaled type a source reads
  has a rule (:meth:`Timeline.follow`) naming the subjects its rows touch, and the
  sources that read the type are run again for those subjects, in the sequencer's
  transaction. Every write path is captured (the ORM, ``update()``, COPY, raw SQL), so a
  source reads journaled tables only.
- **read by one plain query** (:meth:`Timeline.rows`) on (subject, ``occurred_at``,
  kind, ``object_id``): the keyset, the kinds the user may see, the subject's part
  (``within``) and the visibility of each row's ``guard`` record, decided per request
  by the guard's owner (``cases_visible_to``). A reader integrates the journal first,
  so it sees what was committed before it read.
- **rebuilt** by ``manage.py reindex_history``, which with ``--check`` reports rows
  that differ from what the sources give now.

The timeline's owner declares the kinds (a ``TextChoices``, whose order is the
order of kinds at one instant); each app registers its sources in its own
``<app>/history.py``, which :class:`core.apps.CoreConfig` imports at start-up.
The influencer history (``ledger.history``) is one such timeline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.signals import setting_changed
from django.db import connection, models, router, transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    DateTimeField,
    DecimalField,
    Expression,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext as _gettext

from core import journal, limits
from core.models import TimelineEvent
from core.users import AnyUser

# The uniform columns of every source, in order. ``ev_kind`` is the kind's rank;
# ``ev_ref`` an id the event's URL may use instead of ``ev_id`` (a case status
# change links to its case); the others feed the one-line summary.
COLUMNS = (
    "ev_at",
    "ev_kind",
    "ev_id",
    "ev_account",
    "ev_ref",
    "ev_label",
    "ev_detail",
    "ev_note",
    "ev_number",
    "ev_delta",
    "ev_amount",
    "ev_currency",
)
# What the index adds: whose timeline the row is on, the subject's parts it concerns,
# the record whose visibility governs it, and the reading it belongs to ("" for all).
INDEX_COLUMNS = ("ev_subject", "ev_within", "ev_guard", "ev_variant")
# The index's fields, in the order of COLUMNS + INDEX_COLUMNS.
_FIELDS = (
    "occurred_at",
    "kind",
    "object_id",
    "account",
    "ref",
    "label",
    "detail",
    "note",
    "number",
    "delta",
    "amount",
    "currency",
    "subject",
    "within",
    "guard",
    "variant",
)
_TYPES: dict[str, models.Field[Any, Any]] = {
    "ev_account": BigIntegerField(),
    "ev_ref": BigIntegerField(),
    "ev_label": TextField(),
    "ev_detail": TextField(),
    "ev_note": TextField(),
    "ev_number": BigIntegerField(),
    "ev_delta": BigIntegerField(),
    "ev_amount": DecimalField(max_digits=20, decimal_places=6),
    "ev_currency": TextField(),
    "ev_guard": BigIntegerField(),
}

_ID_ARRAY: ArrayField[Any, Any] = ArrayField(BigIntegerField())
# The database types of the columns, for hand-written sources' NULLs.
_SQL_TYPES = dict.fromkeys((*COLUMNS, *INDEX_COLUMNS), "text") | {
    "ev_at": "timestamptz",
    "ev_kind": "integer",
    "ev_id": "bigint",
    "ev_account": "bigint",
    "ev_ref": "bigint",
    "ev_number": "bigint",
    "ev_delta": "bigint",
    "ev_amount": "numeric",
    "ev_subject": "bigint",
    "ev_within": "bigint[]",
    "ev_guard": "bigint",
}

Row = dict[str, Any]
Context = TypeVar("Context")
# The subjects a source indexes: their ids, or None for every subject.
Subjects = Collection[int] | None


class StartOfDay(Func):
    """The instant a date begins in ``TIME_ZONE`` (Asia/Shanghai): 2025-09-15 is 2025-09-14 16:00 UTC.

    Events recorded by date (a quote's observation, a case's opening) sit at the
    start of their day on the timeline.
    """

    output_field = DateTimeField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::timestamp AT TIME ZONE %s)", [*params, settings.TIME_ZONE]


class IdArray(Func):
    """``ARRAY[id]``: the one part of a subject an event concerns (an account), as ``within``."""

    template = "ARRAY[%(expressions)s]::bigint[]"
    output_field = _ID_ARRAY


def start_of_day_sql(column: str) -> str:
    """:class:`StartOfDay` in hand-written SQL (one ``%s``: ``settings.TIME_ZONE``)."""
    return f"(({column})::timestamp AT TIME ZONE %s)"


@dataclass(frozen=True)
class RawRows:
    """A source's rows as SQL, for what a queryset cannot say (window functions over window functions).

    The SELECT must give :data:`COLUMNS` and :data:`INDEX_COLUMNS` by name, typed as the
    querysets' are (cast NULLs).
    """

    sql: str
    params: list[Any]


@dataclass(frozen=True)
class Position:
    """A place on a timeline: an event's keyset (``occurred_at``, kind, ``object_id``)."""

    occurred_at: datetime
    kind: str
    object_id: int


@dataclass(frozen=True)
class Source(Generic[Context]):
    """One kind of event: where its rows come from, who may see them, how they read and link."""

    kind: str
    object_type: str
    permission: str
    url_name: str
    rows: Callable[..., QuerySet[Any] | RawRows]
    summary: Callable[[Row, Context], str]
    reads: frozenset[str]
    url_column: str = "ev_id"
    # Given the earliest time a change touched, the time from which the source can give its rows again
    # (``rows(subjects, since=that time)``: exactly its rows at or after it); None: rebuilt whole.
    rebuild_from: Callable[[datetime], datetime] | None = None


@dataclass(frozen=True)
class Rule:
    """How a journaled type's changes reach subjects: the ids in ``column`` of its rows (before and
    after; ``"pk"``: the changed object's id), turned into subject ids by ``subjects``. With
    ``fields``, an update that changes none of them touches nothing (an account's follower figures)."""

    column: str
    subjects: Callable[[set[int]], Iterable[int] | QuerySet[Any]]
    fields: frozenset[str] | None = None
    since: str | None = None  # a time column of the rows: the sources that can, rebuild from there

    def earliest(self, images: Iterable[dict[str, Any]]) -> datetime | None:
        """The earliest ``since`` of the rows (None: the change reaches every time)."""
        if self.since is None:
            return None
        times = [datetime.fromisoformat(image[self.since]) for image in images if image.get(self.since)]
        return min(times) if times else None

    def touches(self, images: list[dict[str, Any]], action: str) -> bool:
        if self.fields is None or action != "update" or len(images) != 2:
            return True
        old, new = images
        return any(old.get(name) != new.get(name) for name in self.fields)


def _expression(value: Any, column: str) -> Expression | F:
    if value is None:
        return Cast(Value(None), output_field=_TYPES[column])
    if isinstance(value, str):
        return F(value)
    return value  # type: ignore[no-any-return]


def _member(rows: QuerySet[Any] | RawRows) -> tuple[str, list[Any]]:
    if isinstance(rows, RawRows):
        return rows.sql, list(rows.params)
    sql, params = rows.order_by().values(*COLUMNS, *INDEX_COLUMNS).query.sql_with_params()
    return sql, list(params)


def _ids(images: Iterable[dict[str, Any]], column: str) -> set[int]:
    """The ids in ``column`` of the row images (a link table's image holds a list)."""
    found: set[int] = set()
    for image in images:
        value = image.get(column)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                found.add(int(item))
    return found


_INSERT_FIELDS = ", ".join(("timeline", *_FIELDS))
_SELECT_COLUMNS = ", ".join((*COLUMNS, *INDEX_COLUMNS))


class Timeline(Generic[Context]):
    """The registry of one timeline's sources, their index and the query that reads it as one list.

    ``name`` tells the timeline's rows apart in the index; ``kinds`` lists the kinds in
    their order at one instant (the keyset's second key, kept in the index as a rank:
    reorder them only with a ``reindex_history``); ``read_model`` is the model whose
    database router picks the connection that reads the timeline (the replica for
    read-only API requests, when there is one).
    """

    def __init__(self, name: str, *, kinds: type[models.TextChoices], read_model: type[models.Model]) -> None:
        self.name = name
        self.kinds = kinds
        self.read_model = read_model
        self.rank: dict[str, int] = {kind: rank for rank, kind in enumerate(kinds.values)}
        self.kind_of_rank: dict[int, str] = {rank: kind for kind, rank in self.rank.items()}
        self._sources: dict[str, Source[Context]] = {}
        self._rules: dict[str, list[Rule]] = defaultdict(list)
        self._guard: Callable[[AnyUser], QuerySet[Any]] | None = None
        _timelines.append(self)

    # --- the registry ------------------------------------------------------------

    def register(
        self,
        kind: str,
        *,
        object_type: str,
        permission: str,
        url_name: str,
        summary: Callable[[Row, Context], str],
        reads: Iterable[str],
        url_column: str = "ev_id",
        rebuild_from: Callable[[datetime], datetime] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the function below as the source of ``kind`` events (one source per kind).

        ``reads``: the journaled types (``app_label.model``) whose changes can change the
        source's rows; each needs a rule (:meth:`follow`). ``rebuild_from``: see :class:`Source`.
        """
        if kind not in self.rank:
            raise ValueError(f"unknown history kind {kind!r}: add it to {self.kinds.__qualname__}")

        def decorate(rows: Callable[..., Any]) -> Callable[..., Any]:
            self._sources[kind] = Source(
                kind, object_type, permission, url_name, rows, summary, frozenset(reads), url_column, rebuild_from
            )
            return rows

        return decorate

    def follow(
        self,
        object_type: str,
        column: str,
        subjects: Callable[[set[int]], Iterable[int] | QuerySet[Any]],
        *,
        fields: Iterable[str] | None = None,
        since: str | None = None,
    ) -> None:
        """Changes of ``object_type`` touch the subjects ``subjects`` gives for the ids in ``column`` of its
        rows; with ``fields``, only updates that change one of them do; with ``since`` (a time column of
        the rows), the sources that can rebuild the subjects' rows from the earliest such time only."""
        frozen = None if fields is None else frozenset(fields)
        self._rules[object_type].append(Rule(column, subjects, frozen, since))

    def guard_with(self, visible: Callable[[AnyUser], QuerySet[Any]]) -> None:
        """Rows with a ``guard`` are read only by users for whom ``visible(user)`` (ids) holds it."""
        self._guard = visible

    def sources(self) -> dict[str, Source[Context]]:
        """Every registered source by kind."""
        return self._sources

    def unfollowed(self) -> set[str]:
        """The types some source reads that no rule follows (a registration mistake)."""
        return {t for source in self._sources.values() for t in source.reads} - set(self._rules)

    def kinds_visible_to(self, user: AnyUser, kinds: Iterable[str] | None = None) -> list[str]:
        """The kinds (of ``kinds``, default all) that have a source and whose model ``user`` may view."""
        wanted = self.kinds.values if kinds is None else kinds
        return [k for k in wanted if k in self._sources and user.has_perm(self._sources[k].permission)]

    def event_rows(
        self,
        queryset: QuerySet[Any],
        *,
        kind: str,
        at: Any,
        subject: Any,
        object_id: Any = "pk",
        within: Any = None,
        guard: Any = None,
        account: Any = None,
        ref: Any = None,
        label: Any = None,
        detail: Any = None,
        note: Any = None,
        number: Any = None,
        delta: Any = None,
        amount: Any = None,
        currency: Any = None,
    ) -> QuerySet[Any]:
        """``queryset`` with the event columns annotated, in :data:`COLUMNS` + :data:`INDEX_COLUMNS` order.

        Arguments are field names (``"account_id"``), expressions, or ``None`` for NULL.
        ``within`` defaults to ``[account]`` (an event about one account), or none.
        """
        if within is None:
            within = IdArray(_expression(account, "ev_account")) if account is not None else Value([], _ID_ARRAY)
        annotated: QuerySet[Any] = queryset.annotate(
            ev_at=_expression(at, "ev_at"),
            ev_kind=Value(self.rank[kind], output_field=IntegerField()),
            ev_id=_expression(object_id, "ev_id"),
            ev_account=_expression(account, "ev_account"),
            ev_ref=_expression(ref, "ev_ref"),
            ev_label=_expression(label, "ev_label"),
            ev_detail=_expression(detail, "ev_detail"),
            ev_note=_expression(note, "ev_note"),
            ev_number=_expression(number, "ev_number"),
            ev_delta=_expression(delta, "ev_delta"),
            ev_amount=_expression(amount, "ev_amount"),
            ev_currency=_expression(currency, "ev_currency"),
            ev_subject=_expression(subject, "ev_subject"),
            ev_within=Cast(within, output_field=_ID_ARRAY),
            ev_guard=_expression(guard, "ev_guard"),
            ev_variant=Value("", output_field=CharField()),
        )
        return annotated

    def select_list(self, kind: str, **columns: str) -> str:
        """The select list of a hand-written (:class:`RawRows`) source of ``kind``: ``columns`` by name, as SQL
        (``ev_label="c.reference"``), a typed NULL for the others."""
        given = {"ev_kind": str(self.rank[kind]), "ev_variant": "''", **columns}
        return ", ".join(f"{given.get(name) or f'CAST(NULL AS {_SQL_TYPES[name]})'} AS {name}" for name in _SQL_TYPES)

    # --- the index -----------------------------------------------------------------

    def source_sql(self, kind: str, subjects: Subjects, since: datetime | None = None) -> tuple[str, list[Any]]:
        """The SQL of ``kind``'s source for ``subjects`` (None: all), from ``since`` if given, compiled by the ORM."""
        wanted = None if subjects is None else sorted(subjects)
        source = self._sources[kind]
        return _member(source.rows(wanted) if since is None else source.rows(wanted, since=since))

    def reindex(
        self, subjects: Subjects = None, kinds: Iterable[str] | None = None, *, since: datetime | None = None
    ) -> dict[str, int]:
        """Replace the index rows of ``subjects`` (None: all) and ``kinds`` (None: all) by what the sources
        give now; with ``since``, only the rows from the time each source can rebuild from (the others
        whole). Returns the rows written per kind. One transaction."""
        wanted = [k for k in (self.kinds.values if kinds is None else kinds) if k in self._sources]
        if subjects is not None and not subjects:
            return {}
        written: dict[str, int] = {}
        with transaction.atomic(), connection.cursor() as cursor:
            for kind in wanted:
                source = self._sources[kind]
                start = source.rebuild_from(since) if since is not None and source.rebuild_from else None
                rows = TimelineEvent.objects.filter(timeline=self.name, kind=self.rank[kind])
                if subjects is not None:
                    rows = rows.filter(subject__in=sorted(subjects))
                if start is not None:
                    rows = rows.filter(occurred_at__gte=start)
                rows.delete()
                sql, params = self.source_sql(kind, subjects, start)
                cursor.execute(
                    f"INSERT INTO {TimelineEvent._meta.db_table} ({_INSERT_FIELDS}) "  # noqa: S608 - constants
                    f"SELECT %s, {_SELECT_COLUMNS} FROM ({sql}) AS source",
                    [self.name, *params],
                )
                written[kind] = cursor.rowcount
        return written

    def differences(self, kind: str) -> tuple[int, int]:
        """How the index rows of ``kind`` differ from what its source gives now: (missing, extra); a changed
        row is one of each."""
        sql, params = self.source_sql(kind, None)
        table = TimelineEvent._meta.db_table
        kept = f"SELECT {', '.join(_FIELDS)} FROM {table} WHERE timeline = %s AND kind = %s"  # noqa: S608
        given = f"SELECT {_SELECT_COLUMNS} FROM ({sql}) AS source"  # noqa: S608 - SQL compiled by the ORM
        key: list[Any] = [self.name, self.rank[kind]]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT count(*) FROM ({given} EXCEPT ALL {kept}) AS missing), "  # noqa: S608
                f"(SELECT count(*) FROM ({kept} EXCEPT ALL {given}) AS extra)",
                [*params, *key, *key, *params],
            )
            missing, extra = cursor.fetchone()
            return int(missing), int(extra)

    def changed(self, changes: Iterable[journal.Captured]) -> None:
        """Bring the index up to date with ``changes``: the touched subjects' rows of the kinds that read them."""
        by_type: dict[str, list[journal.Captured]] = defaultdict(list)
        for change in changes:
            if change.object_type in self._rules:
                by_type[change.object_type].append(change)
        whole: dict[str, set[int]] = defaultdict(set)  # by kind: subjects to rebuild whole
        partly: dict[str, set[int]] = defaultdict(set)  # by kind: subjects to rebuild from ``since[kind]``
        since: dict[str, datetime] = {}
        for type_, captured in by_type.items():
            kinds = [k for k, s in self._sources.items() if type_ in s.reads]
            parsed = [(change, change.images()) for change in captured]
            for rule in self._rules[type_]:
                relevant = [(c, images) for c, images in parsed if rule.touches(images, c.action)]
                if rule.column == "pk":
                    ids = {int(c.object_id) for c, _images in relevant}
                else:
                    ids = _ids((image for _c, images in relevant for image in images), rule.column)
                if not ids or not kinds:
                    continue
                subjects = {s for s in rule.subjects(ids) if s is not None}
                earliest = rule.earliest(image for _c, images in relevant for image in images)
                for kind in kinds:
                    if earliest is None or self._sources[kind].rebuild_from is None:
                        whole[kind] |= subjects
                    else:
                        partly[kind] |= subjects
                        since[kind] = min(since.get(kind, earliest), earliest)
        for kind, subjects in whole.items():
            self.reindex(subjects, [kind])
        for kind, subjects in partly.items():
            self.reindex(subjects - whole[kind], [kind], since=since[kind])

    # --- the timeline ------------------------------------------------------------

    def key(self, position: Position) -> tuple[datetime, int, int]:
        """The keyset of ``position``: (``occurred_at``, the kind's rank, ``object_id``)."""
        return (position.occurred_at, self.rank[position.kind], position.object_id)

    def position(self, row: Row) -> Position:
        """The place of ``row`` on the timeline."""
        return Position(row["ev_at"], self.kind_of_rank[row["ev_kind"]], row["ev_id"])

    def rows(
        self,
        subject: int,
        *,
        user: AnyUser,
        kinds: Iterable[str],
        within: int | None = None,
        variant: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        position: Position | None = None,
        backwards: bool = False,
        limit: int,
    ) -> list[Row]:
        """Up to ``limit`` rows of ``subject``'s timeline after ``position`` (before it, newest first, if backwards).

        One query on the index: the kinds (already checked against the user's
        permissions), the rows about part ``within`` of the subject (if given), of
        reading ``variant`` or of every reading, whose guard ``user`` may see; within
        the bounds, after the keyset. Rows outside the plausible range (``core.limits``)
        are left out: a row written before the range's CHECK constraints existed (they
        are NOT VALID for old rows) must not break the timeline of everyone who reads it.
        """
        alias = router.db_for_read(self.read_model) or "default"
        events = TimelineEvent.objects.using(alias).filter(
            timeline=self.name,
            subject=subject,
            kind__in=[self.rank[k] for k in kinds],
            variant__in=sorted({"", variant}),
            occurred_at__gte=limits.EARLIEST_AT,
            occurred_at__lt=limits.LATEST_AT,
        )
        if within is not None:
            events = events.filter(within__contains=[within])
        if self._guard is not None:
            events = events.filter(Q(guard__isnull=True) | Q(guard__in=self._guard(user).using(alias).values("pk")))
        if since is not None:
            events = events.filter(occurred_at__gte=since)
        if until is not None:
            events = events.filter(occurred_at__lte=until)
        after = "lt" if backwards else "gt"
        if position is not None:
            at, rank, object_id = self.key(position)
            events = events.filter(
                Q(**{f"occurred_at__{after}": at})
                | Q(occurred_at=at, **{f"kind__{after}": rank})
                | Q(occurred_at=at, kind=rank, **{f"object_id__{after}": object_id})
            )
        order = ["-occurred_at", "-kind", "-object_id"] if backwards else ["occurred_at", "kind", "object_id"]
        values = events.order_by(*order).values_list(*_FIELDS[: len(COLUMNS)])[:limit]
        return [dict(zip(COLUMNS, row, strict=True)) for row in values]


# Every timeline, for the change feed and ``reindex_history``.
_timelines: list[Timeline[Any]] = []


def timelines() -> list[Timeline[Any]]:
    return list(_timelines)


def differences() -> dict[str, tuple[int, int]]:
    """The kinds of every timeline whose index rows differ from their sources: ``"timeline kind": (missing, extra)``."""
    found = {f"{t.name} {kind}": t.differences(kind) for t in _timelines for kind in t.sources()}
    return {key: counts for key, counts in found.items() if any(counts)}


def _index_changes(changes: list[journal.Captured]) -> None:
    for timeline in _timelines:
        timeline.changed(changes)


journal.on_integrate(_index_changes)


# --- summaries -----------------------------------------------------------------------
#
# A page's summaries ask for the same few texts and labels again and again; each
# ``gettext`` walks the active catalogues, so they are remembered per language
# (a finite set: the literal texts of the summaries and the choices' labels).

_TEXTS: dict[tuple[Any, ...], str] = {}


def gettext(message: str) -> str:
    """``gettext`` for summaries, remembered per language (import it as ``_``: ``makemessages`` finds the texts)."""
    key = (get_language(), message)
    try:
        return _TEXTS[key]
    except KeyError:
        text = _TEXTS[key] = _gettext(message)
        return text


@receiver(setting_changed)
def _forget_texts(*, setting: str, **kwargs: Any) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _TEXTS.clear()


def choice_label(choices: type[models.TextChoices], value: str | None) -> str:
    """The label of a choice value (the value itself if unknown), in the active language."""
    key = (get_language(), choices, value)
    try:
        return _TEXTS[key]
    except KeyError:
        pass
    try:
        label = str(choices(value).label) if value is not None else "—"
    except ValueError:
        label = value or "—"
    _TEXTS[key] = label
    return label


def money(amount: Decimal | None, currency: str | None) -> str:
    """``18,000.00 CNY``: exact, to the cent."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(Decimal('0.01')):,} {currency or ''}".strip()
