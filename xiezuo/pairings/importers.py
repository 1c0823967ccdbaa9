"""Excel imports of pairings (结对关系) and their yearly agreements (协作协议).

Pairings: a row names a pairing by kind, eastern and western region (and, for sector
pairings, the organisations or the village) and its start date. A pairing with exactly
those is updated (its name, end date or source; a reason is then required and kept in the
pairing's history); otherwise a new pairing is created through create_pairing, which refuses
overlaps and, without an override reason, pairings outside a province pairing in force.

Agreements: a row names its pairing by kind + eastern code + western code (+ organisations
or village when several sector pairings join the same two regions); the pairing must be in
force in the agreement's year. An agreement already recorded for that pairing and year is
updated (upsert) — what officials expect when they re-import the year's list — and the
template's instructions say so.
"""
import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import PermissionDenied, ValidationError, field_error
from xiezuo.core.importing import (
    CREATED, UNCHANGED, UPDATED, Column, Importer, choice, parse_code, parse_count, parse_date, parse_fen, parse_year, text,
)
from xiezuo.core.scoping import can_manage_pairing, visible
from xiezuo.orgs.credit_code import validate_credit_code
from xiezuo.orgs.models import Organisation
from xiezuo.regions.actions import region_for_import

from .actions import create_pairing, save_agreement, update_pairing
from .choices import REGION_KINDS, SECTOR_ORG_KINDS, PairingKind
from .models import Agreement, Pairing

# The words used in the file (Chinese in every interface language: the file is the format).
KIND_NAMES = {
    "省—省": PairingKind.PROVINCE.value,
    "市—市/县": PairingKind.PREFECTURE.value,
    "县—县": PairingKind.COUNTY.value,
    "学校—学校": PairingKind.SCHOOL.value,
    "医院—医院": PairingKind.HOSPITAL.value,
    "企业—村": PairingKind.ENTERPRISE_VILLAGE.value,
    "社会组织—村": PairingKind.SOCIAL_VILLAGE.value,
}
KIND_HELP = _l("Region pairings: 省—省 (national coordinator only), 市—市/县, 县—县. Sector pairings: 学校—学校, 医院—医院 "
               "(name both organisations), 企业—村, 社会组织—村 (name the eastern organisation, the village and its county).")
ORG_HELP = _l("Sector pairings only: the organisation's unified social credit code, or its full name as recorded on the platform.")


def kind_column():
    return Column("结对类型", "kind", choice(KIND_NAMES, PairingKind), required=True, choices=tuple(KIND_NAMES), example="县—县",
                  help=KIND_HELP, width=14)


def find_org(ctx, value, field, region=None):
    """An organisation the user can see, by credit code or by exact name (within `region`)."""
    qs = visible(ctx.user, Organisation.objects.select_related("region"))
    try:
        code = validate_credit_code(value)
    except ValueError:
        code = None
    if code:
        org = qs.filter(credit_code=code).first()
        if org is None:
            raise field_error(field, _("no organisation you can see has the credit code %(code)s") % {"code": code})
        return org
    matches = qs.filter(name=value)
    if region is not None:
        matches = matches.filter(region__code__startswith=region.prefix)
    matches = list(matches[:2])
    if not matches:
        where = _(" in %(region)s") % {"region": region.name} if region is not None else ""
        raise field_error(field, _("no organisation named “%(name)s”%(where)s that you can see") % {"name": value, "where": where})
    if len(matches) > 1:
        raise field_error(field, _("several organisations are named “%(name)s”; give its unified social credit code instead") % {"name": value})
    return matches[0]


def _resolve_sides(ctx, values):
    """Regions and organisations of a row; sector pairings take a missing region from the
    organisation, as create_pairing does."""
    kind = values["kind"]
    errors = {}
    east = west = east_org = west_org = None
    for name in ("east_region", "west_region"):
        if values.get(name):
            try:
                region = region_for_import(ctx, values[name], name)
            except ValidationError as exc:
                errors.update(exc.message_dict)
            else:
                east, west = (region, west) if name == "east_region" else (east, region)
    if errors:
        raise ValidationError(errors)
    for name, region in (("east_org", east), ("west_org", west)):
        if values.get(name):
            try:
                org = find_org(ctx, values[name], name, region)
            except ValidationError as exc:
                errors.update(exc.message_dict)
            else:
                east_org, west_org = (org, west_org) if name == "east_org" else (east_org, org)
    if errors:
        raise ValidationError(errors)
    if kind in SECTOR_ORG_KINDS and east_org is not None and east is None:
        east = east_org.region
    if kind in (PairingKind.SCHOOL, PairingKind.HOSPITAL) and west_org is not None and west is None:
        west = west_org.region
    return east, west, east_org, west_org


