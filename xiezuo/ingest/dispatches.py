"""Dispatch records in bulk: {"type": "dispatch", "client_id", "person_name", "kind",
"direction": "e2w"|"w2e", "from_org": id, "to_org": id, "pairing": id?, "planned_start",
"planned_end", "actual_start"?, "actual_end"?}."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiezuo.orgs.models import Organisation
from xiezuo.people.actions import may_write_dispatch, validate_dispatch
from xiezuo.people.models import Dispatch

from .common import audit_rows, mark_duplicates, parse_date, write_receipts

DATES = ("planned_start", "planned_end", "actual_start", "actual_end")


class DispatchHandler:
    def check(self, user, items, refusals):
        mark_duplicates(items, refusals)
        ids = set()
        for it in items:
            for name in ("from_org", "to_org"):
                if isinstance(it.body.get(name), int):
                    ids.add(it.body[name])
        orgs = Organisation.objects.select_related("region").in_bulk(list(ids))
        for it in items:
            b = it.body
            errors = {}
            d = Dispatch(person_name=str(b.get("person_name", "")), kind=b.get("kind"), direction=b.get("direction"),
                         pairing_id=b.get("pairing") if isinstance(b.get("pairing"), int) else None, client_id=it.client_id)
            for name in ("from_org", "to_org"):
                org = orgs.get(b.get(name)) if isinstance(b.get(name), int) else None
                if org is None:
                    errors[name] = [_("no organisation has the id “%(v)s”") % {"v": b.get(name)}]
                else:
                    setattr(d, name, org)
            for name in DATES:
                if b.get(name) in (None, "") and name.startswith("actual"):
                    continue
                try:
                    setattr(d, name, parse_date(b.get(name)))
                except ValueError as exc:
                    errors[name] = [str(exc)]
            if errors:
                refusals.add_errors(it, errors)
                continue
            try:
                validate_dispatch(d)
            except ValidationError as exc:
                refusals.add_errors(it, exc.message_dict)
                continue
            if not may_write_dispatch(user, d):
                refusals.add(it, "from_org", _("you may not record dispatches between these organisations"))
                continue
            it.target = d

    def apply(self, user, items):
        records = [it.target for it in items]
        Dispatch.objects.bulk_create(records, batch_size=5000)
        audit_rows([(d, None) for d in records])
        write_receipts(items, records)
