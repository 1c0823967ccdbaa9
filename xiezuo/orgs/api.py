"""Organisations: offices, enterprises, schools… placed at a region.

Visible in the caller's subtree and in paired regions; written by `save_organisation`, which
validates the unified social credit code (GB 32100 check character).
"""
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from xiezuo.core.api.lookups import BodyRefs, PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, InSchema, Text
from xiezuo.regions.actions import get_region
from xiezuo.regions.api import RegionRef, filter_values

from . import filtersets
from .actions import save_organisation
from .choices import OrgKind
from .models import Organisation


class OrgRef(Schema):
    """An organisation as other objects' answers name it."""

    id: int
    name: str
    kind: OrgKind


# The unified social credit code as the document states it: 18 characters of GB 32100's
# alphabet, positions 3–8 digits (the check character is verified by `save_organisation`,
# which also accepts lower case and surrounding spaces and stores the code normalised).
CREDIT_CODE_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
CreditCode = Annotated[Text(64), Field(description="unified social credit code (统一社会信用代码), GB 32100: 18 characters, "
                                                   "the last a check character", json_schema_extra={"pattern": CREDIT_CODE_PATTERN,
                                                                                                    "minLength": 18, "maxLength": 18})]

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrgKind
    region: RegionRef
    credit_code: str | None
    contact: str
    is_demo: bool


class OrganisationFilter(Schema):
    kind: OrgKind | None = None
    region: RegionCode | None = None
    q: Text(100) | None = None


class OrganisationIn(InSchema):
    name: Text(200)
    kind: OrgKind
    region: RegionCode
    credit_code: CreditCode | None = None
    contact: Text(100) = ""


class OrganisationPatch(InSchema):
    name: Text(200) = None
    kind: OrgKind = None
    region: RegionCode = None
    credit_code: CreditCode | None = None
    contact: Text(100) = None


def _qs():
    return Organisation.objects.select_related("region")


def _values(user, payload) -> dict:
    values = {name: getattr(payload, name) for name in payload.model_fields_set}
    if "region" in values:
        refs = BodyRefs(user)
        values["region"] = refs.collect(get_region, values["region"], field="region")
        refs.check()
    return values


@router.get("", response={200: page_of(OrganisationOut), **ERRORS}, summary="List organisations")
def list_organisations(request, filters: Query[OrganisationFilter], page: Query[PageParams]):
    """`region` takes a region code and matches its subtree; `q` matches names containing the
    text, credit codes starting with it, the region's name or its exact code."""
    return paginate(filtersets.organisations(request.auth, **filter_values(filters, "region")), page)


@router.get("/{org_id}", response={200: OrganisationOut, **ERRORS}, summary="Get an organisation")
def get_organisation(request, org_id: PathId):
    return visible_or_404(request.auth, _qs(), org_id, "organisation")


@router.post("", response={201: OrganisationOut, **ERRORS}, summary="Create an organisation")
def post_organisation(request, payload: OrganisationIn):
    """National coordinator anywhere; office admins and editors inside their own subtree."""
    require_writer(request.auth)
    org = save_organisation(request.auth, None, **_values(request.auth, payload))
    return Status(201, _qs().get(pk=org.pk))


@router.patch("/{org_id}", response={200: OrganisationOut, **ERRORS}, summary="Change an organisation")
def patch_organisation(request, org_id: PathId, payload: OrganisationPatch):
    org = visible_or_404(request.auth, _qs(), org_id, "organisation")
    require_writer(request.auth)
    org = save_organisation(request.auth, org, **_values(request.auth, payload))
    return _qs().get(pk=org.pk)