class PairingImporter(Importer):
    slug = "pairings"
    title = _l("Pairings")
    description = _l("East–west pairings of regions, schools, hospitals, enterprises and villages, with their validity periods.")
    permission_field = "sides"
    field_headers = {"sides": ("east_region", "west_region"), "__all__": ""}
    columns = [
        kind_column(),
        Column("东部地区代码", "east_region", parse_code, example="330212",
               help=_l("Six-digit code of the eastern (helping) region. Sector pairings may leave it blank: the organisation's region is used.")),
        Column("西部地区代码", "west_region", parse_code, example="513436",
               help=_l("Six-digit code of the western (helped) region; for a village, the village's county.")),
        Column("东部单位", "east_org", text(200), width=30, help=ORG_HELP),
        Column("西部单位", "west_org", text(200), width=30, help=ORG_HELP),
        Column("帮扶村", "west_village", text(100), help=_l("企业—村 and 社会组织—村 pairings: the village's name.")),
        Column("结对名称", "name", text(100), help=_l("Optional; by default the two regions' names.")),
        Column("起始日期", "valid_from", parse_date, required=True, kind="date", example="2021-01-01"),
        Column("终止日期", "valid_to", parse_date, kind="date", help=_l("Blank while the pairing is in force.")),
        Column("调整原因", "reason", text(300), width=30,
               help=_l("Kept in the pairing's history. Required when the row changes a recorded pairing (e.g. fills in its end date).")),
        Column("例外原因", "override_reason", text(300), width=30,
               help=_l("Only for a pairing without a province pairing in force over its period: why it is recorded anyway.")),
        Column("依据", "source_note", text(200), width=30, help=_l("Optional: the document the pairing rests on.")),
    ]
    instructions = [
        _l("A row with the same type, regions, organisations, village and start date as a recorded pairing updates that pairing's "
           "name, end date and source (give the reason in “调整原因”); other rows create new pairings. A blank cell leaves the recorded value as it is."),
        _l("A new pairing may not overlap a recorded pairing of the same two sides. Pairings below province level must lie within "
           "a province pairing in force, unless “例外原因” says why not."),
        _l("Province pairings are set by the national coordinator; below that an office admin of either side may import them."),
    ]

    def prepare(self, ctx, values):
        east, west, east_org, west_org = _resolve_sides(ctx, values)
        identity = {
            "kind": values["kind"], "east_region": east, "west_region": west, "east_org": east_org, "west_org": west_org,
            "west_village": values.get("west_village", ""), "valid_from": values["valid_from"],
        }
        existing = None
        if east is not None and west is not None:
            existing = visible(ctx.user, Pairing.objects.select_related("east_region", "west_region")).filter(**identity).first()
        changes = {k: values[k] for k in ("name", "valid_to", "source_note") if k in values}
        return {"identity": identity, "changes": changes, "existing": existing,
                "reason": values.get("reason", ""), "override_reason": values.get("override_reason", "")}

    def keys(self, prepared):
        i = prepared["identity"]
        key = (i["kind"], getattr(i["east_region"], "code", None), getattr(i["west_region"], "code", None),
               getattr(i["east_org"], "pk", None), getattr(i["west_org"], "pk", None), i["west_village"], i["valid_from"])
        return [("valid_from", key, _("pairing and start date"))]

    def apply(self, ctx, prepared):
        existing = prepared["existing"]
        if existing is None:
            values = {k: v for k, v in prepared["identity"].items() if v is not None and v != ""}
            values.update(prepared["changes"])
            create_pairing(ctx.user, reason=prepared["reason"] or _("imported from Excel"),
                           override_reason=prepared["override_reason"], **values)
            return CREATED
        changes = {k: v for k, v in prepared["changes"].items() if getattr(existing, k) != v}
        if not changes:
            return UNCHANGED
        level = existing.kind if existing.kind in REGION_KINDS else "sector"
        if not can_manage_pairing(ctx.user, existing.east_region.code, existing.west_region.code, level):
            raise PermissionDenied(_("you may not change the pairing %(pairing)s") % {"pairing": existing})
        update_pairing(ctx.user, existing, reason=prepared["reason"], override_reason=prepared["override_reason"], **changes)
        return UPDATED


AGREEMENT_VALUES = ("fiscal_aid_fen", "funds_due_date", "cadres", "professionals", "labour_placements", "consumption_fen",
                    "projects", "signed_on", "note")


