"""One-table statements without the ORM's per-query overhead, for the profile-refresh hot path.

Refreshing one account takes about a dozen statements. Through the ORM each one
costs about as much CPU to build and compile as the database spends running it,
and the workers' CPU is what limits how many refreshes run at once. The reads
before the journal lock and the bookkeeping of the attempt record go through
these helpers instead.

Values are prepared by the model's own fields (``get_db_prep_value``) and
datetimes read back are made aware, so both databases behave as they do through
the ORM. Journaled models are refused for writes: their changes must go through
``save()``, where the journal captures them from model signals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone

from ledger import journal


def _refuse_journaled(model: type[models.Model]) -> None:
    if journal.is_journaled(model):
        raise TypeError(f"{journal.object_type(model)} is journaled: write it with save() so the journal sees it")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not field.concrete or field.many_to_many:
        raise ValueError(f"{name} is not a column of {model._meta.label}")
    return field


def _prepared(field: models.Field, value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def param(model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` prepared as the database expects it for comparison with field ``name``."""
    return _column(model, name).get_db_prep_value(value, connection, prepared=False)


def _read(value: Any) -> Any:
    # SQLite keeps datetimes in UTC without a zone; PostgreSQL returns them aware.
    if isinstance(value, datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


def insert(model: type[models.Model], **values: Any) -> Any:
    """INSERT one row and return its primary key. Fields not given take their defaults."""
    _refuse_journaled(model)
    names, params = [], []
    for field in model._meta.concrete_fields:
        if field.attname in values:
            value = values.pop(field.attname)
        elif field.primary_key:
            continue  # assigned by the database
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = timezone.now()
        else:
            value = field.get_default()
        names.append(_quote(field.column))
        params.append(_prepared(field, value))
    if values:
        raise ValueError(f"unknown fields for {model._meta.label}: {', '.join(sorted(values))}")
    table, pk = _quote(model._meta.db_table), _quote(model._meta.pk.column)
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) RETURNING {pk}"  # noqa: S608 - model names
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def update(model: type[models.Model], pk: Any, **values: Any) -> int:
    """UPDATE the named fields of one row (by primary key); returns the number of rows changed."""
    _refuse_journaled(model)
    fields = [model._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{_quote(field.column)} = %s" for field in fields)
    params = [_prepared(field, value) for field, value in zip(fields, values.values(), strict=True)]
    sql = f"UPDATE {_quote(model._meta.db_table)} SET {assignments} WHERE {_quote(model._meta.pk.column)} = %s"  # noqa: S608 - model names
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, param(model, model._meta.pk.name, pk)])
        return cursor.rowcount


def select(
    model: type[models.Model], names: Sequence[str], where: str, params: Sequence[Any], *, order_by: str = ""
) -> list[tuple]:
    """Rows of the named fields (in that order) that match ``where`` (SQL over column names, with %s).

    Pass each value in ``params`` through :func:`param` so that it compares as the ORM would.
    """
    columns = ", ".join(_quote(_column(model, name).column) for name in names)
    sql = f"SELECT {columns} FROM {_quote(model._meta.db_table)} WHERE {where}"  # noqa: S608 - model names
    if order_by:
        sql += f" ORDER BY {order_by}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return [tuple(_read(value) for value in row) for row in cursor.fetchall()]
