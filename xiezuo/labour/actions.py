"""Every change of state of 劳务协作: workers (one or a batch, de-duplicated by ID number),
the audited merge of a duplicate, jobs, trainings and enrolments, referrals and their
outcomes, placements and retention checks (batches, as the ingestion needs), subsidy rules
and subsidy payments through the ledger."""
import datetime
import operator
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.core.audit import record_update, snapshot
from xiezuo.core.arrays import any_of
from xiezuo.core.bulkaudit import AuditWriter, snapshot_fields
from xiezuo.core.bulkrows import chunks, insert_rows, reserve_ids, select
from xiezuo.core.context import action
from xiezuo.core.errors import BatchRefused, PermissionDenied, ValidationError, field_error
from xiezuo.core.facts import changed
from xiezuo.core.personal.crypto import blind_index, encrypt
from xiezuo.core.personal.masking import mask_id_number, mask_phone
from xiezuo.core.scoping import can_see
from xiezuo.ledger import actions as ledger
from xiezuo.orgs.models import Organisation
from xiezuo.projects.models import Project
from xiezuo.regions.models import Region
from xiezuo.users.scopes import client_namespace

from . import due, duecounts, refs, rules, totals
from .choices import MILESTONES, WORKER_KINDS, JobStatus, Outcome, PlaceKind, SubsidyKind, skill_mask
from .models import (Enrolment, Job, Placement, Referral, RetentionCheck, SubsidyPayment, SubsidyRule, Training, Worker,
                     add_months)

# --- workers ------------------------------------------------------------------------


@dataclass
class WorkerRow:
    county: Region
    name: str
    id_number: str
    phone: str = ""
    household_status: str = "other"
    skills: list = field(default_factory=list)
    preferred_provinces: list = field(default_factory=list)
    expected_wage_fen: int = 0
    registered_on: datetime.date | None = None
    is_demo: bool = False


def _worker_errors(user, row: WorkerRow) -> tuple[dict, str, str]:
    errors = {}
    if not isinstance(row.county, Region) or not rules.is_west_county(row.county):
        errors["county"] = [_("workers are registered by a western county")]
    elif not rules.may_keep_worker(user, row.county.code):
        errors["county"] = [_("you may not register workers of %(c)s") % {"c": row.county.name}]
    if not (row.name or "").strip():
        errors["name"] = [_("a name is required")]
    elif len(row.name.strip()) > 50:
        errors["name"] = [_("a name has at most 50 characters")]
    number, problem = rules.check_id_number(row.id_number)
    if problem:
        errors["id_number"] = [problem]
    phone, problem = rules.check_phone(row.phone)
    if problem:
        errors["phone"] = [problem]
    problem = rules.status_error(row.household_status)
    if problem:
        errors["household_status"] = [problem]
    problem = rules.skills_error(row.skills)
    if problem:
        errors["skills"] = [problem]
    if row.preferred_provinces:
        problem = rules.provinces_error(row.preferred_provinces)
        if problem:
            errors["preferred_provinces"] = [problem]
    if isinstance(row.expected_wage_fen, bool) or not isinstance(row.expected_wage_fen, int) or not 0 <= row.expected_wage_fen <= 10**9:
        errors["expected_wage_fen"] = [_("the expected wage is a whole number of fen, at least 0")]
    return errors, number, phone


def check_workers(user, rows: list[WorkerRow]) -> tuple[dict, list]:
    """({position: {field: [reason]}}, [(number, phone, index)]): the same ID number twice
    in the batch, or already registered in the same county, is refused naming the other."""
    refused, prepared, first_at = {}, [], {}
    for i, row in enumerate(rows):
        errors, number, phone = _worker_errors(user, row)
        index = blind_index("id", number) if "id_number" not in errors else ""
        if index:
            if index in first_at:
                errors.setdefault("id_number", []).append(
                    _("the same ID number is at position %(i)d of this batch") % {"i": first_at[index] + 1})
            else:
                first_at[index] = i
        prepared.append((number, phone, index))
        if errors:
            refused[i] = errors
    by_county = {}
    for i, (row, (_n, _p, index)) in enumerate(zip(rows, prepared)):
        if index and isinstance(row.county, Region):
            by_county.setdefault(row.county.pk, {})[index] = i
    wanted = [index for indexes in by_county.values() for index in indexes]
    for start in range(0, len(wanted), 2000):  # one query per 2,000 numbers, whatever the counties
        for pk, county_id, index in Worker.objects.filter(merged_into__isnull=True, id_index__in=wanted[start:start + 2000]) \
                .values_list("pk", "county_id", "id_index"):
            position = by_county.get(county_id, {}).get(index)
            if position is not None:
                refused.setdefault(position, {}).setdefault("id_number", []).append(
                    _("this ID number is already registered in this county (worker #%(pk)d)") % {"pk": pk})
    return refused, prepared


