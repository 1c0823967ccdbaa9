"""The registry's API: households and their members.

Rows only for the registry's roles (`privacy.may_see_rows`); every answer shows ID numbers,
phones and accounts masked and no health detail or address. The one exception is the
household's detail and members endpoints asked with `?reveal=1&purpose=…` by a role that may
see the household's personal data (`core.personal.access.may_reveal`: the editors and admins
whose own subtree holds it): the answer then carries the full values, and the view is logged
as a `RevealLog` (via "api") exactly as the page's "show full numbers". A reveal asked by a
role without the right is refused (403 permission_denied), one without a purpose too (422,
field `purpose`): refused rather than answered masked, so a client never mistakes a masked
answer for the full one. Nothing is logged for a refusal. Writes call `households.actions`.
"""
from ninja import Field, Query, Router, Schema, Status

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xiezuo.core.api.lookups import PathId, RegionCode, require_writer, visible_or_404
from xiezuo.core.api.pagination import PageParams, page_of, paginate
from xiezuo.core.api.schemas import ERRORS, Text
from xiezuo.core.personal.access import log_reveal, may_reveal, purpose_error

from . import actions
from .filtersets import households
from .models import Household, Village
from .privacy import HOUSEHOLD_FIELDS, MEMBER_FIELDS, household_view, may_see_rows, member_view

router = Router(tags=["households"])


class MemberOut(Schema):
    id: int
    relation: str
    name: str
    id_number_masked: str
    phone_masked: str
    health: str
    active: bool
    id_number: str | None = Field(None, description="the full number: only in an answer asked with reveal=1")
    phone: str | None = Field(None, description="the full phone: only with reveal=1")
    health_note: str | None = Field(None, description="the health detail: only with reveal=1")

    @staticmethod
    def from_member(m, revealed=False):
        v = member_view(m)
        out = {"id": m.pk, "relation": m.relation, "name": m.name, "id_number_masked": v["id_number"],
               "phone_masked": v["phone"], "health": m.health, "active": m.active}
        if revealed:
            out.update(id_number=m.id_number, phone=m.phone, health_note=m.health_note)
        return out


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
    revealed: bool = Field(False, description="true when the answer carries full personal values (reveal=1, logged)")
    address: str | None = Field(None, description="only with reveal=1")
    bank_account: str | None = Field(None, description="only with reveal=1")
    members: list[MemberOut] | None = Field(None, description="the members with their full values: only with reveal=1")

    @staticmethod
    def from_household(h, members=None):
        out = {"id": h.pk, "number": h.number, "county": h.village_code[:6], "village_code": h.village_code,
                "village": str(h.village), "size": h.size, "status": h.status, "category": h.category,
                "formerly_poor": h.formerly_poor, "housing_safe": h.housing_safe, "water_safe": h.water_safe,
                "bank_account_masked": household_view(h)["bank_account"],
                "identified_on": h.identified_on.isoformat() if h.identified_on else None,
                "exited_on": h.exited_on.isoformat() if h.exited_on else None}
        if members is not None:
            out.update(revealed=True, address=h.address, bank_account=h.bank_account,
                       members=[MemberOut.from_member(m, revealed=True) for m in members])
        return out


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


class RevealQuery(Schema):
    reveal: bool = Field(False, description="answer with the full personal values (logged); needs the right and a purpose")
    purpose: str = Field("", max_length=200, description="why the full values are needed: logged with the view")


def _revealed(user, h, ask: RevealQuery, members) -> bool:
    """Check and log a reveal asked through the API (refused: PermissionDenied or
    ValidationError on `purpose`, nothing logged)."""
    if not ask.reveal:
        return False
    if not may_reveal(user, h.village_code[:6]):
        raise PermissionDenied(_("Your role may not see this household's full personal data: ask without reveal for the masked values."))
    error = purpose_error(ask.purpose)
    if error:
        from django.core.exceptions import ValidationError

        raise ValidationError({"purpose": [error]})
    log_reveal(user, object_type="households.member", object_ids=[m.pk for m in members] or [h.pk],
               fields=MEMBER_FIELDS + HOUSEHOLD_FIELDS, purpose=ask.purpose, region_code=h.village_code[:6], via="api")
    return True


@router.get("/{household_id}", response={200: HouseholdOut, **ERRORS}, summary="Get a household",
            description="Masked by default. With `reveal=1&purpose=…` a role that may see the household's personal data "
                        "gets the full values and the members, logged; any other role is refused (403), a reveal without "
                        "a purpose too (422).")
def get_household(request, household_id: PathId, ask: Query[RevealQuery]):
    _readable(request.auth)
    h = visible_or_404(request.auth, Household.objects.select_related("village"), household_id, "household")
    if ask.reveal:
        members = list(h.members.all())
        if _revealed(request.auth, h, ask, members):
            return HouseholdOut.from_household(h, members)
    return HouseholdOut.from_household(h)


@router.get("/{household_id}/members", response={200: list[MemberOut], **ERRORS}, summary="A household's members",
            description="Masked by default; `reveal=1&purpose=…` as for the household.")
def get_members(request, household_id: PathId, ask: Query[RevealQuery]):
    _readable(request.auth)
    h = visible_or_404(request.auth, Household.objects.all(), household_id, "household")
    members = list(h.members.all())
    revealed = _revealed(request.auth, h, ask, members)
    return [MemberOut.from_member(m, revealed) for m in members]


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
