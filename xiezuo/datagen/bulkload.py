"""Fast bulk loading: COPY on PostgreSQL, batched executemany elsewhere.

The national dataset is millions of rows; one ORM save per row would take hours. Rows go
in as tuples in the table's column order given by `columns`.
"""
import time
from contextlib import contextmanager

from django.db import connection


def copy_rows(table: str, columns: list[str], rows, batch: int = 20000) -> int:
    count = 0
    if connection.vendor == "postgresql":
        cols = ", ".join(columns)
        with connection.cursor() as cur:
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    buf = []
    with connection.cursor() as cur:
        for row in rows:
            buf.append(row)
            if len(buf) >= batch:
                cur.executemany(sql, buf)
                count += len(buf)
                buf = []
        if buf:
            cur.executemany(sql, buf)
            count += len(buf)
    return count


@contextmanager
def foreign_keys_set_aside(tables, timings: dict | None = None):
    """On PostgreSQL, drop the foreign keys of `tables` for a bulk load and add them back
    afterwards, inside the caller's transaction.

    Django declares its foreign keys DEFERRABLE INITIALLY DEFERRED, so every copied row
    queues a check that runs one row at a time at commit: for ten million rows that is
    most of the load. Adding a key back checks all rows in one pass (one join), and the
    load fails just the same if any reference dangles. Elsewhere this does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2", [list(tables)])
        keys = cur.fetchall()
        for table, name, _definition in keys:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for table, name, definition in keys:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    if timings is not None:
        timings["foreign keys"] = (len(keys), t0)


def next_id(model) -> int:
    """The first id after the model's rows: generators reserve their ids and write them."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        return cur.fetchone()[0] + 1


def reset_sequences(*models):
    """After rows were written with their own ids, move PostgreSQL's sequences past them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for m in models:
                t = m._meta.db_table
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST((SELECT MAX(id) FROM {t}), 1))")


def copy_model(model, fields, rows) -> int:
    """`copy_rows` by the model's field names."""
    cols = [f'"{model._meta.get_field(f).column}"' for f in fields]
    return copy_rows(model._meta.db_table, cols, rows)