@action
def register_workers(user, rows: list[WorkerRow]) -> list[Worker]:
    """Register new workers, all or none. Refused: BatchRefused naming each refused row."""
    refused, prepared = check_workers(user, rows)
    if refused:
        raise BatchRefused(refused)
    today = timezone.localdate()
    ids = reserve_ids(Worker, len(rows))
    workers = []
    for pk, row, (number, phone, index) in zip(ids, rows, prepared):
        workers.append(Worker(
            pk=pk, county=row.county, name=row.name.strip(), id_number=number, id_index=index, id_masked=mask_id_number(number),
            phone=phone, phone_index=blind_index("phone", phone), phone_masked=mask_phone(phone),
            household_status=str(row.household_status), skills=skill_mask(row.skills),
            preferred_provinces=",".join(row.preferred_provinces), expected_wage_fen=row.expected_wage_fen,
            registered_on=row.registered_on or today, is_demo=row.is_demo))
    _link_members(workers)
    # set-based: rows appended with COPY (ids reserved above, so nothing is read back); the
    # ID number and phone encrypted here as the field would encrypt them on a save
    cols = [f.attname for f in Worker._meta.concrete_fields]
    secret = {"id_number", "phone"}
    try:
        with transaction.atomic():
            insert_rows(Worker, cols, ([encrypt(getattr(w, c)) if c in secret else getattr(w, c) for c in cols] for w in workers))
    except (IntegrityError, psycopg.errors.IntegrityError) as exc:  # a concurrent registration of the same number in the county
        raise field_error("id_number", _("this ID number was registered in this county meanwhile")) from exc
    audit = AuditWriter()
    names = snapshot_fields(Worker)
    for w in workers:
        w._state.adding, w._state.db = False, "default"
        audit.add(Worker, w.pk, str(w), w.county.code, "", None, {n: getattr(w, n) for n in names}, names=names)
    audit.write()
    return workers


def _link_members(workers):
    """Link each worker to the registry's member with the same ID number (same keyed hash)."""
    from xiezuo.households.models import Member

    indexes = {w.id_index for w in workers if w.id_index}
    found = {}
    for i in range(0, len(indexes), 2000):
        part = list(indexes)[i:i + 2000]
        found.update(Member.objects.filter(id_index__in=part).values_list("id_index", "pk"))
    for w in workers:
        w.member_id = found.get(w.id_index)


def register_worker(user, **values) -> Worker:
    try:
        return register_workers(user, [WorkerRow(**values)])[0]
    except BatchRefused as exc:
        raise ValidationError(exc.refused[0]) from None


WORKER_FIELDS = ("name", "phone", "household_status", "skills", "preferred_provinces", "expected_wage_fen")


@action
def update_worker(user, worker: Worker, **values) -> Worker:
    """Change what may change of a worker (the ID number and county stay: a wrong number is a
    new registration and a merge)."""
    unknown = set(values) - set(WORKER_FIELDS)
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    worker = Worker.objects.select_for_update().select_related("county").get(pk=worker.pk)
    if not rules.may_keep_worker(user, worker.county.code):
        raise PermissionDenied(_("you may not change this worker"))
    row = WorkerRow(county=worker.county, name=values.get("name", worker.name), id_number=worker.id_number,
                    phone=values.get("phone", worker.phone), household_status=values.get("household_status", worker.household_status),
                    skills=values.get("skills", worker.skill_list), preferred_provinces=values.get("preferred_provinces", worker.province_list),
                    expected_wage_fen=values.get("expected_wage_fen", worker.expected_wage_fen))
    errors, _number, phone = _worker_errors(user, row)
    if errors:
        raise ValidationError(errors)
    worker.name = row.name.strip()
    worker.phone, worker.phone_index, worker.phone_masked = phone, blind_index("phone", phone), mask_phone(phone)
    worker.household_status = row.household_status
    worker.skills = skill_mask(row.skills)
    worker.preferred_provinces = ",".join(row.preferred_provinces)
    worker.expected_wage_fen = row.expected_wage_fen
    worker.save()
    return worker


def duplicates(user):
    """Groups of live registrations sharing an ID number, at least one of them the user's:
    [(id_index, [workers])]. Found by the keyed hash, no row decrypted."""
    from django.db.models import Count

    mine = Worker.objects.visible_to(user).filter(merged_into__isnull=True).values("id_index")
    shared = (Worker.objects.filter(merged_into__isnull=True, id_index__in=mine).values("id_index")
              .annotate(n=Count("id")).filter(n__gt=1).values_list("id_index", flat=True))
    groups = {}
    for w in Worker.objects.filter(merged_into__isnull=True, id_index__in=list(shared[:500])).select_related("county").order_by(
            "id_index", "registered_on", "pk"):
        groups.setdefault(w.id_index, []).append(w)
    return list(groups.items())


