"""Labour placements in bulk: {"type": "placement", "client_id", "worker": id, "employer": id,
"place": "330212", "start_date", "end_date"?, "job": id?, "occupation_code"?, "monthly_wage_fen"?}.

The envelope only: each item read into a `labour.actions.PlacementRow` (the worker must be
one the caller can see; the place a county code; workers, employers and places read as
`labour.refs`, one query each, never decrypting a worker), idempotency by client id, receipts. The
rules and the writing are the labour app's (`check_placements`, `write_placements`, the two
halves of `record_placements`), so a batch checks exactly what one placement checks.
"""
from django.utils.translation import gettext as _

from xiezuo.core.bulkrows import chunks
from xiezuo.labour import refs
from xiezuo.labour.actions import PlacementRow, check_placements, write_placements
from xiezuo.labour.models import Job

from .common import mark_duplicates, parse_date, write_receipts

KNOWN = {"worker", "employer", "place", "start_date", "end_date", "job", "occupation_code", "monthly_wage_fen"}


def _ids(items, name):
    return {it.body[name] for it in items if isinstance(it.body.get(name), int) and not isinstance(it.body.get(name), bool)}


def _load(model_qs, ids):
    out = {}
    for part in chunks(sorted(ids)):
        out.update((o.pk, o) for o in model_qs.filter(pk__in=part))
    return out


class PlacementHandler:
    def check(self, user, items, refusals):
        mark_duplicates(user, items, refusals)
        fresh = [it for it in items if not it.duplicate]
        memo = {}  # the batch's regions, by id and by code
        workers = refs.workers(user, _ids(fresh, "worker"), memo)
        employers = refs.organisations(_ids(fresh, "employer"))
        jobs = _load(Job.objects.all(), _ids(fresh, "job"))
        refs.regions(memo, codes=[it.body.get("place") for it in fresh])
        places = {k: v for k, v in memo.items() if isinstance(k, str)}
        read, rows = [], []
        days = {}  # a batch repeats its dates: each text parsed once

        def day(text):
            if not isinstance(text, str):  # refused, named as sent (a list is no key to remember)
                try:
                    return parse_date(text), None
                except ValueError as exc:
                    return None, str(exc)
            if text not in days:
                try:
                    days[text] = (parse_date(text), None)
                except ValueError as exc:
                    days[text] = (None, str(exc))
            return days[text]

        for it in fresh:
            b, errors = it.body, {}
            if not KNOWN.issuperset(b):
                errors.update({name: [_("unknown field")] for name in b if name not in KNOWN})
            w = b.get("worker")
            worker = workers.get(w) if type(w) is int else None
            if worker is None:
                errors["worker"] = [_("no worker has the id “%(v)s”") % {"v": w}]
            e = b.get("employer")
            employer = employers.get(e) if type(e) is int else None
            if employer is None:
                errors["employer"] = [_("no organisation has the id “%(v)s”") % {"v": e}]
            pl = b.get("place")
            place = places.get(pl) if isinstance(pl, str) else None
            if place is None:
                errors["place"] = [_("no region has the code “%(v)s”") % {"v": pl}]
            job = None
            if b.get("job") is not None:
                job = jobs.get(b["job"]) if type(b["job"]) is int else None
                if job is None:
                    errors["job"] = [_("no job has the id “%(v)s”") % {"v": b.get("job")}]
            start, problem = day(b.get("start_date"))
            if problem:
                errors["start_date"] = [problem]
            end = b.get("end_date")
            if end in (None, ""):
                end = None
            else:
                end, problem = day(end)
                if problem:
                    errors["end_date"] = [problem]
            code = b.get("occupation_code", "")
            if not isinstance(code, str) or len(code) > 20:
                errors["occupation_code"] = [_("an occupation code is text of at most 20 characters")]
            wage = b.get("monthly_wage_fen", 0)
            if errors:
                refusals.add_errors(it, errors)
                continue
            row = PlacementRow(worker=worker, employer=employer, place=place, start_date=start, job=job,
                               occupation_code=code, monthly_wage_fen=wage, end_date=end, client_id=it.client_id)
            read.append(it)
            rows.append(row)
            it.target = row
        for i, errors in check_placements(user, rows).items():
            refusals.add_errors(read[i], errors)

    def apply(self, user, items):
        ids = write_placements(user, [it.target for it in items])
        write_receipts(user, items, ids)
