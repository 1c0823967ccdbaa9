"""Pieces every ingestion handler shares: dates, receipts, audit rows for bulk writes."""
import datetime

from django.utils.translation import gettext as _

from xiezuo.core.audit import snapshot
from xiezuo.core.context import current_actor
from xiezuo.core.models import AuditEntry, IngestReceipt


def parse_date(value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValueError(_("“%(v)s” is not a date (YYYY-MM-DD)") % {"v": value}) from None


def mark_duplicates(items, refusals):
    """Flag items already applied with the same body; refuse reuse with another body."""
    ids = [it.client_id for it in items]
    seen = {}
    for start in range(0, len(ids), 2000):
        for r in IngestReceipt.objects.filter(client_id__in=ids[start:start + 2000]):
            seen[r.client_id] = r
    for it in items:
        r = seen.get(it.client_id)
        if r is None:
            continue
        if r.digest == it.digest and r.kind == it.kind:
            it.duplicate = True
        else:
            refusals.add(it, "client_id", _("client id %(id)s was used before with a different body") % {"id": it.client_id})


def write_receipts(items, objects):
    username = getattr(current_actor().user, "username", "") or ""
    IngestReceipt.objects.bulk_create(
        [IngestReceipt(client_id=it.client_id, kind=it.kind, digest=it.digest, object_id=str(obj.pk), username=username)
         for it, obj in zip(items, objects)],
        batch_size=5000,
    )


def audit_rows(changes):
    """changes: [(instance, before-snapshot or None)] written in one bulk insert."""
    actor = current_actor()
    user = actor.user if getattr(actor.user, "pk", None) else None
    rows = []
    for obj, before in changes:
        rows.append(AuditEntry(
            user=user, username=getattr(user, "username", "") or "", request_id=actor.request_id, via=actor.via,
            action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
            object_type=obj._meta.label_lower, object_id=str(obj.pk), object_repr=str(obj)[:200],
            region_code=(obj.audit_region_code() or "")[:6], other_region_code=(obj.audit_other_region_code() or "")[:6],
            before=before, after=snapshot(obj),
        ))
    AuditEntry.objects.bulk_create(rows, batch_size=5000)
