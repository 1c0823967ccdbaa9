"""劳务协作 in the API: workers, jobs, matching both ways, trainings, placements and retention
checks — lists (the pages' filter sets), details and creation (the pages' actions).

Personal information (PIPL): a worker's ID number and phone are written in full and always
answered masked (`id_number`, `phone`); no endpoint answers them in full (the page's reveal,
with its purpose and log, is the only way to see one)."""
import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from xiezuo.core.api.lookups import BodyRefs, PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import MAX_LIMIT, PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, Day, Fen, InSchema, ObjectId, Text
from xiezuo.orgs.api import OrgRef
from xiezuo.orgs.models import Organisation
from xiezuo.regions.actions import get_region
from xiezuo.regions.api import RegionRef

from . import actions, filtersets
from .choices import HouseholdStatus, JobStatus, PlaceKind, skill_names
from .matching import jobs_for, workers_for
from .models import Job, Placement, RetentionCheck, Training, Worker

router = Router(tags=["labour"])


class WorkerOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="masked: the first 6 and last 4 characters only")
    phone: str = Field(description="masked")
    county: RegionRef
    household_status: HouseholdStatus
    skills: list[str]
    preferred_provinces: list[str]
    expected_wage_fen: int
    registered_on: datetime.date
    merged_into: int | None

    @staticmethod
    def resolve_id_number(obj):
        return obj.id_masked

    @staticmethod
    def resolve_phone(obj):
        return obj.phone_masked

    @staticmethod
    def resolve_skills(obj):
        return skill_names(obj.skills)

    @staticmethod
    def resolve_preferred_provinces(obj):
        return obj.province_list

    @staticmethod
    def resolve_merged_into(obj):
        return obj.merged_into_id


class WorkerIn(InSchema):
    county: RegionCode
    name: Text(50)
    id_number: Text(18) = Field(description="in full; checked with its check digit; never answered in full")
    phone: Text(20) = ""
    household_status: HouseholdStatus = HouseholdStatus.OTHER
    skills: list[Text(10)] = []
    preferred_provinces: list[Text(2)] = []
    expected_wage_fen: Fen = 0


class WorkerFilter(Schema):
    region: RegionCode | None = None
    household_status: HouseholdStatus | None = None
    skill: Text(10) | None = None
    q: Text(50) | None = None


class JobOut(Schema):
    id: int
    title: str
    employer: OrgRef
    place: RegionRef
    positions: int
    wage_min_fen: int
    wage_max_fen: int
    skills: list[str]
    housing: bool
    occupation_code: str
    status: JobStatus
    posted_on: datetime.date

    @staticmethod
    def resolve_skills(obj):
        return skill_names(obj.skills)


class JobIn(InSchema):
    employer: ObjectId
    title: Text(100)
    place: RegionCode
    positions: int = Field(1, ge=1, le=100000)
    wage_min_fen: Fen
    wage_max_fen: Fen
    skills: list[Text(10)] = []
    housing: bool = False
    occupation_code: Text(20) = ""


class JobFilter(Schema):
    province: Text(2) | None = None
    skill: Text(10) | None = None
    status: JobStatus | None = JobStatus.OPEN
    q: Text(50) | None = None


class JobMatchOut(Schema):
    score: int
    reason: str
    job: JobOut


class WorkerMatchOut(Schema):
    score: int
    reason: str
    worker: WorkerOut


class TrainingOut(Schema):
    id: int
    course: str
    county: RegionRef
    employer: OrgRef
    committed_hires: int
    starts_on: datetime.date
    ends_on: datetime.date


class TrainingIn(InSchema):
    county: RegionCode
    course: Text(100)
    employer: ObjectId
    committed_hires: int = Field(0, ge=0, le=100000)
    starts_on: Day
    ends_on: Day


class PlacementOut(Schema):
    id: int
    worker: int
    worker_name: str
    worker_id_number: str = Field(description="masked")
    county: RegionRef
    employer: OrgRef
    place: RegionRef
    place_kind: PlaceKind
    in_paired_province: bool
    start_date: datetime.date
    end_date: datetime.date | None
    occupation_code: str
    monthly_wage_fen: int
    client_id: str | None

    @staticmethod
    def resolve_worker(obj):
        return obj.worker_id

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.name

    @staticmethod
    def resolve_worker_id_number(obj):
        return obj.worker.id_masked