@action
def merge_workers(user, *, keep: Worker, drop: Worker, reason: str = "") -> Worker:
    """Merge a duplicate registration into the one kept: the dropped worker's placements,
    referrals, enrolments and subsidies move to the kept one, the dropped one is marked
    merged (`merged_into`); every change is in the audit log. The dropped worker's county
    office decides (or one above it); it must be able to see the kept one."""
    keep = Worker.objects.select_for_update().select_related("county").get(pk=keep.pk)
    drop = Worker.objects.select_for_update().select_related("county").get(pk=drop.pk)
    if keep.pk == drop.pk:
        raise field_error("drop", _("a worker cannot be merged into itself"))
    if keep.id_index != drop.id_index:
        raise field_error("drop", _("only registrations of the same ID number are merged"))
    if drop.merged_into_id or keep.merged_into_id:
        raise field_error("drop", _("this registration was already merged"))
    if not rules.may_keep_worker(user, drop.county.code) and not rules.may_keep_worker(user, keep.county.code):
        raise PermissionDenied(_("you may not merge these registrations"))
    clash = set(SubsidyPayment.objects.filter(worker=keep).values_list("kind", "year")) & set(
        SubsidyPayment.objects.filter(worker=drop).values_list("kind", "year"))
    if clash:
        raise field_error("drop", _("both registrations were paid the same subsidy in the same year: %(c)s; reverse one first") % {
            "c": ", ".join(f"{k} {y}" for k, y in sorted(clash))})
    counted = totals.contributions([keep.pk, drop.pk])  # the placements move: the figures follow them
    moved = list(Placement.objects.filter(worker=drop).values_list("county_id", "next_check_due"))
    for model in (Placement, Referral, Enrolment, SubsidyPayment):
        for obj in model.objects.filter(worker=drop):
            obj.worker = keep
            if model is Placement:
                obj.county = keep.county
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError:
                raise field_error("drop", _("both registrations hold the same %(what)s; remove one first") % {
                    "what": model._meta.verbose_name}) from None
    before = snapshot(drop)
    drop.merged_into = keep
    drop.save()
    record_update(drop, before, {**snapshot(drop), "merge_reason": (reason or "")[:200]})
    totals.recount(counted, [keep.pk, drop.pk])
    if moved:  # their next check days now count in the kept worker's county
        duecounts.add([(county_id, day, None) for county_id, day in moved] + [(keep.county_id, None, day) for _c, day in moved])
    return keep


# --- jobs, trainings, referrals ------------------------------------------------------------


JOB_FIELDS = ("employer", "title", "place", "positions", "wage_min_fen", "wage_max_fen", "skills", "housing",
              "occupation_code", "status", "posted_on", "is_demo")


@action
def save_job(user, instance: Job | None = None, **values) -> Job:
    unknown = set(values) - set(JOB_FIELDS)
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    if instance is not None:
        instance = Job.objects.select_for_update().select_related("employer__region", "place").get(pk=instance.pk)
        if not rules.may_write_job(user, instance.employer.region.code, instance.place.code):
            raise PermissionDenied(_("you may not change this job"))
    job = instance or Job()
    if "skills" in values:
        problem = rules.skills_error(values["skills"])
        if problem:
            raise field_error("skills", problem)
        values["skills"] = skill_mask(values["skills"])
    for k, v in values.items():
        setattr(job, k, v)
    errors = {}
    if not (job.title or "").strip():
        errors["title"] = [_("a title is required")]
    if not isinstance(getattr(job, "employer", None), Organisation):
        errors["employer"] = [_("an employer is required")]
    if not isinstance(getattr(job, "place", None), Region):
        errors["place"] = [_("a place of work is required")]
    if job.wage_min_fen < 0 or job.wage_max_fen < job.wage_min_fen:
        errors["wage_max_fen"] = [_("the wage range runs from a lower to a higher amount")]
    if not job.positions or job.positions < 1:
        errors["positions"] = [_("at least one position")]
    if job.status not in JobStatus.values:
        errors["status"] = [_("unknown status")]
    if errors:
        raise ValidationError(errors)
    if not rules.may_write_job(user, job.employer.region.code, job.place.code):
        raise PermissionDenied(_("you may post jobs only for employers or places in your own area"))
    job.province_code = job.place.province_code
    job.save()
    return job


@action
def save_training(user, instance: Training | None = None, **values) -> Training:
    t = instance or Training()
    for k, v in values.items():
        if k not in ("county", "course", "employer", "committed_hires", "starts_on", "ends_on", "is_demo"):
            raise field_error(k, _("unknown field"))
        setattr(t, k, v)
    errors = {}
    if not (t.course or "").strip():
        errors["course"] = [_("a course is required")]
    if not rules.is_west_county(getattr(t, "county", None)):
        errors["county"] = [_("an order-based training is held for a western county")]
    if not isinstance(getattr(t, "employer", None), Organisation):
        errors["employer"] = [_("the employer that committed to hire is required")]
    if t.starts_on and t.ends_on and t.ends_on < t.starts_on:
        errors["ends_on"] = [_("the end is on or after the start")]
    if errors:
        raise ValidationError(errors)
    if not (rules.may_keep_worker(user, t.county.code) or rules.may_keep_worker(user, t.employer.region.code)):
        raise PermissionDenied(_("you may not record this training"))
    t.save()
    return t


