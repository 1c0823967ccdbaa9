"""Writes to regions: the key-assistance flag and yearly facts."""
import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from xiezuo.core import facts
from xiezuo.core.context import action
from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.scoping import can_edit_in_region, can_set_key_assistance

from .choices import Level
from .models import Region, RegionFact

FACT_FIELDS = ("population", "gdp_wan", "rural_income_yuan", "primary_share", "secondary_share", "tertiary_share", "labour_force")


def region_for_import(ctx, code, field_name, level=None):
    """get_region, once per import run for each code."""
    return ctx.cached(("region", code, level), lambda: get_region(code, field=field_name, level=level))


def get_region(code, field="region", level=None) -> Region:
    code = str(code or "").strip()
    if not code.isdigit() or len(code) != 6:
        raise field_error(field, _("“%(code)s” is not a six-digit GB/T 2260 code") % {"code": code})
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise field_error(field, _("no region has the code %(code)s") % {"code": code})
    if level and region.level != level:
        raise field_error(field, _("%(region)s is a %(actual)s, not a %(wanted)s") % {
            "region": region, "actual": region.get_level_display(), "wanted": Level(level).label})
    return region


@action
def set_key_assistance(user, region: Region, flag: bool) -> Region:
    if not can_set_key_assistance(user):
        raise PermissionDenied(_("only the national coordinator sets national key assistance counties"))
    if region.level != Level.COUNTY:
        raise field_error("code", _("%(region)s is not a county") % {"region": region})
    if region.role != "west":
        raise field_error("code", _("%(region)s is not in a western province") % {"region": region})
    if region.key_assistance != bool(flag):
        region.key_assistance = bool(flag)
        region.save(update_fields=["key_assistance"])
    return region


def _check_fact_values(values: dict):
    errors = {}
    for name in ("population", "gdp_wan", "rural_income_yuan", "labour_force"):
        v = values.get(name)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            errors[name] = [_("must be a whole number, zero or more")]
    shares = []
    for name in ("primary_share", "secondary_share", "tertiary_share"):
        v = values.get(name)
        if v is None:
            continue
        v = Decimal(str(v))
        if v < 0 or v > 100:
            errors[name] = [_("a share is a percentage between 0 and 100")]
        shares.append(v)
    if len(shares) == 3 and not errors and abs(sum(shares) - 100) > Decimal("0.5"):
        errors["tertiary_share"] = [_("the three industry shares add up to %(sum)s%%, not 100%%") % {"sum": sum(shares)}]
    if errors:
        raise ValidationError(errors)


@action
def save_region_fact(user, region: Region, year: int, **values) -> RegionFact:
    if not can_edit_in_region(user, region.code):
        raise PermissionDenied(_("you may not change the facts of %(region)s") % {"region": region})
    unknown = set(values) - set(FACT_FIELDS) - {"is_demo"}
    if unknown:
        raise ValidationError({f: [_("unknown field")] for f in unknown})
    if not isinstance(year, int) or not 1949 <= year <= 2100:
        raise field_error("year", _("“%(year)s” is not a year") % {"year": year})
    _check_fact_values(values)
    fact = RegionFact.objects.select_for_update().filter(region=region, year=year).first() or RegionFact(region=region, year=year)
    for name, value in values.items():
        setattr(fact, name, value)
    fact.save()
    facts.changed({region.code}, datetime.date(year, 1, 1), sender=RegionFact)  # a year's facts bear on that year on
    return fact