class PlacementIn(InSchema):
    worker: ObjectId
    employer: ObjectId
    place: RegionCode
    start_date: Day
    job: ObjectId | None = None
    occupation_code: Text(20) = ""
    monthly_wage_fen: Fen = 0
    client_id: Text(64) | None = None


class PlacementFilter(Schema):
    region: RegionCode | None = None
    place_kind: PlaceKind | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    missed_check: bool = False


class CheckOut(Schema):
    id: int
    placement: int
    milestone: int
    checked_on: datetime.date
    employed: bool
    wage_months: int
    note: str

    @staticmethod
    def resolve_placement(obj):
        return obj.placement_id


class CheckIn(InSchema):
    placement: ObjectId
    milestone: int = Field(ge=1, le=12)
    checked_on: Day
    employed: bool
    wage_months: int = Field(0, ge=0, le=12)
    note: Text(200) = ""


def _region(code):
    return get_region(code, field="region") if code else None


def _workers_qs():
    return Worker.objects.select_related("county")


def _placements_qs():
    return Placement.objects.select_related("worker", "county", "place", "employer")


class RankParams(Schema):
    limit: int = Field(20, ge=1, le=2**31 - 1, description=f"how many, best first: more than {MAX_LIMIT} are served as {MAX_LIMIT}",
                       json_schema_extra={"x-served-maximum": MAX_LIMIT})


# --- workers --------------------------------------------------------------------------------


@router.get("/workers", response={200: page_of(WorkerOut), **ERRORS}, summary="List workers")
def list_workers(request, filters: Query[WorkerFilter], page: Query[PageParams]):
    qs = filtersets.workers(request.auth, region=_region(filters.region), household_status=filters.household_status or "",
                            skill=filters.skill or "", q=filters.q or "")
    return paginate(qs, page)


@router.get("/workers/{worker_id}", response={200: WorkerOut, **ERRORS}, summary="Get a worker")
def get_worker(request, worker_id: PathId):
    return visible_or_404(request.auth, _workers_qs(), worker_id, "worker")


@router.post("/workers", response={201: WorkerOut, **ERRORS}, summary="Register a worker")
def post_worker(request, payload: WorkerIn):
    """An editor of the western county (or an office above it). The same ID number already
    registered in the county is refused; in another county it is registered and listed for merging."""
    require_writer(request.auth)
    county = get_region(payload.county, field="county")
    values = payload.dict()
    values["county"] = county
    values["household_status"] = payload.household_status.value
    w = actions.register_worker(request.auth, **values)
    return Status(201, _workers_qs().get(pk=w.pk))


@router.get("/workers/{worker_id}/jobs", response={200: list[JobMatchOut], **ERRORS}, summary="Jobs ranked for a worker")
def worker_jobs(request, worker_id: PathId, ranked: Query[RankParams]):
    """The open jobs best for the worker, best first, each with its score (0–100) and reason."""
    w = visible_or_404(request.auth, _workers_qs(), worker_id, "worker")
    return [{"score": m.score, "reason": m.reason, "job": m.obj} for m in jobs_for(w, limit=min(ranked.limit, MAX_LIMIT))]


# --- jobs -------------------------------------------------------------------------------------


@router.get("/jobs", response={200: page_of(JobOut), **ERRORS}, summary="List jobs")
def list_jobs(request, filters: Query[JobFilter], page: Query[PageParams]):
    qs = filtersets.jobs(request.auth, province=filters.province or "", skill=filters.skill or "",
                         status=filters.status.value if filters.status else "", q=filters.q or "")
    return paginate(qs, page)


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="Get a job")
def get_job(request, job_id: PathId):
    return visible_or_404(request.auth, Job.objects.select_related("employer", "place"), job_id, "job")


