"""The registry's API: households and their members.

Rows only for the registry's roles (`privacy.may_see_rows`); every answer shows ID numbers,
phones and accounts masked and no health detail or address: full values are seen only on the
household page, with a purpose, logged. Writes call `households.actions`.
"""
from ninja import Field, Query, Router, Schema, Status

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xiezuo.core.api.lookups import PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, Text

from . import actions
from .filtersets import households
from .models import Household, Village
from .privacy import household_view, may_see_rows, member_view

router = Router(tags=["households"])


class MemberOut(Schema):
    id: int
    relation: str
    name: str
    id_number_masked: str
    phone_masked: str
    health: str
    active: bool

    @staticmethod
    def from_member(m):
        v = member_view(m)
        return {"id": m.pk, "relation": m.relation, "name": m.name, "id_number_masked": v["id_number"],
                "phone_masked": v["phone"], "health": m.health, "active": m.active}


class HouseholdOut(Schema):
    id: int
    number: str
    county: str
    village_code: str
    village: str
    size: int
    status: str
    category: str
    formerly_poor: bool
    housing_safe: bool
    water_safe: bool
    bank_account_masked: str
    identified_on: str | None
    exited_on: str | None

    @staticmethod
    def from_household(h):
        return {"id": h.pk, "number": h.number, "county": h.village_code[:6], "village_code": h.village_code,
                "village": str(h.village), "size": h.size, "status": h.status, "category": h.category,
                "formerly_poor": h.formerly_poor, "housing_safe": h.housing_safe, "water_safe": h.water_safe,
                "bank_account_masked": household_view(h)["bank_account"],
                "identified_on": h.identified_on.isoformat() if h.identified_on else None,
                "exited_on": h.exited_on.isoformat() if h.exited_on else None}


class HouseholdFilter(Schema):
    county: RegionCode | None = Field(None, description="a region code: households in its subtree")
    township: str = Field("", pattern="^([0-9]{9})?$", description="a township's 9-digit statistical code")
    village: str = Field("", pattern="^([0-9]{12})?$", description="a village's 12-digit statistical code")
    category: str = ""
    status: str = ""


class MemberIn(Schema):
    relation: str
    name: Text(50)
    id_number: str = ""
    phone: str = ""
    health: str = "healthy"
    education: str = ""
    employment: str = ""
    out_of_school: bool = False
    medical_insured: bool = True


class HouseholdIn(Schema):
    village_code: str = Field(..., min_length=12, max_length=12)
    number: str = ""
    address: str = ""
    bank_account: str = ""
    formerly_poor: bool = False
    housing_safe: bool = True
    water_safe: bool = True
    members: list[MemberIn] = []


def _readable(user):
    if not may_see_rows(user):
        raise PermissionDenied(_("Your role sees the registry's counts, not its households."))


@router.get("", response={200: page_of(HouseholdOut), **ERRORS}, summary="List households")
def list_households(request, filters: Query[HouseholdFilter], page: Query[PageParams]):
    _readable(request.auth)
    result = paginate(households(request.auth, **filters.dict()), page)
    result["items"] = [HouseholdOut.from_household(h) for h in result["items"]]
    return result


@router.get("/{household_id}", response={200: HouseholdOut, **ERRORS}, summary="Get a household")
def get_household(request, household_id: PathId):
    _readable(request.auth)
    h = visible_or_404(request.auth, Household.objects.select_related("village"), household_id, "household")
    return HouseholdOut.from_household(h)


@router.get("/{household_id}/members", response={200: list[MemberOut], **ERRORS}, summary="A household's members")
def get_members(request, household_id: PathId):
    _readable(request.auth)
    h = visible_or_404(request.auth, Household.objects.all(), household_id, "household")
    return [MemberOut.from_member(m) for m in h.members.all()]


@router.post("", response={201: HouseholdOut, **ERRORS}, summary="Register a household with its members")
def post_household(request, payload: HouseholdIn):
    require_writer(request.auth)
    village = Village.objects.visible_to(request.auth).select_related("county").filter(code=payload.village_code).first()
    if village is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"village_code": [_("No village with this code in your area.")]})
    data = payload.dict()
    members = data.pop("members")
    data.pop("village_code")
    h = actions.save_household(request.auth, village, data, members)
    return Status(201, HouseholdOut.from_household(Household.objects.select_related("village").get(pk=h.pk)))
