"""Dispatch records in bulk: {"type": "dispatch", "client_id", "person_name", "id_number"?,
"kind", "direction": "e2w"|"w2e", "from_org": id, "to_org": id, "pairing": id?,
"planned_start", "planned_end", "actual_start"?, "actual_end"?}.

The envelope only: each item read into a `people.dispatches.DispatchRow` (the two
organisations and the pairing must be ones the caller can see, as in the API; dates parsed;
the name text; the ID number, when given, as stored), idempotency by client id, receipts.
The rules and the writing are the people app's (`check_dispatches` and `write_dispatches`,
the two halves of `save_dispatches`), so a batch checks exactly what one record checks.
"""
from django.utils.translation import gettext as _

from xiezuo.core.arrays import ids_in
from xiezuo.core.scoping import visible
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.models import Pairing
from xiezuo.people.dispatches import DispatchRow, check_dispatches, write_dispatches
from xiezuo.people.rules import clean_id_number, name_error

from .common import mark_duplicates, parse_date, write_receipts

DATES = ("planned_start", "planned_end", "actual_start", "actual_end")
KNOWN = {"person_name", "id_number", "kind", "direction", "from_org", "to_org", "pairing", *DATES}


def _ids(items, name):
    return {it.body[name] for it in items if isinstance(it.body.get(name), int) and not isinstance(it.body.get(name), bool)}


class _Days(dict):
    """A batch's dates read once per distinct text (a batch of 10,000 records names a few
    hundred days): text → (date, None) or (None, the reason it cannot be read)."""

    def read(self, value):
        if type(value) is not str:
            return self._parse(value)
        found = self.get(value)
        if found is None:
            found = self[value] = self._parse(value)
        return found

    @staticmethod
    def _parse(value):
        try:
            return parse_date(value), None
        except ValueError as exc:
            return None, str(exc)


def read_item(b, client_id, orgs, pairings, errors, days=None) -> DispatchRow:
    """The item as a record to check; what cannot be read goes into `errors`. `days`: the
    batch's `_Days`."""
    errors.update({name: [_("unknown field")] for name in b if name not in KNOWN})
    name = b.get("person_name", "")
    problem = name_error(name)
    if problem:
        errors["person_name"] = [problem]
        if not isinstance(name, str):
            name = ""
    d = DispatchRow(name, b.get("kind"), b.get("direction"), client_id)
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
    days = _Days() if days is None else days
    for field in DATES:
        value = b.get(field)
        if value in (None, "") and field.startswith("actual"):
            continue
        day, problem = days.read(value)
        if problem is None:
            setattr(d, field, day)
        else:
            errors[field] = [problem]
    return d


class DispatchHandler:
    def check(self, user, items, refusals):
        mark_duplicates(user, items, refusals)
        org_ids, pairing_ids = _ids(items, "from_org") | _ids(items, "to_org"), _ids(items, "pairing")
        orgs = {o.pk: o for o in visible(user, Organisation.objects.filter(pk__in=ids_in(sorted(org_ids))).select_related("region"))}
        pairings = {p.pk: p for p in visible(user, Pairing.objects.filter(pk__in=ids_in(sorted(pairing_ids))))
                    .select_related("east_region", "west_region")}
        read, rows, days = [], [], _Days()
        for it in items:
            if it.duplicate:
                continue
            errors = {}
            d = read_item(it.body, it.client_id, orgs, pairings, errors, days)
            if errors:
                refusals.add_errors(it, errors)
                continue
            read.append(it)
            rows.append(d)
            it.target = d
        for i, errors in check_dispatches(user, rows).items():
            refusals.add_errors(read[i], errors)

    def apply(self, user, items):
        ids = write_dispatches(user, [it.target for it in items])
        write_receipts(user, items, ids)
