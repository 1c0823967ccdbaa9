"""Dispatch records in a batch: the set-based checker and writer behind `save_dispatches`.

The rules are `rules.py`'s, as for one record; what differs is the writing. A batch of
10,000 built as model instances (with their three related objects each) and saved one by
one would not reach thousands a second, so records are light rows with the attributes the
rules and the audit read, written with COPY (records and audit rows), ids drawn from the
table's sequence beforehand; one query for the client ids already taken; one `facts_changed`.
"""
import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiezuo.core.bulkaudit import AuditWriter, snap, snapshot_fields
from xiezuo.core.bulkrows import insert_rows, reserve_ids
from xiezuo.core.arrays import filter_any
from xiezuo.core.facts import changed
from xiezuo.users.scopes import client_namespace

from . import totals
from .models import Dispatch
from .rules import may_write_dispatch, validate_dispatch

COLUMNS = ("id", "person_name", "id_number", "kind", "direction", "from_org_id", "to_org_id", "pairing_id", "planned_start",
           "planned_end", "actual_start", "actual_end", "client_id", "client_ns", "is_demo")
DAYS = frozenset(("planned_start", "planned_end", "actual_start", "actual_end"))


class DispatchRow:
    """A dispatch record as the batch checks and writes it: the attributes `validate_dispatch`,
    `may_write_dispatch` and the audit read, and the model's own text and regions, without
    a model instance. `from_org`, `to_org` and `pairing` are instances (with their regions)."""

    __slots__ = ("pk", "person_name", "id_number", "kind", "direction", "from_org", "to_org", "pairing", "planned_start",
                 "planned_end", "actual_start", "actual_end", "client_id", "is_demo")

    def __init__(self, person_name, kind, direction, client_id=None):
        self.pk = None
        self.person_name, self.kind, self.direction, self.client_id = person_name, kind, direction, client_id
        self.id_number, self.is_demo = "", False
        self.from_org = self.to_org = self.pairing = None
        self.planned_start = self.planned_end = self.actual_start = self.actual_end = None

    id = property(lambda self: self.pk)
    from_org_id = property(lambda self: self.from_org.pk if self.from_org is not None else None)
    to_org_id = property(lambda self: self.to_org.pk if self.to_org is not None else None)
    pairing_id = property(lambda self: self.pairing.pk if self.pairing is not None else None)
    __str__ = Dispatch.__str__
    audit_region_code = Dispatch.audit_region_code
    audit_other_region_code = Dispatch.audit_other_region_code


def taken_client_ids(user, ids) -> set:
    """The client ids among these already on dispatch records of the user's organisation
    (client ids are an organisation's own: another's id of the same text is no clash)."""
    ids = [i for i in ids if i]
    if not ids:
        return set()
    qs = filter_any(Dispatch.objects.filter(client_ns=client_namespace(user)), "client_id", ids)
    return set(qs.values_list("client_id", flat=True))


def check_dispatches(user, rows) -> dict:
    """{position: {field: [messages]}} for the records refused."""
    errors, memo = {}, {}
    taken = taken_client_ids(user, [d.client_id for d in rows])
    for i, d in enumerate(rows):
        if d.client_id in taken:
            errors[i] = {"client_id": [_("client id %(id)s is already used") % {"id": d.client_id}]}
            continue
        try:
            validate_dispatch(d, memo)
        except ValidationError as exc:
            errors[i] = exc.message_dict
            continue
        if not may_write_dispatch(user, d):
            errors[i] = {"from_org": [_("you may not record dispatches between these organisations")]}
    return errors


def facts_of(records):
    """The regions of the records' organisations and the earliest day they bear on."""
    first, orgs = None, {}
    for d in records:
        orgs[id(d.from_org)], orgs[id(d.to_org)] = d.from_org, d.to_org  # by identity: hashing a model reads its pk
        for day in (d.planned_start, d.actual_start):
            if day is not None and (first is None or day < first):
                first = day
    return {org.region.code for org in orgs.values()}, first


def write_dispatches(user, rows) -> list[int]:
    """Record rows that passed `check_dispatches`; the id of each."""
    for pk, d in zip(reserve_ids(Dispatch, len(rows)), rows):
        d.pk = pk
    namespace = client_namespace(user)
    # what depends only on the two organisations and the direction, worked out once per
    # such pair (a batch names a few hundred): their ids, regions, the record's text after
    # the name (`Dispatch.__str__`) and the audit's region codes
    pairs = {}
    stored, keyed = [], []
    for d in rows:
        key = (id(d.from_org), id(d.to_org), d.direction)
        pair = pairs.get(key)
        if pair is None:
            f, t = d.from_org, d.to_org
            pair = pairs[key] = (f.pk, t.pk, f" {f} → {t}", d.audit_region_code(), d.audit_other_region_code(),
                                 f.region.code, t.region.code)
        keyed.append(pair)
        pairing = d.pairing
        stored.append((d.pk, d.person_name, d.id_number, d.kind, d.direction, pair[0], pair[1],
                       pairing.pk if pairing is not None else None, d.planned_start, d.planned_end, d.actual_start,
                       d.actual_end, d.client_id, namespace if d.client_id else 0, d.is_demo))
    insert_rows(Dispatch, COLUMNS, stored)
    # the audit's snapshot of each record, taken from the row just written (the columns are
    # the snapshot's attnames)
    audit, fields = AuditWriter(), snapshot_fields(Dispatch)
    at = {name: i for i, name in enumerate(COLUMNS)}
    from_row = [(n, at[n]) for n in fields if n in at]
    elsewhere = [n for n in fields if n not in at]
    days = [n for n in fields if n in DAYS]
    iso = {}  # a day's text, written once per day
    for d, row, pair in zip(rows, stored, keyed):
        values = {n: row[i] for n, i in from_row}
        for n in elsewhere:
            values[n] = getattr(d, n)
        for n in days:  # `snap` of the dates (the other columns are plain values)
            day = values[n]
            if type(day) is datetime.date:
                text = iso.get(day)
                if text is None:
                    text = iso[day] = day.isoformat()
                values[n] = text
        if elsewhere:
            values = snap(fields, values)
        audit.add(Dispatch, row[0], f"{row[1]}{pair[2]}", pair[3], pair[4], None, values)
    audit.write()
    # the dashboard's people on post: one statement, from the regions the rows hold
    totals.count_records((row[3], row[10], row[11], pair[5], pair[6]) for row, pair in zip(stored, keyed))
    changed(*facts_of(rows), sender=Dispatch)
    return [d.pk for d in rows]
