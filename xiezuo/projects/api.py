"""Projects (协作项目): the list with its filters, one project with everything it reports, and
the writes — creation, status transitions, milestones, weekly reports, outputs, assets.

A project is found by its code (P + year + county code + sequence). It is visible to the
county's side and to the eastern side of its pairing (`visible`); out of scope it answers 404.
Every write goes through `xiezuo.projects.actions`, which check the permission
(`can_edit_project`) and validate fully before writing: a refused call changes nothing.
"""
import datetime
from typing import Annotated

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from xiezuo.core.api.lookups import BodyRefs, RegionCode, require_writer
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, MAX_BIGINT, MAX_INT, Count, Day, Fen, InSchema, ObjectId, Text
from xiezuo.core.errors import ValidationError
from xiezuo.core.scoping import visible
from xiezuo.orgs.api import OrgRef
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.api import PairingRef
from xiezuo.pairings.models import Pairing
from xiezuo.projects.actions import (
    complete_milestone,
    create_project,
    record_output,
    register_asset,
    set_milestones,
    submit_report,
    transition,
    week_start,
)
from xiezuo.projects.choices import AssetClass, Category, Enclave, FundSource, LinkMechanism, OwnerTier, PartnerRole
from xiezuo.projects.choices import Status as ProjectStatus
from xiezuo.projects.filtersets import late_q, projects
from xiezuo.projects.models import Asset, Milestone, ProgressReport, Project, ProjectOutput, ProjectPartner
from xiezuo.regions.actions import get_region
from xiezuo.regions.api import RegionRef

router = Router(tags=["projects"])

LATEST_REPORTS = 5
MAX_MILESTONES = 200


PROJECT_CODE_PATTERN = "^[A-Za-z0-9_-]{1,32}$"  # what _project_code accepts (it also trims spaces)


def _project_code(value: str) -> str:
    value = value.strip()
    if not value or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
        raise PydanticCustomError("project_code", _("a project code is letters, digits, “-” and “_” only"))
    return value


ProjectCode = Annotated[str, Field(max_length=32, json_schema_extra={"pattern": PROJECT_CODE_PATTERN, "minLength": 1}),
                        AfterValidator(_project_code)]
Percent = Annotated[int, Field(ge=0, le=100, description="percent done, 0–100"), Field(strict=True)]


# --- output ---------------------------------------------------------------------------


class ProjectOut(Schema):
    code: str
    name: str
    category: Category
    enclave: Enclave
    county: RegionRef
    pairing: PairingRef | None
    status: ProjectStatus
    planned_start: datetime.date
    planned_end: datetime.date
    actual_start: datetime.date | None
    actual_end: datetime.date | None
    percent_done: int
    last_report_week: datetime.date | None
    late: bool = Field(description="a milestone is past its planned date and not reached (open projects only)")
    is_demo: bool

    @staticmethod
    def resolve_late(obj):
        return bool(getattr(obj, "is_late", False))


class MilestoneOut(Schema):
    seq: int
    name: str
    planned_date: datetime.date
    actual_date: datetime.date | None
    late: bool = Field(description="reached after its planned date, or not reached and its planned date has passed")

    @staticmethod
    def resolve_late(obj):
        if obj.actual_date is not None:
            return obj.actual_date > obj.planned_date
        return obj.planned_date < timezone.localdate()


class BudgetOut(Schema):
    source: FundSource
    amount_fen: int


class PartnerOut(Schema):
    organisation: OrgRef
    role: PartnerRole


class ReportOut(Schema):
    week: datetime.date = Field(description="the Monday of the reported ISO week")
    percent: int
    done: str
    problems: str
    reported_by: str | None
    reported_at: datetime.datetime

    @staticmethod
    def resolve_reported_by(obj):
        return obj.reported_by.username if obj.reported_by_id else None

    @staticmethod
    def resolve_reported_at(obj):
        return timezone.localtime(obj.reported_at)


