"""One-table statements without the ORM's per-query overhead, for the profile-refresh hot path.

Refreshing one account takes about a dozen statements. Through the ORM each one
costs about as much CPU to build and compile as the database spends running it,
and the workers' CPU is what limits how many refreshes run at once. The refresh
goes through these helpers instead.

Values are prepared by the model's own fields (``get_db_prep_save``) and read
back through the same converters the ORM applies, so both databases behave as
they do through the ORM. :func:`insert` and :func:`update` refuse journaled
models; :func:`create` and :func:`save_fields` write journaled models and return
the journal's record of the change (``journal.Change``), for the caller to
append with ``journal.append_many`` (several changes, one INSERT). They send no
model signals: use them only where the journal is the only receiver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, connection, models
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


def _converters(model: type[models.Model], fields: Sequence[models.Field]) -> list[tuple[list, Any]]:
    """Per column, the converters the ORM's compiler applies to what the database returns."""
    out = []
    for field in fields:
        col = field.get_col(model._meta.db_table)
        out.append((connection.ops.get_db_converters(col) + col.get_db_converters(connection), col))
    return out


def _read(row: Sequence[Any], converters: list[tuple[list, Any]]) -> tuple:
    values = []
    for value, (functions, col) in zip(row, converters, strict=True):
        for function in functions:
            value = function(value, col, connection)
        values.append(value)
    return tuple(values)


def insert(model: type[models.Model], **values: Any) -> Any:
    """INSERT one row and return its primary key. Fields not given take their defaults."""
    _refuse_journaled(model)
    return _insert(model, values)


def _insert(model: type[models.Model], values: dict[str, Any]) -> Any:
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
    return _update(model, pk, values)


def _update(model: type[models.Model], pk: Any, values: dict[str, Any]) -> int:
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
    return _select(model, [_column(model, name) for name in names], where, params, order_by=order_by)


def _select(
    model: type[models.Model],
    fields: Sequence[models.Field],
    where: str,
    params: Sequence[Any],
    *,
    order_by: str = "",
    for_update: bool = False,
) -> list[tuple]:
    columns = ", ".join(_quote(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {_quote(model._meta.db_table)} WHERE {where}"  # noqa: S608 - model names
    if order_by:
        sql += f" ORDER BY {order_by}"
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    converters = _converters(model, fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return [_read(row, converters) for row in cursor.fetchall()]


# --- journaled models ----------------------------------------------------------------


def get_for_update(model: type[models.Model], pk: Any) -> models.Model:
    """The row as a model instance, locked until the transaction ends (``select_for_update().get()``).

    Takes the journal lock first, as every journaled write does, and remembers the
    row's values as the "before" of its next write (``journal.remember_before``).
    """
    journal.lock()
    fields = model._meta.concrete_fields
    pk_column = _quote(model._meta.pk.column)
    found = _select(model, fields, f"{pk_column} = %s", [param(model, model._meta.pk.name, pk)], for_update=True)
    if not found:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    instance = model.from_db(connection.alias, [f.attname for f in fields], found[0])
    journal.remember_before(instance)
    return instance


def create(instance: models.Model) -> journal.Change:
    """INSERT a new instance of a journaled model (as ``save()`` would) and return its journal record."""
    model = type(instance)
    journal.lock()
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(instance, field.attname, now)
    values = {
        f.attname: getattr(instance, f.attname)
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(instance, f.attname) is None)
    }
    instance.pk = _insert(model, values)
    instance._state.adding, instance._state.db = False, connection.alias
    return journal.creation_change(instance)


def save_fields(instance: models.Model, names: Sequence[str]) -> journal.Change | None:
    """UPDATE the named fields (and any ``auto_now`` one) of an instance from :func:`get_for_update`.

    As ``save(update_fields=names)`` would; returns the journal's record of the change,
    or None if nothing but ``auto_now`` fields changed.
    """
    model = type(instance)
    if getattr(instance, "_journal_before", None) is None:
        raise ValueError("save_fields needs the row's values before the change: read it with get_for_update()")
    journal.lock()
    names = list(names)
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            setattr(instance, field.attname, timezone.now())
            names.append(field.name)
    fields = [model._meta.get_field(name) for name in dict.fromkeys(names)]
    if _update(model, instance.pk, {f.attname: getattr(instance, f.attname) for f in fields}) != 1:
        raise DatabaseError(f"{model._meta.object_name} {instance.pk} is gone: nothing was updated")
    return journal.update_change(instance, [f.name for f in fields])
