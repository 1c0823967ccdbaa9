"""Pieces every ingestion handler shares: dates, duplicate detection, and the bulk writer.

Why not `bulk_create`: a batch of 10,000 items writes 20,000–30,000 rows (the objects, one
audit row per change, one receipt per item). Through the ORM that is object construction,
per-field value preparation and parameter binding for every row, about 1,500–2,200 items a
second on PostgreSQL. Here rows are plain tuples in the table's column order, streamed with
COPY on PostgreSQL (psycopg's C copy path), or inserted with executemany on SQLite. Ids are
taken from the table's own sequence beforehand (one `nextval` query for the whole batch), so
the audit rows and receipts can name the objects without reading them back.

The audit rows have exactly the shape `xiezuo.core.audit` writes for a signal-driven save
(same actor, request id, via, object type, id, repr, region codes, before/after snapshots),
so the audit log cannot tell a batch from single saves, except that it is faster.
"""
import datetime
import json

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.arrays import any_of, filter_any, is_postgres, pg_array  # noqa: F401 - the handlers import them from here
from xiezuo.core.bulkrows import insert_rows, sqlite_value
from xiezuo.core.audit import _jsonable
from xiezuo.core.context import current_actor
from xiezuo.core.models import AuditEntry, IngestReceipt

CHUNK = 2000  # ids per IN (...) query: well under SQLite's 32,766 parameters


def parse_date(value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValueError(_("“%(v)s” is not a date (YYYY-MM-DD)") % {"v": value}) from None


def chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def select(sql: str, params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def receipts_for(ids) -> dict:
    """{client id: (kind, digest)} of the receipts already held for these ids."""
    where, params = any_of("client_id", ids)
    return {row[0]: (row[1], row[2]) for row in select(f"SELECT client_id, kind, digest FROM core_ingestreceipt WHERE {where}", params)}


def ledger_keys(ids) -> set:
    """The ids among these that are already idempotency keys of ledger postings."""
    where, params = any_of("idempotency_key", ids)
    return {row[0] for row in select(f"SELECT idempotency_key FROM ledger_posting WHERE {where}", params)}


def used_before_message(client_id):
    return _("client id %(id)s was used before with a different body") % {"id": client_id}


def mark_duplicates(items, refusals):
    """Flag items already applied with the same body; refuse reuse with another body.

    Client ids are one namespace across kinds: an id that named a ledger posting (whose
    idempotency key is the client id) or an item of another kind is refused too."""
    ids = [it.client_id for it in items]
    seen = receipts_for(ids)
    postings = ledger_keys(ids)
    for it in items:
        r = seen.get(it.client_id)
        if r is not None and r == (it.kind, it.digest):
            it.duplicate = True
        elif r is not None or it.client_id in postings:
            refusals.add(it, "client_id", used_before_message(it.client_id))


# --- writing rows -------------------------------------------------------------------------


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
            cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
            return sorted(row[0] for row in cur.fetchall())
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cur.fetchone()[0] + 1
    return list(range(start, start + n))


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


# --- audit rows and receipts --------------------------------------------------------------

AUDIT_COLUMNS = ("time", "user_id", "username", "request_id", "via", "action", "object_type", "object_id",
                 "object_repr", "region_code", "other_region_code", "before", "after")


def snapshot_fields(model) -> list[str]:
    """The attnames `xiezuo.core.audit.snapshot` records for `model`, in its order."""
    return [f.attname for f in model._meta.concrete_fields if f.name not in model.audit_exclude]


_PLAIN = frozenset((int, str, bool, float, type(None)))
_DATES = frozenset((datetime.date, datetime.datetime))  # exactly these types: isoformat(), as _jsonable
# json.dumps with any non-default option builds a new encoder on every call; one made once
# writes the same text (a batch encodes 20,000–40,000 snapshots).
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def snap(names, values: dict) -> dict:
    """`snapshot()` of an object given as {attname: value}: the same keys and JSON values."""
    out = {}
    for n in names:
        v = values[n]
        t = type(v)
        out[n] = v if t in _PLAIN else v.isoformat() if t in _DATES else _jsonable(v)
    return out


class AuditWriter:
    """Collects audit rows for a batch and writes them with one COPY.

    `add(model, object_id, repr, region, other_region, before, after)` takes snapshots as
    dicts (None for a creation); a change whose before equals its after is skipped, as the
    signal handler skips it."""

    def __init__(self):
        actor = current_actor()
        user = actor.user if getattr(actor.user, "pk", None) else None
        self.user_id = user.pk if user else None
        self.username = getattr(user, "username", "") or ""
        self.request_id, self.via = actor.request_id, actor.via
        self.now = timezone.now()
        self.rows = []

    def add(self, model, object_id, object_repr, region_code, other_region_code, before, after, names=None):
        """`before`/`after` are snapshots, or with `names` {attname: value} dicts that are
        turned into snapshots (`snap`) only while writing."""
        if before is not None and before == after:
            return
        self.rows.append((model._meta.label_lower, object_id, object_repr, region_code, other_region_code, before, after, names))

    def _rows(self):
        """The rows as COPY takes them, made while COPY streams: the JSON is written here so
        that the server parses and indexes one part while Python formats the next."""
        head = (self.now, self.user_id, self.username, self.request_id, self.via)
        create, update = AuditEntry.Action.CREATE.value, AuditEntry.Action.UPDATE.value
        dumps = _ENCODE
        for label, object_id, object_repr, region, other, before, after, names in self.rows:
            if names is not None:
                before, after = (None if before is None else snap(names, before)), snap(names, after)
            yield (*head, create if before is None else update, label, str(object_id), str(object_repr)[:200], (region or "")[:6],
                   (other or "")[:6], None if before is None else dumps(before), dumps(after))

    def write(self):
        """Ids come from the table's own default (nobody needs them back)."""
        insert_rows(AuditEntry, AUDIT_COLUMNS, self._rows())
        self.rows = []


RECEIPT_COLUMNS = ("client_id", "kind", "digest", "object_id", "created", "username")


def write_receipts(items, object_ids):
    """One receipt per applied item: its client id, kind, body digest and object id."""
    username = getattr(current_actor().user, "username", "") or ""
    now = timezone.now()
    insert_rows(IngestReceipt, RECEIPT_COLUMNS,
                ((it.client_id, it.kind, it.digest, str(oid), now, username) for it, oid in zip(items, object_ids)))