@action
def enrol(user, training: Training, worker: Worker, *, days_attended=0, certificate_no="") -> Enrolment:
    if not rules.may_keep_worker(user, worker.county.code):
        raise PermissionDenied(_("you may not enrol this worker"))
    if days_attended < 0 or days_attended > (training.ends_on - training.starts_on).days + 1:
        raise field_error("days_attended", _("more days than the course lasts"))
    e, _created = Enrolment.objects.get_or_create(training=training, worker=worker)
    e.days_attended, e.certificate_no = days_attended, (certificate_no or "").strip()[:40]
    e.save()
    return e


@action
def refer(user, worker: Worker, job: Job, *, reason="", on=None) -> Referral:
    """An office refers its worker to a job (人岗对接)."""
    if not rules.may_keep_worker(user, worker.county.code):
        raise PermissionDenied(_("you may refer only the workers of your own area"))
    if job.status != JobStatus.OPEN:
        raise field_error("job", _("this job is closed"))
    if Referral.objects.filter(worker=worker, job=job).exists():
        raise field_error("job", _("this worker was already referred to this job"))
    return Referral.objects.create(worker=worker, job=job, referred_on=on or timezone.localdate(), reason=reason[:200])


@action
def record_outcome(user, referral: Referral, outcome: str, on=None) -> Referral:
    referral = Referral.objects.select_for_update().select_related("worker__county").get(pk=referral.pk)
    if not rules.may_keep_worker(user, referral.worker.county.code):
        raise PermissionDenied(_("you may not change this referral"))
    if outcome not in Outcome.values:
        raise field_error("outcome", _("unknown outcome"))
    referral.outcome, referral.outcome_on = outcome, on or timezone.localdate()
    referral.save()
    return referral


# --- placements and retention checks (batches) -------------------------------------------------


@dataclass
class PlacementRow:
    worker: Worker
    employer: Organisation
    place: Region
    start_date: datetime.date
    job: Job | None = None
    occupation_code: str = ""
    monthly_wage_fen: int = 0
    end_date: datetime.date | None = None
    client_id: str | None = None
    is_demo: bool = False


def _occupation_error(code: str) -> str | None:
    """The 2022 national occupation classification writes a detailed occupation as
    major-middle-minor-detail, e.g. 6-18-02-01 (a digit, then two-digit groups)."""
    import re

    if code and not re.fullmatch(r"[1-8](-\d{2}){1,3}", code):
        return _("an occupation code of the 2022 classification looks like 6-18-02-01")
    return None


def check_placements(user, rows: list[PlacementRow]) -> dict:
    """{position: {field: [reasons]}} of the refused rows. Rows hold models (a single write)
    or `refs` (a batch): the rules read the same attributes of both. Set-based: the
    permission per county and the occupation code per code are decided once per batch, the
    placements already recorded are probed with one query."""
    refused = {}
    today = timezone.localdate()
    ns = client_namespace(user)
    seen = {}
    may_keep, occupation = {}, {}
    for i, r in enumerate(rows):
        e = {}
        if not isinstance(r.worker, (Worker, refs.WorkerRef)) or r.worker.merged_into_id:
            e["worker"] = [_("a live worker registration is required")]
        else:
            code = r.worker.county.code
            allowed = may_keep.get(code)
            if allowed is None:
                allowed = may_keep[code] = rules.may_keep_worker(user, code)
            if not allowed:
                e["worker"] = [_("you may record placements only of your own area's workers")]
        if not isinstance(r.employer, (Organisation, refs.OrgRef)):
            e["employer"] = [_("an employer is required")]
        if not isinstance(r.place, (Region, refs.RegionRef)) or r.place.level != "county":
            e["place"] = [_("the place of work is a county (a six-digit code)")]
        if not isinstance(r.start_date, datetime.date) or r.start_date > today or r.start_date.year < 2000:
            e["start_date"] = [_("the start date is a day not in the future")]
        elif r.end_date is not None and r.end_date < r.start_date:
            e["end_date"] = [_("the end is on or after the start")]
        code = r.occupation_code or ""
        if code not in occupation:
            occupation[code] = _occupation_error(code)
        if occupation[code]:
            e["occupation_code"] = [occupation[code]]
        if isinstance(r.monthly_wage_fen, bool) or not isinstance(r.monthly_wage_fen, int) or not 0 <= r.monthly_wage_fen <= 10**9:
            e["monthly_wage_fen"] = [_("the monthly wage is a whole number of fen, at least 0")]
        if not e:
            key = (r.worker.pk, r.employer.pk, r.start_date)
            if key in seen:
                e["worker"] = [_("the same placement is at position %(i)d of this batch") % {"i": seen[key] + 1}]
            seen[key] = i
        if e:
            refused[i] = e
    keys = {(r.worker.pk, r.employer.pk, r.start_date): i for i, r in enumerate(rows) if i not in refused}
    if keys:
        for w, emp, day in placed_before({k[0] for k in keys}):
            if (w, emp, day) in keys:
                refused.setdefault(keys[(w, emp, day)], {})["worker"] = [_("this placement is already recorded")]
    ids = {r.client_id: i for i, r in enumerate(rows) if r.client_id}
    if ids:
        where, params = any_of("client_id", list(ids))
        for (cid,) in select(f"SELECT client_id FROM labour_placement WHERE client_ns = %s AND {where}", [ns, *params]):
            refused.setdefault(ids[cid], {})["client_id"] = [_("client id %(id)s is already used") % {"id": cid}]
    _check_references(rows, refused)
    return refused


