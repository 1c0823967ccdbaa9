"""Appending plain rows fast: COPY on PostgreSQL, executemany elsewhere.

Shared by the apps' batch actions (weekly reports, dispatch records, ledger postings) and the
ingestion receipts: rows are tuples in a table's column order, not model instances, because
building and binding thousands of instances through the ORM costs more than the writes
(a batch of 10,000 items writes 20,000–30,000 rows; docs/BENCHMARKS.md has the figures). Ids
are taken from the table's sequence beforehand (`reserve_ids`), so audit rows and receipts
can name the objects without reading them back.
"""
import datetime

from django.db import connection
from psycopg.adapt import Dumper
from psycopg.pq import Format

from .arrays import is_postgres, pg_array

CHUNK = 2000  # ids per IN (...) query: well under SQLite's 32,766 parameters


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
            oids = _binary_types(cur.cursor, table, tuple(columns))
            fmt = " (FORMAT BINARY)" if oids else ""
            with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN{fmt}") as copy:
                if oids:
                    copy.set_types(oids)
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


# Binary COPY: the server takes numbers, dates and times as they are instead of parsing their
# text (a batch's rows carry tens of thousands of them), psycopg writes them in C. Used for the
# tables below, whose writers are known to hand over values of the columns' own types (a date
# as a date, a number as an int: binary COPY does not parse text), and when every column is of
# one of these types (by oid); otherwise text COPY, as for any other table. A writer added to
# this list must be tested on PostgreSQL.
BINARY_TABLES = frozenset(("projects_progressreport", "people_dispatch", "core_auditentry", "core_ingestreceipt",
                           "ledger_posting", "ledger_entry", "consumption_purchase"))
_JSON, _JSONB = 114, 3802
# bool, int8/2/4, text, varchar, date, timestamptz, json, jsonb
_BINARY_OIDS = frozenset((16, 20, 21, 23, 25, 1043, 1082, 1184, _JSON, _JSONB))
_COPY_TYPES = {}  # (alias, database, table, columns) → [oid…] or None (text COPY)


class _JsonbText(Dumper):
    """JSON already written as text, sent as a jsonb value in binary COPY (version 1, then
    the text: the server parses it as it parses text COPY's)."""

    format = Format.BINARY
    oid = _JSONB

    def dump(self, obj):
        return b"\x01" + (obj if isinstance(obj, bytes) else obj.encode())


class _JsonText(Dumper):
    """JSON already written as text, sent as a json value in binary COPY (the text itself)."""

    format = Format.BINARY
    oid = _JSON

    def dump(self, obj):
        return obj if isinstance(obj, bytes) else obj.encode()


def _binary_types(pg_cursor, table, columns):
    """The columns' type oids when binary COPY can carry them all, else None. JSON columns take
    JSON text (as in text COPY), through `_JsonbText` or `_JsonText` on this cursor."""
    if table not in BINARY_TABLES:
        return None
    key = (connection.alias, connection.settings_dict["NAME"], table, columns)
    if key not in _COPY_TYPES:
        pg_cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                          "AND NOT attisdropped", [table])
        types = {name: int(oid) for name, oid in pg_cursor.fetchall()}
        oids = [types.get(c) for c in columns]
        _COPY_TYPES[key] = oids if all(oid in _BINARY_OIDS for oid in oids) else None
    oids = _COPY_TYPES[key]
    if oids and _JSONB in oids:
        pg_cursor.adapters.register_dumper(None, _JsonbText)  # this cursor's own map
    if oids and _JSON in oids:
        pg_cursor.adapters.register_dumper(None, _JsonText)
    return oids


def chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def select(sql: str, params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def reserve_ids(model, n: int) -> list[int]:
    """n fresh primary keys for `model`, in increasing order.

    PostgreSQL: drawn from the table's sequence in one query, so concurrent writers (single
    saves included) never collide. SQLite (one writer at a time, the embedded default):
    the next ids after the current maximum, inside the batch's transaction."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if is_postgres():
            # the sequence named once, as a constant: `nextval(pg_get_serial_sequence(…))` in the
            # select list looks the sequence up in the catalogue for every row (~0.1 s for 10,000)
            cur.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_sequence(cur, table), n])
            return sorted(row[0] for row in cur.fetchall())
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cur.fetchone()[0] + 1
    return list(range(start, start + n))


_SEQUENCES = {}  # (database alias, table) → the name of its id sequence


def _sequence(cur, table) -> str:
    key = (connection.alias, connection.settings_dict["NAME"], table)
    if key not in _SEQUENCES:
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _SEQUENCES[key] = cur.fetchone()[0]
    return _SEQUENCES[key]


def update_rows(model, columns, rows):
    """UPDATE many rows by id in one statement. `columns` are (column, PostgreSQL type)
    pairs; rows are (id, value…) in that order.

    PostgreSQL joins the table to unnest()ed arrays (one round trip, linear in the batch);
    SQLite runs executemany of the single-row UPDATE. Django's bulk_update builds CASE WHEN
    chains whose cost grows with the square of the batch."""
    if not rows:
        return
    table = model._meta.db_table
    with connection.cursor() as cur:
        if is_postgres():
            cols = list(zip(*rows))
            arrays = ", ".join(f"%s::{t}[]" for t in ["bigint"] + [t for _c, t in columns])
            cols = [pg_array(c) for c in cols]
            names = ", ".join(["id"] + [f"c{i}" for i in range(len(columns))])
            sets = ", ".join(f"{c} = v.c{i}" for i, (c, _t) in enumerate(columns))
            cur.execute(f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names}) WHERE t.id = v.id",
                        cols)
        else:
            sets = ", ".join(f"{c} = %s" for c, _t in columns)
            cur.executemany(f"UPDATE {table} SET {sets} WHERE id = %s",
                            [tuple(sqlite_value(v) for v in row[1:]) + (row[0],) for row in rows])