class OutputOut(Schema):
    as_of: datetime.date
    jobs_created: int
    households: dict[LinkMechanism, int] = Field(description="households linked, by mechanism")
    households_total: int
    local_procurement_fen: int
    total_procurement_fen: int
    tech_income_fen: int
    tech_investment_fen: int

    @staticmethod
    def resolve_households(obj):
        return {link.mechanism: link.households for link in sorted(obj.links.all(), key=lambda link: LinkMechanism.values.index(link.mechanism))}

    @staticmethod
    def resolve_households_total(obj):
        return sum(link.households for link in obj.links.all())


class AssetOut(Schema):
    id: int
    name: str
    asset_class: AssetClass
    value_fen: int
    owner_tier: OwnerTier
    registered_on: datetime.date


class ProjectDetail(ProjectOut):
    description: str
    milestones: list[MilestoneOut]
    budget: list[BudgetOut]
    budget_total_fen: int
    partners: list[PartnerOut]
    latest_reports: list[ReportOut] = Field(description=f"the {LATEST_REPORTS} latest weekly reports; all of them at …/reports")
    outputs: list[OutputOut]
    assets: list[AssetOut]

    @staticmethod
    def resolve_milestones(obj):
        return list(obj.milestones.all())

    @staticmethod
    def resolve_budget(obj):
        return sorted(obj.budget.all(), key=lambda line: FundSource.values.index(line.source))

    @staticmethod
    def resolve_budget_total_fen(obj):
        return sum(line.amount_fen for line in obj.budget.all())

    @staticmethod
    def resolve_partners(obj):
        return list(obj.partners.all())

    @staticmethod
    def resolve_latest_reports(obj):
        return list(obj.reports.select_related("reported_by").order_by("-week")[:LATEST_REPORTS])

    @staticmethod
    def resolve_outputs(obj):
        return list(obj.outputs.all())

    @staticmethod
    def resolve_assets(obj):
        return list(obj.assets.all())


# --- input ----------------------------------------------------------------------------


class ProjectFilter(Schema):
    status: ProjectStatus | None = None
    category: Category | None = None
    county: RegionCode | None = Field(None, description="a region code: projects in its subtree (a province, a prefecture or a county)")
    pairing: int | None = Field(None, ge=1, le=MAX_BIGINT)
    q: Text(100) | None = Field(None, description="part of the name or of the county's name, or the start of the code")
    late: bool | None = Field(None, description="true: projects with a late milestone; false: without")


class MilestoneIn(InSchema):
    name: Text(200)
    planned_date: Day


class PartnerIn(InSchema):
    organisation: ObjectId
    role: PartnerRole


class ProjectIn(InSchema):
    """A new project in a western county. Amounts are whole fen; milestones in date order."""

    name: Text(200)
    category: Category
    enclave: Enclave = Field(Enclave.NONE, description="co-built parks only: forward or reverse enclave")
    county: RegionCode
    pairing: ObjectId | None = None
    planned_start: Day
    planned_end: Day
    description: Text(5000) = ""
    code: ProjectCode | None = Field(None, description="left out: P + year + county code + sequence")
    budget: dict[FundSource, Fen] = Field(default_factory=dict, description="fen by source of funds")
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=MAX_MILESTONES)
    partners: list[PartnerIn] = Field(default_factory=list, max_length=100)


class TransitionIn(InSchema):
    to: ProjectStatus
    on: Day | None = Field(None, description="the day it happened; today when left out")


class CompleteIn(InSchema):
    on: Day


class ReportIn(InSchema):
    """The weekly report. `week` is any day of the week; a second report for a week amends it."""

    week: Day
    percent: Percent
    done: Text(5000) = ""
    problems: Text(5000) = ""
    client_id: Text(64) | None = Field(None, description="the client's id for this report, kept for tracing")


class OutputIn(InSchema):
    """Outputs as of a date (a second call for the same date replaces them)."""

    as_of: Day
    jobs_created: Count = 0
    households: dict[LinkMechanism, Count] = Field(default_factory=dict, description="households linked, by mechanism")
    local_procurement_fen: Fen = 0
    total_procurement_fen: Fen = 0
    tech_income_fen: Fen = 0
    tech_investment_fen: Fen = 0