# (field, table, the row's id of it): what a placement names, with no foreign key in the
# database to answer for it (see `Placement`)
_REFERENCES = (
    ("worker", "labour_worker", lambda r: r.worker.pk),
    ("worker", "regions_region", lambda r: r.worker.county.pk),  # the registering county, copied to the row
    ("employer", "orgs_organisation", lambda r: r.employer.pk),
    ("place", "regions_region", lambda r: r.place.pk),
    ("job", "labour_job", lambda r: r.job.pk if r.job is not None else None),
)


def _check_references(rows, refused) -> None:
    """Every row the batch would write names rows that exist: one query per table over the
    distinct ids, which on PostgreSQL also takes the lock a foreign key takes (FOR KEY SHARE,
    in id order) so that none of them can be deleted before the batch commits (the delete
    guards of migration 0005 then see the placements naming them). A row naming one that
    does not exist is refused naming it, and nothing is written."""
    wanted = {}  # table → {id: [(position, field)]}
    for i, r in enumerate(rows):
        if i in refused:
            continue
        for name, table, ref in _REFERENCES:
            pk = ref(r)
            if pk is not None or name != "job":
                wanted.setdefault(table, {}).setdefault(pk, []).append((i, name))
    lock = " ORDER BY id FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    for table, by_id in wanted.items():
        ids = [pk for pk in by_id if isinstance(pk, int)]
        found = set()
        for part in ([ids] if lock else chunks(ids)):
            where, params = any_of("id", sorted(part), "bigint")
            found.update(pk for (pk,) in select(f"SELECT id FROM {table} WHERE {where}{lock}", params))
        for pk, uses in by_id.items():
            if pk not in found:
                for i, name in uses:
                    refused.setdefault(i, {}).setdefault(name, []).append(_("#%(id)s does not exist") % {"id": pk})


def placed_before(worker_ids) -> list[tuple]:
    """[(worker id, employer id, start date)] of the placements already recorded for these
    workers (one query through the (worker, employer, start date) index)."""
    where, params = any_of("worker_id", sorted(worker_ids), "bigint")
    rows = select(f"SELECT worker_id, employer_id, start_date FROM labour_placement WHERE {where}", params)
    return [(w, e, datetime.date.fromisoformat(d) if isinstance(d, str) else d) for w, e, d in rows]


def write_placements(user, rows: list[PlacementRow], *, audit=True) -> list[int]:
    """Append placements checked by `check_placements` in this transaction, with set-based
    writes; their ids. A new placement has no checks: its next check is the first milestone
    unless it ended before that was due (`due.first_due`)."""
    ids = reserve_ids(Placement, len(rows))
    ns = client_namespace(user)
    cols = ("id", "worker_id", "county_id", "employer_id", "job_id", "place_id", "place_kind", "in_paired_province",
            "start_date", "end_date", "occupation_code", "monthly_wage_fen", "client_id", "client_ns", "is_demo", "next_check_due")
    out = []
    kinds, paired, first = {}, {}, {}  # per (county, place), (county, place, year), (start, end): a batch repeats them
    for pk, r in zip(ids, rows):
        county = r.worker.county
        pair = (county.code, r.place.code)
        kind = kinds.get(pair)
        if kind is None:
            kind = kinds[pair] = str(rules.place_kind(*pair).value)
        key = (pair, r.start_date.year)
        in_paired = paired.get(key)
        if in_paired is None:
            in_paired = paired[key] = rules.in_paired_province(*pair, r.start_date)
        span = (r.start_date, r.end_date)
        if span not in first:
            first[span] = due.first_due(*span)
        out.append((pk, r.worker.pk, county.pk, r.employer.pk, r.job.pk if r.job else None, r.place.pk, kind, in_paired,
                    r.start_date, r.end_date, r.occupation_code or "", r.monthly_wage_fen, r.client_id or None,
                    ns if r.client_id else 0, r.is_demo, first[span]))
    facts = [(r.worker.pk, r.start_date, r.worker.county.code, r.place.code, row[7]) for r, row in zip(rows, out)]
    before = totals.existing_placements({f[0] for f in facts}, {f[1].year for f in facts})
    insert_rows(Placement, cols, out)
    totals.count_placements(facts, before)
    duecounts.add((row[2], None, row[-1]) for row in out)
    if audit:
        writer = AuditWriter()
        names = snapshot_fields(Placement)
        pick = operator.itemgetter(*[cols.index(n) for n in names])
        for row, r in zip(out, rows):
            writer.add(Placement, row[0], f"{r.worker.name} → {r.employer.name}", r.worker.county.code, r.place.code, None,
                       dict(zip(names, pick(row))), names=names)
        writer.write()
    codes = {r.worker.county.code for r in rows}
    if rows:
        changed(codes, min(r.start_date for r in rows), sender=Placement)
    return ids


