"""Regions: the GB/T 2260 tree as the caller may see it, yearly facts, the key-assistance flag."""
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool, WithJsonSchema

from xiezuo.core.api.lookups import RegionCode, check_code_format, require_writer
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, BigCount, Count, InSchema, Share, Text
from xiezuo.core.scoping import visible

from . import filtersets
from .actions import FACT_FIELDS, get_region, save_region_fact, set_key_assistance
from .choices import Level, Role, Tier
from .models import Region, RegionFact

router = Router(tags=["regions"])


class RegionRef(Schema):
    """A region as other objects' answers name it."""

    code: str
    name: str
    level: Level


def region_or_404(user, code: str, queryset=None) -> Region:
    """A region in the URL: one the caller cannot see answers 404, like one that does not exist."""
    check_code_format(code)
    qs = queryset if queryset is not None else Region.objects.select_related("parent")
    region = visible(user, qs).filter(code=code).first()
    if region is None:
        raise Http404(_("region %(code)s not found") % {"code": code})
    return region


def filter_values(filters: Schema, *region_params: str) -> dict:
    """A list's query parameters as its filter set takes them: the ones given, with the
    region codes among them (`region_params`) looked up as Regions, so that a filter set
    applies its own subtree rule; an unknown code is an error on its parameter."""
    values = filters.model_dump(exclude_none=True)
    for name in region_params:
        if name in values:
            values[name] = get_region(values[name], field=name)
    return values


class RegionOut(Schema):
    code: str
    name: str
    full_name: str
    level: Level
    parent: str | None = None
    role: Role
    tier: Tier
    former_poverty: bool
    poverty_exit_year: int | None
    key_assistance: bool
    longitude: float | None
    latitude: float | None

    @staticmethod
    def resolve_parent(obj):
        return obj.parent.code if obj.parent_id else None


class FactOut(Schema):
    year: int
    population: int | None
    gdp_wan: int | None
    rural_income_yuan: int | None
    primary_share: Share | None
    secondary_share: Share | None
    tertiary_share: Share | None
    labour_force: int | None
    is_demo: bool


class RegionDetail(RegionOut):
    parent_region: RegionRef | None = Field(None, description="the parent, when you may see it")
    children: list[RegionRef] = Field(description="the children you may see")
    children_count: int
    facts: list[FactOut]

    @staticmethod
    def resolve_parent_region(obj):
        return obj.api_parent

    @staticmethod
    def resolve_children(obj):
        return obj.api_children

    @staticmethod
    def resolve_children_count(obj):
        return len(obj.api_children)

    @staticmethod
    def resolve_facts(obj):
        return obj.api_facts


class RegionFilter(Schema):
    level: Level | None = None
    code: RegionCode | None = None
    parent: RegionCode | None = None
    role: Role | None = None
    key_assistance: bool | None = None
    q: Text(100) | None = None


class FactIn(InSchema):
    """The year's facts; a field left out is stored as unknown (PUT replaces the whole row)."""

    population: Count | None = None
    gdp_wan: BigCount | None = None
    rural_income_yuan: Count | None = None
    primary_share: Share | None = None
    secondary_share: Share | None = None
    tertiary_share: Share | None = None
    labour_force: Count | None = None


class KeyAssistanceIn(InSchema):
    key_assistance: StrictBool


def _detail(user, region: Region) -> Region:
    """Attach what the detail shows, each part through the scoping rule."""
    region.api_parent = visible(user, Region.objects.filter(pk=region.parent_id)).first() if region.parent_id else None
    region.api_children = list(visible(user, region.children.all()).order_by("code"))
    region.api_facts = list(visible(user, region.facts.all()).order_by("-year"))
    return region


@router.get("", response={200: page_of(RegionOut), **ERRORS}, summary="List regions")
def list_regions(request, filters: Query[RegionFilter], page: Query[PageParams]):
    """Regions in the caller's subtree and those paired with it.

    `q` matches codes starting with it when it is digits, else names (or full names)
    containing it; `parent` is the parent's code; `code` is exact."""
    return paginate(filtersets.regions(request.auth, **filter_values(filters)), page)


@router.get("/{code}", response={200: RegionDetail, **ERRORS}, summary="Get a region")
def get_region_detail(request, code: RegionCode):
    """One region with its (visible) parent and children, its tier and its yearly facts."""
    return _detail(request.auth, region_or_404(request.auth, code))


@router.get("/{code}/facts", response={200: page_of(FactOut), **ERRORS}, summary="List a region's yearly facts")
def list_facts(request, code: RegionCode, page: Query[PageParams]):
    region = region_or_404(request.auth, code)
    return paginate(visible(request.auth, RegionFact.objects.filter(region=region)).order_by("-year"), page)


@router.put("/{code}/facts/{year}", response={200: FactOut, **ERRORS}, summary="Save a region's facts for a year")
def put_fact(request, code: RegionCode, year: Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1949, "maximum": 2100})],
             payload: FactIn):
    region = region_or_404(request.auth, code)
    require_writer(request.auth)
    values = {name: getattr(payload, name) for name in FACT_FIELDS}
    return save_region_fact(request.auth, region, year, **values)


@router.put("/{code}/key-assistance", response={200: RegionDetail, **ERRORS}, summary="Mark a national key assistance county")
def put_key_assistance(request, code: RegionCode, payload: KeyAssistanceIn):
    """Only the national coordinator sets or clears the flag, on western counties."""
    region = region_or_404(request.auth, code)
    require_writer(request.auth)
    region = set_key_assistance(request.auth, region, payload.key_assistance)
    return _detail(request.auth, region)