@router.post("/jobs", response={201: JobOut, **ERRORS}, summary="Post a job")
def post_job(request, payload: JobIn):
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    employer = Organisation.objects.filter(pk=payload.employer).first()
    if employer is None:
        refs.errors["employer"] = ["no organisation #%s" % payload.employer]
    place = refs.collect(get_region, payload.place, field="place")
    refs.check()
    values = payload.dict()
    values.update(employer=employer, place=place)
    job = actions.save_job(request.auth, **values)
    return Status(201, Job.objects.select_related("employer", "place").get(pk=job.pk))


@router.get("/jobs/{job_id}/workers", response={200: list[WorkerMatchOut], **ERRORS}, summary="Workers ranked for a job")
def job_workers(request, job_id: PathId, ranked: Query[RankParams]):
    """Among the workers the caller may see, the best for the job, with score and reason."""
    job = visible_or_404(request.auth, Job.objects.select_related("employer", "place"), job_id, "job")
    return [{"score": m.score, "reason": m.reason, "worker": m.obj}
            for m in workers_for(job, Worker.objects.visible_to(request.auth), limit=min(ranked.limit, MAX_LIMIT))]


# --- trainings ------------------------------------------------------------------------------


@router.get("/trainings", response={200: page_of(TrainingOut), **ERRORS}, summary="List order-based trainings")
def list_trainings(request, page: Query[PageParams], region: RegionCode | None = None):
    return paginate(filtersets.trainings(request.auth, region=_region(region)), page)


@router.post("/trainings", response={201: TrainingOut, **ERRORS}, summary="Record an order-based training")
def post_training(request, payload: TrainingIn):
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    county = refs.collect(get_region, payload.county, field="county")
    employer = Organisation.objects.filter(pk=payload.employer).first()
    if employer is None:
        refs.errors["employer"] = ["no organisation #%s" % payload.employer]
    refs.check()
    values = payload.dict()
    values.update(county=county, employer=employer)
    t = actions.save_training(request.auth, **values)
    return Status(201, Training.objects.select_related("county", "employer").get(pk=t.pk))


# --- placements and checks ---------------------------------------------------------------------


@router.get("/placements", response={200: page_of(PlacementOut), **ERRORS}, summary="List placements")
def list_placements(request, filters: Query[PlacementFilter], page: Query[PageParams]):
    """A western office sees the placements of its workers; an eastern office those whose
    place of work is in its area."""
    qs = filtersets.placements(request.auth, region=_region(filters.region),
                               place_kind=filters.place_kind.value if filters.place_kind else "", year=filters.year,
                               missed_check=filters.missed_check)
    return paginate(qs, page)


@router.get("/placements/{placement_id}", response={200: PlacementOut, **ERRORS}, summary="Get a placement")
def get_placement(request, placement_id: PathId):
    return visible_or_404(request.auth, _placements_qs(), placement_id, "placement")


@router.post("/placements", response={201: PlacementOut, **ERRORS}, summary="Record a placement")
def post_placement(request, payload: PlacementIn):
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    worker = refs.visible_obj(_workers_qs(), payload.worker, "worker", "worker")
    employer = Organisation.objects.filter(pk=payload.employer).first()
    if employer is None:
        refs.errors["employer"] = ["no organisation #%s" % payload.employer]
    place = refs.collect(get_region, payload.place, field="place")
    job = Job.objects.filter(pk=payload.job).first() if payload.job else None
    refs.check()
    values = payload.dict()
    values.update(worker=worker, employer=employer, place=place, job=job)
    p = actions.record_placement(request.auth, **values)
    return Status(201, _placements_qs().get(pk=p.pk))


@router.get("/checks", response={200: page_of(CheckOut), **ERRORS}, summary="List retention checks")
def list_checks(request, page: Query[PageParams], region: RegionCode | None = None):
    return paginate(filtersets.checks(request.auth, region=_region(region)), page)


@router.post("/checks", response={201: CheckOut, **ERRORS}, summary="Record a retention check")
def post_check(request, payload: CheckIn):
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    placement = refs.visible_obj(_placements_qs(), payload.placement, "placement", "placement")
    refs.check()
    values = payload.dict()
    values["placement"] = placement
    c = actions.record_check(request.auth, **values)
    return Status(201, RetentionCheck.objects.get(pk=c.pk))


__all__ = ["router", "get_object_or_404"]
