"""Dispatch records in bulk: {"type": "dispatch", "client_id", "person_name", "id_number"?,
"kind", "direction": "e2w"|"w2e", "from_org": id, "to_org": id, "pairing": id?,
"planned_start", "planned_end", "actual_start"?, "actual_end"?}.

The same rules as `people.actions.save_dispatch` and the API's dispatch endpoint: the two
organisations and the pairing must be ones the caller can see; the ID number, when given,
is a resident ID number (17 digits and a check digit or X; stored in full, never shown in
full, left out of audit snapshots as the model says); the name is 1–50 characters. The
pairing, when given, must link the two sides: its eastern region contains or lies within
the eastern organisation's region, and likewise in the west — a record filed under a
pairing it has nothing to do with would count in the wrong pair's stability figure.

Set-based: one query each for the receipts, the organisations, the pairings and the
client ids already on dispatch records; the records, their audit rows and the receipts are
written with COPY.
"""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiezuo.core.scoping import visible
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.people.actions import may_write_dispatch, validate_dispatch
from xiezuo.people.models import Direction, Dispatch

from .common import AuditWriter, chunks, filter_any, insert_rows, mark_duplicates, parse_date, reserve_ids, snapshot_fields, write_receipts

DATES = ("planned_start", "planned_end", "actual_start", "actual_end")
COLUMNS = ("id", "person_name", "id_number", "kind", "direction", "from_org_id", "to_org_id", "pairing_id", "planned_start",
           "planned_end", "actual_start", "actual_end", "client_id", "is_demo")
KNOWN = {"person_name", "id_number", "kind", "direction", "from_org", "to_org", "pairing", *DATES}
MAX_NAME = 50


def clean_id_number(value):
    """The resident ID number as stored (upper case, no spaces), or ValueError. As the API."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError(_("a resident ID number is 17 digits and a check digit or X"))
    value = value.strip().upper()
    if value and not (len(value) == 18 and value[:17].isascii() and value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")):
        raise ValueError(_("a resident ID number is 17 digits and a check digit or X"))
    return value


class DispatchRow:
    """A dispatch record as the batch checks and writes it: the attributes `validate_dispatch`,
    `may_write_dispatch` and the audit read, and the model's own text and regions, without
    a model instance (building 10,000 of them, with their three related objects each, cost
    about a third of a batch)."""

    __slots__ = ("pk", "person_name", "id_number", "kind", "direction", "from_org", "to_org", "pairing", "planned_start",
                 "planned_end", "actual_start", "actual_end", "client_id", "is_demo")

    def __init__(self, person_name, kind, direction, client_id):
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


def _ids(items, name):
    return {it.body[name] for it in items if isinstance(it.body.get(name), int) and not isinstance(it.body.get(name), bool)}


def _within(a, b) -> bool:
    """Either region lies in the other's subtree (or they are the same)."""
    return a.code.startswith(b.prefix) or b.code.startswith(a.prefix)


class DispatchHandler:
    def check(self, user, items, refusals):
        mark_duplicates(items, refusals)
        taken = set(filter_any(Dispatch.objects.all(), "client_id", [it.client_id for it in items]).values_list("client_id", flat=True))
        org_ids, pairing_ids = _ids(items, "from_org") | _ids(items, "to_org"), _ids(items, "pairing")
        orgs, pairings = {}, {}
        for part in chunks(sorted(org_ids)):
            orgs.update((o.pk, o) for o in visible(user, Organisation.objects.filter(pk__in=part).select_related("region")))
        for part in chunks(sorted(pairing_ids)):
            pairings.update((p.pk, p) for p in visible(user, Pairing.objects.filter(pk__in=part)).select_related("east_region", "west_region"))
        for it in items:
            if it.duplicate:
                continue
            b = it.body
            errors = {name: [_("unknown field")] for name in b if name not in KNOWN}
            name = b.get("person_name", "")
            if not isinstance(name, str):
                errors["person_name"] = [_("must be text")]
                name = ""
            elif len(name) > MAX_NAME:
                errors["person_name"] = [_("at most %(n)d characters") % {"n": MAX_NAME}]
            elif "\x00" in name:
                errors["person_name"] = [_("must not contain NUL characters")]
            d = DispatchRow(name, b.get("kind"), b.get("direction"), it.client_id)
            try:
                d.id_number = clean_id_number(b.get("id_number"))
            except ValueError as exc:
                errors["id_number"] = [str(exc)]
            for field in ("from_org", "to_org"):
                org = orgs.get(b.get(field)) if isinstance(b.get(field), int) else None
                if org is None:
                    errors[field] = [_("no organisation has the id “%(v)s”") % {"v": b.get(field)}]
                else:
                    setattr(d, field, org)
            if b.get("pairing") is not None:
                pairing = pairings.get(b["pairing"]) if isinstance(b["pairing"], int) else None
                if pairing is None:
                    errors["pairing"] = [_("no pairing has the id “%(v)s”") % {"v": b["pairing"]}]
                else:
                    d.pairing = pairing
            for field in DATES:
                if b.get(field) in (None, "") and field.startswith("actual"):
                    continue
                try:
                    setattr(d, field, parse_date(b.get(field)))
                except ValueError as exc:
                    errors[field] = [str(exc)]
            if it.client_id in taken:
                errors["client_id"] = [_("client id %(id)s is already used") % {"id": it.client_id}]
            if errors:
                refusals.add_errors(it, errors)
                continue
            try:
                validate_dispatch(d)
            except ValidationError as exc:
                refusals.add_errors(it, exc.message_dict)
                continue
            if d.pairing_id is not None:
                east, west = (d.from_org, d.to_org) if d.direction == Direction.EAST_TO_WEST else (d.to_org, d.from_org)
                if not (_within(east.region, d.pairing.east_region) and _within(west.region, d.pairing.west_region)):
                    refusals.add(it, "pairing", _("%(pairing)s does not link %(east)s and %(west)s") % {
                        "pairing": d.pairing, "east": east, "west": west})
                    continue
            if not may_write_dispatch(user, d):
                refusals.add(it, "from_org", _("you may not record dispatches between these organisations"))
                continue
            it.target = d

    def apply(self, user, items):
        records = [it.target for it in items]
        for pk, d in zip(reserve_ids(Dispatch, len(records)), records):
            d.pk = pk
        insert_rows(Dispatch, COLUMNS, (
            (d.pk, d.person_name, d.id_number, d.kind, d.direction, d.from_org_id, d.to_org_id, d.pairing_id, d.planned_start,
             d.planned_end, d.actual_start, d.actual_end, d.client_id, False) for d in records))
        audit, fields = AuditWriter(), snapshot_fields(Dispatch)
        for d in records:
            audit.add(Dispatch, d.pk, str(d), d.audit_region_code(), d.audit_other_region_code(), None,
                      {n: getattr(d, n) for n in fields}, names=fields)
        audit.write()
        write_receipts(items, [d.pk for d in records])