class AssetIn(InSchema):
    name: Text(200)
    asset_class: AssetClass
    value_fen: Fen
    owner_tier: OwnerTier
    registered_on: Day


# --- lookups --------------------------------------------------------------------------


def _project_qs():
    return Project.objects.select_related("county", "pairing__east_region", "pairing__west_region").annotate(
        is_late=late_q(timezone.localdate())
    )


def _detail_qs():
    return _project_qs().prefetch_related(
        "milestones",
        "budget",
        Prefetch("partners", queryset=ProjectPartner.objects.select_related("organisation").order_by("role", "organisation__name", "id")),
        Prefetch("outputs", queryset=ProjectOutput.objects.prefetch_related("links").order_by("-as_of")),
        Prefetch("assets", queryset=Asset.objects.order_by("registered_on", "id")),
    )


def _project_or_404(user, code: str, queryset=None) -> Project:
    project = None
    if len(code) <= 32 and "\x00" not in code:
        project = visible(user, queryset if queryset is not None else _project_qs()).filter(code=code).first()
    if project is None:
        raise Http404(_("project %(code)s not found") % {"code": code})
    return project


def _writable(request, code: str) -> Project:
    """The project named in the URL, for a write: 404 out of scope, 403 for readers."""
    project = _project_or_404(request.auth, code, Project.objects.select_related("county", "pairing__east_region"))
    require_writer(request.auth)
    return project


