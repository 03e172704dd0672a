"""Fast inserts for history imports: rows given as ``{attname: value}`` go to the database with PostgreSQL COPY or
SQLite ``executemany``, without building a model instance per row (for 10⁵–10⁶ imported rows the ORM's per-row
preparation is most of the time)."""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def _columns(model: type[models.Model]) -> list[tuple[str, str, Any, Any]]:
    ops = connection.ops
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.generated:  # generated columns are computed by the database
            continue
        if isinstance(field, models.DateTimeField):
            adapt = ops.adapt_datetimefield_value
        elif isinstance(field, models.DateField):
            adapt = ops.adapt_datefield_value
        elif isinstance(field, models.DecimalField):
            adapt = ops.adapt_decimalfield_value
        elif isinstance(field, models.JSONField):
            adapt = field.get_db_prep_value
        else:
            adapt = None
        default = field.get_default() if field.has_default() or not field.null else None
        columns.append((field.attname, field.column, adapt, default))
    return columns


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]], *, batch_size: int = 5000) -> None:
    """INSERT ``rows`` (missing columns take the field's default; generated columns are left to the database)
    inside the caller's transaction."""
    if not rows:
        return
    columns = _columns(model)
    quote = connection.ops.quote_name

    def values(row: dict[str, Any]) -> tuple:
        out = []
        for attname, _column, adapt, default in columns:
            value = row.get(attname, default)
            if adapt is not None and value is not None:
                value = adapt(value, connection) if adapt.__name__ == "get_db_prep_value" else adapt(value)
            out.append(value)
        return tuple(out)

    table = quote(model._meta.db_table)
    names = ", ".join(quote(c[1]) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for index in range(0, len(rows), batch_size):
            cursor.executemany(sql, [values(row) for row in rows[index : index + batch_size]])