@action
def record_placements(user, rows: list[PlacementRow]) -> list[int]:
    refused = check_placements(user, rows)
    if refused:
        raise BatchRefused(refused)
    return write_placements(user, rows)


def record_placement(user, **values) -> Placement:
    try:
        pk = record_placements(user, [PlacementRow(**values)])[0]
    except BatchRefused as exc:
        raise ValidationError(exc.refused[0]) from None
    return Placement.objects.select_related("worker", "county", "place", "employer").get(pk=pk)


@dataclass
class CheckRow:
    placement: Placement
    milestone: int
    checked_on: datetime.date
    employed: bool
    wage_months: int = 0
    note: str = ""
    client_id: str | None = None


def check_checks(user, rows: list[CheckRow]) -> dict:
    """{position: {field: [reasons]}} of the refused rows; a row's placement is a model (a
    single write) or a `refs.PlacementRef` (a batch), read alike."""
    refused, seen, may_write = {}, {}, {}
    today = timezone.localdate()
    ns = client_namespace(user)
    for i, r in enumerate(rows):
        e = {}
        p = r.placement
        if not isinstance(p, (Placement, refs.PlacementRef)):
            e["placement"] = [_("a placement is required")]
        else:
            key = (p.county.code, p.place.code)
            allowed = may_write.get(key)
            if allowed is None:
                allowed = may_write[key] = rules.may_write_check(user, *key)
            if not allowed:
                e["placement"] = [_("you may not record checks of this placement")]
        if r.milestone not in MILESTONES:
            e["milestone"] = [_("a retention check is made at 3, 6 or 12 months")]
        if not isinstance(r.checked_on, datetime.date) or r.checked_on > today:
            e["checked_on"] = [_("the check's day is not in the future")]
        elif isinstance(p, (Placement, refs.PlacementRef)) and r.checked_on < p.start_date:
            e["checked_on"] = [_("the check is after the start of the placement")]
        if not isinstance(r.wage_months, int) or not 0 <= r.wage_months <= 12 or (r.milestone in MILESTONES and r.wage_months > r.milestone):
            e["wage_months"] = [_("months of wage transfers: 0 up to the months since the start")]
        if not isinstance(r.employed, bool):
            e["employed"] = [_("still employed: yes or no")]
        if not e:
            key = (p.pk, r.milestone)
            if key in seen:
                e["milestone"] = [_("the same check is at position %(i)d of this batch") % {"i": seen[key] + 1}]
            seen[key] = i
        if e:
            refused[i] = e
    keys = {(r.placement.pk, r.milestone): i for i, r in enumerate(rows) if i not in refused}
    if keys:
        where, params = any_of("placement_id", sorted({k[0] for k in keys}), "bigint")
        for pk, m in select(f"SELECT placement_id, milestone FROM labour_retentioncheck WHERE {where}", params):
            if (pk, m) in keys:
                refused.setdefault(keys[(pk, m)], {})["milestone"] = [_("this check is already recorded")]
    ids = {r.client_id: i for i, r in enumerate(rows) if r.client_id}
    if ids:
        where, params = any_of("client_id", list(ids))
        for (cid,) in select(f"SELECT client_id FROM labour_retentioncheck WHERE client_ns = %s AND {where}", [ns, *params]):
            refused.setdefault(ids[cid], {})["client_id"] = [_("client id %(id)s is already used") % {"id": cid}]
    return refused


