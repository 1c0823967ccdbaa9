"""The checks single writes, imports and batches share (answers are refusal texts or None)."""
import datetime
from functools import lru_cache

from django.utils.translation import gettext as _

from xiezuo.core.personal.idnumbers import id_number_error, normalise
from xiezuo.core.scoping import can_edit_in_region, scope_for

from .choices import HouseholdStatus, PlaceKind, unknown_skills


def place_kind(county_code: str, place_code: str) -> str:
    """县内 when the place is the county (or inside it), 省内县外 in the same province, else 省外."""
    if place_code == county_code:
        return PlaceKind.IN_COUNTY
    if place_code[:2] == county_code[:2]:
        return PlaceKind.IN_PROVINCE
    return PlaceKind.OUT_OF_PROVINCE


@lru_cache(maxsize=64)
def _paired_east_provinces(west_province: str, year: int) -> frozenset:
    from xiezuo.pairings.models import Pairing

    day = datetime.date(year, 7, 1)
    return frozenset(Pairing.objects.in_force(day).filter(kind="province", west_region__province_code=west_province)
                     .values_list("east_region__province_code", flat=True))


def forget_pairings():
    _paired_east_provinces.cache_clear()


def in_paired_province(county_code: str, place_code: str, day: datetime.date) -> bool:
    """The place is in an eastern province paired (province to province) with the worker's."""
    return place_code[:2] in _paired_east_provinces(county_code[:2], day.year)


def check_id_number(value) -> tuple[str, str | None]:
    number = normalise(value)
    return number, id_number_error(number)


def check_phone(value) -> tuple[str, str | None]:
    phone = str(value or "").strip().replace(" ", "").replace("-", "")
    if not phone:
        return "", None
    if not phone.isdigit() or not 7 <= len(phone) <= 12:
        return phone, _("a phone number is 7 to 12 digits")
    return phone, None


def skills_error(names) -> str | None:
    bad = unknown_skills(names)
    if bad:
        return _("unknown skills: %(s)s") % {"s": "、".join(bad)}
    return None


_PROVINCES: dict = {}
_CODES: dict = {"codes": frozenset()}


def province_names() -> dict:
    """{province name: two-digit code}, read once (the GB/T 2260 provinces do not change while
    running; an empty tree is not remembered)."""
    if not _PROVINCES:
        from xiezuo.regions.models import Region

        _PROVINCES.update(Region.objects.filter(level="province").values_list("name", "province_code"))
    return _PROVINCES


def provinces_error(codes) -> str | None:
    names = province_names()
    if _CODES.get("of") is not names or len(_CODES["codes"]) != len(names):  # made once per tree read
        _CODES["of"], _CODES["codes"] = names, frozenset(names.values())
    known = _CODES["codes"]
    bad = [c for c in codes if c not in known]
    if bad:
        return _("not provinces: %(s)s") % {"s": ", ".join(bad)}
    if len(codes) > 10:
        return _("at most 10 preferred places")
    return None


def status_error(value) -> str | None:
    return None if value in HouseholdStatus.values else _("“%(v)s” is not a household status") % {"v": value}


def may_keep_worker(user, county_code: str) -> bool:
    """The registering county's office (or one above it) keeps its workers."""
    return can_edit_in_region(user, county_code)


def may_write_job(user, employer_code: str, place_code: str) -> bool:
    return can_edit_in_region(user, employer_code) or can_edit_in_region(user, place_code)


def may_write_check(user, county_code: str, place_code: str) -> bool:
    """The worker's county or the office where the worker works records a retention check."""
    return can_edit_in_region(user, county_code) or can_edit_in_region(user, place_code)


def is_west_county(region) -> bool:
    return region is not None and region.role == "west" and region.level == "county"


def writer(user) -> bool:
    return scope_for(user).can_write
