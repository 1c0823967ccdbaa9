"""Appending plain rows fast: COPY on PostgreSQL, executemany elsewhere.

Shared by bulk ingestion and the ledger's bulk writer: rows are tuples in a table's column
order, not model instances, because building and binding thousands of instances costs more
than the writes (see xiezuo/ingest/common.py for the figures).
"""
import datetime

from django.db import connection

from .arrays import is_postgres


def sqlite_value(value):
    """A value as SQLite stores it (dates as ISO text, aware datetimes as Django writes them)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def insert_rows(model, columns, rows) -> int:
    """Append `rows` (tuples in `columns` order) to `model`'s table: COPY on PostgreSQL,
    executemany elsewhere. `rows` may be a generator: on PostgreSQL it is consumed while
    COPY streams. JSON columns take the JSON text; datetimes are aware."""
    table = model._meta.db_table
    count = 0
    with connection.cursor() as cur:
        if is_postgres():
            with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        rows = list(rows)
        if rows:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                            [tuple(sqlite_value(v) for v in row) for row in rows])
    return len(rows)