def write_checks(user, rows: list[CheckRow], *, audit=True) -> list[int]:
    ids = reserve_ids(RetentionCheck, len(rows))
    ns = client_namespace(user)
    cols = ("id", "placement_id", "milestone", "checked_on", "employed", "wage_months", "note", "client_id", "client_ns")
    out = [(pk, r.placement.pk, r.milestone, r.checked_on, r.employed, r.wage_months, (r.note or "")[:200], r.client_id or None,
            ns if r.client_id else 0) for pk, r in zip(ids, rows)]
    placements = {r.placement.pk for r in rows}
    due.lock(placements)
    insert_rows(RetentionCheck, cols, out)
    due.refresh(placements)
    totals.count_checks([(r.placement.start_date, r.placement.county.code, r.placement.place.code, r.milestone, r.employed)
                         for r in rows])
    if audit:
        writer = AuditWriter()
        names = snapshot_fields(RetentionCheck)
        for row, r in zip(out, rows):
            values = dict(zip(cols, row))
            writer.add(RetentionCheck, row[0], f"#{r.placement.pk} {r.milestone}", r.placement.county.code, r.placement.place.code,
                       None, {n: values[n] for n in names}, names=names)
        writer.write()
    if rows:
        changed({r.placement.county.code for r in rows}, min(r.checked_on for r in rows), sender=RetentionCheck)
    return ids


@action
def record_checks(user, rows: list[CheckRow]) -> list[int]:
    refused = check_checks(user, rows)
    if refused:
        raise BatchRefused(refused)
    return write_checks(user, rows)


def record_check(user, **values) -> RetentionCheck:
    try:
        pk = record_checks(user, [CheckRow(**values)])[0]
    except BatchRefused as exc:
        raise ValidationError(exc.refused[0]) from None
    return RetentionCheck.objects.get(pk=pk)


@action
def set_end_date(user, placement: Placement, end_date: datetime.date | None) -> Placement:
    """Record the day a placement ended (None: it goes on). Its next check follows: a
    placement that ended before a milestone was due owes no check at it."""
    placement = Placement.objects.select_for_update().select_related("county", "place", "worker").get(pk=placement.pk)
    if not rules.may_keep_worker(user, placement.county.code):
        raise PermissionDenied(_("you may change placements only of your own area's workers"))
    if end_date is not None and (not isinstance(end_date, datetime.date) or end_date < placement.start_date):
        raise field_error("end_date", _("the end is on or after the start"))
    if end_date != placement.end_date:
        placement.end_date = end_date
        placement.save(update_fields=["end_date"])
        due.refresh([placement.pk])
        placement.refresh_from_db(fields=["next_check_due"])
        changed({placement.county.code}, placement.start_date, sender=Placement)
    return placement


@action
def delete_check(user, check: RetentionCheck) -> None:
    """Remove a retention check recorded in error: the figures lose it, and the placement owes
    that milestone again."""
    check = RetentionCheck.objects.select_related("placement__county", "placement__place").get(pk=check.pk)
    p = check.placement
    if not rules.may_write_check(user, p.county.code, p.place.code):
        raise PermissionDenied(_("you may not record checks of this placement"))
    Placement.objects.select_for_update().filter(pk=p.pk).first()  # one change of its checks at a time
    check.delete()
    due.refresh([p.pk])
    totals.count_checks([(p.start_date, p.county.code, p.place.code, check.milestone, check.employed)], sign=-1)
    changed({p.county.code}, check.checked_on, sender=RetentionCheck)


# --- subsidies --------------------------------------------------------------------------


RULE_FIELDS = ("county", "year", "kind", "min_months", "max_months", "out_of_province_only", "wage_evidence_months",
               "amount_fen", "percent_of_wages", "cap_fen")


@action
def save_rule(user, instance: SubsidyRule | None = None, **values) -> SubsidyRule:
    rule = instance or SubsidyRule()
    for k, v in values.items():
        if k not in RULE_FIELDS:
            raise field_error(k, _("unknown field"))
        setattr(rule, k, v)
    errors = {}
    if not rules.is_west_county(getattr(rule, "county", None)):
        errors["county"] = [_("subsidy rules are set by a western county")]
    if rule.kind not in SubsidyKind.values:
        errors["kind"] = [_("unknown subsidy")]
    if rule.amount_fen < 0 or (rule.cap_fen is not None and rule.cap_fen < 0):
        errors["amount_fen"] = [_("amounts are at least 0")]
    if rule.percent_of_wages is not None and not (0 < rule.percent_of_wages <= 100):
        errors["percent_of_wages"] = [_("a percentage above 0 and at most 100")]
    if not rule.amount_fen and rule.percent_of_wages is None:
        errors["amount_fen"] = [_("a rule pays an amount or a percentage of wages")]
    if rule.max_months is not None and rule.max_months <= rule.min_months:
        errors["max_months"] = [_("the upper bound of months is above the lower")]
    if errors:
        raise ValidationError(errors)
    if not rules.may_keep_worker(user, rule.county.code):
        raise PermissionDenied(_("you may set subsidy rules only of your own area"))
    rule.save()
    return rule