def _renamed(exc: ValidationError, names: dict) -> ValidationError:
    """The action's error with its field names as the request spells them."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(field, field): errors for field, errors in exc.error_dict.items()})


# --- endpoints ------------------------------------------------------------------------


@router.get("", response={200: page_of(ProjectOut), **ERRORS}, summary="List projects")
def list_projects(request, filters: Query[ProjectFilter], page: Query[PageParams]):
    """`county` takes a region code and matches its subtree; `late=true` keeps open projects
    with a milestone past its planned date and not reached. The same filter set as the
    project page (`projects.filtersets.projects`)."""
    county = get_region(filters.county, field="county") if filters.county else None  # unknown: the caller's error
    return paginate(projects(request.auth, status=filters.status, category=filters.category, region=county,
                             pairing=filters.pairing, q=filters.q, late=filters.late), page)


@router.get("/{code}", response={200: ProjectDetail, **ERRORS}, summary="Get a project with everything it reports")
def get_project(request, code: str):
    return _project_or_404(request.auth, code, _detail_qs())


@router.post("", response={201: ProjectDetail, **ERRORS}, summary="Create a project")
def post_project(request, payload: ProjectIn):
    """National coordinator anywhere; office admins and editors of the county's side, or of
    the eastern side of the project's pairing. The pairing must have the county on its
    western side."""
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    county = refs.collect(get_region, payload.county, field="county")
    pairing = refs.visible_obj(Pairing.objects.select_related("east_region", "west_region"), payload.pairing, "pairing", "pairing")
    orgs = Organisation.objects.select_related("region")
    partners = [(refs.visible_obj(orgs, p.organisation, f"partners.{i}.organisation", "organisation"), p.role.value)
                for i, p in enumerate(payload.partners)]
    refs.check()
    project = create_project(
        request.auth, name=payload.name, category=payload.category.value, enclave=payload.enclave.value, county=county,
        pairing=pairing, planned_start=payload.planned_start, planned_end=payload.planned_end, description=payload.description,
        code=payload.code, budget={source.value: fen for source, fen in payload.budget.items()},
        milestones=[(m.name, m.planned_date) for m in payload.milestones], partners=partners,
    )
    return Status(201, _detail_qs().get(pk=project.pk))


@router.post("/{code}/transition", response={200: ProjectDetail, **ERRORS}, summary="Change a project's status")
def post_transition(request, code: str, payload: TransitionIn):
    """Allowed: planned → in progress, suspended or cancelled; in progress → completed,
    suspended or cancelled; suspended → in progress or cancelled. Completed and cancelled
    projects stay so."""
    project = _writable(request, code)
    try:
        transition(request.auth, project, payload.to.value, on=payload.on)
    except ValidationError as exc:
        raise _renamed(exc, {"status": "to"}) from None
    return _detail_qs().get(pk=project.pk)


@router.put("/{code}/milestones", response={200: list[MilestoneOut], **ERRORS}, summary="Replace a project's milestone plan")
def put_milestones(request, code: str, payload: Body[Annotated[list[MilestoneIn], Field(max_length=MAX_MILESTONES)]]):
    """The body is the list of milestones in order, their planned dates never going back.
    A plan with a milestone already reached cannot be replaced."""
    project = _writable(request, code)
    set_milestones(request.auth, project, [(m.name, m.planned_date) for m in payload])
    return list(Milestone.objects.filter(project=project).order_by("seq"))


@router.post("/{code}/milestones/{seq}/complete", response={200: MilestoneOut, **ERRORS}, summary="Record that a milestone was reached")
def post_complete_milestone(request, code: str, seq: Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_INT})], payload: CompleteIn):
    """Milestones are reached in order, on dates that do not go back."""
    project = _writable(request, code)
    milestone = Milestone.objects.filter(project=project, seq=seq).select_related("project").first()
    if milestone is None:
        raise Http404(_("project %(code)s has no milestone %(seq)s") % {"code": project.code, "seq": seq})
    try:
        return complete_milestone(request.auth, milestone, payload.on)
    except ValidationError as exc:
        raise _renamed(exc, {"actual_date": "on"}) from None


@router.get("/{code}/reports", response={200: page_of(ReportOut), **ERRORS}, summary="List a project's weekly reports")
def list_reports(request, code: str, page: Query[PageParams]):
    """Newest week first."""
    project = _project_or_404(request.auth, code, Project.objects.all())
    return paginate(ProgressReport.objects.filter(project=project).select_related("reported_by").order_by("-week", "-id"), page)


@router.post("/{code}/reports", response={200: ReportOut, 201: ReportOut, **ERRORS}, summary="Submit a weekly report")
def post_report(request, code: str, payload: ReportIn):
    """201 for a new week; 200 when it amends the report already given for that week.
    A cancelled project takes no reports."""
    project = _writable(request, code)
    existed = ProgressReport.objects.filter(project=project, week=week_start(payload.week)).exists()
    report = submit_report(request.auth, project, week=payload.week, percent=payload.percent, done=payload.done,
                           problems=payload.problems, client_id=payload.client_id)
    return Status(200 if existed else 201, report)


@router.post("/{code}/outputs", response={200: OutputOut, 201: OutputOut, **ERRORS}, summary="Record a project's outputs")
def post_output(request, code: str, payload: OutputIn):
    """Jobs, households linked by mechanism, procurement (local ≤ total) as of a date; 200
    when it replaces the figures already given for that date."""
    project = _writable(request, code)
    existed = ProjectOutput.objects.filter(project=project, as_of=payload.as_of).exists()
    output = record_output(
        request.auth, project, as_of=payload.as_of, jobs_created=payload.jobs_created,
        local_procurement_fen=payload.local_procurement_fen, total_procurement_fen=payload.total_procurement_fen,
        tech_income_fen=payload.tech_income_fen, tech_investment_fen=payload.tech_investment_fen,
        households={mech.value: n for mech, n in payload.households.items()},
    )
    output = ProjectOutput.objects.prefetch_related("links").get(pk=output.pk)
    return Status(200 if existed else 201, output)


@router.post("/{code}/assets", response={201: AssetOut, **ERRORS}, summary="Register an asset the project created")
def post_asset(request, code: str, payload: AssetIn):
    project = _writable(request, code)
    asset = register_asset(request.auth, project, name=payload.name, asset_class=payload.asset_class.value,
                           value_fen=payload.value_fen, owner_tier=payload.owner_tier.value, registered_on=payload.registered_on)
    return Status(201, asset)
