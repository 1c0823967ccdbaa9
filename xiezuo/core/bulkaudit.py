"""Audit rows for a batch, written with one COPY.

The rows have exactly the shape `xiezuo.core.audit` writes for a signal-driven save (same
actor, request id, via, object type, id, repr, region codes, before/after snapshots), so
the audit log cannot tell a batch from single saves; used by the apps' batch actions, which
write plain rows rather than saving model instances.
"""
import datetime
import json

from django.utils import timezone

from .audit import _jsonable
from .bulkrows import insert_rows
from .context import current_actor
from .jsontext import flat_json
from .models import AuditEntry

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

        def dumps(snapshot):
            text = flat_json(snapshot)  # a snapshot is nearly always flat
            return text if text is not None else _ENCODE(snapshot)

        for label, object_id, object_repr, region, other, before, after, names in self.rows:
            if names is not None:
                before, after = (None if before is None else snap(names, before)), snap(names, after)
            yield (*head, create if before is None else update, label, str(object_id), str(object_repr)[:200], (region or "")[:6],
                   (other or "")[:6], None if before is None else dumps(before), dumps(after))

    def write(self):
        """Ids come from the table's own default (nobody needs them back)."""
        insert_rows(AuditEntry, AUDIT_COLUMNS, self._rows())
        self.rows = []
