"""What every ingestion handler shares: dates, client-id duplicates and receipts.

The rules and the set-based writers are the apps' (`ledger.batch`, `projects.reports`,
`people.dispatches`, on `core.bulkrows` and `core.bulkaudit`); the envelope only reads items,
keeps client ids idempotent across kinds and answers with receipts.

Client ids are the sending organisation's own (`users.scopes.client_namespace`): a retry by
the same organisation is recognised, the same id from another organisation is a new item,
and nothing another organisation sent is ever looked at or named.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.arrays import any_of
from xiezuo.core.bulkrows import insert_rows, select
from xiezuo.core.context import current_actor
from xiezuo.core.dates import parse_day
from xiezuo.core.models import IngestReceipt
from xiezuo.users.scopes import client_namespace


def parse_date(value):
    """An ISO date within the platform's range (`core.dates`): year 1 or 9999 is refused
    with the item, never stored."""
    return parse_day(value)


def receipts_for(user, ids) -> dict:
    """{client id: (kind, digest)} of the receipts the user's organisation already holds for these ids."""
    where, params = any_of("client_id", ids)
    sql = f"SELECT client_id, kind, digest FROM core_ingestreceipt WHERE client_ns = %s AND {where}"
    return {row[0]: (row[1], row[2]) for row in select(sql, [client_namespace(user), *params])}


def ledger_keys(user, ids) -> set:
    """The ids among these that are already idempotency keys of the organisation's ledger postings."""
    where, params = any_of("idempotency_key", ids)
    sql = f"SELECT idempotency_key FROM ledger_posting WHERE key_ns = %s AND {where}"
    return {row[0] for row in select(sql, [client_namespace(user), *params])}


def used_before_message(client_id):
    return _("client id %(id)s was used before with a different body") % {"id": client_id}


def mark_duplicates(user, items, refusals):
    """Flag items already applied with the same body; refuse reuse with another body.

    Client ids are one namespace across kinds: an id that named a ledger posting (whose
    idempotency key is the client id) or an item of another kind is refused too."""
    ids = [it.client_id for it in items]
    seen = receipts_for(user, ids)
    postings = ledger_keys(user, ids)
    for it in items:
        r = seen.get(it.client_id)
        if r is not None and r == (it.kind, it.digest):
            it.duplicate = True
        elif r is not None or it.client_id in postings:
            refusals.add(it, "client_id", used_before_message(it.client_id))


# --- writing rows -------------------------------------------------------------------------


# --- audit rows and receipts --------------------------------------------------------------

RECEIPT_COLUMNS = ("client_id", "client_ns", "kind", "digest", "object_id", "created", "username")


def write_receipts(user, items, object_ids):
    """One receipt per applied item: its client id (in the user's organisation's namespace),
    kind, body digest and object id."""
    username = getattr(current_actor().user, "username", "") or ""
    now, namespace = timezone.now(), client_namespace(user)
    insert_rows(IngestReceipt, RECEIPT_COLUMNS,
                ((it.client_id, namespace, it.kind, it.digest, str(oid), now, username) for it, oid in zip(items, object_ids)))