class AgreementImporter(Importer):
    slug = "agreements"
    title = _l("Agreements")
    description = _l("Each pair's yearly agreement: fiscal aid, people to dispatch, labour, consumption purchases and projects.")
    permission_field = "pairing"
    field_headers = {"pairing": ("kind", "east_region", "west_region"), "__all__": ""}
    columns = [
        kind_column(),
        Column("东部地区代码", "east_region", parse_code, required=True, example="330212",
               help=_l("The pairing's eastern region, as shown in the pairing list.")),
        Column("西部地区代码", "west_region", parse_code, required=True, example="513436",
               help=_l("The pairing's western region, as shown in the pairing list.")),
        Column("东部单位", "east_org", text(200), width=30,
               help=_l("Only when several sector pairings join the same two regions: the eastern organisation (credit code or full name).")),
        Column("西部单位", "west_org", text(200), width=30,
               help=_l("Only when several sector pairings join the same two regions: the western organisation (credit code or full name).")),
        Column("帮扶村", "west_village", text(100),
               help=_l("Only when several village pairings join the same two regions: the village.")),
        Column("年度", "year", parse_year, required=True, kind="number", example=2026,
               help=_l("The agreement's year; the pairing must be in force in that year.")),
        Column("财政援助资金（元）", "fiscal_aid_fen", parse_fen, kind="number", example="5000000.00", width=20,
               help=_l("Yuan, at most two decimal places.")),
        Column("资金到位期限", "funds_due_date", parse_date, kind="date", example="2026-06-30"),
        Column("选派党政干部（人）", "cadres", parse_count, kind="number", example=2),
        Column("选派专业技术人才（人）", "professionals", parse_count, kind="number", example=20),
        Column("劳务协作就业（人）", "labour_placements", parse_count, kind="number", example=500),
        Column("消费帮扶（元）", "consumption_fen", parse_fen, kind="number", example="15000000.00", width=18,
               help=_l("Yuan, at most two decimal places.")),
        Column("协作项目（个）", "projects", parse_count, kind="number", example=6),
        Column("签订日期", "signed_on", parse_date, kind="date", example="2026-03-15"),
        Column("备注", "note", text(300), width=30),
    ]
    instructions = [
        _l("The pairing is found by 结对类型 + 东部地区代码 + 西部地区代码 (as in the pairing list), in force in the row's 年度. "
           "If several sector pairings join the same two regions, fill 东部单位, 西部单位 or 帮扶村 to say which."),
        _l("If the pairing already has an agreement for that year, the row UPDATES it (a blank cell keeps the recorded value); "
           "otherwise a new agreement is created (blank amounts and counts are 0). One row per pairing and year."),
    ]

    def prepare(self, ctx, values):
        east, west, east_org, west_org = _resolve_sides(ctx, values)
        year = values["year"]
        qs = visible(ctx.user, Pairing.objects.select_related("east_region", "west_region")).filter(
            kind=values["kind"], east_region=east, west_region=west,
        ).overlapping(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        if east_org is not None:
            qs = qs.filter(east_org=east_org)
        if west_org is not None:
            qs = qs.filter(west_org=west_org)
        if values.get("west_village"):
            qs = qs.filter(west_village=values["west_village"])
        matches = list(qs.order_by("-valid_from")[:2])
        if not matches:
            raise field_error("pairing", _("no %(kind)s pairing of %(east)s with %(west)s in force in %(year)s that you can see") % {
                "kind": PairingKind(values["kind"]).label, "east": east, "west": west, "year": year})
        if len(matches) > 1:
            raise field_error("pairing", _("several pairings match; fill 东部单位, 西部单位 or 帮扶村 to say which"))
        pairing = matches[0]
        existing = Agreement.objects.filter(pairing=pairing, year=year).order_by("pk").first()
        return {"pairing": pairing, "year": year, "existing": existing,
                "values": {k: values[k] for k in AGREEMENT_VALUES if k in values}}

    def keys(self, prepared):
        return [("year", (prepared["pairing"].pk, prepared["year"]), _("pairing and year"))]

    def apply(self, ctx, prepared):
        existing, values = prepared["existing"], prepared["values"]
        if existing is None:
            save_agreement(ctx.user, pairing=prepared["pairing"], year=prepared["year"], **values)
            return CREATED
        if all(getattr(existing, k) == v for k, v in values.items()):
            return UNCHANGED
        save_agreement(ctx.user, instance=existing, **values)
        return UPDATED
