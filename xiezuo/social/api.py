"""Social help (社会帮扶): needs from the dispatched cadre's record to the confirmed result.

`GET /needs` is the caller's scoped list (the county's office and its paired offices, the
cadre named); `GET /needs/published` what every social organisation and foundation reads —
no personal data. Writes go through `social.actions`."""
import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xiezuo.core.api.lookups import BodyRefs, PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, Fen, InSchema, ObjectId, Text
from xiezuo.people.models import Dispatch
from xiezuo.projects.models import Project
from xiezuo.regions.actions import get_region
from xiezuo.regions.api import RegionRef

from . import actions
from .choices import PUBLIC_STATUSES, NeedCategory, NeedStatus
from .filtersets import needs, published_needs
from .models import Need

router = Router(tags=["social"])


class PublicNeedOut(Schema):
    """A published need as social organisations read it: nothing about any person."""

    id: int
    county: RegionRef
    village: str
    category: NeedCategory
    description: str
    budget_fen: int
    beneficiaries: int
    status: NeedStatus
    published_at: datetime.datetime | None
    taken_by: str | None = Field(description="the organisation that took it up")
    completed_on: datetime.date | None
    result_summary: str
    result_beneficiaries: int | None

    @staticmethod
    def resolve_taken_by(obj):
        if isinstance(obj, dict):
            return obj.get("taken_by")
        return obj.taken_by.name if obj.taken_by_id else None


class NeedOut(PublicNeedOut):
    """The full record for the offices whose area it is; on the published view of a need
    elsewhere the fields below are null."""

    cadre_id: int | None
    cadre_name: str | None = Field(description="the dispatched cadre; null on the published view")
    project_id: int | None
    pairing_id: int | None
    result_evidence: str | None
    is_demo: bool | None

    @staticmethod
    def resolve_cadre_name(obj):
        if isinstance(obj, dict):
            return obj.get("cadre_name")
        return obj.cadre.person_name


class NeedIn(InSchema):
    county: RegionCode
    village: Text(100)
    category: NeedCategory
    description: Text(1000)
    budget_fen: Fen
    beneficiaries: int = Field(ge=1, le=10_000_000)
    cadre: ObjectId = Field(description="the dispatch record of the cadre who identified the need")
    project: ObjectId | None = None


class NeedFilter(Schema):
    category: NeedCategory | None = None
    status: NeedStatus | None = None
    region: RegionCode | None = None
    q: Text(50) | None = None


def _qs():
    return Need.objects.select_related("county", "cadre", "taken_by")


def _filters(f: NeedFilter) -> dict:
    return {"category": f.category.value if f.category else "", "status": f.status.value if f.status else "",
            "region": get_region(f.region, field="region") if f.region else "", "q": f.q or ""}


@router.get("/needs", response={200: page_of(NeedOut), **ERRORS}, summary="List needs in your area")
def list_needs(request, filters: Query[NeedFilter], page: Query[PageParams]):
    return paginate(needs(request.auth, **_filters(filters)), page)


@router.get("/needs/published", response={200: page_of(PublicNeedOut), **ERRORS}, summary="List published needs (no personal data)")
def list_published(request, filters: Query[NeedFilter], page: Query[PageParams]):
    return paginate(published_needs(request.auth, **_filters(filters)), page)


@router.get("/needs/{need_id}", response={200: NeedOut, **ERRORS}, summary="Get a need")
def get_need(request, need_id: PathId):
    """The full record in your area; the published view of a published need elsewhere."""
    need = needs(request.auth).filter(pk=need_id).first()
    if need is not None:
        return NeedOut.from_orm(need)
    need = published_needs(request.auth).filter(pk=need_id).first()
    if need is None:
        raise Http404(_("%(what)s #%(id)s not found") % {"what": "need", "id": need_id})
    public = PublicNeedOut.from_orm(need).dict()
    return {**public, "cadre_id": None, "cadre_name": None, "project_id": None, "pairing_id": None, "result_evidence": None,
            "is_demo": None}


@router.post("/needs", response={201: NeedOut, **ERRORS}, summary="Record a need")
def post_need(request, payload: NeedIn):
    """The western county's office, naming the dispatched cadre on post there."""
    require_writer(request.auth)
    refs = BodyRefs(request.auth)
    county = refs.collect(get_region, payload.county, field="county")
    cadre = refs.visible_obj(Dispatch.objects.select_related("to_org__region"), payload.cadre, "cadre", "dispatch record")
    project = refs.visible_obj(Project.objects.all(), payload.project, "project", "project")
    refs.check()
    need = actions.record_need(request.auth, county=county, village=payload.village, category=payload.category.value,
                               description=payload.description, budget_fen=payload.budget_fen, beneficiaries=payload.beneficiaries,
                               cadre=cadre, project=project)
    return Status(201, NeedOut.from_orm(_qs().get(pk=need.pk)))
