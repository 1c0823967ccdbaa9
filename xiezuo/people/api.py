"""Dispatched cadres and professionals (挂职干部、专业技术人才), both directions, and the
stability figure: the share of professionals whose agreed term has ended who stayed to the end.

A dispatch record is visible when its sending or receiving organisation is in the caller's
subtree. Writes go through `xiezuo.people.actions.save_dispatch`.

Personal information (PIPL, 个人信息保护法): the ID number is write-only in full. Every answer
shows it masked — the first 6 characters (the issuing region) and the last 4 — so that a
record can be told apart without the number being disclosed.
"""
import datetime
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from xiezuo.core.api.lookups import BodyRefs, PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, MAX_BIGINT, Day, InSchema, ObjectId, Text
from xiezuo.orgs.api import OrgRef
from xiezuo.orgs.models import Organisation
from xiezuo.pairings.api import PairingRef
from xiezuo.pairings.models import Pairing
from xiezuo.people.actions import save_dispatch
from xiezuo.people.filtersets import dispatches, stability_of
from xiezuo.people.models import Direction, Dispatch, PersonKind
from xiezuo.people.privacy import mask_id_number
from xiezuo.regions.actions import get_region

router = Router(tags=["people"])

ORG_FIELDS = ("from_org", "to_org")


def _id_number(value: str) -> str:
    value = value.strip().upper()
    if value and not (len(value) == 18 and value[:17].isascii() and value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")):
        raise PydanticCustomError("id_number", _("a resident ID number is 17 digits and a check digit or X"))
    return value


IdNumber = Annotated[str, Field(max_length=18, description="written in full, always shown masked"), AfterValidator(_id_number)]


class DispatchOut(Schema):
    id: int
    person_name: str
    id_number: str = Field(description="masked: the first 6 and last 4 characters only")
    kind: PersonKind
    direction: Direction
    from_org: OrgRef
    to_org: OrgRef
    pairing: PairingRef | None
    planned_start: datetime.date
    planned_end: datetime.date
    actual_start: datetime.date | None
    actual_end: datetime.date | None
    completed_term: bool = Field(description="ended on or after the planned end")
    client_id: str | None
    is_demo: bool

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.id_number)


class DispatchFilter(Schema):
    kind: PersonKind | None = None
    direction: Direction | None = None
    on_post: datetime.date | None = Field(None, description="on post that day: started on or before it, not ended before it")
    pairing: int | None = Field(None, ge=1, le=MAX_BIGINT)
    region: RegionCode | None = Field(None, description="a region code: sent from or to an organisation in its subtree")
    q: Text(50) | None = Field(None, description="part of the person's name, or of the sending or receiving organisation's")


class StabilityFilter(Schema):
    region: RegionCode | None = Field(None, description="a region code: dispatches from or to its subtree; all you see when left out")
    as_of: datetime.date | None = Field(None, description="today when left out")


class StabilityOut(Schema):
    completed: int = Field(description="professionals whose agreed term ended by as_of and who stayed to its end")
    due: int = Field(description="professionals who started a post whose agreed term ended by as_of")
    ratio: float | None = Field(description="completed / due, rounded to 4 places; null when nothing is due")
    as_of: datetime.date
    region: str | None


class DispatchIn(InSchema):
    """A dispatch record. `direction` e2w: from an eastern to a western organisation (to
    help); w2e: from a western to an eastern one (to learn)."""

    person_name: Text(50)
    id_number: IdNumber = ""
    kind: PersonKind
    direction: Direction
    from_org: ObjectId
    to_org: ObjectId
    pairing: ObjectId | None = None
    planned_start: Day
    planned_end: Day
    actual_start: Day | None = None
    actual_end: Day | None = None
    client_id: Text(64) | None = None


class DispatchPatch(InSchema):
    person_name: Text(50) = None
    id_number: IdNumber = None
    kind: PersonKind = None
    direction: Direction = None
    from_org: ObjectId = None
    to_org: ObjectId = None
    pairing: ObjectId | None = None
    planned_start: Day = None
    planned_end: Day = None
    actual_start: Day | None = None
    actual_end: Day | None = None


def _qs():
    return Dispatch.objects.select_related("from_org__region", "to_org__region", "pairing__east_region", "pairing__west_region")


def _region(code: str | None):
    """The region filter, checked: an unknown code is the caller's error, not an empty list."""
    return get_region(code, field="region") if code else None


def _values(user, payload) -> dict:
    values = {name: getattr(payload, name) for name in payload.model_fields_set}
    refs = BodyRefs(user)
    orgs = Organisation.objects.select_related("region")
    for name in ORG_FIELDS:
        if name in values:
            values[name] = refs.visible_obj(orgs, values[name], name, "organisation")
    if "pairing" in values:
        values["pairing"] = refs.visible_obj(Pairing.objects.all(), values["pairing"], "pairing", "pairing")
    refs.check()
    for name in ("kind", "direction"):
        if values.get(name) is not None:
            values[name] = values[name].value
    return values


@router.get("", response={200: page_of(DispatchOut), **ERRORS}, summary="List dispatch records")
def list_dispatches(request, filters: Query[DispatchFilter], page: Query[PageParams]):
    """`region` takes a region code and matches either organisation's subtree; the same
    filter set as the dispatch page (`people.filtersets.dispatches`)."""
    qs = dispatches(request.auth, kind=filters.kind, direction=filters.direction, on_post=filters.on_post,
                    pairing=filters.pairing, region=_region(filters.region), q=filters.q)
    return paginate(qs, page)


@router.get("/stability", response={200: StabilityOut, **ERRORS}, summary="Stability of dispatched professionals")
def get_stability(request, filters: Query[StabilityFilter]):
    """Of the professionals (cadres do not count) who took up a post whose agreed term ended
    by `as_of`, how many stayed to its end."""
    figure = stability_of(request.auth, filters.as_of or timezone.localdate(), region=_region(filters.region))
    completed, due = figure["completed"], figure["due"]
    return {"completed": completed, "due": due, "ratio": round(completed / due, 4) if due else None,
            "as_of": figure["as_of"], "region": filters.region}


@router.get("/{dispatch_id}", response={200: DispatchOut, **ERRORS}, summary="Get a dispatch record")
def get_dispatch(request, dispatch_id: PathId):
    return visible_or_404(request.auth, _qs(), dispatch_id, "dispatch record")


@router.post("", response={201: DispatchOut, **ERRORS}, summary="Record a dispatch")
def post_dispatch(request, payload: DispatchIn):
    """National coordinator, or an office admin or editor on either side (the sending or
    the receiving organisation in their subtree)."""
    require_writer(request.auth)
    dispatch = save_dispatch(request.auth, None, **_values(request.auth, payload))
    return Status(201, _qs().get(pk=dispatch.pk))


@router.patch("/{dispatch_id}", response={200: DispatchOut, **ERRORS}, summary="Change a dispatch record")
def patch_dispatch(request, dispatch_id: PathId, payload: DispatchPatch):
    """Typically the actual start and end. The ID number may be corrected; it is never shown."""
    dispatch = visible_or_404(request.auth, _qs(), dispatch_id, "dispatch record")
    require_writer(request.auth)
    dispatch = save_dispatch(request.auth, dispatch, **_values(request.auth, payload))
    return _qs().get(pk=dispatch.pk)