def months_kept(placement: Placement) -> int:
    """The last retention milestone at which the worker was found still employed (0: none)."""
    return RetentionCheck.objects.filter(placement=placement, employed=True).aggregate(m=Max("milestone"))["m"] or 0


def wage_months(placement: Placement) -> int:
    return RetentionCheck.objects.filter(placement=placement).aggregate(m=Max("wage_months"))["m"] or 0


def eligibility(placement: Placement, kind: str, year: int, claimed_fen: int | None = None) -> tuple[SubsidyRule | None, int, str]:
    """(rule, amount in fen, refusal): what the county's rule of the year pays for this
    placement, read from the rules as data."""
    kept, evidenced = months_kept(placement), wage_months(placement)
    candidates = SubsidyRule.objects.filter(county=placement.county, year=year, kind=kind).order_by("-min_months")
    if not candidates:
        return None, 0, _("%(county)s has no rule for this subsidy in %(year)d") % {"county": placement.county.name, "year": year}
    rule = next((r for r in candidates if kept >= r.min_months and (r.max_months is None or kept < r.max_months)), None)
    if rule is None:
        return None, 0, _("the worker was found employed for %(m)d months, fewer than the rule asks") % {"m": kept}
    if rule.out_of_province_only and placement.place_kind != PlaceKind.OUT_OF_PROVINCE:
        return rule, 0, _("this subsidy is for work outside the province")
    if evidenced < rule.wage_evidence_months:
        return rule, 0, _("the rule asks for %(n)d months of wage transfers, %(m)d are recorded") % {
            "n": rule.wage_evidence_months, "m": evidenced}
    amount = 0
    if rule.percent_of_wages is not None:
        months = max(rule.wage_evidence_months, min(evidenced, 12))
        amount += int(Decimal(placement.monthly_wage_fen * months) * rule.percent_of_wages / 100)
    amount += rule.amount_fen
    if rule.cap_fen is not None:
        amount = min(amount, rule.cap_fen)
    if claimed_fen is not None:
        if claimed_fen <= 0:
            return rule, 0, _("the amount claimed is above zero")
        amount = min(amount, claimed_fen)
    if amount <= 0:
        return rule, 0, _("the rule pays nothing for this placement")
    return rule, amount, ""


@action
def pay_subsidy(user, *, placement: Placement, kind: str, project: Project, paid_on=None, claimed_fen: int | None = None) -> SubsidyPayment:
    """Pay a subsidy for a placement from a labour project's account, as the ledger's spending.

    Once per worker, subsidy and year: the worker's row is locked first, an earlier payment
    refuses the second, and the unique constraint refuses whatever slips past (two requests
    at once on PostgreSQL: the second waits for the lock, then sees the first)."""
    if kind not in SubsidyKind.values:
        raise field_error("kind", _("unknown subsidy"))
    placement = Placement.objects.select_related("county", "place", "worker", "employer").get(pk=placement.pk)
    if not rules.may_keep_worker(user, placement.county.code):
        raise PermissionDenied(_("subsidies are paid by the worker's county office"))
    if not isinstance(project, Project) or project.category != "labour" or project.county_id != placement.county_id:
        raise field_error("project", _("subsidies are paid from a labour cooperation project of the worker's county"))
    paid_on = paid_on or timezone.localdate()
    year = paid_on.year
    worker = Worker.objects.select_for_update(no_key=True).get(pk=placement.worker_id)
    existing = SubsidyPayment.objects.filter(worker=worker, kind=kind, year=year).first()
    if existing is not None:
        raise field_error("kind", _("this subsidy was already paid to this worker in %(y)d (payment #%(pk)d on %(d)s)") % {
            "y": year, "pk": existing.pk, "d": existing.paid_on.isoformat()})
    rule, amount, refusal = eligibility(placement, kind, year, claimed_fen)
    if refusal:
        raise field_error("kind", refusal)
    try:
        with transaction.atomic():
            payment = SubsidyPayment.objects.create(worker=worker, placement=placement, rule=rule, kind=kind, year=year,
                                                    amount_fen=amount, paid_on=paid_on, project=project)
    except IntegrityError:
        raise field_error("kind", _("this subsidy was already paid to this worker in %(y)d") % {"y": year}) from None
    payee = placement.employer.name if kind == SubsidyKind.EMPLOYER else worker.name
    posting = ledger.record_spending(user, project=project, amount_fen=amount, spent_on=paid_on,
                                     idempotency_key=f"labour-{kind}-{year}-{worker.pk}",
                                     memo=_("labour subsidy: %(kind)s to %(payee)s") % {"kind": payment.get_kind_display(), "payee": payee})
    payment.posting = posting
    payment.save(update_fields=["posting"])
    return payment


__all__ = ["WORKER_KINDS", "CheckRow", "PlacementRow", "WorkerRow", "add_months", "can_see"]
