"""Pieces every ingestion handler shares: dates, duplicate detection, receipts, and the bulk
writer (from core).

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

from django.utils import timezone
from django.utils.translation import gettext as _

# the handlers import these from here; the row and audit writers live in core, below the
# apps whose batch actions use them
from xiezuo.core.arrays import any_of, filter_any, is_postgres, pg_array  # noqa: F401
from xiezuo.core.bulkaudit import AuditWriter, snap, snapshot_fields  # noqa: F401
from xiezuo.core.bulkrows import chunks, insert_rows, reserve_ids, select, sqlite_value, update_rows  # noqa: F401
from xiezuo.core.context import current_actor
from xiezuo.core.models import IngestReceipt


def parse_date(value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValueError(_("“%(v)s” is not a date (YYYY-MM-DD)") % {"v": value}) from None


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


# --- audit rows and receipts --------------------------------------------------------------

RECEIPT_COLUMNS = ("client_id", "kind", "digest", "object_id", "created", "username")


def write_receipts(items, object_ids):
    """One receipt per applied item: its client id, kind, body digest and object id."""
    username = getattr(current_actor().user, "username", "") or ""
    now = timezone.now()
    insert_rows(IngestReceipt, RECEIPT_COLUMNS,
                ((it.client_id, it.kind, it.digest, str(oid), now, username) for it, oid in zip(items, object_ids)))
