"""Excel imports for regions: yearly facts, and the national key assistance counties.

Both go through the region actions (save_region_fact, set_key_assistance), so an import
checks exactly what the pages check: facts only inside the user's own subtree, the key
assistance flag only by the national coordinator.
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import field_error
from xiezuo.core.importing import (
    CREATED, UNCHANGED, UPDATED, Column, Importer, parse_code, parse_count, parse_percent, parse_whole_yuan, parse_year,
    parse_yes_no, text,
)
from xiezuo.core.scoping import can_set_key_assistance

from .actions import region_for_import, save_region_fact, set_key_assistance
from .choices import Level, Role
from .models import RegionFact

FACT_COLUMNS = ("population", "gdp_wan", "rural_income_yuan", "primary_share", "secondary_share", "tertiary_share", "labour_force")


def _check_name(region, values, field):
    """An optional name column guards against a mistyped code: it must name that region."""
    name = values.get(field)
    if name and name not in (region.name, region.full_name):
        raise field_error(field, _("%(code)s is %(name)s, not “%(given)s”") % {"code": region.code, "name": region.name, "given": name})


class RegionFactImporter(Importer):
    slug = "region-facts"
    title = _l("Region yearly facts")
    description = _l("Population, GDP, industry mix, rural income and labour force of a region for a year.")
    permission_field = "region"
    columns = [
        Column("地区代码", "region", parse_code, required=True, example="513436",
               help=_l("Six-digit GB/T 2260 code of a province, prefecture or county.")),
        Column("地区名称", "region_name", text(64), example="美姑县",
               help=_l("Optional check: if filled, it must be the name of the region with that code.")),
        Column("年度", "year", parse_year, required=True, kind="number", example=2025, help=_l("The year the figures are for.")),
        Column("人口（人）", "population", parse_count, kind="number", example=289000),
        Column("地区生产总值（万元）", "gdp_wan", parse_count, kind="number", example=356000,
               help=_l("Whole 万元 (10,000 yuan).")),
        Column("农村居民人均可支配收入（元）", "rural_income_yuan", parse_whole_yuan, kind="number", example=15320,
               help=_l("Whole yuan.")),
        Column("第一产业占比（%）", "primary_share", parse_percent, kind="percent", example="18.5",
               help=_l("Percentage 0–100, at most two decimals; the three shares must add up to 100.")),
        Column("第二产业占比（%）", "secondary_share", parse_percent, kind="percent", example="36.2"),
        Column("第三产业占比（%）", "tertiary_share", parse_percent, kind="percent", example="45.3"),
        Column("劳动力（人）", "labour_force", parse_count, kind="number", example=168000),
    ]
    instructions = [
        _l("One row per region and year. A year already recorded for a region is updated with the figures in the file; "
           "a blank cell leaves the recorded figure as it is."),
        _l("You may import figures only for regions in your own area."),
    ]

    def prepare(self, ctx, values):
        region = region_for_import(ctx, values["region"], "region")
        _check_name(region, values, "region_name")
        facts = {k: values[k] for k in FACT_COLUMNS if k in values}
        return {"region": region, "year": values["year"], "facts": facts}

    def keys(self, prepared):
        return [("region", (prepared["region"].code, prepared["year"]), _("region and year"))]

    def apply(self, ctx, prepared):
        region, year, facts = prepared["region"], prepared["year"], prepared["facts"]
        existing = RegionFact.objects.filter(region=region, year=year).order_by("pk").first()
        if existing is not None and all(getattr(existing, k) == v for k, v in facts.items()):
            return UNCHANGED
        save_region_fact(ctx.user, region, year, **facts)
        return CREATED if existing is None else UPDATED


class KeyAssistanceImporter(Importer):
    slug = "key-assistance"
    title = _l("National key assistance counties")
    description = _l("Mark western counties as national key assistance counties (国家乡村振兴重点帮扶县), or clear the mark.")
    permission_field = "code"
    columns = [
        Column("县级代码", "code", parse_code, required=True, example="513436",
               help=_l("Six-digit GB/T 2260 code of a county in a western province.")),
        Column("县名称", "name", text(64), example="美姑县",
               help=_l("Optional check: if filled, it must be the name of the county with that code.")),
        Column("国家乡村振兴重点帮扶县", "flag", parse_yes_no, required=True, choices=("是", "否"), example="是",
               help=_l("是 marks the county, 否 clears the mark.")),
    ]
    instructions = [
        _l("Only the national coordinator runs this import. Counties not in the file keep their current mark."),
    ]

    def allowed(self, user):
        return can_set_key_assistance(user)

    def listed_for(self, user):
        return can_set_key_assistance(user)

    def prepare(self, ctx, values):
        region = region_for_import(ctx, values["code"], "code", level=Level.COUNTY)
        _check_name(region, values, "name")
        if region.role != Role.WEST:  # set_key_assistance refuses it too; said here with the parse errors
            raise field_error("code", _("%(region)s is not in a western province") % {"region": region})
        return {"region": region, "flag": values["flag"]}

    def keys(self, prepared):
        return [("code", prepared["region"].code, _("county"))]

    def apply(self, ctx, prepared):
        region, flag = prepared["region"], prepared["flag"]
        before = region.key_assistance
        region = set_key_assistance(ctx.user, region, flag)
        return UNCHANGED if before == flag else UPDATED
