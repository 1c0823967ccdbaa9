"""The monitoring line that applies to a county in a year: the county's own if it set one,
else its province's. Lines are configuration (`MonitoringLine`), never a figure in code."""
import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xiezuo.core.scoping import scope_for
from xiezuo.regions.models import Region

from .models import MonitoringLine


def province_code(county_code: str) -> str:
    return county_code[:2] + "0000"


def lines_for(year: int, county_codes) -> dict:
    """{county code: MonitoringLine} for the counties that have one (own or their province's)."""
    county_codes = set(county_codes)
    wanted = county_codes | {province_code(c) for c in county_codes}
    found = {l.region.code: l for l in MonitoringLine.objects.filter(year=year, region__code__in=wanted).select_related("region")}
    out = {}
    for code in county_codes:
        line = found.get(code) or found.get(province_code(code))
        if line is not None:
            out[code] = line
    return out


def line_for(county_code: str, year: int):
    return lines_for(year, [county_code]).get(county_code)


def can_set_line(user, region: Region) -> bool:
    """The national coordinator anywhere; a province office's admin or editor for its province
    and the counties under it."""
    scope = scope_for(user)
    if not scope.active:
        return False
    if scope.role == "national":
        return True
    return (scope.role in ("office_admin", "office_editor") and scope.own is not None and len(scope.own) == 2
            and region.code.startswith(scope.own))


def set_line(user, region: Region, year: int, line_yuan: int, *, near_percent=150, fall_percent=30, rigid_percent=50, note=""):
    """Create or change the line of a province (or a county that sets its own) for a year."""
    if not can_set_line(user, region):
        raise PermissionDenied(_("Only the province office or the national coordinator sets a monitoring line."))
    if region.level not in ("province", "county"):
        raise ValueError(_("A monitoring line is set for a province or a county."))
    if not (1 <= int(line_yuan) <= 1_000_000):
        raise ValueError(_("A monitoring line is between 1 and 1,000,000 yuan per person and year."))
    if not (2000 <= int(year) <= datetime.date.today().year + 1):
        raise ValueError(_("The year is out of range."))
    line, _created = MonitoringLine.objects.update_or_create(
        region=region, year=year,
        defaults=dict(line_fen=int(line_yuan) * 100, near_percent=near_percent, fall_percent=fall_percent,
                      rigid_percent=rigid_percent, note=note))
    return line
