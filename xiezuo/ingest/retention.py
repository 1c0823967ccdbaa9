"""Retention checks (稳岗回访) in bulk: {"type": "retention_check", "client_id", "placement": id,
"milestone": 3|6|12, "checked_on", "employed": true|false, "wage_months"?, "note"?}.

The envelope only: each item read into a `labour.actions.CheckRow` (the placement must be
one the caller can see: the worker's county or the office where the worker works; read as
`labour.refs.PlacementRef`, one query),
idempotency by client id, receipts; the rules and the writing are the labour app's
(`check_checks`, `write_checks`)."""
from django.utils.translation import gettext as _

from xiezuo.labour import refs
from xiezuo.labour.actions import CheckRow, check_checks, write_checks

from .common import mark_duplicates, parse_date, write_receipts

KNOWN = {"placement", "milestone", "checked_on", "employed", "wage_months", "note"}


class RetentionCheckHandler:
    def check(self, user, items, refusals):
        mark_duplicates(user, items, refusals)
        fresh = [it for it in items if not it.duplicate]
        ids = {it.body["placement"] for it in fresh
               if isinstance(it.body.get("placement"), int) and not isinstance(it.body.get("placement"), bool)}
        placements = refs.placements(user, ids, {})
        read, rows = [], []
        for it in fresh:
            b, errors = it.body, {}
            errors.update({name: [_("unknown field")] for name in b if name not in KNOWN})
            p = placements.get(b.get("placement")) if isinstance(b.get("placement"), int) else None
            if p is None:
                errors["placement"] = [_("no placement has the id “%(v)s”") % {"v": b.get("placement")}]
            milestone, wage_months = b.get("milestone"), b.get("wage_months", 0)
            if not isinstance(milestone, int) or isinstance(milestone, bool):
                errors["milestone"] = [_("a retention check is made at 3, 6 or 12 months")]
            if not isinstance(wage_months, int) or isinstance(wage_months, bool):
                errors["wage_months"] = [_("a whole number of months")]
            if not isinstance(b.get("employed"), bool):
                errors["employed"] = [_("still employed: true or false")]
            note = b.get("note", "")
            if not isinstance(note, str) or len(note) > 200:
                errors["note"] = [_("a note is text of at most 200 characters")]
            try:
                checked_on = parse_date(b.get("checked_on"))
            except ValueError as exc:
                errors["checked_on"] = [str(exc)]
            if errors:
                refusals.add_errors(it, errors)
                continue
            row = CheckRow(placement=p, milestone=milestone, checked_on=checked_on, employed=b["employed"],
                           wage_months=wage_months, note=note, client_id=it.client_id)
            read.append(it)
            rows.append(row)
            it.target = row
        for i, errors in check_checks(user, rows).items():
            refusals.add_errors(read[i], errors)

    def apply(self, user, items):
        ids = write_checks(user, [it.target for it in items])
        write_receipts(user, items, ids)
