"""Excel imports of the factor markets: technologies offered, needs of western counties and
land-quota listings, all-or-nothing, every bad row named with its row, column and reason
(the machinery of `core.importing`), each row through the markets' own actions, so a file is
checked exactly as a page or the API checks a single entry.

Technologies are named by their number: a recorded one is updated (`edit_technology`), else
offered (`offer_technology`). Needs are named by county and title: a recorded need is
updated (`edit_need`), else posted. Listings are always new (a listing is a range of units
sold once: a row never changes one already on the market).
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from xiezuo.core.errors import ValidationError
from xiezuo.core.importing import (CREATED, UNCHANGED, UPDATED, Column, Importer, _number_text, choice, parse_code, parse_count,
                                   parse_date, text)
from xiezuo.projects.importers import collect, find_organisation, find_region, org_cell

from .choices import LandClass, TechKind
from .common import organisations, western_counties
from .land import actions as land
from .models import TechNeed, Technology
from .tech import actions as tech

TECH_KINDS = {"专利": TechKind.PATENT.value, "技术": TechKind.TECHNOLOGY.value}
LAND_CLASSES = {"水田": LandClass.PADDY.value, "耕地": LandClass.CULTIVATED.value, "其他": LandClass.OTHER.value}


class TechnologyImporter(Importer):
    slug = "markets-technologies"
    title = _l("Technologies and patents offered")
    description = _l("Technologies and patents an eastern university, institute or enterprise offers to western counties (技术专利协同转化中心).")
    permission_field = "owner"
    columns = [
        Column("编号", "number", text(32), required=True, example="ZL202110001234.5",
               help=_l("The patent or registration number; a number already offered updates that technology.")),
        Column("类型", "kind", choice(TECH_KINDS, TechKind), example="专利", choices=tuple(TECH_KINDS)),
        Column("名称", "title", text(200), required=True, width=30, example="高原马铃薯脱毒种薯快繁技术"),
        Column("摘要", "abstract", text(5000), width=40, example="利用茎尖脱毒和雾培快繁，提高种薯质量。"),
        Column("IPC分类号", "ipc", text(20), example="A01H 4/00", help=_l("The IPC class, e.g. A01G 9/14 or A01G.")),
        Column("权利人", "owner", text(200), required=True, width=30, example="浙江大学",
               help=_l("The eastern owner: unified social credit code, or full name as recorded on the platform.")),
        Column("许可条件", "licence_terms", text(300), width=30, example="普通许可，入门费加销售额提成"),
    ]

    def allowed(self, user):
        return organisations(user, "east").exists()

    def preload(self, ctx, rows):
        numbers = {_number_text(raw["number"]) for _n, raw in rows if raw.get("number") is not None}
        ctx.cache["tech"] = {t.number: t for t in Technology.objects.filter(number__in=numbers).select_related("owner__region")}

    def prepare(self, ctx, values):
        errors = {}
        owner = collect(errors, find_organisation, ctx, values["owner"], "owner")
        if errors:
            raise ValidationError(errors)
        fields = {"owner": owner, "number": values["number"].strip(), "title": values["title"],
                  "abstract": values.get("abstract") or "", "ipc": values.get("ipc") or "",
                  "kind": values.get("kind") or TechKind.PATENT.value, "licence_terms": values.get("licence_terms") or ""}
        return {"existing": ctx.cache["tech"].get(fields["number"]), "fields": fields}

    def keys(self, prepared):
        return [("number", prepared["fields"]["number"], _("number"))]

    def apply(self, ctx, prepared):
        existing, f = prepared["existing"], prepared["fields"]
        if existing is None:
            tech.offer_technology(ctx.user, **f)
            return CREATED
        same = (existing.owner_id == f["owner"].pk and existing.title == f["title"].strip()
                and existing.abstract == f["abstract"].strip() and existing.ipc == f["ipc"].strip().upper()
                and existing.kind == f["kind"] and existing.licence_terms == f["licence_terms"].strip())
        if same:
            return UNCHANGED
        tech.edit_technology(ctx.user, existing, **f)
        return UPDATED

    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, t):
        kinds = {v: k for k, v in TECH_KINDS.items()}
        return [t.number, kinds.get(t.kind, t.kind), t.title, t.abstract, t.ipc, org_cell(t.owner), t.licence_terms]


class NeedImporter(Importer):
    slug = "markets-needs"
    title = _l("Technology needs of western counties")
    description = _l("What western enterprises and counties need solved; matched against the technologies offered.")
    permission_field = "county"
    columns = [
        Column("县级代码", "county", parse_code, required=True, example="513436",
               help=_l("The six-digit GB/T 2260 code of the western county.")),
        Column("需求名称", "title", text(200), required=True, width=30, example="马铃薯种薯退化",
               help=_l("A need is named by its county and title: a recorded one is updated.")),
        Column("问题描述", "problem", text(5000), required=True, width=40, example="高寒山区马铃薯种薯退化严重，需要脱毒种薯快繁技术。"),
        Column("行业", "sector", text(50), example="种植业"),
        Column("IPC分类号", "ipc", text(20), example="A01H"),
        Column("需求单位", "requester", text(200), width=30, example="美姑县东西部协作办公室",
               help=_l("The organisation of the county that needs it (credit code or full name); empty: the county's cooperation office.")),
    ]

    def allowed(self, user):
        return western_counties(user).exists()

    def prepare(self, ctx, values):
        errors = {}
        county = collect(errors, find_region, ctx, values["county"], "county", "county")
        requester = None
        if values.get("requester"):
            requester = collect(errors, find_organisation, ctx, values["requester"], "requester")
        if errors:
            raise ValidationError(errors)
        fields = {"title": values["title"].strip(), "problem": values["problem"], "sector": values.get("sector") or "",
                  "ipc": values.get("ipc") or ""}
        existing = TechNeed.objects.filter(county=county, title=fields["title"]).order_by("id").first()
        return {"existing": existing, "county": county, "requester": requester, "fields": fields}

    def keys(self, prepared):
        return [("title", (prepared["county"].pk, prepared["fields"]["title"]), _("county and title"))]

    def apply(self, ctx, prepared):
        existing, f = prepared["existing"], prepared["fields"]
        if existing is None:
            tech.post_need(ctx.user, county=prepared["county"], requester=prepared["requester"], **f)
            return CREATED
        if (existing.problem, existing.sector, existing.ipc) == (f["problem"].strip(), f["sector"].strip(), f["ipc"].strip().upper()):
            return UNCHANGED
        tech.edit_need(ctx.user, existing, **f)
        return UPDATED

    def export_headers(self):
        return [c.header for c in self.columns]

    def export_row(self, n):
        return [n.county.code, n.title, n.problem, n.sector, n.ipc, org_cell(n.requester)]


class ListingImporter(Importer):
    slug = "markets-land-listings"
    title = _l("Land-quota listings")
    description = _l("Surplus construction-land quota (节余指标) a western county lists on the exchange; each row is a new listing.")
    permission_field = "county"
    columns = [
        Column("县级代码", "county", parse_code, required=True, example="513436",
               help=_l("The six-digit GB/T 2260 code of the western county.")),
        Column("地类", "land_class", choice(LAND_CLASSES, LandClass), required=True, example="耕地", choices=tuple(LAND_CLASSES)),
        Column("面积（亩）", "area", text(24), required=True, example="12.3456",
               help=_l("Area in mu, to four decimals (0.0001 mu), above zero.")),
        Column("土地整治项目", "source_project", text(200), required=True, width=30, example="洒库乡土地整治项目"),
        Column("批准文号", "approval_doc", text(100), required=True, example="川自然资〔2026〕12号"),
        Column("省级确认", "province_confirmation", text(100), required=True, example="四川省自然资源厅确认书 2026-03"),
        Column("挂牌日期", "listed_on", parse_date, kind="date", example="2026-03-01", help=_l("Empty: today.")),
        Column("出让单位", "seller", text(200), width=30, example="美姑县东西部协作办公室",
               help=_l("The county's organisation that sells (credit code or full name); empty: the county's cooperation office.")),
    ]

    def allowed(self, user):
        return western_counties(user).exists()

    def prepare(self, ctx, values):
        errors = {}
        county = collect(errors, find_region, ctx, values["county"], "county", "county")
        seller = collect(errors, find_organisation, ctx, values["seller"], "seller") if values.get("seller") else None
        if errors:
            raise ValidationError(errors)
        return {"county": county, "seller": seller, "land_class": values["land_class"], "area": _number(values["area"]),
                "source_project": values["source_project"], "approval_doc": values["approval_doc"],
                "province_confirmation": values["province_confirmation"], "listed_on": values.get("listed_on")}

    def apply(self, ctx, prepared):
        land.list_quota(ctx.user, **prepared)
        return CREATED


class SplitImporter(Importer):
    """The farmers' shares of land-quota trades, one row per household: the trade, the
    household by its number in the registry of the listing's county, its weight. The rows of a
    trade make its split (`split_proceeds`, by the year's rule and largest remainder), all the
    trades of the file or none."""

    slug = "markets-land-splits"
    title = _l("Land-quota proceeds split among households")
    description = _l("The farmers' shares of a trade's proceeds, one row per household of the county's monitoring registry, "
                     "named by its household number; the rows of a trade make its split.")
    permission_field = "trade"
    bulk = True
    columns = [
        Column("成交编号", "trade", parse_count, required=True, kind="number", example="12",
               help=_l("The trade's number, as the trade page shows it (#12).")),
        Column("户编号", "number", text(32), required=True, example="513436100001",
               help=_l("The household number in the monitoring registry of the listing's county.")),
        Column("权重", "weight", parse_count, required=True, kind="number", example="12000",
               help=_l("A whole number above zero, e.g. the household's area in 0.0001 mu; the farmers' part is split in proportion.")),
    ]

    def allowed(self, user):
        return western_counties(user).exists()

    def preload(self, ctx, rows):
        from xiezuo.core.scoping import visible

        from .models import QuotaTrade

        ids = set()
        for _n, raw in rows:
            try:
                ids.add(parse_count(raw.get("trade")))
            except Exception:  # noqa: BLE001 — the row's own parse names it
                pass
        ctx.cache["trades"] = {t.pk: t for t in visible(ctx.user, QuotaTrade.objects.filter(pk__in=ids)
                                                         .select_related("listing__county"))}
        numbers = {_number_text(raw["number"]).strip() for _n, raw in rows if raw.get("number") is not None}
        from xiezuo.households.models import Household

        found = {}
        for h in Household.objects.visible_to(ctx.user).filter(number__in=numbers).select_related("county"):
            found.setdefault((h.county_id, h.number), []).append(h)
        ctx.cache["households"] = found

    def prepare(self, ctx, values):
        trade = ctx.cache["trades"].get(values["trade"])
        if trade is None:
            raise ValidationError({"trade": [_("no trade #%(id)s that you may see") % {"id": values["trade"]}]})
        number = values["number"].strip()
        matches = ctx.cache["households"].get((trade.listing.county_id, number), [])
        if not matches:
            raise ValidationError({"number": [_("no household numbered %(h)s in the registry of %(county)s") % {
                "h": number, "county": trade.listing.county}]})
        if len(matches) > 1:
            raise ValidationError({"number": [_("%(k)d households are numbered %(h)s; correct the registry first") % {
                "k": len(matches), "h": number}]})
        if values["weight"] <= 0:
            raise ValidationError({"weight": [_("must be at least %(n)d") % {"n": 1}]})
        return {"trade": trade, "household": matches[0], "weight": values["weight"]}

    def keys(self, prepared):
        return [("number", (prepared["trade"].pk, prepared["household"].pk), _("trade and household"))]

    def apply_all(self, ctx, rows, result):
        from django.core.exceptions import PermissionDenied
        from django.db import transaction

        by_trade = {}
        for number, p in rows:
            by_trade.setdefault(p["trade"].pk, []).append((number, p))
        for items in by_trade.values():
            trade = items[0][1]["trade"]
            try:
                with transaction.atomic():
                    land.split_proceeds(ctx.user, trade=trade, households=[(p["household"], p["weight"]) for _n, p in items])
            except ValidationError as exc:
                from xiezuo.core.errors import messages_of

                for key, msgs in messages_of(exc).items():
                    if key.startswith("households["):
                        i = int(key[len("households["):key.index("]")])
                        field = "weight" if key.endswith(".weight") else "number"
                        for m in msgs:
                            result.add(items[i][0], self.header_for(field), m)
                    else:
                        for number, _p in items:
                            for m in msgs:
                                result.add(number, self.header_for("trade"), m)
            except PermissionDenied as exc:
                for number, _p in items:
                    result.add(number, self.header_for("trade"), str(exc) or _("not allowed"))
            else:
                result.counts[CREATED] += len(items)


def _number(value: str) -> str:
    """An area typed as text (“12.3456”) or read from a number cell; the action parses and checks it."""
    return value.replace(",", "").strip()


__all__ = ["TechnologyImporter", "NeedImporter", "ListingImporter", "SplitImporter", "UNCHANGED"]
